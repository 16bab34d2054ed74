"""The official dub SDK against a real server: retrieve, update and delete, by either id."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from dub import Dub
from dub.models import errors

from tests.conftest import random_key
from tests.dialects.dub.conftest import Workspace
from tests.support.server import Server

DUB_ID = re.compile(r"cus_[0-9A-HJKMNP-TV-Z]{25}")
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
GENERATED_NAME = re.compile(r"[A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+")
NOT_FOUND = (
    "Customer not found. Make sure you're using the correct customer ID "
    "(e.g. `cus_3TagGjzRzmsFJdH8od2BNCsc`) or external ID (has to be prefixed with `ext_`)."
)


def test_created_customer_reads_back_whole(dub: Dub, workspace: Workspace) -> None:
    stripe_id = random_key("cus_", 14)
    created = workspace.create(
        externalId="user_1", email="jenny@example.com", name="Jenny Rosen",
        stripeCustomerId=stripe_id, country="GB",
    )  # fmt: skip
    fetched = dub.customers.get(request={"id": created["id"]})
    assert DUB_ID.fullmatch(fetched.id)
    assert ISO_MS.fullmatch(fetched.created_at)
    assert fetched.model_dump(by_alias=True) == created
    assert (fetched.name, fetched.email, fetched.external_id) == (
        "Jenny Rosen", "jenny@example.com", "user_1",
    )  # fmt: skip
    assert (fetched.stripe_customer_id, fetched.country) == (stripe_id, "GB")
    assert (fetched.sales, fetched.sale_amount, fetched.first_sale_at) == (0, 0, None)
    assert fetched.subscription_canceled_at is None


def test_ids_sort_by_creation(workspace: Workspace) -> None:
    ids = [workspace.create(externalId=f"e{i}")["id"] for i in range(5)]
    assert ids == sorted(ids)


def test_external_id_lookup_strips_only_the_first_prefix(dub: Dub, workspace: Workspace) -> None:
    plain = workspace.create(externalId="user_7")
    prefixed = workspace.create(externalId="ext_user_7")
    assert dub.customers.get(request={"id": "ext_user_7"}).id == plain["id"]
    assert dub.customers.get(request={"id": "ext_ext_user_7"}).id == prefixed["id"]


def test_an_external_id_with_a_slash_is_reached_encoded(workspace: Workspace) -> None:
    created = workspace.create(externalId="team/7")
    found = workspace.http.get("/customers/ext_team%2F7")
    assert (found.status_code, found.json()["id"]) == (200, created["id"])
    renamed = workspace.http.patch("/customers/ext_team%2F7", json={"name": "Seven"})
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Seven")
    other_path = workspace.http.get("/customers/ext_team/7")  # not one id: another path
    assert (other_path.status_code, other_path.json()["error"]["message"]) == (404, "Not found")
    assert workspace.http.get("/customers/").json()["error"]["message"] == "Not found"
    assert workspace.http.delete("/customers/ext_team%2F7").status_code == 200
    assert workspace.http.get("/customers/ext_team%2F7").status_code == 404


def test_of_renames_racing_from_one_external_id_one_wins(workspace: Workspace) -> None:
    created = workspace.create(externalId="solo")
    racers = 8
    with ThreadPoolExecutor(racers) as pool:
        answers = list(
            pool.map(
                lambda i: workspace.http.patch(
                    "/customers/ext_solo", json={"externalId": f"to{i}"}
                ),
                range(racers),
            )
        )
    won = [answer.json()["externalId"] for answer in answers if answer.status_code == 200]
    assert len(won) == 1
    assert sorted(answer.status_code for answer in answers) == [200] + [404] * (racers - 1)
    assert workspace.http.get(f"/customers/{created['id']}").json()["externalId"] == won[0]


def test_of_renames_and_deletes_racing_from_one_external_id_one_wins(
    workspace: Workspace,
) -> None:
    racers = 8
    for n in range(8):
        created = workspace.create(externalId=f"contested{n}")
        path = f"/customers/ext_contested{n}"
        calls = [
            ("PATCH", path, {"externalId": f"r{n}to{i}"}) if i % 2 else ("DELETE", path, None)
            for i in range(racers)
        ]
        with ThreadPoolExecutor(racers) as pool:
            answers = list(
                pool.map(lambda call: workspace.http.request(call[0], call[1], json=call[2]), calls)
            )
        codes = [answer.status_code for answer in answers]
        assert sorted(codes) == [200] + [404] * (racers - 1), codes
        winner = answers[codes.index(200)]
        now = workspace.http.get(f"/customers/{created['id']}")
        if winner.request.method == "DELETE":
            assert now.status_code == 404
        else:
            assert now.json()["externalId"] == winner.json()["externalId"]


def test_update_changes_only_sent_fields(dub: Dub, workspace: Workspace) -> None:
    created = workspace.create(externalId="u", email="old@example.com", name="Old", country="US")
    updated = dub.customers.update(
        request={"id": created["id"], "request_body": {"name": "New", "country": "FR"}}
    )
    assert (updated.name, updated.country, updated.email) == ("New", "FR", "old@example.com")
    assert updated.id == created["id"]
    assert updated.created_at == created["createdAt"]
    again = dub.customers.get(request={"id": "ext_u"})
    assert again.model_dump(by_alias=True) == updated.model_dump(by_alias=True)


def test_update_by_external_id_and_every_field(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="before")
    stripe_id = random_key("cus_", 14)
    updated = dub.customers.update(
        request={
            "id": "ext_before",
            "request_body": {
                "email": "a.b+c@example.co.uk",
                "name": "Ann",
                "avatar": "https://example.com/ann.png",
                "external_id": "after",
                "stripe_customer_id": stripe_id,
                "country": "DE",
                "subscription_canceled_at": "2024-01-15T12:30:00.1234+02:00",
            },
        }
    )
    shown = updated.model_dump(by_alias=True)
    del shown["id"], shown["createdAt"]
    assert shown == {
        "name": "Ann",
        "email": "a.b+c@example.co.uk",
        "avatar": "https://example.com/ann.png",
        "externalId": "after",
        "stripeCustomerId": stripe_id,
        "country": "DE",
        "sales": 0,
        "saleAmount": 0,
        "firstSaleAt": None,
        "subscriptionCanceledAt": "2024-01-15T10:30:00.123Z",
    }
    assert dub.customers.get(request={"id": "ext_after"}).id == updated.id
    with pytest.raises(errors.NotFound):
        dub.customers.get(request={"id": "ext_before"})


def test_null_clears_and_display_falls_back(dub: Dub, workspace: Workspace) -> None:
    created = workspace.create(
        externalId="n", email="n@example.com", name="Nina", avatar="https://example.com/n.png",
        stripeCustomerId=random_key("cus_", 14),
    )  # fmt: skip
    dub.customers.update(
        request={
            "id": "ext_n",
            "request_body": {"subscription_canceled_at": "2024-02-01T00:00:00Z"},
        }
    )
    cleared = dub.customers.update(
        request={
            "id": "ext_n",
            "request_body": {
                "name": None, "avatar": None, "stripe_customer_id": None,
                "subscription_canceled_at": None,
            },
        }
    )  # fmt: skip
    assert cleared.name == "n@example.com"
    assert cleared.avatar == f"https://api.dub.co/og/avatar/{created['id']}"
    assert cleared.stripe_customer_id is None
    assert cleared.subscription_canceled_at is None
    nameless = dub.customers.update(request={"id": "ext_n", "request_body": {"email": None}})
    assert nameless.email is None
    assert GENERATED_NAME.fullmatch(nameless.name or "")


def test_generated_name_is_fresh_on_each_read(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="anon", name="Temporary")
    dub.customers.update(request={"id": "ext_anon", "request_body": {"name": None}})
    names = {dub.customers.get(request={"id": "ext_anon"}).name for _ in range(5)}
    assert all(GENERATED_NAME.fullmatch(name or "") for name in names)
    assert len(names) > 1


def test_creation_persists_the_shown_name(dub: Dub, workspace: Workspace) -> None:
    by_email = workspace.create(externalId="e", email="e@example.com")
    drawn = workspace.create(externalId="r")
    assert by_email["name"] == "e@example.com"
    assert GENERATED_NAME.fullmatch(drawn["name"])
    names = {dub.customers.get(request={"id": "ext_r"}).name for _ in range(3)}
    assert names == {drawn["name"]}
    renamed = dub.customers.update(request={"id": "ext_e", "request_body": {"email": "f@x.io"}})
    assert renamed.name == "e@example.com"


def test_avatars_are_kept_verbatim(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="a")
    for avatar in ("mailto:someone@example.com", "data:image/png;base64,iVBORw0KGgo="):
        updated = dub.customers.update(request={"id": "ext_a", "request_body": {"avatar": avatar}})
        assert updated.avatar == avatar


def test_empty_update_returns_the_customer(dub: Dub, workspace: Workspace) -> None:
    created = workspace.create(externalId="same", name="Same")
    unchanged = dub.customers.update(request={"id": "ext_same", "request_body": {}})
    assert unchanged.model_dump(by_alias=True) == created


def test_expanded_fields_are_omitted_when_there_is_nothing_to_expand(
    dub: Dub, workspace: Workspace
) -> None:
    workspace.create(externalId="x")
    expanded = dub.customers.get(request={"id": "ext_x", "include_expanded_fields": True})
    listed = dub.customers.list(request={"include_expanded_fields": True})
    assert listed is not None
    for customer in (expanded, listed.result[0]):
        assert not {"link", "program_id", "partner", "discount"} & customer.model_fields_set
    raw = workspace.http.get("/customers/ext_x", params={"includeExpandedFields": "TRUE"})
    assert raw.status_code == 200
    assert set(raw.json()) == set(expanded.model_dump(by_alias=True))


def test_delete_by_either_id(dub: Dub, workspace: Workspace) -> None:
    first = workspace.create(externalId="d1")
    second = workspace.create(externalId="d2")
    assert dub.customers.delete(id=first["id"]).id == first["id"]
    assert dub.customers.delete(id="ext_d2").id == second["id"]
    for gone in (first["id"], "ext_d1", "ext_d2"):
        with pytest.raises(errors.NotFound) as missing:
            dub.customers.get(request={"id": gone})
        assert missing.value.data.error.message == NOT_FOUND
    with pytest.raises(errors.NotFound):
        dub.customers.delete(id=first["id"])
    assert workspace.create(externalId="d1")["id"] != first["id"]


def test_external_id_is_unique_within_a_workspace(dub: Dub, workspace: Workspace) -> None:
    workspace.create(externalId="taken")
    workspace.create(externalId="free")
    with pytest.raises(errors.Conflict) as clash:
        dub.customers.update(request={"id": "ext_free", "request_body": {"external_id": "taken"}})
    assert clash.value.status_code == 409
    assert clash.value.data.error.code.value == "conflict"
    assert clash.value.data.error.message == "A customer with this external ID already exists."
    duplicate = workspace.http.post("/customers", json={"externalId": "taken", "country": "US"})
    assert duplicate.status_code == 409
    assert dub.customers.get(request={"id": "ext_free"}).external_id == "free"


def test_stripe_customer_id_is_unique_across_workspaces(
    server: Server, dub: Dub, workspace: Workspace
) -> None:
    stripe_id = random_key("cus_", 14)
    workspace.create(externalId="same")
    with Workspace(server, random_key("dub_")) as other:
        other.create(externalId="same", stripeCustomerId=stripe_id)
        with pytest.raises(errors.Conflict) as clash:
            dub.customers.update(
                request={"id": "ext_same", "request_body": {"stripe_customer_id": stripe_id}}
            )
        assert clash.value.data.error.message == "A customer with this external ID already exists."
        dub.customers.update(request={"id": "ext_same", "request_body": {"name": "still mine"}})
        assert other.http.delete("/customers/ext_same").status_code == 200
    moved = dub.customers.update(
        request={"id": "ext_same", "request_body": {"stripe_customer_id": stripe_id}}
    )
    assert moved.stripe_customer_id == stripe_id


def test_workspaces_never_see_each_other(server: Server, workspace: Workspace) -> None:
    created = workspace.create(externalId="private")
    with Dub(token=random_key("dub_"), server_url=f"{server.url}/dub") as stranger:
        for id in (created["id"], "ext_private"):
            with pytest.raises(errors.NotFound) as missing:
                stranger.customers.get(request={"id": id})
            assert missing.value.data.error.message == NOT_FOUND
            with pytest.raises(errors.NotFound):
                stranger.customers.update(request={"id": id, "request_body": {"name": "x"}})
            with pytest.raises(errors.NotFound):
                stranger.customers.delete(id=id)
        listed = stranger.customers.list(request={})
        assert listed is not None and listed.result == []
