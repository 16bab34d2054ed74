"""``rolodex export`` and ``rolodex import`` as a user runs them: customers made through the
SDKs on one server's database come back whole through the SDKs on another's, SQLite or
PostgreSQL."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import stripe
from autumn_sdk import Autumn

from tests.conftest import random_key
from tests.support.cli import rolodex
from tests.support.server import Server


@dataclass
class Source:
    """A SQLite database that served customers of two dialects, and its export."""

    url: str
    dump: Path
    stripe_key: str
    autumn_key: str
    held_key: str
    stripe_ids: list[str]
    deleted_id: str


def hold(url: str, key: str) -> str:
    held = rolodex("keys", "add", key, "--database", url)
    assert held.returncode == 0, held.stderr
    return key


def stripe_client(server: Server, key: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": server.url}, max_network_retries=0)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    directory = tmp_path_factory.mktemp("export")
    url = f"sqlite:///{directory / 'source.db'}"
    stripe_key, autumn_key = random_key("sk_test_"), random_key("am_sk_test_", 42)
    server = Server(url, directory / "server.log").start()
    try:
        customers = stripe_client(server, stripe_key).v1.customers
        made = [
            customers.create(
                params={
                    "email": f"person{n}@example.com",
                    "name": f"Person Number{n}",
                    "metadata": {"n": str(n)},
                    "address": {"city": "Paris", "country": "FR"},
                    "preferred_locales": ["fr", "en"],
                }
            )
            for n in range(12)
        ]
        made.append(_every_stripe_field(customers))
        gone = customers.create(params={"name": "Gone Soon"})
        customers.delete(gone.id)
        autumn = Autumn(secret_key=autumn_key, server_url=f"{server.url}/autumn").customers
        autumn.get_or_create(customer_id="org-1", name="Autumn Org", email="billing@org.example")
        _every_autumn_field(autumn)
        _every_dub_field(server)
    finally:
        server.stop()
    held_key = hold(url, random_key("sk_test_"))
    dump = directory / "dump.jsonl"
    exported = rolodex("export", "--database", url, "--output", str(dump))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr.strip() == f"Exported 17 customers and 1 key from {url}."
    return Source(url, dump, stripe_key, autumn_key, held_key, [c.id for c in made], gone.id)


def _every_stripe_field(customers: stripe.CustomerService) -> stripe.Customer:
    """A customer made with every parameter Rolodex keeps, then changed by three updates: what
    the import's checks must take as Stripe's own."""
    address = {"line1": "1 Rue", "city": "Paris", "postal_code": "75001", "country": "FR"}
    made = customers.create(
        params={
            "name": "Every Field",
            "email": "every@example.com",
            "phone": "+33100000000",
            "description": "d",
            "balance": -500,
            "business_name": "Every SARL",
            "individual_name": "Eve Ry",
            "invoice_prefix": "EVERY1",
            "next_invoice_sequence": 7,
            "preferred_locales": ["fr"],
            "tax_exempt": "reverse",
            "metadata": {"plan": "pro", "seats": "3"},
            "address": address,
            "shipping": {"name": "Eve", "phone": "+33100000001", "address": address},
            "invoice_settings": {
                "footer": "Thanks",
                "custom_fields": [{"name": "PO", "value": "42"}],
                "rendering_options": {"amount_tax_display": "exclude_tax"},
            },
            "cash_balance": {"settings": {"reconciliation_mode": "manual"}},
            "tax": {"ip_address": "192.0.2.1"},
            "tax_id_data": [{"type": "eu_vat", "value": "FR12345678901"}],
        }
    )
    customers.update(made.id, params={"metadata": {"plan": "", "extra": "x"}, "phone": ""})
    customers.update(made.id, params={"invoice_settings": {"custom_fields": ""}, "tax": {}})
    return customers.update(made.id, params={"address": {"city": "Lyon"}, "description": ""})


def _every_autumn_field(customers: Any) -> None:
    customers.get_or_create(
        customer_id="org-2",
        name="Every Org",
        email="Every@Org.example",
        fingerprint="fp-1",
        stripe_id="cus_AutumnStripe1",
        send_email_receipts=True,
        metadata={"tier": "gold", "nested": {"n": [1, 2.5]}},
    )
    customers.update(
        customer_id="org-2", new_customer_id="org-3", metadata={"tier": None}, fingerprint=None
    )


def _every_dub_field(server: Server) -> None:
    headers = {"authorization": f"Bearer {random_key('dub_')}"}
    with httpx.Client(base_url=f"{server.url}/dub", headers=headers) as dub:
        body = {"externalId": "u-1", "country": "FR", "email": "dub@example.com", "name": "Dub"}
        made = dub.post("/customers", json={**body, "avatar": "https://example.com/a.png"})
        assert made.status_code == 201, made.text
        changes = {"stripeCustomerId": "cus_Dub1", "subscriptionCanceledAt": "2026-01-02T03:04:05Z"}
        changed = dub.patch(f"/customers/{made.json()['id']}", json={**changes, "avatar": None})
        assert changed.status_code == 200, changed.text


def test_an_import_serves_what_the_export_held(
    source: Source, fresh_database_url: str, tmp_path: Path
) -> None:
    imported = rolodex("import", str(source.dump), "--database", fresh_database_url)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("Imported 17 customers and 1 key into ")

    old = Server(source.url, tmp_path / "old.log").start()
    new = Server(fresh_database_url, tmp_path / "new.log", options=["--locked"]).start()
    try:
        before = stripe_client(old, source.stripe_key).v1.customers
        # Locked: the key it holds came with the import.
        after = stripe_client(new, source.held_key).v1.customers
        assert after.list().data == []  # another key names another account
        after = stripe_client(new, source.stripe_key)
        with pytest.raises(stripe.AuthenticationError):  # not held by the new server
            after.v1.customers.list()
        hold(fresh_database_url, source.stripe_key)
        after_customers = after.v1.customers

        for id in [*source.stripe_ids, source.deleted_id]:
            assert after_customers.retrieve(id) == before.retrieve(id)
        listed = [c.id for c in after_customers.list(params={"limit": 100}).auto_paging_iter()]
        assert listed == list(reversed(source.stripe_ids))
        found = after_customers.search(params={"query": "name~'number7'"}).data
        assert [c.id for c in found] == [source.stripe_ids[7]]
        by_email = after_customers.search(params={"query": "email:'person3@example.com'"}).data
        assert [c.id for c in by_email] == [source.stripe_ids[3]]
        by_metadata = after_customers.search(params={"query": "metadata['n']:'5'"}).data
        assert [c.id for c in by_metadata] == [source.stripe_ids[5]]

        hold(fresh_database_url, source.autumn_key)
        autumn_then = _autumn_customer(old, source.autumn_key)
        assert _autumn_customer(new, source.autumn_key) == autumn_then
        assert autumn_then["name"] == "Autumn Org"
    finally:
        old.stop()
        new.stop()


def _autumn_customer(server: Server, key: str) -> dict[str, object]:
    answer = httpx.get(
        f"{server.url}/autumn/v1/customers/org-1", headers={"authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


def test_an_import_run_again_leaves_what_is_there(source: Source, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'target.db'}"
    assert rolodex("import", str(source.dump), "--database", url).returncode == 0
    again = rolodex("import", str(source.dump), "--database", url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == (
        f"Imported 0 customers and 0 keys into {url}; 18 already there, left as they were."
    )
    reexported = rolodex("export", "--database", url)
    assert reexported.stdout.encode() == source.dump.read_bytes()


def test_an_import_reads_standard_input(source: Source, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'target.db'}"
    piped = rolodex("import", "-", "--database", url, stdin=source.dump.read_text())
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("Imported 17 customers and 1 key")


def test_an_export_the_disk_refuses_stops_with_one_line(source: Source) -> None:
    refused = rolodex("export", "--database", source.url, "--output", "/dev/full")
    assert refused.returncode == 1
    assert refused.stderr == "Error: cannot write the export: No space left on device\n"


def test_a_bad_line_stops_the_import_at_it(source: Source, tmp_path: Path) -> None:
    lines = source.dump.read_bytes().splitlines(keepends=True)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join([lines[0], b"\n", b'{"object": "customer"}\n', *lines[1:]]))
    url = f"sqlite:///{tmp_path / 'target.db'}"
    refused = rolodex("import", str(broken), "--database", url)
    assert refused.returncode == 1
    assert refused.stderr == 'Error: line 3: "created_us" is missing\n'
    assert rolodex("export", "--database", url).stdout == ""  # its chunk was never written


@dataclass
class EditedImport:
    """An import of the export with one value of the every-field customer's line edited."""

    line: int
    url: str
    result: subprocess.CompletedProcess[str]


