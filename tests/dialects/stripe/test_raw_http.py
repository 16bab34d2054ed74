"""Raw HTTP as curl speaks it: Basic auth, both array notations, escapes, limits, headers."""

from __future__ import annotations

import re
import socket

import httpx
import pytest

from rolodex.dialects.stripe.decode import MAX_BODY_BYTES, MAX_DEPTH, MAX_PARAMETERS
from tests.support.server import Server

FORM = {"content-type": "application/x-www-form-urlencoded"}


def error_of(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/json"
    error: dict[str, str] = response.json()["error"]
    return error


def test_basic_auth_as_curl_sends_it(raw: httpx.Client) -> None:
    created = raw.post("/v1/customers", data={"name": "curl"})
    assert created.status_code == 200
    assert raw.get(f"/v1/customers/{created.json()['id']}").json()["name"] == "curl"


def test_basic_auth_without_base64(server: Server, stripe_key: str) -> None:
    response = httpx.get(
        f"{server.url}/v1/customers", headers={"authorization": f"Basic {stripe_key}"}
    )
    assert response.status_code == 200


def test_both_array_notations_and_percent_encoded_brackets(raw: httpx.Client) -> None:
    body = "preferred_locales[]=fr&preferred_locales[]=en&metadata%5Bfirst+key%5D=hello+world"
    created = raw.post("/v1/customers", content=body, headers=FORM).json()
    assert created["preferred_locales"] == ["fr", "en"]
    assert created["metadata"] == {"first key": "hello world"}
    indexed = raw.post(
        "/v1/customers", content="preferred_locales[1]=en&preferred_locales[0]=fr", headers=FORM
    )
    assert indexed.json()["preferred_locales"] == ["fr", "en"]


def test_booleans_in_either_case(raw: httpx.Client) -> None:
    assert raw.post("/v1/customers", data={"validate": "True"}).status_code == 200
    assert raw.post("/v1/customers", data={"validate": "false"}).status_code == 200


def test_expand_in_the_query_string(raw: httpx.Client) -> None:
    customer = raw.post("/v1/customers", content="expand[]=tax", headers=FORM).json()
    assert customer["tax"]["provider"] == "stripe"
    listed = raw.get("/v1/customers", params={"expand[]": "data.tax"}).json()
    assert listed["data"][0]["tax"]["automatic_tax"] == "unrecognized_location"


def test_unsupported_content_types(raw: httpx.Client) -> None:
    for content_type in ("text/plain; charset=utf-8", "application/json"):
        response = raw.post(
            "/v1/customers", content=b'{"name": "x"}', headers={"content-type": content_type}
        )
        assert response.status_code == 400
        error = error_of(response)
        assert error.pop("request_log_url").startswith("https://dashboard.stripe.com/test/")
        assert error == {
            "message": f"Invalid request: unsupported Content-Type {content_type}. If error "
            "persists and you need assistance, please contact support@stripe.com.",
            "type": "invalid_request_error",
        }
    assert raw.get("/v1/customers", params={"email": "nobody@example.com"}).json()["data"] == []


def test_oversized_body_is_413_not_500(raw: httpx.Client) -> None:
    response = raw.post("/v1/customers", content=b"name=" + b"x" * MAX_BODY_BYTES, headers=FORM)
    assert response.status_code == 413
    assert error_of(response)["type"] == "invalid_request_error"


def test_too_deep_nesting_is_400(raw: httpx.Client) -> None:
    key = "metadata" + "[a]" * MAX_DEPTH
    response = raw.post("/v1/customers", content=f"{key}=1", headers=FORM)
    assert response.status_code == 400
    assert "nested deeper" in error_of(response)["message"]


def test_too_many_parameters_is_400(raw: httpx.Client) -> None:
    body = "&".join(f"metadata[k{i}]=v" for i in range(MAX_PARAMETERS + 1))
    response = raw.post("/v1/customers", content=body, headers=FORM)
    assert response.status_code == 400
    assert "Too many parameters" in error_of(response)["message"]


def test_many_metadata_keys_get_stripes_limit_not_a_crash(raw: httpx.Client) -> None:
    body = "&".join(f"metadata[k{i}]=v" for i in range(60))
    response = raw.post("/v1/customers", content=body, headers=FORM)
    assert (response.status_code, error_of(response)["param"]) == (400, "metadata")


def test_response_headers(raw: httpx.Client) -> None:
    plain = raw.get("/v1/customers")
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", plain.headers["request-id"])
    assert plain.headers["stripe-version"] == "2026-10-28.endive"
    assert plain.headers["content-type"] == "application/json"
    pinned = raw.get("/v1/customers", headers={"stripe-version": "2024-06-20"})
    assert pinned.headers["stripe-version"] == "2024-06-20"
    failed = raw.get("/v1/customers/cus_missing")
    assert failed.status_code == 404 and failed.headers["request-id"] != plain.headers["request-id"]


def test_bodies_are_indented_by_two_spaces_as_stripe_writes_them(raw: httpx.Client) -> None:
    created = raw.post("/v1/customers", data={"name": "Jo", "metadata[plan]": "pro"})
    assert created.text.startswith('{\n  "id": "cus_')
    assert '\n  "metadata": {\n    "plan": "pro"\n  },\n' in created.text
    assert raw.get(f"/v1/customers/{created.json()['id']}").text == created.text
    missing = raw.get("/v1/customers/cus_nobody")
    assert missing.text.startswith('{\n  "error": {\n    "')
    replayed = [
        raw.post("/v1/customers", data={"name": "Once"}, headers={"idempotency-key": "k1"})
        for _ in range(2)
    ]
    assert replayed[1].headers["idempotent-replayed"] == "true"
    assert replayed[0].text == replayed[1].text and replayed[1].text.startswith("{\n  ")


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "MKCOL"])
@pytest.mark.parametrize(
    "path", ["/v1/customers", "/v1/customers/cus_x", "/v1/customers/search", "/v1/nowhere"]
)
def test_any_other_method_is_an_unrecognized_url(raw: httpx.Client, method: str, path: str) -> None:
    for sent in (path, "/stripe" + path):
        answer = raw.request(method, sent)
        assert (answer.status_code, answer.headers["content-type"]) == (404, "application/json")
        assert error_of(answer)["message"].startswith(
            f"Unrecognized request URL ({method}: {sent})."
        )


