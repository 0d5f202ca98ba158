"""Which delivery supplies which period of a raw table: the one received last wins.

A revised edition supersedes the old one period by period without deleting it from the
archive. Kept free of Dagster so the refresh planner can compute a raw table's inputs cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ArchivedDelivery:
    sha256: str
    original_name: str
    received_at: str
    periods: tuple[str, ...]


def assign_periods(deliveries: list[ArchivedDelivery]) -> dict[str, list[str]]:
    """Map each delivery (by sha256) to the periods it supplies: the latest delivery wins."""
    winner: dict[str, str] = {}
    for delivery in sorted(deliveries, key=lambda d: (d.received_at, d.original_name)):
        for period in delivery.periods:
            winner[period] = delivery.sha256
    assigned: dict[str, list[str]] = {}
    for period, sha in sorted(winner.items()):
        assigned.setdefault(sha, []).append(period)
    return assigned
