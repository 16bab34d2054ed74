"""Concurrent requests through autumn-sdk: creates converge, updates never lose a key."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from autumn_sdk import Autumn

from tests.dialects.autumn.conftest import Wire

WORKERS = 8


def test_concurrent_identical_creates_converge_on_one_customer(sdk: Autumn) -> None:
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(
            pool.map(lambda _: sdk.customers.get_or_create(customer_id="race"), range(WORKERS))
        )
    assert len({customer.created_at for customer in results}) == 1
    assert [customer.id for customer in sdk.customers.list().list] == ["race"]


def test_concurrent_email_only_creates_converge_on_one_customer(sdk: Autumn) -> None:
    emails = ["race@example.com", "Race@Example.COM"] * (WORKERS // 2)
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(
            pool.map(
                lambda email: sdk.customers.get_or_create(customer_id=None, email=email), emails
            )
        )
    assert len({customer.created_at for customer in results}) == 1
    assert len(sdk.customers.list().list) == 1


def test_concurrent_metadata_updates_keep_every_key(sdk: Autumn) -> None:
    sdk.customers.get_or_create(customer_id="shared", metadata={})
    keys = [f"k{i}" for i in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        list(
            pool.map(
                lambda key: sdk.customers.update(customer_id="shared", metadata={key: key}), keys
            )
        )
    assert sdk.customers.get(customer_id="shared").metadata == {key: key for key in keys}


def test_of_renames_racing_from_one_id_one_wins_and_the_rest_find_it_gone(wire: Wire) -> None:
    wire.rpc("get_or_create", {"customer_id": "solo"})
    renames = [{"customer_id": "solo", "new_customer_id": f"to{i}"} for i in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:
        answers = list(pool.map(lambda body: wire.rpc("update", body), renames))
    won = [answer.json()["id"] for answer in answers if answer.status_code == 200]
    lost = [answer.json() for answer in answers if answer.status_code != 200]
    assert len(won) == 1
    assert lost == [
        {"message": "Customer solo not found", "code": "customer_not_found", "env": "sandbox"}
    ] * (WORKERS - 1)
    assert [c["id"] for c in wire.rpc("list", {}).json()["list"]] == won


def test_of_renames_and_deletes_racing_from_one_id_one_wins(wire: Wire) -> None:
    for n in range(8):
        wire.rpc("get_or_create", {"customer_id": f"contested{n}"})
        calls = [
            ("update", {"customer_id": f"contested{n}", "new_customer_id": f"r{n}to{i}"})
            if i % 2
            else ("delete", {"customer_id": f"contested{n}"})
            for i in range(WORKERS)
        ]
        with ThreadPoolExecutor(WORKERS) as pool:
            answers = list(pool.map(lambda call: wire.rpc(*call), calls))
        codes = [answer.status_code for answer in answers]
        assert sorted(codes) == [200] + [404] * (WORKERS - 1), codes
        method, _ = calls[codes.index(200)]
        kept = [c["id"] for c in wire.rpc("list", {}).json()["list"] if c["id"]]
        survivor = [] if method == "delete" else [answers[codes.index(200)].json()["id"]]
        assert [id for id in kept if id.startswith(f"r{n}")] == survivor


def test_a_cursor_survives_the_deletion_of_the_row_it_names(wire: Wire) -> None:
    for i in range(4):
        wire.rpc("get_or_create", {"customer_id": f"d{i}"})
    first = wire.rpc("list", {"limit": 2}).json()
    assert [c["id"] for c in first["list"]] == ["d3", "d2"]
    wire.rpc("delete", {"customer_id": "d2"})
    second = wire.rpc("list", {"limit": 2, "start_cursor": first["next_cursor"]}).json()
    assert [c["id"] for c in second["list"]] == ["d1", "d0"]
    assert second["next_cursor"] is None
