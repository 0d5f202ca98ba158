"""The result of one mart check, independent of Dagster: verdict, severity, message, rows.

Check functions return a :class:`CheckOutcome`; the Dagster layer turns it into an
``AssetCheckResult`` and the warehouse table ``quality.check_results`` stores it. Keeping it a
plain value makes the checks testable on small DuckDB files without running Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Severity = Literal["WARN", "ERROR"]


@dataclass(frozen=True)
class CheckOutcome:
    """``rows`` are the offending rows (empty when passed); ``summary`` is German prose that names
    them, for the console, the e-mail and the working group's quality page."""

    check_name: str
    passed: bool
    severity: Severity
    summary: str
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: dict[str, int | float | str] = field(default_factory=dict)

    @property
    def n_failures(self) -> int:
        return 0 if self.passed else len(self.rows)


def german_number(value: float | None, digits: int = 1) -> str:
    """``7.91`` → ``7,9``; the working group reads German number formats."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def markdown_table(rows: pd.DataFrame, limit: int = 20) -> str:
    """A small Markdown table of the first ``limit`` rows (no tabulate dependency)."""
    if rows.empty:
        return "keine"
    shown = rows.head(limit)
    header = "| " + " | ".join(str(c) for c in shown.columns) + " |"
    rule = "|" + "|".join("---" for _ in shown.columns) + "|"
    body = [
        "| " + " | ".join(_cell(v) for v in record) + " |"
        for record in shown.itertuples(index=False)
    ]
    more = [f"\n… und {len(rows) - limit} weitere Zeilen"] if len(rows) > limit else []
    return "\n".join([header, rule, *body, *more])


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return german_number(value, 2)
    return str(value).replace("|", "\\|")
