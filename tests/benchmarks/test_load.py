"""Reading wrk's figures, writing its id table, and the fallback client's arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.bench import read_ids
from benchmarks.load import Cell, lua_table, parse_wrk, pinned, write_ids, wrk_command
from benchmarks.pyload import percentile, request_for


def test_parse_wrk_reads_the_result_line_among_wrk_s_own_output() -> None:
    raw = {
        "requests": 50_000,
        "duration_us": 5_000_000,
        "p50_us": 1500,
        "p99_us": 9000,
        "max_us": 20_000,
        "errors": {"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 0},
    }
    stdout = f"Running 5s test @ http://127.0.0.1:1/\n  1 threads\nBENCH_RESULT {json.dumps(raw)}\n"
    measured = parse_wrk(stdout)
    assert (measured.rps, measured.p50_ms, measured.p99_ms, measured.errors) == (
        10_000.0,
        1.5,
        9.0,
        4,
    )


def test_parse_wrk_refuses_output_without_a_result() -> None:
    with pytest.raises(RuntimeError, match="no result line"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_the_lua_table_is_a_lua_array_of_the_ids() -> None:
    text = lua_table(["cus_A", 'odd"id'])
    assert text == 'return {\n"cus_A",\n"odd\\"id"\n}\n'


def test_the_ids_file_is_a_repeatable_sample_of_the_filled_ids(tmp_path: Path) -> None:
    filled = [f"cus_{n:014d}" for n in range(50)]
    first = read_ids(write_ids(filled, tmp_path / "a.lua", sample=20))
    again = read_ids(write_ids(filled, tmp_path / "b.lua", sample=20))
    assert first == again
    assert len(set(first)) == 20
    assert set(first) <= set(filled)
    assert sorted(read_ids(write_ids(filled[:5], tmp_path / "c.lua", sample=20))) == filled[:5]


def test_wrk_command_uses_a_thread_per_port_and_pins_when_asked() -> None:
    cell = Cell("retrieve", 32, (8001, 8002), "sk_test_x")
    command = wrk_command(cell, 5, "1")
    assert command[:3] == ["taskset", "-c", "1"]
    assert command[3:7] == ["wrk", "-t2", "-c32", "-d5s"]
    assert command[-1] == "http://127.0.0.1:8001/"
    assert wrk_command(Cell("list", 1, (8001, 8002), "k"), 5, None)[:3] == ["wrk", "-t1", "-c1"]
    assert pinned(["x"], None) == ["x"]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_the_fallback_sends_what_the_lua_script_sends() -> None:
    ids = ["cus_only"]
    assert request_for("retrieve", ids, 3) == ("GET", "/v1/customers/cus_only", None)
    assert request_for("update", ids, 3) == (
        "POST",
        "/v1/customers/cus_only",
        {"name": "Renamed 3", "metadata[tier]": "t3"},
    )
    assert request_for("list", ids, 3) == ("GET", "/v1/customers", None)
    assert request_for("create", ids, 3)[:2] == ("POST", "/v1/customers")
    assert request_for("ceiling", ids, 3) == ("GET", "/", None)
