"""The ``rolodex`` command, run as a real process: migrations and its one-line errors."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import httpx
import pytest

from rolodex import cli
from tests.support.cli import HANG_GUARD_S, rolodex
from tests.support.server import Server, free_port


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def without_psycopg(tmp_path: Path) -> dict[str, str]:
    """An environment in which ``import psycopg`` fails, as where the extra is not installed."""
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['psycopg'] = None\n")
    return {"PYTHONPATH": str(tmp_path)}


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_postgres_without_its_driver_says_what_to_install(
    command: str, without_psycopg: dict[str, str]
) -> None:
    result = rolodex(command, "--database", "postgresql://u@127.0.0.1:1/db", env=without_psycopg)
    assert_one_line_error(result, "psycopg", "pip install 'rolodex[postgres]'")


def test_the_driver_is_blocked_where_the_test_says_it_is(without_psycopg: dict[str, str]) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import psycopg"],
        env={**os.environ, **without_psycopg},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "import of psycopg halted" in probe.stderr


def test_sqlite_needs_no_postgres_driver(without_psycopg: dict[str, str], tmp_path: Path) -> None:
    result = rolodex("migrate", "--database", f"sqlite:///{tmp_path / 'r.db'}", env=without_psycopg)
    assert result.returncode == 0, result.stderr


def test_the_version_is_the_installed_package_s() -> None:
    result = rolodex("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"rolodex, version {metadata.version('rolodex')}"


def test_an_unknown_database_is_one_line() -> None:
    assert_one_line_error(rolodex("migrate", "--database", "mysql://h/db"), "unsupported")


def test_a_malformed_pool_setting_is_one_line() -> None:
    url = "postgresql://u@127.0.0.1:1/db?pool_size=many"
    assert_one_line_error(rolodex("migrate", "--database", url), "pool_size")


@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_an_unreachable_postgres_is_one_line(command: str) -> None:
    result = rolodex(command, "--database", f"postgresql://u:secret@127.0.0.1:{free_port()}/db")
    assert_one_line_error(result, "cannot reach the database", "postgresql://u:***@127.0.0.1")
    assert "secret" not in result.stderr


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word, like a hung database host."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield listener.getsockname()[1]


def test_a_database_that_never_answers_times_out(silent_server: int) -> None:
    url = f"postgresql://u@127.0.0.1:{silent_server}/db?connect_timeout=1"
    assert_one_line_error(rolodex("migrate", "--database", url), "cannot reach the database")


def test_workers_must_be_positive() -> None:
    result = rolodex("serve", "--workers", "0", "--database", "sqlite:///:memory:")
    assert result.returncode == 2
    assert "--workers" in result.stderr


def test_workers_refuse_an_in_memory_database() -> None:
    result = rolodex("serve", "--workers", "2", "--database", "sqlite:///:memory:")
    assert_one_line_error(result, "in-memory", "--workers")


def test_migrate_reads_the_database_from_the_environment(tmp_path: Path) -> None:
    database = tmp_path / "env.db"
    result = rolodex("migrate", env={"ROLODEX_DATABASE_URL": f"sqlite:///{database}"})
    assert result.returncode == 0, result.stderr
    assert database.exists()
    assert "is up to date" in result.stdout


def test_migrate_twice_hides_the_password(fresh_database_url: str) -> None:
    url = fresh_database_url.replace("postgres@", "postgres:secret@")
    for _ in range(2):
        result = rolodex("migrate", "--database", url)
        assert result.returncode == 0, result.stderr
        assert "is up to date" in result.stdout
        assert "secret" not in result.stdout


def test_processes_migrating_a_fresh_database_at_once_all_succeed(fresh_database_url: str) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    command = [sys.executable, "-m", "rolodex", "migrate", "--database", fresh_database_url]
    processes = [
        subprocess.Popen(command, env=clean, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(p.wait(timeout=HANG_GUARD_S), p.communicate()[1].decode()) for p in processes]
    assert outcomes == [(0, "")] * 4


def test_an_in_memory_database_serves(tmp_path: Path) -> None:
    server = Server("sqlite:///:memory:", tmp_path / "memory.log").start()
    try:
        auth = ("sk_test_memorymemory", "")
        created = httpx.post(f"{server.url}/v1/customers", data={"name": "Kept"}, auth=auth)
        assert created.status_code == 200, created.text
        found = httpx.get(f"{server.url}/v1/customers/{created.json()['id']}", auth=auth)
        assert found.json()["name"] == "Kept"
    finally:
        server.stop()
    assert "with database sqlite:///:memory:" in server.log()


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("sqlite:////nonexistent/dir/x.db", "unable to open database file"),
        ("sqlite:/relative.db", "cannot use the database"),
        ("sqlite:///{tmp}/junk.db", "file is not a database"),
        ("postgresql://u@127.0.0.1:notaport/x", "cannot use the database"),
        ("postgresql://u@127.0.0.1:1/db?pool_size=nan", "finite"),
        ("postgresql://u@127.0.0.1:1/db?operation_timeout=0", "more than 0"),
        ("postgresql://u@127.0.0.1:1/db?pool_size=1&pool_size=2", "more than once"),
    ],
)
def test_an_unusable_database_is_one_line(tmp_path: Path, url: str, fragment: str) -> None:
    (tmp_path / "junk.db").write_text("junk\n")
    for command in ("migrate", "serve"):
        result = rolodex(command, "--database", url.format(tmp=tmp_path))
        assert_one_line_error(result, fragment)


def test_serve_refuses_ports_and_log_levels_it_cannot_use() -> None:
    for option, value in (("--port", "99999"), ("--port", "-1"), ("--log-level", "bogus")):
        result = rolodex("serve", option, value, "--database", "sqlite:///:memory:")
        assert result.returncode == 2, result.stderr
        assert option in result.stderr
        assert "Traceback" not in result.stderr


@contextmanager
def announced_port(database: Path, *flags: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """``rolodex serve --port 0 FLAGS`` on ``database``: the port its first line announces, and
    the process, which is sent SIGTERM as the block ends."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    command = [sys.executable, "-m", "rolodex", "serve", "--port", "0", *flags]
    with subprocess.Popen(
        [*command, "--database", f"sqlite:///{database}", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=clean,
    ) as process:
        try:
            announced = process.stdout.readline().decode() if process.stdout else ""
            address = announced.split("http://")[1].split()[0]
            yield int(address.rsplit(":", 1)[1]), process
        finally:
            process.terminate()
            process.wait(timeout=HANG_GUARD_S)


# One process ends by raising the signal again once it has shut down (uvicorn's way); a
# supervisor of workers returns once they have.
@pytest.mark.parametrize(("workers", "ending"), [(1, -signal.SIGTERM), (2, 0)])
def test_port_zero_announces_the_port_it_drew(tmp_path: Path, workers: int, ending: int) -> None:
    with announced_port(tmp_path / "zero.db", "--workers", str(workers)) as (port, process):
        assert port != 0
        created = httpx.post(
            f"http://127.0.0.1:{port}/v1/customers",
            data={"name": "Drawn"},
            auth=("sk_test_portzeroport", ""),
            timeout=HANG_GUARD_S,
        )
        assert created.json()["name"] == "Drawn", created.text
    assert process.returncode == ending


def test_a_host_naming_several_addresses_listens_on_each(tmp_path: Path) -> None:
    """An empty host is every address, IPv4 and IPv6, as uvicorn would bind it: one port."""
    with announced_port(tmp_path / "every.db", "--host", "") as (port, _):
        for address in ("127.0.0.1", "[::1]"):
            listed = httpx.get(
                f"http://{address}:{port}/v1/customers",
                auth=("sk_test_everyaddress", ""),
                timeout=HANG_GUARD_S,
            )
            assert listed.json()["object"] == "list", (address, listed.text)


def test_an_empty_host_is_announced_as_each_address_it_bound(
    capsys: pytest.CaptureFixture[str],
) -> None:
    listeners = cli._listen("", 0)
    try:
        port = listeners[0].getsockname()[1]
        cli._announce(cli._shown_hosts("", listeners), port, "sqlite:///every.db", False)
    finally:
        for listener in listeners:
            listener.close()
    announced = capsys.readouterr().out
    addresses = announced.removeprefix("Rolodex listening on ").split(" with database ")[0]
    assert set(addresses.split(" and ")) == {f"http://0.0.0.0:{port}", f"http://[::]:{port}"}
    assert announced.endswith(" with database sqlite:///every.db\n")


def test_an_address_the_resolver_names_twice_is_bound_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Some ``/etc/hosts`` files name ``localhost`` twice; asyncio binds each address once."""
    resolve = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: resolve(*args, **kwargs) * 2)
    listeners = cli._listen("127.0.0.1", 0)
    try:
        assert [listener.getsockname()[0] for listener in listeners] == ["127.0.0.1"]
    finally:
        for listener in listeners:
            listener.close()


def test_a_port_in_use_is_one_line_and_no_announcement() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = rolodex("serve", "--port", str(port), "--database", "sqlite:///:memory:")
    assert_one_line_error(result, f"cannot listen on 127.0.0.1:{port}", "in use")
    assert "listening" not in result.stdout


@pytest.mark.parametrize(("level", "shown"), [("error", ["failed"]), ("info", ["slow", "failed"])])
def test_the_log_level_applies_to_rolodexs_own_lines(level: str, shown: list[str]) -> None:
    logs = (
        "import logging, logging.config; from rolodex.cli import server_options; "
        "from rolodex.settings import Settings; "
        f"logging.config.dictConfig(server_options(Settings(log_level={level!r}))['log_config']); "
        "store = logging.getLogger('rolodex.store'); store.warning('slow'); store.error('failed')"
    )
    written = subprocess.run(
        [sys.executable, "-c", logs], capture_output=True, text=True, check=True
    ).stderr
    assert [line.split()[-1] for line in written.splitlines()] == shown


def test_keys_are_made_held_listed_and_revoked(tmp_path: Path) -> None:
    database = ["--database", f"sqlite:///{tmp_path / 'keys.db'}"]
    made = rolodex("keys", "create", "stripe", *database)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("sk_test_") and len(key) == len("sk_test_") + 32
    live = rolodex("keys", "create", "autumn", "--live", *database).stdout.strip()
    assert live.startswith("am_sk_live_")
    added = rolodex("keys", "add", "dub_fromatestsuite0001", *database)
    assert added.stdout.strip() == "Holding dub key dub_****0001."
    again = rolodex("keys", "add", key, *database)
    assert again.stdout.strip() == f"Already holding stripe key sk_test_****{key[-4:]}."
    listed = [line.split("\t") for line in rolodex("keys", "list", *database).stdout.splitlines()]
    assert [(dialect, masked) for dialect, masked, _added in listed] == [
        ("stripe", f"sk_test_****{key[-4:]}"),
        ("autumn", f"am_sk_live_****{live[-4:]}"),
        ("dub", "dub_****0001"),
    ]
    assert rolodex("keys", "revoke", key, *database).returncode == 0
    assert_one_line_error(rolodex("keys", "revoke", key, *database), "no stripe key", key[-4:])
    assert key not in rolodex("keys", "list", *database).stdout
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("keys.db*"))
    assert live[len("am_sk_live_") : -4].encode() not in stored  # held, as a digest only


def test_keys_refuses_what_no_dialect_accepts(tmp_path: Path) -> None:
    database = ["--database", f"sqlite:///{tmp_path / 'keys.db'}"]
    refused = rolodex("keys", "add", "pk_test_publishable", *database)
    assert refused.returncode == 2 and "not a Stripe (sk_, rk_), Autumn" in refused.stderr
    assert rolodex("keys", "create", "dub", "--live", *database).returncode == 2
    assert rolodex("keys", "list", *database).stdout == ""


def test_keys_on_an_unreachable_database_is_one_line() -> None:
    result = rolodex("keys", "list", "--database", f"postgresql://u@127.0.0.1:{free_port()}/db")
    assert_one_line_error(result, "cannot reach the database")


def test_keys_and_locking_need_a_database_that_outlives_the_command() -> None:
    memory = ["--database", "sqlite:///:memory:"]
    assert rolodex("keys", "create", "stripe", *memory).returncode == 2
    assert_one_line_error(rolodex("serve", "--locked", *memory), "in-memory database")
