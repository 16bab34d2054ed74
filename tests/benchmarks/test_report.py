"""The report's arithmetic: share of the ceiling, growth with the customer count, verdicts."""

from __future__ import annotations

from benchmarks.load import Measured
from benchmarks.report import (
    Row,
    ceiling_share,
    growth,
    median_pair,
    results_table,
    side_by_side,
    verdicts,
)


def _row(server: str, op: str, conns: int, rps: float, customers: int = 1000, **kw: object) -> Row:
    measured = Measured(requests=int(rps * 10), seconds=10.0, p50_ms=1.0, p99_ms=2.0, errors=0)
    database = str(kw.get("database", "sqlite" if server != "ceiling" else "-"))
    processes = int(kw.get("processes", 1))  # type: ignore[call-overload]
    return Row(server, database, processes, customers, op, conns, measured)


CEILINGS = [_row("ceiling", "ceiling", 1, 5000, 0), _row("ceiling", "ceiling", 32, 20000, 0)]


def test_share_is_against_the_ceiling_at_the_same_connections_and_processes() -> None:
    retrieve = _row("rolodex", "retrieve", 32, 9000)
    two_procs = _row("rolodex", "retrieve", 32, 9000, processes=2)
    rows = [*CEILINGS, retrieve, two_procs]
    assert ceiling_share(retrieve, rows) == 9000 / 20000
    assert ceiling_share(two_procs, rows) is None


def test_share_is_against_the_ceiling_measured_last_before_the_row() -> None:
    early = _row("rolodex", "retrieve", 32, 9000, customers=1000)
    late = _row("rolodex", "retrieve", 32, 9000, customers=100_000)
    slower_ceiling = _row("ceiling", "ceiling", 32, 15000, 0)
    rows = [*CEILINGS, early, slower_ceiling, late]
    assert ceiling_share(early, rows) == 9000 / 20000
    assert ceiling_share(late, rows) == 9000 / 15000
    assert ceiling_share(_row("rolodex", "update", 32, 3000), rows) == 3000 / 15000


def test_growth_compares_with_the_smallest_customer_count_of_the_same_cell() -> None:
    small = _row("rolodex", "list", 32, 3000, customers=1000)
    large = _row("rolodex", "list", 32, 2700, customers=100_000)
    other_op = _row("rolodex", "retrieve", 32, 100, customers=1000)
    rows = [small, large, other_op]
    assert growth(small, rows) is None
    assert growth(large, rows) == 2700 / 3000


def test_growth_compares_shares_of_the_ceiling_where_each_cell_has_one() -> None:
    """The host slowed by a quarter between the two cells; the code did not."""
    fast_ceiling = _row("ceiling", "ceiling", 32, 20_000, 0)
    small = _row("rolodex", "list", 32, 4_000, customers=1000)
    slow_ceiling = _row("ceiling", "ceiling", 32, 15_000, 0)
    large = _row("rolodex", "list", 32, 3_000, customers=100_000)
    rows = [fast_ceiling, small, slow_ceiling, large]
    assert growth(large, rows) == (3_000 / 15_000) / (4_000 / 20_000)


def test_verdicts_apply_each_target_at_the_largest_connection_count() -> None:
    rows = [
        *CEILINGS,
        _row("rolodex", "retrieve", 32, 8000),  # 40%: passes
        _row("rolodex", "update", 32, 3000),  # 15%: fails
        _row("rolodex", "retrieve", 1, 100),  # not a share target at 1 connection
        _row("rolodex", "retrieve", 32, 6000, customers=100_000),  # 0.75x of 1,000: fails
    ]
    found = {(v.target.split(" (")[0], v.measured): v.passed for v in verdicts(rows, 32)}
    assert found == {
        ("retrieve at 32 conns >= 40% of ceiling", "40%"): True,
        ("update at 32 conns >= 20% of ceiling", "15%"): False,
        ("retrieve at 32 conns >= 40% of ceiling", "30%"): False,
        (
            "retrieve at 32 conns no more than 20% slower than at the smallest count",
            "0.75x",
        ): False,
    }


def test_the_results_table_has_a_line_per_cell_with_share_and_growth() -> None:
    rows = [*CEILINGS, _row("rolodex", "retrieve", 32, 9000)]
    lines = results_table(rows).splitlines()
    assert len(lines) == 2 + len(rows)
    assert lines[-1] == (
        "| rolodex | sqlite | 1 | 1,000 | retrieve | 32 | 9,000 | 1.00 | 2.00 | 45% | - | 0 |"
    )


def test_side_by_side_puts_each_database_and_process_count_in_a_column() -> None:
    rows = [
        _row("rolodex", "create", 32, 1000, 100_000),
        _row("rolodex", "create", 32, 1500, 100_000, database="postgresql", processes=2),
    ]
    table = side_by_side(rows, 100_000).splitlines()
    assert table[0] == (
        "| operation | conns | sqlite, 1 proc: req/s (p99 ms) "
        "| postgresql, 2 proc: req/s (p99 ms) |"
    )
    assert table[2] == "| create | 32 | 1,000 (2.0) | 1,500 (2.0) |"


def _run(rps: float) -> Measured:
    return Measured(requests=int(rps * 10), seconds=10.0, p50_ms=1.0, p99_ms=2.0, errors=0)


def test_of_pairs_run_back_to_back_the_median_share_is_reported() -> None:
    """Not the median rates: a pair measured while the host was fast has a fast ceiling too."""
    slow_host = (_run(10_000), _run(2_500))  # 25%
    fast_host = (_run(20_000), _run(3_600))  # 18%
    usual = (_run(15_000), _run(3_000))  # 20%
    assert median_pair([slow_host, fast_host, usual]) == usual
    assert median_pair([fast_host, slow_host]) == slow_host  # the upper of two
    assert median_pair([usual]) == usual
