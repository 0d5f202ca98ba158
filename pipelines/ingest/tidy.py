"""The tidy long table every parser returns: one row per value.

Fixed columns come first and last; each table adds its own named dimension columns between
them (e.g. ``geschlecht``, ``abschlussart``). Periods are already in the mart's form:
school year ``2016/17``, calendar year ``2024``, month ``2024-09`` or reference date
``2024-12-31``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

LEADING_COLUMNS = ["source", "table_code", "region_key", "region_name", "period"]
TRAILING_COLUMNS = ["value", "symbol"]


@dataclass
class ParsedFile:
    """A recognised and parsed input file.

    ``table`` is the project's name of the raw table (``abgaenger`` → asset
    ``raw_itnrw__abgaenger``); ``parser`` names the parser and layout that read it
    (e.g. ``genesis-classic``, ``genesis-ffcsv-2025``, ``ba-xlsx``, ``schulen-template-v1``).
    """

    source: str
    table: str
    table_code: str
    parser: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    lines: list[int] | None = None
    """Per tidy row, the file's line it came from (where the parser knows it): messages about
    a row name the line a user finds in the file, not the row of the tidy table."""
    columns: list[str] | None = None
    """Per tidy row, the label of the file's column it came from (same condition)."""

    @property
    def dimension_columns(self) -> list[str]:
        fixed = set(LEADING_COLUMNS) | set(TRAILING_COLUMNS)
        return [c for c in self.frame.columns if c not in fixed]


def order_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Put the fixed columns first/last and the table's dimensions in between."""
    middle = [c for c in frame.columns if c not in LEADING_COLUMNS + TRAILING_COLUMNS]
    return frame[LEADING_COLUMNS + middle + TRAILING_COLUMNS]