def test_unknown_urls_and_methods(raw: httpx.Client) -> None:
    trailing = raw.get("/v1/customers/")
    assert trailing.status_code == 404
    assert error_of(trailing)["message"].startswith(
        "Unrecognized request URL (GET: /v1/customers/)."
    )
    put = raw.put("/v1/customers", content=b"")
    assert put.status_code == 404
    assert error_of(put)["message"].startswith("Unrecognized request URL (PUT: /v1/customers).")
    nowhere = raw.get("/v1/nowhere/at/all")
    assert error_of(nowhere)["message"].startswith(
        "Unrecognized request URL (GET: /v1/nowhere/at/all)."
    )
    unprefixed = raw.post("/stripe/v1/customers/", data={"name": "x"})
    assert unprefixed.status_code == 404


def test_head_is_answered_as_get_without_the_body(raw: httpx.Client) -> None:
    created = raw.post("/v1/customers", data={"name": "Headless"}).json()
    for path in (f"/v1/customers/{created['id']}", "/v1/customers?limit=3"):
        got, head = raw.get(path), raw.head(path)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == "application/json"
        assert head.headers["content-length"] == str(len(got.content))
        assert re.fullmatch(r"req_[A-Za-z0-9]{14}", head.headers["request-id"])
    missing = raw.head("/v1/customers/cus_missing")
    assert missing.status_code == 404 and missing.content == b""
    nowhere = raw.head("/v1/nowhere")
    assert nowhere.status_code == 404


