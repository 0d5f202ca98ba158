"""Which delivery supplies which period of a raw table.

Across runs the delivery accepted last wins: a revised edition supersedes the old one period
by period without deleting it from the archive (the raw layer records it as a revision when
its figures differ: ``pipelines.ingest.revisions``). Within one run — two files of the same table
and period in one inbox — the order of receipt means nothing (files are landed in parallel and
named at will), so the publisher's own date decides (GENESIS "Stand", the register's Stand);
files that cannot be ordered by it are refused unless they hold the same figures. A full
snapshot (the school register) is one slot: its latest delivery replaces the previous
snapshot as a whole instead of adding its Stand date as one more period.

Kept free of Dagster so the refresh planner can compute a raw table's inputs cheaply.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

SNAPSHOT_TABLES = frozenset({"schulen__schulen", "msb__schulverzeichnis"})
"""Raw tables (``<source>__<table>``) whose every delivery is the whole table: a register."""
SNAPSHOT_SLOT = "*"
"""The one slot a snapshot table has (instead of one per period)."""

_PUBLISHER_DATE = re.compile(
    r"^(?:Stand|Erstellungsdatum):\s*(\d{2})\.(\d{2})\.(\d{4})"
    r"(?:\s*/?\s*(\d{2}:\d{2}(?::\d{2})?))?"
)
"""A parser's note with the publisher's date: GENESIS ``Stand: 12.02.2026 / 09:47:03``; a BA
workbook's ``Erstellungsdatum: 28.12.2024`` once its parser passes it on."""


@dataclass(frozen=True)
class ArchivedDelivery:
    """One logged delivery of a raw table.

    ``published_at``: the publisher's own date (ISO), if the file has one. ``batch``: the run
    that accepted the delivery and ``accepted_at`` when; without them (the refresh planner's
    view, or a log from before batches were recorded) each delivery counts as a run of its own
    at the time it was received.
    """

    sha256: str
    original_name: str
    received_at: str
    periods: tuple[str, ...]
    published_at: str | None = None
    batch: str | None = None
    accepted_at: str | None = None

    @property
    def run_order(self) -> tuple[str, str]:
        """Deliveries with the same run order came in the same run."""
        return (self.accepted_at or self.received_at, self.batch or self.sha256)

    def plain(self) -> ArchivedDelivery:
        """As the refresh planner sees it: name, receipt and periods only."""
        return ArchivedDelivery(self.sha256, self.original_name, self.received_at, self.periods)


@dataclass(frozen=True)
class Tie:
    """Deliveries of one run that hold different figures for ``period`` and carry no
    publisher's date that orders them."""

    period: str
    deliveries: tuple[ArchivedDelivery, ...]


class AmbiguousDeliveries(ValueError):
    """Deliveries of one run that contradict each other and cannot be ordered."""

    def __init__(self, ties: Sequence[Tie]):
        self.ties = tuple(ties)
        super().__init__(self.message())

    def message(self, table: str = "") -> str:
        """German, for the statistician: which files, which periods, what to do."""
        by_files: dict[tuple[ArchivedDelivery, ...], list[str]] = {}
        for tie in self.ties:
            by_files.setdefault(tie.deliveries, []).append(tie.period)
        lines = []
        for deliveries, periods in by_files.items():
            files = " und ".join(f"'{d.original_name}' ({_stand(d)})" for d in deliveries)
            what = (
                "das ganze Verzeichnis"
                if periods == [SNAPSHOT_SLOT]
                else "Zeitraum " + ", ".join(sorted(periods))
            )
            lines.append(
                f"{table + ': ' if table else ''}mehrdeutige Lieferungen im selben Eingang: "
                f"{files} enthalten verschiedene Zahlen für {what}, und kein Stand-Datum der "
                "Quelle sagt, welche gilt. Nur eine der Dateien im Eingang lassen (die gültige) "
                "und erneut laden."
            )
        return "\n".join(lines)


