"""Helpers the report pages import: read the published mart, format numbers the German way.

The pages only format and explain; every figure comes from ``published.indicator_values``,
which the pipeline fills after its checks passed. The warehouse is opened read-only (the
pipeline is the only writer) at ``$BILDUNGSMONITOR_WAREHOUSE``, by default
``../warehouse/bildungsmonitor.duckdb`` next to this folder.
"""

from __future__ import annotations

import decimal
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pandas as pd
from babel.numbers import format_decimal

KREFELD = "05114"
NRW = "05"
LOCALE = "de_DE"
DEFAULT_WAREHOUSE = Path(__file__).resolve().parent.parent / "warehouse" / "bildungsmonitor.duckdb"
SOURCE_NAMES = {
    "itnrw": "IT.NRW",
    "schulen": "Schulverwaltung der Stadt Krefeld",
    "ba": "Bundesagentur für Arbeit",
}


def warehouse_path() -> Path:
    """The warehouse the page reads (environment first, then the repository default)."""
    return Path(os.environ.get("BILDUNGSMONITOR_WAREHOUSE") or DEFAULT_WAREHOUSE)


def connect() -> duckdb.DuckDBPyConnection:
    """A read-only connection; fails with a hint if the warehouse has not been built."""
    path = warehouse_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"Warehouse {path} not found: build it first (bildungsmonitor refresh) "
            "or set BILDUNGSMONITOR_WAREHOUSE"
        )
    return duckdb.connect(str(path), read_only=True)


def periods(indicator_id: str) -> list[str]:
    """The periods the mart holds for an indicator, oldest first."""
    with connect() as con:
        rows = con.execute(
            "SELECT DISTINCT period FROM published.indicator_values "
            "WHERE indicator_id = ? ORDER BY period",
            [indicator_id],
        ).fetchall()
    return [r[0] for r in rows]


def resolve_year(year: str | None, indicator_id: str) -> str:
    """The report's year: the parameter if given (and present), else the latest period."""
    available = periods(indicator_id)
    if not available:
        raise LookupError(f"published.indicator_values has no rows for {indicator_id!r}")
    if year is None:
        return available[-1]
    if str(year) not in available:
        raise LookupError(
            f"{indicator_id}: no data for {year!r}; available: {', '.join(available)}"
        )
    return str(year)


def indicator_series(
    indicator_id: str,
    region_keys: Iterable[str],
    *,
    until: str | None = None,
    geschlecht: str = "insgesamt",
) -> pd.DataFrame:
    """One indicator for some regions, oldest period first (up to and including ``until``)."""
    sql = (
        "SELECT period, region_key, region_name, value, symbol, numerator, denominator, unit, "
        "source FROM published.indicator_values "
        "WHERE indicator_id = ? AND geschlecht = ? AND list_contains(?, region_key)"
    )
    args: list[object] = [indicator_id, geschlecht, list(region_keys)]
    if until is not None:
        sql += " AND period <= ?"
        args.append(until)
    with connect() as con:
        frame = con.execute(sql + " ORDER BY period, region_key", args).df()
    return frame.astype({"value": "float64", "numerator": "float64", "denominator": "float64"})


def format_number(value: float | None, decimals: int = 0) -> str:
    """``2160`` → ``2.160``; ``8.0555`` with 1 decimal → ``8,1``. Rounds half up (as the
    official tables do), not half to even."""
    if value is None or pd.isna(value):
        return "."
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        return format_decimal(value, format=pattern, locale=LOCALE)


def format_percent(value: float | None, decimals: int = 1) -> str:
    """A value already in percent: ``8.0555`` → ``8,1 %``."""
    if value is None or pd.isna(value):
        return "."
    return f"{format_number(value, decimals)} %"


def format_value(value: float | None, symbol: str | None = None, unit: str = "%") -> str:
    """A mart value as shown in tables: the number (with its unit), or the disclosure symbol.

    A missing value shows its symbol (``.`` secret/unknown, ``x`` blocked, ``-`` zero …); a
    symbol next to a number (``p`` provisional, ``r`` revised) follows the number.
    """
    symbol = symbol if isinstance(symbol, str) and symbol else None  # NaN from pandas
    if value is None or pd.isna(value):
        return symbol or "."
    text = format_percent(value) if unit == "%" else format_number(value)
    return f"{text} {symbol}" if symbol else text


def sources(frame: pd.DataFrame) -> str:
    """The data sources of a frame in words, for a 'Quelle:' line."""
    names = [SOURCE_NAMES.get(s, s) for s in sorted(frame["source"].dropna().unique())]
    return ", ".join(names)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    """A pipe table; a table chunk shows it as ``Markdown(...)`` (IPython.display), the way
    Quarto documents computed tables. ``align`` per column: ``l`` or ``r``."""
    header = list(header)
    align = align.ljust(len(header), "l")
    rule = ["---:" if a == "r" else ":---" for a in align]
    lines = [header, rule, *([str(c).replace("|", "\\|") for c in row] for row in rows)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