def test_head_needs_a_key_as_get_does(server: Server) -> None:
    assert httpx.head(f"{server.url}/v1/customers").status_code == 401


def test_the_search_path_is_its_own_endpoint_not_a_customer_id(raw: httpx.Client) -> None:
    for method in ("POST", "DELETE"):
        answered = raw.request(method, "/v1/customers/search")
        assert answered.status_code == 404
        assert error_of(answered)["message"].startswith(
            f"Unrecognized request URL ({method}: /v1/customers/search)."
        )
    # Only the whole segment is reserved: ids that merely start or end with it are ids.
    for id in ("searching", "research"):
        missing = raw.get(f"/v1/customers/{id}")
        assert error_of(missing)["message"] == f"No such customer: '{id}'"


def test_stripe_answers_under_the_stripe_prefix_too(raw: httpx.Client) -> None:
    created = raw.post("/stripe/v1/customers", data={"name": "prefixed"}).json()
    assert raw.get(f"/v1/customers/{created['id']}").json()["name"] == "prefixed"


def test_nul_in_a_path_id_is_a_missing_customer(raw: httpx.Client) -> None:
    response = raw.get("/v1/customers/cus%00x")
    assert (response.status_code, error_of(response)["code"]) == (404, "resource_missing")


def test_parameters_in_the_address_and_the_body_are_one_set(raw: httpx.Client) -> None:
    created = raw.post("/v1/customers?name=From+the+query", data={"email": "both@example.com"})
    assert (created.json()["name"], created.json()["email"]) == (
        "From the query", "both@example.com"
    )  # fmt: skip
    unknown = raw.post("/v1/customers?bogus=1", data={"name": "x"})
    assert (unknown.status_code, error_of(unknown)["param"]) == (400, "bogus")
    listed = raw.request("GET", "/v1/customers", content=b"limit=abc", headers=FORM)
    assert (listed.status_code, error_of(listed)["param"]) == (400, "limit")
    deleted = raw.request(
        "DELETE", f"/v1/customers/{created.json()['id']}", content=b"bogus=1", headers=FORM
    )
    assert (deleted.status_code, error_of(deleted)["code"]) == (400, "parameter_unknown")


def test_multipart_form_data_is_read_as_form_fields(raw: httpx.Client) -> None:
    fields = {"name": (None, "Multi Part"), "metadata[plan]": (None, "pro")}
    created = raw.post("/v1/customers", files=fields)
    assert created.status_code == 200
    assert (created.json()["name"], created.json()["metadata"]) == ("Multi Part", {"plan": "pro"})
    with_a_file = raw.post("/v1/customers", files={"name": ("a.txt", b"x", "text/plain")})
    assert with_a_file.status_code == 400


def test_a_malformed_multipart_body_is_answered_and_not_logged(
    raw: httpx.Client, server: Server
) -> None:
    headers = {"content-type": "multipart/form-data; boundary=edge"}
    body = b'stray\r\n--edge\r\nContent-Disposition: form-data; name="name"\r\n\r\nJo'
    refused = raw.post("/v1/customers", content=body, headers=headers)
    assert (refused.status_code, error_of(refused)["type"]) == (400, "invalid_request_error")
    assert "Invalid multipart data" in error_of(refused)["message"]
    assert "boundary character" not in server.log()