def _import_edited(source: Source, directory: Path, old: bytes, new: bytes) -> EditedImport:
    lines = source.dump.read_bytes().splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines, 1) if b'"invoice_prefix":"EVERY1"' in line)
    edited = lines[number - 1].replace(old, new)
    assert edited != lines[number - 1]
    path = directory / "edited.jsonl"
    path.write_bytes(b"".join([*lines[: number - 1], edited, *lines[number:]]))
    url = f"sqlite:///{directory / 'target.db'}"
    return EditedImport(number, url, rolodex("import", str(path), "--database", url))


def test_a_value_edited_by_hand_that_stripe_refuses_stops_the_import_at_its_line(
    source: Source, tmp_path: Path
) -> None:
    edited = _import_edited(source, tmp_path, b'"balance":-500', b'"balance":"-5x"')
    assert edited.result.returncode == 1
    assert edited.result.stderr == (
        f'Error: line {edited.line}: "fields.balance": no stripe customer can hold this: '
        "Invalid integer: -5x\n"
    )
    # Its chunk was never written.
    assert rolodex("export", "--database", edited.url).stdout == ""


def test_a_value_edited_by_hand_is_stored_as_stripe_would_have_kept_it(
    source: Source, tmp_path: Path
) -> None:
    edited = _import_edited(source, tmp_path, b'"balance":-500', b'"balance":"-500"')
    assert edited.result.returncode == 0, edited.result.stderr
    assert edited.result.stdout.strip() == (
        f"Imported 17 customers and 1 key into {edited.url}; "
        "the fields of 1 customer rewritten as their API keeps them."
    )
    exported = rolodex("export", "--database", edited.url).stdout
    assert exported.encode() == source.dump.read_bytes()


