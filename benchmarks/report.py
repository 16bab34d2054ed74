"""Results as markdown: every cell, the share of the ceiling, the growth ratio, the targets.

Pure functions over the measured rows, so the arithmetic is tested without running a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TypeVar

from benchmarks.load import Measured

T = TypeVar("T")

RETRIEVE_SHARE = 0.40
UPDATE_SHARE = 0.20
GROWTH_FLOOR = 0.80
"""At the largest customer count each operation keeps at least 80% of its smallest-count rate."""


@dataclass(frozen=True)
class Row:
    server: str
    """``rolodex``, ``ceiling`` or ``localstripe``."""
    database: str
    processes: int
    customers: int
    op: str
    connections: int
    measured: Measured

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "rps": self.measured.rps}


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    passed: bool


def ceiling_share(row: Row, rows: Sequence[Row]) -> float | None:
    """This row's rate over the ceiling's at the same process and connection counts.

    The ceiling measured last before the row counts (the harness measures it again right
    before each operation), so a host whose speed drifts during a run skews the share less.
    """
    position = next((at for at, each in enumerate(rows) if each is row), len(rows))
    earlier = [ceiling for ceiling in rows[:position] if _ceiling_of(ceiling, row)]
    if not earlier:
        return None
    rate = earlier[-1].measured.rps
    return row.measured.rps / rate if rate else None


def median_pair(pairs: Sequence[tuple[Measured, Measured]]) -> tuple[Measured, Measured]:
    """Of (ceiling, server) runs made back to back, the pair whose share is the median (the
    upper one of an even count)."""
    return sorted(pairs, key=lambda pair: _share_of(*pair))[len(pairs) // 2]


def _share_of(ceiling: Measured, measured: Measured) -> float:
    return measured.rps / ceiling.rps if ceiling.rps else 0.0


def _ceiling_of(ceiling: Row, row: Row) -> bool:
    return (ceiling.server, ceiling.processes, ceiling.connections) == (
        "ceiling",
        row.processes,
        row.connections,
    )


def growth(row: Row, rows: Sequence[Row]) -> float | None:
    """This row's speed over the same cell's at the smallest customer count, if it is larger.

    Each speed is the share of the ceiling measured right before it, where both have one: the
    two cells are measured minutes apart, and on a host whose speed drifts by tens of per cent
    in that time, a ratio of raw rates measures the host as much as the customer count. Rates
    otherwise (a server measured without a ceiling, as localstripe is).
    """
    peers = [other for other in rows if _same_cell(other, row)]
    smallest = min(peers, key=lambda other: other.customers)
    if smallest.customers == row.customers or not smallest.measured.rps:
        return None
    share, smallest_share = ceiling_share(row, rows), ceiling_share(smallest, rows)
    if share is not None and smallest_share:
        return share / smallest_share
    return row.measured.rps / smallest.measured.rps


def verdicts(rows: Sequence[Row], connections: int) -> list[Verdict]:
    """Each target, for every database, process count and customer count measured."""
    results: list[Verdict] = []
    for row in rows:
        if row.server != "rolodex":
            continue
        where = f"{row.database}, {row.processes} proc, {row.customers:,} customers"
        if row.connections == connections and row.op in ("retrieve", "update"):
            floor = RETRIEVE_SHARE if row.op == "retrieve" else UPDATE_SHARE
            share = ceiling_share(row, rows)
            if share is not None:
                results.append(
                    Verdict(
                        f"{row.op} at {connections} conns >= {floor:.0%} of ceiling ({where})",
                        f"{share:.0%}",
                        share >= floor,
                    )
                )
        ratio = growth(row, rows)
        if ratio is not None:
            results.append(
                Verdict(
                    f"{row.op} at {row.connections} conns no more than "
                    f"{1 - GROWTH_FLOOR:.0%} slower than at the smallest count ({where})",
                    f"{ratio:.2f}x",
                    ratio >= GROWTH_FLOOR,
                )
            )
    return results


def results_table(rows: Sequence[Row]) -> str:
    header = (
        "| server | database | procs | customers | operation | conns | req/s | p50 ms "
        "| p99 ms | % of ceiling | vs smallest N | errors |"
    )
    lines = [header, "|" + "---|" * 12]
    for row in rows:
        share = ceiling_share(row, rows) if row.server != "ceiling" else None
        ratio = growth(row, rows) if row.server != "ceiling" else None
        m = row.measured
        lines.append(
            f"| {row.server} | {row.database} | {row.processes} | {_count(row)} | {row.op} "
            f"| {row.connections} | {m.rps:,.0f} | {m.p50_ms:.2f} | {m.p99_ms:.2f} "
            f"| {_percent(share)} | {_ratio(ratio)} | {m.errors} |"
        )
    return "\n".join(lines)


def side_by_side(rows: Sequence[Row], customers: int) -> str:
    """Rolodex's rate and p99 per operation, one column per database and process count."""
    chosen = [row for row in rows if row.server == "rolodex" and row.customers == customers]
    setups = _unique((row.database, row.processes) for row in chosen)
    cells = _unique((row.op, row.connections) for row in chosen)
    heads = " | ".join(f"{db}, {procs} proc: req/s (p99 ms)" for db, procs in setups)
    lines = [f"| operation | conns | {heads} |", "|" + "---|" * (2 + len(setups))]
    for op, conns in cells:
        figures = []
        for db, procs in setups:
            found = [
                r
                for r in chosen
                if (r.database, r.processes, r.op, r.connections) == (db, procs, op, conns)
            ]
            figures.append(
                f"{found[0].measured.rps:,.0f} ({found[0].measured.p99_ms:.1f})" if found else "-"
            )
        lines.append(f"| {op} | {conns} | " + " | ".join(figures) + " |")
    return "\n".join(lines)


def verdict_table(found: Sequence[Verdict]) -> str:
    lines = ["| target | measured | result |", "|---|---|---|"]
    lines += [f"| {v.target} | {v.measured} | {'PASS' if v.passed else 'FAIL'} |" for v in found]
    return "\n".join(lines)


def _same_cell(a: Row, b: Row) -> bool:
    return (a.server, a.database, a.processes, a.op, a.connections) == (
        b.server,
        b.database,
        b.processes,
        b.op,
        b.connections,
    )


def _unique(items: Iterable[T]) -> list[T]:
    return list(dict.fromkeys(items))


def _count(row: Row) -> str:
    return "-" if row.server == "ceiling" else f"{row.customers:,}"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}x"
