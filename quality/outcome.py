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


def counted(n: int, one: str, many: str) -> str:
    """``1 Warnung``, ``57 Warnungen``, ``keine Warnungen``."""
    return f"keine {many}" if n == 0 else f"{n} {one if n == 1 else many}"


def yoy_headline(beyond_hard: int, warnings: int, hard_in_districts: int) -> str:
    """The first sentence of the year-over-year check: what blocks, then what only warns.

    Only a jump over the hard limit at Land, Stadt or Agenturbezirk blocks; a Stadtbezirk over
    the hard limit is one of the warnings (small areas move more). Saying "0 Sprünge über der
    harten Grenze … davon 5 über der harten Grenze" read as a contradiction, so the warnings
    are split into their two kinds and the blocking count names its levels.
    """
    blocking = (
        "kein Sprung über der harten Grenze"
        if beyond_hard == 0
        else f"{counted(beyond_hard, 'Sprung', 'Sprünge')} über der harten Grenze (blockierend)"
    )
    head = f"Land, Städte und Agenturbezirke: {blocking}"
    if warnings == 0:
        return f"{head}; keine Warnungen"
    tolerance = warnings - hard_in_districts
    kinds = []
    if tolerance:
        kinds.append(f"{counted(tolerance, 'Veränderung', 'Veränderungen')} über der Toleranz")
    if hard_in_districts:
        kinds.append(
            f"{counted(hard_in_districts, 'Stadtbezirkswert', 'Stadtbezirkswerte')} über der "
            "harten Grenze (bei Stadtbezirken nur Warnung)"
        )
    return f"{head}; {counted(warnings, 'Warnung', 'Warnungen')}: {', '.join(kinds)}"


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
