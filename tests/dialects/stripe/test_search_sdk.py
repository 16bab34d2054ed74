"""Customer search through the official stripe SDK against a real server, on every backend:
a known data set, a table of queries with the ids each must return, and every error."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
import stripe

from rolodex.dialects.stripe.auth import tenant_of
from rolodex.dialects.stripe.search import cursor
from rolodex.store.base import Cursor
from tests.conftest import random_key
from tests.support.server import Server

CUSTOMERS: dict[str, dict[str, Any]] = {
    "jenny": {
        "email": "jenny.rosen@example.com",
        "name": "Jenny Rosen",
        "phone": "+1 555-0100",
        "metadata": {"plan": "pro", "team": "Blue"},
    },
    "jane": {
        "email": "jane.doe@example.com",
        "name": "Jane Doe Smith",
        "phone": "+44 20 7946 0958",
        "metadata": {"plan": "Free"},
    },
    "doe": {"email": "doe.jane@corp.io", "name": "Doe Jane", "metadata": {"plan": "enterprise"}},
    "amy": {"email": "amy@rocketrides.io", "name": "Amy O'Brien"},
    "xamy": {"email": "xamy@rocketrides.io", "name": "Xamy", "metadata": {"order-id": "A-1"}},
    "nameless": {"metadata": {"plan": "pro"}},
    "sky": {"email": "sky@example.com", "name": 'The "Sky" Co'},
    "gone": {"email": "gone@example.com", "name": "Jane Gone", "metadata": {"plan": "pro"}},
    "nikos": {"email": "nikos@example.gr", "name": "ΝΙΚΟΣ Παπάς", "metadata": {"city": "ΑΘΗΝΑΣ"}},
}
DELETED = {"gone"}


@dataclass
class DataSet:
    client: stripe.StripeClient
    ids: dict[str, str]
    created: dict[str, int]

    def search(self, query: str, **params: Any) -> list[str]:
        """Labels of every customer the query finds, in the order the server gives them."""
        labels = {id: label for label, id in self.ids.items()}
        found = self.client.v1.customers.search({"query": query, **params}).auto_paging_iter()
        return [labels.get(customer.id, customer.id) for customer in found]

    def newest_first(self, labels: set[str]) -> list[str]:
        return [label for label in reversed(list(CUSTOMERS)) if label in labels]


@pytest.fixture(scope="module")
def data(server: Server) -> DataSet:
    client = stripe.StripeClient(random_key("sk_test_"), base_addresses={"api": server.url})
    created = {label: client.v1.customers.create(params) for label, params in CUSTOMERS.items()}  # type: ignore[arg-type]
    for label in DELETED:
        client.v1.customers.delete(created[label].id)
    stranger = stripe.StripeClient(random_key("sk_test_"), base_addresses={"api": server.url})
    for params in CUSTOMERS.values():
        stranger.v1.customers.create(params)  # type: ignore[arg-type]
    return DataSet(
        client,
        {label: c.id for label, c in created.items()},
        {label: c.created for label, c in created.items()},
    )


LIVE = set(CUSTOMERS) - DELETED
WITH_EMAIL = {label for label in LIVE if "email" in CUSTOMERS[label]}

QUERIES: list[tuple[str, set[str]]] = [
    ('email:"jenny.rosen@example.com"', {"jenny"}),
    ("email:'JENNY.ROSEN@EXAMPLE.COM'", {"jenny"}),
    ('email:"example.com"', {"jenny", "jane", "sky"}),
    ('email:"gone@example.com"', set()),
    ('name:"jane doe"', {"jane"}),
    ("name:'jane'", {"jane", "doe"}),
    ("name:'Jenny Rosen'", {"jenny"}),
    (r"name:'amy o\'brien'", {"amy"}),
    (r'name:"\"sky\" co"', {"sky"}),
    ('name~"ane"', {"jane", "doe"}),
    ('email~"amy"', {"amy", "xamy"}),
    ('email~"@ROCKETRIDES.io"', {"amy", "xamy"}),
    ('phone:"555"', {"jenny"}),
    ('phone~"7946"', {"jane"}),
    ("phone:null", LIVE - {"jenny", "jane"}),
    ("metadata['plan']:'pro'", {"jenny", "nameless"}),
    ('metadata["plan"]:"FREE"', {"jane"}),
    ("metadata['team']:'blue'", {"jenny"}),
    ("metadata['order-id']:'a-1'", {"xamy"}),
    ("metadata['plan']:'pr'", set()),
    ("-metadata['plan']:null", {"jenny", "jane", "doe", "nameless"}),
    ("metadata['plan']:null", {"amy", "xamy", "sky", "nikos"}),
    ("email:null", {"nameless"}),
    ("-email:null", WITH_EMAIL),
    ("name:'jane' AND metadata['plan']:'free'", {"jane"}),
    ("name:'jane' metadata['plan']:'free'", {"jane"}),
    ("name:'jane' and -metadata['plan']:'free'", {"doe"}),
    ('email:"jenny.rosen@example.com" OR email:"amy@rocketrides.io"', {"jenny", "amy"}),
    (
        "name:'jane' or email~'rides' OR metadata['plan']:'pro'",
        {"jane", "doe", "amy", "xamy", "jenny", "nameless"},
    ),
    ("-name:'jane'", LIVE - {"jane", "doe"}),
    # A capital sigma ending a word folds as anywhere else, in stored and queried text alike.
    ("metadata['city']:'ΑΘΗΝΑΣ'", {"nikos"}),
    ("metadata['city']:'αθηνασ'", {"nikos"}),
    ("name:'ΝΙΚΟΣ'", {"nikos"}),
    ("name~'ΚΟΣ παπ'", {"nikos"}),
    ("created>0", LIVE),
    ("created<0", set()),
    ("-created>0", set()),
    # "No upper limit" written as a huge second, with a text condition (the full-text index's
    # keys carry the creation time): every text-field match, on every backend.
    ("name:'jane' created<99999999999999999999999", {"jane", "doe"}),
    ("email~'rides' created<=8796093023", {"amy", "xamy"}),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=[q for q, _ in QUERIES])
def test_query_finds_exactly_the_expected_customers(
    data: DataSet, query: str, expected: set[str]
) -> None:
    assert data.search(query) == data.newest_first(expected)


def test_created_comparisons_use_seconds(data: DataSet) -> None:
    second = data.created["doe"]
    at, after, before = (
        {label for label in LIVE if test(data.created[label])}
        for test in (
            lambda c: c == second,
            lambda c: c > second,
            lambda c: c <= second,
        )
    )
    assert data.search(f"created:{second}") == data.newest_first(at)
    assert data.search(f'created="{second}"') == data.newest_first(at)
    assert data.search(f"created>{second}") == data.newest_first(after)
    assert data.search(f"created<={second}") == data.newest_first(before)
    assert data.search(f"created>={second} created<{second + 1}") == data.newest_first(at)


def test_results_are_customers_in_a_search_result(data: DataSet) -> None:
    result = data.client.v1.customers.search({"query": "name:'jenny'"})
    assert result.object == "search_result"
    assert result.url == "/v1/customers/search"
    assert result.has_more is False
    assert result.next_page is None
    assert "total_count" not in result
    [jenny] = result.data
    assert jenny.id == data.ids["jenny"]
    assert jenny.metadata.to_dict() == {"plan": "pro", "team": "Blue"}


def test_pages_follow_next_page_and_total_count(server: Server) -> None:
    client = stripe.StripeClient(random_key("sk_test_"), base_addresses={"api": server.url})
    ids = [client.v1.customers.create({"name": f"Page Person {i}"}).id for i in range(23)]
    first = client.v1.customers.search(
        {"query": "name:'page person'", "limit": 10, "expand": ["total_count"]}
    )
    assert [c.id for c in first.data] == ids[::-1][:10]
    assert first.has_more is True
    assert isinstance(first.next_page, str)
    assert first.to_dict()["total_count"] == 23
    walked = client.v1.customers.search({"query": "name:'page person'", "limit": 10})
    assert [c.id for c in walked.auto_paging_iter()] == ids[::-1]
    last = client.v1.customers.search(
        {"query": "name:'page person'", "limit": 3, "page": _page_after(client, 20)}
    )
    assert [c.id for c in last.data] == ids[::-1][20:]
    assert last.has_more is False
    assert last.next_page is None


def _page_after(client: stripe.StripeClient, skip: int) -> str:
    page = client.v1.customers.search({"query": "name:'page person'", "limit": skip})
    return str(page.next_page)


def test_expand_reaches_each_customer(data: DataSet) -> None:
    result = data.client.v1.customers.search(
        {"query": "name:'jenny'", "expand": ["data.tax", "total_count"]}
    )
    assert result.to_dict()["total_count"] == 1
    assert result.data[0].tax.automatic_tax == "unrecognized_location"


UNPARSABLE = "We were unable to parse your search query."

ERRORS: list[tuple[dict[str, Any], str, str]] = [
    ({}, "query", "Missing required param: query."),
    ({"query": "asdf"}, "query", UNPARSABLE + " The query ends after character 4"),
    ({"query": "email:amy"}, "query", UNPARSABLE + " Unexpected `amy` at character 7"),
    (
        {"query": 'foo:"bar"'},
        "query",
        "Field `foo` is an unsupported search field for resource `customers`.",
    ),
    ({"query": 'email>"a"'}, "query", "The `>` operator cannot be used with field `email`"),
    ({"query": "created~'123'"}, "query", "The `~` operator cannot be used with field `created`"),
    ({"query": 'name~"ab"'}, "query", "Substring search (`~`) needs at least 3 characters"),
    (
        {"query": "name:'a' AND email:'b' OR phone:'c'"},
        "query",
        UNPARSABLE + " AND and OR cannot be combined",
    ),
    ({"query": "name:'a'", "page": "not-a-cursor"}, "page", "Invalid page: 'not-a-cursor'"),
    ({"query": "name:'a'", "limit": 0}, "limit", "This value must be greater than or equal to 1."),
    ({"query": "name:'a'", "limit": 101}, "limit", "This value must be less than or equal to 100."),
    ({"query": "name:'a'", "expand": ["tax"]}, "expand", "This property cannot be expanded (tax)"),
    ({"query": "name:'a'", "sort": "asc"}, "sort", "Received unknown parameter: sort"),
]


@pytest.mark.parametrize(("params", "param", "message"), ERRORS, ids=[str(p) for p, _, _ in ERRORS])
def test_errors_carry_stripes_envelope(
    data: DataSet, params: dict[str, Any], param: str, message: str
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        data.client.v1.customers.search(params)  # type: ignore[arg-type]
    assert refused.value.http_status == 400
    assert refused.value.param == param
    assert refused.value.error is not None
    assert refused.value.error.type == "invalid_request_error"
    assert str(refused.value.error.message).startswith(message)


@pytest.mark.parametrize(
    "change",
    [
        lambda page: {"query": "name:'jane' OR name:'amy'", "page": page},
        lambda page: {"query": "name:'page person'", "page": page, "key": "other"},
    ],
    ids=["another query", "another account"],
)
def test_a_page_continues_only_its_own_search(
    server: Server, change: Callable[[str], dict[str, Any]]
) -> None:
    key = random_key("sk_test_")
    client = stripe.StripeClient(key, base_addresses={"api": server.url})
    for i in range(3):
        client.v1.customers.create({"name": f"page person {i}"})
    page = client.v1.customers.search({"query": "name:'page person'", "limit": 1}).next_page
    params = change(str(page))
    if params.pop("key", None):
        client = stripe.StripeClient(random_key("sk_test_"), base_addresses={"api": server.url})
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.search(params)  # type: ignore[arg-type]
    assert refused.value.http_status == 400
    assert refused.value.param == "page"


@pytest.mark.parametrize(
    ("created_us", "id"),
    [(2**63 - 1, "cus_z"), (-(2**63), "cus_z"), (1_000_000, "cus_\u0000")],
    ids=["latest", "earliest", "NUL id"],
)
def test_a_forged_page_of_ones_own_search_never_fails(
    server: Server, created_us: int, id: str
) -> None:
    """A page token carries no secret (``search/cursor.py``): one made by hand for one's own
    search moves where the page starts, or is refused, but never fails the server."""
    key, query = random_key("sk_test_"), "name:'forged page'"
    client = stripe.StripeClient(key, base_addresses={"api": server.url})
    client.v1.customers.create({"name": "forged page"})
    page = cursor.encode(Cursor(created_us, id), tenant_of(f"Bearer {key}"), query)
    response = httpx.get(
        f"{server.url}/v1/customers/search", params={"query": query, "page": page}, auth=(key, "")
    )
    if "\u0000" in id:
        assert (response.status_code, response.json()["error"]["param"]) == (400, "page")
    else:
        assert response.status_code == 200, response.text
        assert len(response.json()["data"]) == (1 if created_us > 0 else 0)


def test_a_page_whose_time_is_not_an_integer_is_refused(server: Server) -> None:
    """JSON's ``true`` is an integer to Python's pattern matching, not to PostgreSQL."""
    key, query = random_key("sk_test_"), "name:'forged page'"
    page = cursor.encode(Cursor(1_000_000, "cus_z"), tenant_of(f"Bearer {key}"), query)
    version, _, id, digest = orjson.loads(base64.urlsafe_b64decode(page + "=" * (-len(page) % 4)))
    for created in (True, 1.5, "1000000"):
        forged = orjson.dumps([version, created, id, digest])
        response = httpx.get(
            f"{server.url}/v1/customers/search",
            params={"query": query, "page": base64.urlsafe_b64encode(forged).decode()},
            auth=(key, ""),
        )
        assert (response.status_code, response.json()["error"]["param"]) == (400, "page")


HOSTILE = [
    "'" * 5000,
    "name:'" + "\\" * 4000 + "'",
    "name:'\u0000\u200b\ud7ff\U0001f600'",
    "metadata['" + "x" * 4000 + "']:'y'",
    " OR ".join(["name~'abc'"] * 10),
    "name:'%_*[?]' email~'%%%' phone~'_\\_'",
    "-" * 100,
    "created>99999999999999999999999999 created<-99999999999999999999999",
    "email~'" + "ab@" * 1600 + "'",
    "name:'" + "word " * 900 + "'",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_no_query_text_makes_the_server_fail(server: Server, query: str) -> None:
    response = httpx.get(
        f"{server.url}/v1/customers/search",
        params={"query": query},
        auth=(random_key("sk_test_"), ""),
    )
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body.get("object") == "search_result" or body["error"]["type"] == "invalid_request_error"


def test_search_is_not_a_customer_id(data: DataSet) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        data.client.v1.customers.update("search", {"name": "x"})
    assert refused.value.http_status == 404


@pytest.mark.parametrize("version", ["2017-08-15", "2020-08-26"])
def test_search_is_refused_on_a_version_before_it(server: Server, version: str) -> None:
    """As Stripe answers an account or request pinned to a version older than search."""
    response = httpx.get(
        f"{server.url}/v1/customers/search",
        params={"query": "name:'x'"},
        headers={"stripe-version": version},
        auth=(random_key("sk_test_"), ""),
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"] == (
        f"Search is not supported on api version {version}. Update your API version, or set "
        "the API Version of this request to 2020-08-27 or greater."
    )
    assert "code" not in error and "param" not in error


def test_search_is_served_from_the_version_that_brought_it(server: Server) -> None:
    response = httpx.get(
        f"{server.url}/v1/customers/search",
        params={"query": "name:'x'"},
        headers={"stripe-version": "2020-08-27"},
        auth=(random_key("sk_test_"), ""),
    )
    assert (response.status_code, response.json()["object"]) == (200, "search_result")