def test_numbers_longer_than_python_converts_are_read_all_the_same(
    raw: httpx.Client, server: Server, stripe_key: str
) -> None:
    longest = "9" * 4301  # more digits than ``int`` converts
    created = raw.post("/v1/customers", content=f"preferred_locales[{longest}]=en", headers=FORM)
    assert (created.status_code, created.json()["preferred_locales"]) == (200, ["en"])
    found = raw.get("/v1/customers/search", params={"query": f"created>{longest}"})
    assert (found.status_code, found.json()["data"]) == (200, [])
    request = (
        b"POST /v1/customers HTTP/1.1\r\nHost: rolodex\r\nContent-Length: "
        + b"0" * 4400
        + b"6\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        + f"Authorization: Bearer {stripe_key}\r\nConnection: close\r\n\r\nname=a".encode()
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"name": "a"' in answer


def test_media_types_are_case_insensitive(raw: httpx.Client) -> None:
    shouted = {"content-type": "Application/X-WWW-Form-Urlencoded; Charset=UTF-8"}
    created = raw.post("/v1/customers", content=b"name=Loud", headers=shouted)
    assert (created.status_code, created.json()["name"]) == (200, "Loud")


def test_integers_are_ascii_digits(raw: httpx.Client) -> None:
    for digits in ("\u0663", "\uff13"):  # Arabic-Indic and full-width three
        listed = raw.get("/v1/customers", params={"limit": digits})
        assert (listed.status_code, error_of(listed)["code"]) == (400, "parameter_invalid_integer")


def test_array_indices_are_ascii_digits(raw: httpx.Client) -> None:
    """``²`` and ``①`` are digits to Python's ``str.isdigit`` but no index to ``int``."""
    for body in (
        "preferred_locales[%C2%B2]=en",
        "preferred_locales[%E2%91%A0]=en",
        "invoice_settings[custom_fields][%C2%B2][name]=a",
        "expand[%C2%B2]=tax",
    ):
        response = raw.post("/v1/customers", content=body, headers=FORM)
        assert (response.status_code, error_of(response)["message"]) == (400, "Invalid array")
    listed = raw.get("/v1/customers?expand%5B%C2%B2%5D=data.tax")
    assert (listed.status_code, error_of(listed)["param"]) == (400, "expand")
    keyed = raw.post(
        "/v1/customers",
        content="metadata[%C2%B2]=v",
        headers={**FORM, "idempotency-key": "superscript-two"},
    )
    assert keyed.json()["metadata"] == {"²": "v"}


def test_errors_link_to_the_request_log_once_the_account_is_known(
    server: Server, raw: httpx.Client
) -> None:
    missing = raw.get("/v1/customers/cus_missing")
    link = error_of(missing)["request_log_url"]
    request_id = missing.headers["request-id"]
    assert re.fullmatch(rf"https://dashboard\.stripe\.com/test/logs/{request_id}\?t=\d+", link)
    live = httpx.get(f"{server.url}/v1/customers/cus_missing", auth=("sk_live_abc123", ""))
    assert error_of(live)["request_log_url"].startswith("https://dashboard.stripe.com/logs/req_")
    unauthenticated = httpx.get(f"{server.url}/v1/customers/cus_missing")
    assert unauthenticated.status_code == 401
    assert "request_log_url" not in error_of(unauthenticated)


def test_no_path_answers_with_a_redirect_or_plain_text(raw: httpx.Client) -> None:
    for path in ("/v1", "/stripe/", "/stripe/foo", "/stripe/v2/x"):
        answered = raw.get(path, follow_redirects=False)
        assert answered.status_code == 404, path
        assert error_of(answered)["message"].startswith(f"Unrecognized request URL (GET: {path})")
        assert answered.headers["request-id"].startswith("req_")


def test_total_count_is_included_only_before_basil(raw: httpx.Client) -> None:
    for _ in range(3):
        raw.post("/v1/customers", data={"email": "counted@example.com"})
    asked = {"include[]": "total_count", "limit": "1", "email": "counted@example.com"}
    old = raw.get("/v1/customers", params=asked, headers={"stripe-version": "2024-06-20"})
    assert (len(old.json()["data"]), old.json()["total_count"]) == (1, 3)
    refused = raw.get("/v1/customers", params=asked)
    assert refused.status_code == 400
    error = error_of(refused)
    assert (error["code"], error["param"]) == ("property_forbidden", "include")
    assert "total_count" not in raw.get("/v1/customers", params={"limit": "1"}).json()