FiguresEqual = Callable[[ArchivedDelivery, ArchivedDelivery, str], bool]
"""``same(a, b, period)``: whether ``a`` and ``b`` hold the same figures for ``period``
(:data:`SNAPSHOT_SLOT`: the whole snapshot)."""


def assign_periods(
    deliveries: Iterable[ArchivedDelivery],
    *,
    snapshot: bool = False,
    same_figures: FiguresEqual | None = None,
) -> dict[str, list[str]]:
    """Map each delivery (by sha256) to the periods it supplies (see the module docstring).

    ``snapshot``: the table is a register; the winning delivery supplies all its periods and
    every other delivery none. ``same_figures`` tells whether deliveries of one run that
    overlap agree (None: overlapping deliveries of one run always count as different).
    Raises :class:`AmbiguousDeliveries` naming every undecidable period.
    """
    slots: dict[str, list[ArchivedDelivery]] = {}
    for delivery in deliveries:
        if snapshot and not delivery.periods:
            continue  # an empty register supplies nothing, and replaces nothing
        for slot in (SNAPSHOT_SLOT,) if snapshot else delivery.periods:
            slots.setdefault(slot, []).append(delivery)
    winner: dict[str, ArchivedDelivery] = {}
    ties: list[Tie] = []
    for slot, candidates in sorted(slots.items()):
        latest = max(c.run_order for c in candidates)
        same_run = [c for c in candidates if c.run_order == latest]
        chosen = _decide(slot, same_run, same_figures)
        if isinstance(chosen, Tie):
            ties.append(chosen)
        else:
            winner[slot] = chosen
    if ties:
        raise AmbiguousDeliveries(ties)
    assigned: dict[str, list[str]] = {}
    for slot, delivery in winner.items():
        periods = sorted(delivery.periods) if snapshot else [slot]
        assigned.setdefault(delivery.sha256, []).extend(periods)
    return {sha: sorted(periods) for sha, periods in sorted(assigned.items())}


def _decide(
    slot: str, same_run: list[ArchivedDelivery], same_figures: FiguresEqual | None
) -> ArchivedDelivery | Tie:
    """The delivery of one run that supplies ``slot``: the newest by publisher's date, else
    any of them if they all agree (a dated one first), else a :class:`Tie`."""
    ranked = sorted(
        same_run,
        key=lambda d: (d.published_at is not None, d.published_at or "", d.original_name, d.sha256),
        reverse=True,
    )
    first = ranked[0]
    dated = all(d.published_at is not None for d in ranked)
    # every file dated: only the newest count; one undated: its place is unknown, all count
    newest = [d for d in ranked if d.published_at == first.published_at] if dated else ranked
    if len(newest) == 1:
        return first
    # files that agree are no conflict (the same table in two formats, say)
    if same_figures is not None and all(same_figures(first, d, slot) for d in newest[1:]):
        return first
    return Tie(slot, tuple(sorted(newest, key=lambda d: (d.original_name, d.sha256))))


def publisher_date(notes: Iterable[str], periods: Sequence[str], *, snapshot: bool) -> str | None:
    """The publisher's own date of a delivery (ISO), if it has one: a register's Stand is its
    period; a GENESIS table's is in the parser's notes (``Stand: 12.02.2026 / 09:47:03``)."""
    if snapshot:
        return max(periods) if periods else None
    for note in notes:
        if match := _PUBLISHER_DATE.match(note):
            day, month, year, time = match.groups()
            return f"{year}-{month}-{day}" + (f"T{time}" if time else "")
    return None


def _stand(delivery: ArchivedDelivery) -> str:
    return f"Stand {german_date(delivery.published_at)}" if delivery.published_at else "ohne Stand"


def german_date(iso: str) -> str:
    """``2026-02-12T09:47:03`` → ``12.02.2026 09:47:03`` (for messages to the working group)."""
    date, _, time = iso.partition("T")
    parts = date.split("-")
    if len(parts) != 3:
        return iso
    return ".".join(reversed(parts)) + (f" {time}" if time else "")
