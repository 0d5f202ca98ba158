"""Group keys with row counts into batches of bounded size (whole keys, in order).

Several steps read a table in parts so that a state-sized warehouse never sits in pandas at
once, but their checks need some key whole (a period for the unique keys of the raw tables,
an indicator for disclosure control): such a step reads one batch of whole keys at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

K = TypeVar("K")


def by_size(sizes: Iterable[tuple[K, int]], limit: int) -> list[list[K]]:
    """Consecutive keys grouped so that a group holds at most ``limit`` rows; a key with
    more rows than ``limit`` is a group of its own."""
    batches: list[list[K]] = []
    total = limit
    for key, count in sizes:
        if total + count > limit:
            batches.append([])
            total = 0
        batches[-1].append(key)
        total += count
    return batches