def test_a_unique_key_held_by_another_customer_is_named(tmp_path: Path) -> None:
    line = {
        "object": "customer",
        "tenant": {"dialect": "autumn", "mode": "sandbox", "account": "org_acct"},
        "created_us": 1,
        "version": 1,
        "deleted": False,
        "fields": {"customer_id": "org-1"},
    }
    clashing = tmp_path / "clash.jsonl"
    clashing.write_bytes(
        orjson.dumps({**line, "id": "cus_a"}) + b"\n" + orjson.dumps({**line, "id": "cus_b"})
    )
    url = f"sqlite:///{tmp_path / 'target.db'}"
    refused = rolodex("import", str(clashing), "--database", url)
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: line 2: customer cus_b's ")
    assert refused.stderr.endswith("is held by another customer\n")


def test_a_clash_stops_the_import_once_the_rest_of_its_chunk_is_written(
    source: Source, tmp_path: Path
) -> None:
    lines = source.dump.read_bytes().splitlines(keepends=True)
    autumn = next(
        line for line in lines if b'"dialect":"autumn"' in line and b"customer_id" in line
    )
    twin = orjson.loads(autumn)
    twin["id"] = "cus_" + "T" * 27  # another customer holding the same customer_id
    clashing = tmp_path / "clash.jsonl"
    clashing.write_bytes(b"".join([autumn, orjson.dumps(twin) + b"\n", *lines]))
    url = f"sqlite:///{tmp_path / 'target.db'}"
    refused = rolodex("import", str(clashing), "--database", url)
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: line 2: customer cus_TTTT")
    # Every other line of the chunk (the whole export, customers of every dialect and keys)
    # was written: exported again, it is the export that was read.
    assert rolodex("export", "--database", url).stdout.encode() == source.dump.read_bytes()


def test_export_refuses_a_database_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    refused = rolodex("export", "--database", f"sqlite:///{missing}")
    assert refused.returncode == 1
    assert refused.stderr == f"Error: no database at {missing}\n"
    assert not missing.exists()


@pytest.mark.parametrize("command", [["export"], ["import", "-"]])
def test_an_in_memory_database_is_refused(command: list[str]) -> None:
    refused = rolodex(*command, "--database", "sqlite:///:memory:", stdin="")
    assert refused.returncode == 2
    assert "in-memory database" in refused.stderr
