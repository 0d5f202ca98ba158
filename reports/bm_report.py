"""Helpers the report pages import: read the published mart, pick the edition, format German.

The pages only format and explain; every figure comes from the ``published`` tables the
pipeline writes after its checks and disclosure control passed (listed in
``pipelines/report/contract.py``). The warehouse is opened read-only (the pipeline is the only
writer) at ``$BILDUNGSMONITOR_WAREHOUSE``, by default ``../warehouse/bildungsmonitor.duckdb``
next to this folder. Results are cached per kernel: a page (or a kernel the renderer reuses
for several pages) reads each table once.

Every query a page runs is what its output depends on: when the built-in renderer's page
cache is on, it names a file in ``$BM_RENDER_DEPENDENCIES`` and ``query()`` appends each query
(SQL, parameters, warehouse) to it as a JSON line — also when a cached result is reused, so a
page's record does not depend on which page filled the cache. The renderer re-runs the
recorded queries on the next render and re-executes the page only if a result differs.
"""

from __future__ import annotations

import calendar
import decimal
import functools
import json
import math
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

KREFELD = "05114"
NRW = "05"
TOTAL = "insgesamt"
LOCALE = "de_DE"
T = TypeVar("T")
DEFAULT_WAREHOUSE = Path(__file__).resolve().parent.parent / "warehouse" / "bildungsmonitor.duckdb"

HANDLUNGSFELDER = (
    "Rahmenbedingungen",
    "Frühkindliche Bildung",
    "Allgemeinbildende Schule",
    "Berufliche Bildung",
    "Weiterbildung",
)
"""The chapters of the report, in the order of the life course."""

BREAKDOWNS = {
    "geschlecht": "Geschlecht",
    "staatsangehoerigkeit": "Staatsangehörigkeit",
    "schulform": "Schulform",
    "kategorie": "Kategorie",  # optional column; its label comes from the catalogue
}
"""Breakdown columns of ``published.indicator_values``; totals carry ``insgesamt``."""

SYMBOLS = {
    "-": "genau null",
    "0": "weniger als die Hälfte von 1 in der letzten besetzten Stelle, jedoch mehr als nichts",
    ".": "gesperrt: Zahlenwert unbekannt oder zum Schutz einzelner Personen geheim gehalten",
    "x": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    "...": "Angabe fällt später an",
    "/": "keine Angabe, da Zahlenwert nicht sicher genug",
    "()": "Aussagewert eingeschränkt, da der Zahlenwert statistisch relativ unsicher ist",
    "p": "vorläufige Zahl",
    "r": "berichtigte Zahl",
    "s": "geschätzte Zahl",
    "*": "anonymisiert (Wert unter 10, Statistik der Bundesagentur für Arbeit)",
}
"""The special symbols of official statistics, as the report explains them."""

SOURCE_NAMES = {
    "itnrw": "IT.NRW",
    "schulen": "Schulverwaltung der Stadt Krefeld",
    "ba": "Statistik der Bundesagentur für Arbeit",
}

LOCAL_LEVELS = ("Stadt", "Agenturbezirk")
"""Levels whose Krefeld region is the report's own figure (the BA's training-market figures
exist only for the Agenturbezirk Krefeld, which includes the Kreis Viersen)."""


# --------------------------------------------------------------------------- warehouse

ENV_WAREHOUSE = "BILDUNGSMONITOR_WAREHOUSE"
ENV_DEPENDENCIES = "BM_RENDER_DEPENDENCIES"
"""Set by the built-in renderer's page cache: the file the page's dependencies go to."""


def warehouse_path() -> Path:
    """The warehouse the page reads (environment first, then the repository default)."""
    return Path(os.environ.get(ENV_WAREHOUSE) or DEFAULT_WAREHOUSE)


def _open() -> duckdb.DuckDBPyConnection:
    path = warehouse_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"Warehouse {path} not found: build it first (bildungsmonitor refresh) "
            "or set BILDUNGSMONITOR_WAREHOUSE"
        )
    return duckdb.connect(str(path), read_only=True)


def connect() -> duckdb.DuckDBPyConnection:
    """A new read-only connection; fails with a hint if the warehouse has not been built.

    What a page reads through its own connection is not recorded: the page cache then
    re-executes the page every time. Read through ``query()``.
    """
    _depend({"kind": "untracked", "why": "bm_report.connect()"})
    return _open()


def query(sql: str, params: Sequence[object] = ()) -> pd.DataFrame:
    """Run a query on the published tables (one read-only connection per warehouse)."""
    path = str(warehouse_path())
    try:
        frame = _connection(path).execute(sql, list(params)).df()
    except Exception:
        _depend(_query_record(path, sql, params, None))  # a failed read is a dependency too
        raise
    _depend(_query_record(path, sql, params, frame))
    return frame


@functools.cache
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return _open()


def _query_record(
    path: str, sql: str, params: Sequence[object], frame: pd.DataFrame | None
) -> dict:
    if not all(p is None or isinstance(p, bool | int | float | str) for p in params):
        return {"kind": "untracked", "why": f"query parameters {params!r} are not JSON"}
    record = {
        "kind": "query",
        "database": path,
        "database_env": ENV_WAREHOUSE,
        "sql": sql,
        "params": list(params),
    }
    digest = None if frame is None else _result_digest((path, sql, *params), frame)
    if digest is not None:
        record["digest"] = digest
    return record


_digests: dict[tuple, str] = {}
"""Result digests by (warehouse, SQL, parameters). The query's connection is read-only and
kept for the kernel's life, so the same query returns the same rows: pages of a reused kernel
that read the catalogue again need not digest it again."""


def _result_digest(key: tuple, frame: pd.DataFrame) -> str | None:
    """The digest the page cache keeps for this result, computed while the result is at
    hand, so that the renderer need not run the query again to store the page (only with
    the built-in renderer's cache on; it then lives in the same environment)."""
    if not os.environ.get(ENV_DEPENDENCIES):
        return None
    if key not in _digests:
        try:
            from pipelines.report.cache import frame_digest
        except ImportError:
            return None
        _digests[key] = frame_digest(frame)
    return _digests[key]


_collecting: list[list[str]] = []
"""Dependencies of the remembered computations now running (innermost last)."""
_logged: set[tuple[str, str]] = set()


def _depend(record: dict) -> None:
    _note(json.dumps(record, ensure_ascii=False, sort_keys=True))


def _note(line: str) -> None:
    """Note what the running page read: for the computations that use it, and in the file
    the renderer named (once per page and record)."""
    for lines in _collecting:
        lines.append(line)
    log = os.environ.get(ENV_DEPENDENCIES)
    if log and (log, line) not in _logged:
        _logged.add((log, line))
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def _remembered(function: Callable[..., T]) -> Callable[..., T]:
    """``functools.cache`` that also remembers what the computation read, and records it
    again whenever the cached result is used (a later page in a reused kernel reads the same
    data, even though no query runs). Arguments must be hashable."""
    results: dict[tuple, tuple[T, tuple[str, ...]]] = {}

    @functools.wraps(function)
    def remembered(*args: object, **kwargs: object) -> T:
        key = (args, tuple(sorted(kwargs.items())))
        if key in results:
            value, lines = results[key]
            for line in lines:
                _note(line)
            return value
        _collecting.append([])
        try:
            value = function(*args, **kwargs)
        finally:
            lines = tuple(dict.fromkeys(_collecting.pop()))
        results[key] = (value, lines)
        return value

    remembered.cache_clear = results.clear  # type: ignore[attr-defined]
    return remembered


@_remembered
def _columns(table: str) -> tuple[str, ...]:
    rows = query(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'published' AND table_name = ? ORDER BY ordinal_position",
        [table],
    )
    return tuple(rows["column_name"])


def breakdown_columns() -> tuple[str, ...]:
    """The breakdown columns the published values have (``kategorie`` only if present)."""
    return tuple(c for c in BREAKDOWNS if c in _columns("indicator_values"))


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Indicator:
    """One row of the indicator catalogue."""

    id: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    handlungsfeld: str
    source: str
    higher_is_better: bool | None
    levels: tuple[str, ...]
    notes: str
    kategorie: str | None = None

    @property
    def local_level(self) -> str | None:
        """The level of the report's own figure: Krefeld as a city, else its Agenturbezirk."""
        return next((lvl for lvl in LOCAL_LEVELS if lvl in self.levels), None)


@_remembered
def _catalogue() -> tuple[Indicator, ...]:
    frame = query("SELECT * FROM published.indicator_catalogue ORDER BY indicator_id")
    order = {name: i for i, name in enumerate(HANDLUNGSFELDER)}
    frame["_order"] = frame["handlungsfeld"].map(order).fillna(len(order))
    frame = frame.sort_values(["_order", "name_de", "indicator_id"])

    def text(value: object) -> str:
        return "" if value is None or pd.isna(value) else str(value)

    return tuple(
        Indicator(
            id=row["indicator_id"],
            name=row["name_de"],
            definition=text(row["definition_de"]),
            numerator=text(row["numerator_de"]),
            denominator=text(row["denominator_de"]),
            unit=text(row["unit"]),
            handlungsfeld=row["handlungsfeld"],
            source=text(row["source"]),
            higher_is_better=_flag(row["higher_is_better"]),
            levels=tuple(p.strip() for p in text(row["levels"]).split("|") if p.strip()),
            notes=text(row["notes_de"]),
            kategorie=text(row.get("kategorie_de")) or None,
        )
        for _, row in frame.iterrows()
    )


def _flag(value: object) -> bool | None:
    """A catalogue boolean (None when empty; 'false' as text is False, not truthy)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return bool(value)


def indicators(handlungsfeld: str | None = None) -> list[Indicator]:
    """The catalogue (of one Handlungsfeld), in report order."""
    if handlungsfeld is not None and handlungsfeld not in HANDLUNGSFELDER:
        raise ValueError(f"unknown Handlungsfeld {handlungsfeld!r}; known: {HANDLUNGSFELDER}")
    return [i for i in _catalogue() if handlungsfeld in (None, i.handlungsfeld)]


def indicator(indicator_id: str) -> Indicator:
    """One catalogue entry; a LookupError names the ids that exist."""
    for entry in _catalogue():
        if entry.id == indicator_id:
            return entry
    known = ", ".join(sorted(i.id for i in _catalogue()))
    raise LookupError(f"{indicator_id!r} is not in published.indicator_catalogue ({known})")


@_remembered
def regions() -> pd.DataFrame:
    """``published.regions`` indexed by region_key."""
    return query("SELECT * FROM published.regions ORDER BY region_key").set_index("region_key")


def comparison_cities() -> list[str]:
    """The keys of the comparison cities (the other kreisfreie Städte of NRW)."""
    table = regions()
    return list(table.index[table["is_comparison_city"].fillna(False).astype(bool)])


def districts() -> pd.Series:
    """Krefeld's Stadtbezirke: key → name, in key order."""
    table = regions()
    return table.loc[table["region_level"] == "Stadtbezirk", "region_name"].sort_index()


def local_region(entry: Indicator) -> str | None:
    """The key of the report's own region for an indicator (Krefeld or its Agenturbezirk)."""
    if entry.local_level == "Stadt":
        return KREFELD
    table = regions()
    keys = table.index[
        (table["region_level"] == entry.local_level) & table["region_name"].str.contains("Krefeld")
    ]
    return keys[0] if len(keys) else None


def region_name(key: str) -> str:
    return str(regions().loc[key, "region_name"]) if key in regions().index else key


# --------------------------------------------------------------------------- periods, editions

SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def period_end(period: str) -> date:
    """The last day a period covers: school year 2016/17 → 31.07.2017, 2016 → 31.12.2016."""
    if m := SCHOOL_YEAR.match(period):
        return date(int(m[1]) + 1, 7, 31)
    if m := YEAR.match(period):
        return date(int(m[1]), 12, 31)
    if m := MONTH.match(period):
        year, month = int(m[1]), int(m[2])
        return date(year, month, calendar.monthrange(year, month)[1])
    if m := DAY.match(period):
        return date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(f"period {period!r} is none of 2016/17, 2016, 2016-09, 2016-12-31")


def previous_period(period: str) -> str:
    """The same period one year earlier (previous school year, year, month, reference date)."""
    if m := SCHOOL_YEAR.match(period):
        start = int(m[1]) - 1
        return f"{start}/{(start + 1) % 100:02d}"
    if m := YEAR.match(period):
        return str(int(m[1]) - 1)
    if m := MONTH.match(period):
        return f"{int(m[1]) - 1}-{m[2]}"
    if m := DAY.match(period):
        return f"{int(m[1]) - 1}-{m[2]}-{m[3]}"
    raise ValueError(f"period {period!r} is none of 2016/17, 2016, 2016-09, 2016-12-31")


def format_period(period: str) -> str:
    """A period as readers write it: ``2016/17``, ``2016``, ``September 2024``, ``31.12.2024``."""
    if MONTH.match(period):
        return format_date(period_end(period), "MMMM y", locale=LOCALE)
    if DAY.match(period):
        return format_date(period_end(period), "dd.MM.yyyy", locale=LOCALE)
    period_end(period)  # refuses unknown forms
    return period


@dataclass(frozen=True)
class Edition:
    """An edition of the report: a school year (or calendar year) and its cut-off date.

    A period belongs to the edition when it ended by the cut-off: for school year 2016/17
    (cut-off 31.07.2017) that is school years up to 2016/17, calendar years up to 2016,
    months up to July 2017 and reference dates up to 31.07.2017. Rendering an earlier
    edition therefore shows what that edition showed (with the data as revised since).
    """

    label: str
    cutoff: date

    def includes(self, period: str) -> bool:
        return period_end(period) <= self.cutoff

    @property
    def title(self) -> str:
        return f"Ausgabe {self.label}"

    @property
    def cutoff_text(self) -> str:
        return format_date(self.cutoff, "d. MMMM y", locale=LOCALE)


@_remembered
def _periods() -> tuple[str, ...]:
    frame = query("SELECT DISTINCT period FROM published.indicator_values ORDER BY period")
    return tuple(frame["period"])


@_remembered
def _school_years() -> tuple[str, ...]:
    """The school years with values, in order (read on their own: a new month of some
    indicator does not change them, so pages that only need the edition stay cached)."""
    frame = query(
        "SELECT DISTINCT period FROM published.indicator_values "
        "WHERE regexp_full_match(period, '[0-9]{4}/[0-9]{2}') ORDER BY period"
    )
    return tuple(sorted(frame["period"]))


def edition(year: str | int | None = None) -> Edition:
    """The edition for the ``year`` parameter: a school year like ``2016/17`` or a calendar
    year like ``2016``; None means the latest school year in the mart."""
    school_years = list(_school_years())
    label = None if year is None else str(year)
    if label is None and school_years:
        return Edition(label=school_years[-1], cutoff=period_end(school_years[-1]))
    if label is not None and SCHOOL_YEAR.match(label):
        if label not in school_years:
            raise LookupError(
                f"no data for school year {label!r}; available: {', '.join(school_years)}"
            )
        return Edition(label=label, cutoff=period_end(label))
    if label is not None and not YEAR.match(label):
        raise ValueError(f"year {label!r}: write a school year (2016/17) or a year (2016)")
    periods = _periods()  # a calendar year, or no school years at all
    if not periods:
        raise LookupError("published.indicator_values is empty: nothing to report")
    last_year = max(period_end(p) for p in periods).year
    first_year = min(period_end(p) for p in periods).year
    if label is None:
        label = str(last_year)
    elif not first_year <= int(label) <= last_year:
        raise LookupError(f"no data for {label!r}; the mart covers {first_year}–{last_year}")
    return Edition(label=label, cutoff=period_end(label))


# --------------------------------------------------------------------------- values


NUMBER_COLUMNS = {"value": "float64", "numerator": "float64", "denominator": "float64"}
SCHOOL_LEVEL = "Schule"


@_remembered
def _indicator_periods(indicator_id: str) -> tuple[str, ...]:
    """The periods with published rows of one indicator, oldest first."""
    frame = query(
        "SELECT DISTINCT period FROM published.indicator_values WHERE indicator_id = ?",
        [indicator_id],
    )
    return tuple(sorted(frame["period"], key=period_end))


def _edition_periods(indicator_id: str, ausgabe: Edition) -> tuple[str, ...]:
    return tuple(p for p in _indicator_periods(indicator_id) if period_end(p) <= ausgabe.cutoff)


def _read_values(
    indicator_id: str,
    periods: Sequence[str],
    levels: tuple[str, ...] | None = None,
    region_keys: tuple[str, ...] | None = None,
    totals: bool = False,
) -> pd.DataFrame:
    """Published rows of one indicator, filtered in the warehouse, oldest first (for rows
    that include single schools: a state-sized mart holds millions of them)."""
    conditions = ["indicator_id = ?"]
    params: list[object] = [indicator_id]
    for column, allowed in (
        ("period", periods),
        ("region_level", levels),
        ("region_key", region_keys),
    ):
        if allowed is not None:
            conditions.append(
                f"{column} IN ({', '.join('?' * len(allowed))})" if allowed else "false"
            )
            params += list(allowed)
    if totals:
        for column in breakdown_columns():
            conditions.append(f"{column} = ?")
            params.append(TOTAL)
    frame = query(
        f"SELECT * FROM published.indicator_values WHERE {' AND '.join(conditions)}", params
    )
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(NUMBER_COLUMNS)
    frame["period_end"] = frame["period"].map(period_end).astype(object)
    return frame.sort_values(["period_end", "region_key", *breakdown_columns()], ignore_index=True)


@_remembered
def _regional_values(indicator_id: str) -> pd.DataFrame:
    """The indicator's rows above the schools (state, cities, districts): all that charts,
    maps and tables show; read once per kernel, and small even for a whole state."""
    frame = query(
        "SELECT * FROM published.indicator_values "
        "WHERE indicator_id = ? AND region_level IS DISTINCT FROM ?",
        [indicator_id, SCHOOL_LEVEL],
    )
    return _typed(frame)


@_remembered
def _school_keys() -> frozenset[str]:
    table = regions()
    return frozenset(table.index[table["region_level"] == SCHOOL_LEVEL])


def _without_schools(levels: tuple[str, ...] | None, region_keys: tuple[str, ...] | None) -> bool:
    if levels is not None and SCHOOL_LEVEL not in levels:
        return True
    return region_keys is not None and not set(region_keys) & _school_keys()


def values(
    indicator_id: str,
    ausgabe: Edition,
    *,
    levels: Iterable[str] | None = None,
    region_keys: Iterable[str] | None = None,
    totals: bool = True,
) -> pd.DataFrame:
    """Published rows of one indicator in the edition, oldest first.

    ``totals`` keeps only the rows that are totals in every breakdown (``insgesamt``).
    Rows above the schools come from the kernel's copy; a selection that may include single
    schools is read from the warehouse each time and not kept.
    """
    levels = None if levels is None else tuple(levels)
    region_keys = None if region_keys is None else tuple(region_keys)
    if _without_schools(levels, region_keys):
        return _selected(indicator_id, ausgabe, levels, region_keys, totals).copy()
    periods = _edition_periods(indicator_id, ausgabe)
    return _read_values(indicator_id, periods, levels, region_keys, totals)


@_remembered
def _selected(
    indicator_id: str,
    ausgabe: Edition,
    levels: tuple[str, ...] | None,
    region_keys: tuple[str, ...] | None,
    totals: bool,
) -> pd.DataFrame:
    """``values()`` above the schools, computed once per kernel (the chapters, the start
    page and the PDF edition ask for the same series many times)."""
    frame = _regional_values(indicator_id)
    keep = frame["period_end"] <= ausgabe.cutoff
    if totals:
        for column in breakdown_columns():
            keep &= frame[column] == TOTAL
    if levels is not None:
        keep &= frame["region_level"].isin(list(levels))
    if region_keys is not None:
        keep &= frame["region_key"].isin(list(region_keys))
    return frame[keep].reset_index(drop=True)


def published_rows(indicator_id: str, ausgabe: Edition) -> pd.DataFrame:
    """Exactly the published rows of an indicator in the edition, in the table's columns.

    Not kept in the kernel: with school rows this can be large. Pages that only need its
    sources, symbols and counts use :func:`published_overview`.
    """
    frame = _read_values(indicator_id, _edition_periods(indicator_id, ausgabe))
    return frame[list(_columns("indicator_values"))]


def published_overview(
    indicator_id: str, ausgabe: Edition, *, totals: bool = False
) -> pd.DataFrame:
    """What a page says about its published rows without holding them: one row per
    combination of source, symbol, suppression reason and level, with the number of rows
    (column ``zeilen``); :func:`sources`, :func:`symbol_notes` and
    :func:`suppression_note` accept it like the rows themselves. ``totals`` as in
    :func:`values`."""
    periods = _edition_periods(indicator_id, ausgabe)
    conditions = [
        "indicator_id = ?",
        f"period IN ({', '.join('?' * len(periods))})" if periods else "false",
    ]
    params: list[object] = [indicator_id, *periods]
    if totals:
        conditions += [f"{column} = ?" for column in breakdown_columns()]
        params += [TOTAL] * len(breakdown_columns())
    return query(
        "SELECT source, symbol, suppression_reason, region_level, count(*) AS zeilen "
        f"FROM published.indicator_values WHERE {' AND '.join(conditions)} "
        "GROUP BY ALL ORDER BY ALL",
        params,
    )


def school_rows(overview: pd.DataFrame) -> int:
    """How many of the rows of a :func:`published_overview` are rows of single schools."""
    return int(overview.loc[overview["region_level"] == SCHOOL_LEVEL, "zeilen"].sum())


CSV_BATCH_ROWS = 200_000
"""Rows written to a download at once: whole periods, at least one."""


def write_csv(indicator_id: str, ausgabe: Edition, path: Path | str) -> int:
    """Write the indicator's published rows as CSV for download; returns the row count.

    German spreadsheet conventions: UTF-8 with BOM, ``;`` between fields, decimal comma.
    Empty ``value`` with a ``symbol`` means: not published (see the page's footnotes).
    Text a spreadsheet would run as a formula (a school name from the register starting with
    ``=``) is written with a leading ``'`` (``pipelines.report.downloads_safety``), numbers
    as they are.
    Written in batches of whole periods, so a state-sized indicator never sits in memory.
    """
    from pipelines.report.downloads_safety import neutralise_frame

    columns = list(_columns("indicator_values"))
    periods = _edition_periods(indicator_id, ausgabe)
    counts = dict(
        query(
            "SELECT period, count(*) AS n FROM published.indicator_values "
            "WHERE indicator_id = ? GROUP BY period",
            [indicator_id],
        ).itertuples(index=False, name=None)
    )
    batches: list[list[str]] = [[]]
    size = 0
    for period in periods:
        if batches[-1] and size + counts.get(period, 0) > CSV_BATCH_ROWS:
            batches.append([])
            size = 0
        batches[-1].append(period)
        size += counts.get(period, 0)
    written = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        for index, batch in enumerate(batches):
            frame = neutralise_frame(_read_values(indicator_id, batch)[columns])
            frame.to_csv(handle, sep=";", decimal=",", index=False, header=index == 0)
            written += len(frame)
    return written


def latest(frame: pd.DataFrame) -> str | None:
    """The latest period of a frame (None if empty)."""
    if frame.empty:
        return None
    return str(frame.loc[frame["period_end"].idxmax(), "period"])


def yearly(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one period a year: for months and reference dates the latest one's month/day."""
    period = latest(frame)
    if period is None or SCHOOL_YEAR.match(period) or YEAR.match(period):
        return frame
    suffix = period[4:]
    return frame[frame["period"].str[4:] == suffix]


@dataclass(frozen=True)
class Trend:
    """A time series of one indicator: its own region, NRW and the comparison cities."""

    indicator: Indicator
    edition: Edition
    local_key: str | None
    table: pd.DataFrame  # index period; columns local, nrw, median, min, max, n; symbols
    periods: tuple[str, ...]

    @property
    def local_name(self) -> str:
        return region_name(self.local_key) if self.local_key else "Krefeld"

    def has(self, column: str) -> bool:
        return column in self.table and self.table[column].notna().any()


def trend(entry: Indicator, ausgabe: Edition, *, last: int | None = None) -> Trend:
    """The indicator's series in the edition (one period a year; ``last`` periods at most)."""
    series = _trend(entry, ausgabe, last)
    return replace(series, table=series.table.copy())  # callers may change their copy


@_remembered
def _trend(entry: Indicator, ausgabe: Edition, last: int | None) -> Trend:
    own = local_region(entry)
    cities = comparison_cities()
    frame = yearly(values(entry.id, ausgabe, region_keys=[k for k in (own, NRW) if k] + cities))
    periods = list(dict.fromkeys(frame["period"]))
    if last is not None:
        periods = periods[-last:]
    frame = frame[frame["period"].isin(periods)]

    def column(key: str | None, field: str) -> pd.Series:
        part = frame[frame["region_key"] == key].set_index("period")[field]
        return part.reindex(periods)

    table = pd.DataFrame(index=pd.Index(periods, name="period"))
    table["local"] = column(own, "value")
    table["local_symbol"] = column(own, "symbol")
    table["nrw"] = column(NRW, "value")
    table["nrw_symbol"] = column(NRW, "symbol")
    others = frame[frame["region_key"].isin(cities)].groupby("period")["value"]
    stats = others.agg(["median", "min", "max", "count"]).reindex(periods)
    stats.loc[stats["count"] < 3, ["median", "min", "max"]] = float("nan")  # too few to sum up
    table[["median", "min", "max", "n"]] = stats[["median", "min", "max", "count"]].to_numpy()
    return Trend(
        indicator=entry, edition=ausgabe, local_key=own, table=table, periods=tuple(periods)
    )


# --------------------------------------------------------------------------- formatting


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


def decimals(unit: str) -> int:
    """Decimals shown for a unit: counts without, weights with two, everything else one."""
    return {"Anzahl": 0, "Gewicht": 2}.get(unit, 1)


def _symbol(symbol: object) -> str | None:
    return symbol if isinstance(symbol, str) and symbol else None  # NaN/None from pandas


def format_value(value: float | None, symbol: str | None = None, unit: str = "%") -> str:
    """A mart value as shown in tables: the number (with ``%``), or the disclosure symbol.

    A missing value shows its symbol (``.`` secret/unknown, ``x`` blocked, ``-`` zero …); a
    symbol next to a number (``p`` provisional, ``r`` revised) follows the number.
    """
    symbol = _symbol(symbol)
    if value is None or pd.isna(value):
        return symbol or "."
    text = format_percent(value) if unit == "%" else format_number(value, decimals(unit))
    return f"{text} {symbol}" if symbol else text


def unit_label(unit: str) -> str:
    """An axis or column label for a unit."""
    return {"%": "Anteil in %", "Anzahl": "Anzahl"}.get(unit, unit)


def format_change(new: float | None, old: float | None, unit: str) -> str:
    """Change to the previous year: percentage points for shares, else the difference (and,
    for counts, the relative change)."""
    if new is None or old is None or pd.isna(new) or pd.isna(old):
        return "–"
    delta = new - old
    digits = decimals(unit)
    if round(delta, digits) == 0:
        return "±0"
    sign = "+" if delta > 0 else "−"
    text = sign + format_number(abs(delta), digits)
    if unit == "%":
        return text + " %-Pkt."
    if unit == "Anzahl" and old:
        return f"{text} ({sign}{format_number(abs(100 * delta / old), 1)} %)"
    return text


def assessment(new: float | None, old: float | None, entry: Indicator) -> str:
    """Whether the change is favourable, by the catalogue's ``higher_is_better``."""
    if entry.higher_is_better is None or new is None or old is None or pd.isna(new) or pd.isna(old):
        return "–"
    if round(new - old, decimals(entry.unit)) == 0:
        return "unverändert"
    return "günstiger" if (new > old) == entry.higher_is_better else "ungünstiger"


def sources(frame: pd.DataFrame) -> str:
    """The data sources of a frame in words, for a 'Quelle:' line."""
    names = [SOURCE_NAMES.get(s, s) for s in sorted(frame["source"].dropna().unique())]
    return ", ".join(names) or "."


def sources_of(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """The data sources of several indicators' published rows, for a 'Quelle:' line."""
    frames = [published_overview(e.id, ausgabe, totals=True) for e in entries]
    frames = [f for f in frames if not f.empty]
    return sources(pd.concat(frames)) if frames else "."


def catalogue_table(
    entries: Iterable[Indicator], *, link_folder: str | None = None, definitions: bool = False
) -> str:
    """The catalogue as a table: name (linked to its page), unit, levels, source; with
    ``definitions`` the definition instead of the levels (for the PDF's appendix)."""
    rows = []
    for e in entries:
        name = f"[{e.name}]({link_folder}{e.id}.qmd)" if link_folder is not None else e.name
        levels = ", ".join(LEVEL_NAMES.get(level, level) for level in e.levels)
        rows.append([name, e.definition if definitions else levels, e.unit, e.source])
    middle = "Definition" if definitions else "Räumliche Ebenen"
    if not rows:
        rows = [["Keine Kennzahlen im Katalog", "", "", ""]]
    return markdown_table(["Kennzahl", middle, "Einheit", "Quelle"], rows, align="llll")


def wrap_labels(labels: Iterable[str], width: int) -> list[str]:
    """Axis labels broken into lines of at most ``width`` characters."""
    return ["\n".join(textwrap.wrap(str(label), width)) for label in labels]


def indicator_links(entries: Iterable[Indicator], folder: str = "indikatoren/") -> str:
    """A markdown list linking the indicator pages (``<folder><id>.qmd``)."""
    lines = [f"- [{e.name}]({folder}{e.id}.qmd) ({e.unit})" for e in entries]
    return "\n".join(lines) or "- Keine Kennzahlen im Katalog."


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    """A pipe table; a table chunk shows it as ``Markdown(...)`` (IPython.display), the way
    Quarto documents computed tables. ``align`` per column: ``l`` or ``r``."""
    header = list(header)
    align = align.ljust(len(header), "l")
    body = [[str(c).replace("|", "\\|") for c in row] for row in rows]
    # Pandoc sizes the columns of a wide table by the dashes of this rule (PDF and HTML):
    # as many as the longest cell (or the longest word of the header), within 3–40.
    widths = [
        min(max(3, len(max(str(h).split() or [""], key=len)), *(len(r[i]) for r in body)), 40)
        for i, h in enumerate(header)
    ]
    rule = [
        "-" * (w - 1) + ":" if a == "r" else ":" + "-" * (w - 1)
        for w, a in zip(widths, align, strict=True)
    ]
    lines = [header, rule, *body]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def symbol_notes(*frames: pd.DataFrame) -> str:
    """A footnote explaining the symbols that occur in the frames ('.' is always explained)."""
    found = {"."}
    for frame in frames:
        if "symbol" in frame:
            found |= {s for s in frame["symbol"].dropna().unique() if s}
    parts = [f"„{s}“ = {SYMBOLS[s]}" for s in SYMBOLS if s in found]
    parts += [f"„{s}“ = siehe Quelle" for s in sorted(found - set(SYMBOLS))]
    return "Zeichenerklärung: " + "; ".join(parts) + "."


def symbol_notes_of(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """The symbol footnote for the published rows of several indicators in an edition."""
    return symbol_notes(*(published_overview(e.id, ausgabe, totals=True) for e in entries))


# --------------------------------------------------------------------------- key figures


@dataclass(frozen=True)
class KeyFigure:
    """The latest value of an indicator in an edition, with its context."""

    indicator: Indicator
    region: str
    period: str
    value: float
    symbol: str | None
    previous: float
    nrw: float
    nrw_symbol: str | None
    median: float

    def cells(self) -> list[str]:
        unit = self.indicator.unit
        return [
            self.indicator.name,
            format_period(self.period),
            format_value(self.value, self.symbol, unit),
            format_change(self.value, self.previous, unit),
            assessment(self.value, self.previous, self.indicator),
            format_value(self.nrw, self.nrw_symbol, unit) if not pd.isna(self.nrw) else "–",
            format_value(self.median, None, unit) if _comparable(unit, self.median) else "–",
        ]


def _comparable(unit: str, value: float) -> bool:
    """Whether a value of other cities can stand next to Krefeld's (not for counts)."""
    return unit != "Anzahl" and not pd.isna(value)


KEY_FIGURE_HEADER = (
    "Kennzahl",
    "Stand",
    "Krefeld",
    "Veränderung zum Vorjahr",
    "Entwicklung",
    "NRW",
    "Vergleichsstädte (Median)",
)


@_remembered
def key_figure(entry: Indicator, ausgabe: Edition) -> KeyFigure | None:
    """The indicator's latest local value in the edition (None if it has none)."""
    series = trend(entry, ausgabe)
    table = series.table[series.table["local"].notna() | series.table["local_symbol"].notna()]
    if series.local_key is None or table.empty:
        return None
    period = table.index[-1]
    previous = previous_period(period)
    row = series.table.loc[period]
    return KeyFigure(
        indicator=entry,
        region=series.local_name,
        period=period,
        value=row["local"],
        symbol=_symbol(row["local_symbol"]),
        previous=series.table["local"].get(previous, float("nan")),
        nrw=row["nrw"],
        nrw_symbol=_symbol(row["nrw_symbol"]),
        median=row["median"],
    )


def key_figure_table(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """The key figures of some indicators as a pipe table (rows without data left out)."""
    rows = []
    for entry in entries:
        figure = key_figure(entry, ausgabe)
        if figure is not None:
            cells = figure.cells()
            if figure.region != "Krefeld":
                cells[0] += f" ({figure.region})"
            rows.append(cells)
    if not rows:
        rows = [["Keine Kennzahl mit Daten in dieser Ausgabe", "", "", "", "", "", ""]]
    return markdown_table(KEY_FIGURE_HEADER, rows, align="llrrlrr")


def summary_points(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """A markdown bullet list: the latest value of each indicator and how it changed."""
    points = []
    for entry in entries:
        figure = key_figure(entry, ausgabe)
        if figure is None:
            continue
        unit = entry.unit
        text = (
            f"- **{entry.name}:** {format_value(figure.value, figure.symbol, unit)} in "
            f"{figure.region} ({format_period(figure.period)})"
        )
        if not pd.isna(figure.nrw):
            text += f", Nordrhein-Westfalen {format_value(figure.nrw, figure.nrw_symbol, unit)}"
        change = format_change(figure.value, figure.previous, unit)
        if change != "–":
            verdict = assessment(figure.value, figure.previous, entry)
            text += f"; zum Vorjahr {change}"
            if verdict not in ("–", "unverändert"):
                text += f" ({verdict})"
        points.append(text + ".")
    return "\n".join(points) if points else "- Für diese Ausgabe liegen keine Werte vor."


def trend_table(series: Trend) -> str:
    """The values behind a time-series chart."""
    unit = series.indicator.unit
    header = ["Zeitraum", series.local_name, "Nordrhein-Westfalen", "Vergleichsstädte: Median"]
    header.append("Vergleichsstädte: Spanne")
    rows = []
    for period, row in series.table.iterrows():
        spread = (
            f"{format_value(row['min'], None, unit)} bis {format_value(row['max'], None, unit)}"
            if _comparable(unit, row["min"])
            else "–"
        )
        rows.append(
            [
                format_period(str(period)),
                format_value(row["local"], row["local_symbol"], unit) if series.local_key else "–",
                format_value(row["nrw"], row["nrw_symbol"], unit) if series.has("nrw") else "–",
                format_value(row["median"], None, unit)
                if _comparable(unit, row["median"])
                else "–",
                spread,
            ]
        )
    if not rows:
        rows = [["Keine Werte in dieser Ausgabe", "", "", "", ""]]
    return markdown_table(header, rows, align="lrrrr")


def trends_table(series: Iterable[Trend]) -> str:
    """The values behind a small-multiples chart: one block of rows per indicator."""
    rows = []
    for item in series:
        unit = item.indicator.unit
        for period, row in item.table.iterrows():
            rows.append(
                [
                    item.indicator.name,
                    format_period(str(period)),
                    format_value(row["local"], row["local_symbol"], unit),
                    format_value(row["nrw"], row["nrw_symbol"], unit) if item.has("nrw") else "–",
                ]
            )
    if not rows:
        rows = [["Keine Werte in dieser Ausgabe", "", "", ""]]
    return markdown_table(["Kennzahl", "Zeitraum", "Krefeld", "Nordrhein-Westfalen"], rows, "llrr")


# --------------------------------------------------------------------------- regions' values


def latest_by_region(
    entry: Indicator, ausgabe: Edition, keys: Sequence[str]
) -> tuple[str | None, pd.DataFrame]:
    """The latest period in which any of ``keys`` has a row, and those rows (one per key,
    in ``keys`` order; missing keys as empty rows)."""
    frame = values(entry.id, ausgabe, region_keys=keys)
    period = latest(frame)
    rows = frame[frame["period"] == period].set_index("region_key").reindex(list(keys))
    rows["region_name"] = [region_name(k) for k in rows.index]
    return period, rows


def city_table(entry: Indicator, rows: pd.DataFrame) -> str:
    """Krefeld and the comparison cities, highest value first (Krefeld in bold). A city
    without any row for the period is left out: "." would say "gesperrt" where nothing was
    ever published."""
    ordered = rows.sort_values("value", ascending=False, na_position="last")
    table = []
    for key, row in ordered.iterrows():
        if pd.isna(row["period"]):  # reindexed: the city has no row
            continue
        name = f"**{row['region_name']}**" if key == KREFELD else row["region_name"]
        table.append([name, format_value(row["value"], row["symbol"], entry.unit)])
    return markdown_table(["Stadt", entry.name], table, align="lr")


def district_table(entry: Indicator, rows: pd.DataFrame, classes: Sequence[str]) -> str:
    """The Stadtbezirke with value and map class."""
    table = [
        [row["region_name"], format_value(row["value"], row["symbol"], entry.unit), klass]
        for (_, row), klass in zip(rows.iterrows(), classes, strict=True)
    ]
    return markdown_table(["Stadtbezirk", entry.name, "Klasse in der Karte"], table, "lrl")


def breakdown_tables(entry: Indicator, ausgabe: Edition) -> str:
    """Markdown: the local region's latest values by each breakdown that has rows."""
    own = local_region(entry)
    if own is None:
        return "Für diese Kennzahl gibt es keine Aufgliederung für Krefeld."
    frame = values(entry.id, ausgabe, region_keys=[own], totals=False)
    period = latest(frame)
    frame = frame[frame["period"] == period]
    columns = breakdown_columns()
    parts = []
    for column in columns:
        others = [c for c in columns if c != column]
        rows = frame[(frame[column] != TOTAL) & (frame[others] == TOTAL).all(axis=1)]
        if rows.empty:
            continue
        label = entry.kategorie if column == "kategorie" and entry.kategorie else BREAKDOWNS[column]
        table = markdown_table(
            [label, entry.name],
            [
                [r[column], format_value(r["value"], r["symbol"], entry.unit)]
                for _, r in rows.iterrows()
            ],
            align="lr",
        )
        parts.append(f"**Nach {label}** ({region_name(own)}, {format_period(period)})\n\n{table}")
    if not parts:
        return "Für diese Kennzahl sind keine Aufgliederungen veröffentlicht."
    return "\n\n".join(parts)


def indicator_facts(entry: Indicator) -> str:
    """The catalogue's facts about an indicator as a two-column table."""
    levels = ", ".join(LEVEL_NAMES.get(level, level) for level in entry.levels)
    facts = [
        ("Zähler", entry.numerator),
        ("Nenner", entry.denominator),
        ("Einheit", entry.unit),
        ("Quelle", entry.source),
        ("Räumliche Ebenen", levels),
        ("Wertung", JUDGEMENT.get(entry.higher_is_better, "keine Wertung")),
        ("Hinweise", entry.notes),
    ]
    return markdown_table(["Merkmal", "Angabe"], [[k, v] for k, v in facts if v], align="ll")


JUDGEMENT = {True: "höhere Werte sind günstiger", False: "niedrigere Werte sind günstiger"}
LEVEL_NAMES = {
    "Land": "Nordrhein-Westfalen",
    "Stadt": "kreisfreie Städte",
    "Agenturbezirk": "Agenturbezirk",
    "Stadtbezirk": "Stadtbezirke",
    "Schule": "Schulen",
}


def trend_sentence(series: Trend) -> str:
    """One sentence on the latest value and its change, for the text above a chart."""
    figure = key_figure(series.indicator, series.edition)
    if figure is None:
        return "Für diese Ausgabe liegen keine Werte vor."
    unit = series.indicator.unit
    text = (
        f"{format_period(figure.period)}: {format_value(figure.value, figure.symbol, unit)} "
        f"{'in ' if figure.region == 'Krefeld' else 'im '}{figure.region}"
    )
    if not pd.isna(figure.nrw):
        text += f", {format_value(figure.nrw, figure.nrw_symbol, unit)} in Nordrhein-Westfalen"
    change = format_change(figure.value, figure.previous, unit)
    if change != "–":
        text += f"; Veränderung zum Vorjahr: {change}"
        verdict = assessment(figure.value, figure.previous, series.indicator)
        if verdict not in ("–", "unverändert"):
            text += f" ({verdict})"
    return text + "."


def school_rows_note(count: int) -> str:
    """Why the page shows no single schools although the CSV file may contain some."""
    if not count:
        return ""
    return (
        f"Sie enthält auch {format_number(count)} Zeilen einzelner Schulen, soweit sie nach der "
        "Geheimhaltungsprüfung veröffentlicht werden dürfen; die Seite selbst zeigt keine "
        "Werte einzelner Schulen."
    )


def suppression_note(frame: pd.DataFrame) -> str:
    """The reasons for suppressed values, as a sentence ('' if none). The one public reason of
    disclosure control, "gesperrt", is already the meaning of the symbol "." and is not
    repeated; other reasons (e.g. a publisher's) are named."""
    reasons = [r for r in suppression_reasons(frame) if r != "gesperrt"]
    if not reasons:
        return ""
    return "Gründe für geheim gehaltene Werte: " + "; ".join(reasons) + "."


def suppression_reasons(frame: pd.DataFrame) -> list[str]:
    """The distinct reasons why values of a frame are not published."""
    if "suppression_reason" not in frame:
        return []
    return sorted({r for r in frame["suppression_reason"].dropna().unique() if r})


# --------------------------------------------------------------------------- map classes


def class_breaks(values: Sequence[float], classes: int = 4) -> list[float]:
    """Class limits of equal width with a round step (1, 2, 2.5 or 5 × 10^k) covering the
    values: ``[0, 2.5, 5, 7.5, 10]`` means 0 bis unter 2,5 … 7,5 bis 10."""
    finite = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not finite:
        return []
    low, high = min(finite), max(finite)
    raw = (high - low) / classes if high > low else max(abs(high), 1) / classes
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    breaks = [round(start + i * step, 10) for i in range(classes + 2)]
    while len(breaks) > 2 and breaks[-2] >= high and breaks[-2] > low:
        breaks.pop()
    return breaks


def classify(value: float | None, breaks: Sequence[float]) -> int | None:
    """The class index of a value (None for a missing value)."""
    if value is None or pd.isna(value) or len(breaks) < 2:
        return None
    for i in range(len(breaks) - 1):
        if value < breaks[i + 1]:
            return i
    return len(breaks) - 2


def class_labels(breaks: Sequence[float], unit: str) -> list[str]:
    """Legend texts: ``2,5 bis unter 5,0 %`` (the last class includes its upper limit)."""
    digits = 0 if all(float(b).is_integer() for b in breaks) else 1
    suffix = " %" if unit == "%" else ""
    labels = []
    for i in range(len(breaks) - 1):
        low, high = format_number(breaks[i], digits), format_number(breaks[i + 1], digits)
        last = i == len(breaks) - 2
        labels.append(f"{low} bis {'' if last else 'unter '}{high}{suffix}")
    return labels


def breaks_sentence(breaks: Sequence[float], unit: str) -> str:
    """The class breaks in words, for the text next to a map."""
    if len(breaks) < 2:
        return "Für die Karte liegen keine Werte vor."
    step = format_number(
        breaks[1] - breaks[0], 0 if float(breaks[1] - breaks[0]).is_integer() else 1
    )
    unit_text = " Prozentpunkten" if unit == "%" else ""
    return (
        f"Die Karte teilt die Werte in {len(breaks) - 1} Klassen gleicher Breite von je {step}"
        f"{unit_text}: " + "; ".join(class_labels(breaks, unit)) + "."
    )


def class_of(value: float | None, breaks: Sequence[float], unit: str) -> str:
    """The legend text of a value's class ('keine Angabe' if missing)."""
    index = classify(value, breaks)
    return "keine Angabe" if index is None else class_labels(breaks, unit)[index]


@dataclass(frozen=True)
class DistrictPanel:
    """One small-area indicator for a map of the Stadtbezirke: latest values and classes."""

    indicator: Indicator
    period: str
    rows: pd.DataFrame  # by district key: region_name, value, symbol
    breaks: list[float]

    @property
    def panel(self) -> tuple[str, dict[str, float], str, list[float]]:
        """(title, values by key, unit, breaks) as the map functions take them."""
        title = f"{self.indicator.name} ({format_period(self.period)})"
        return title, self.rows["value"].to_dict(), self.indicator.unit, self.breaks


def district_panels(entries: Iterable[Indicator], ausgabe: Edition) -> list[DistrictPanel]:
    """The indicators with Stadtbezirk values in the edition, ready to map."""
    keys = list(districts().index)
    panels = []
    for entry in entries:
        if "Stadtbezirk" not in entry.levels:
            continue
        period, rows = latest_by_region(entry, ausgabe, keys)
        if period is not None:
            panels.append(DistrictPanel(entry, period, rows, class_breaks(rows["value"])))
    return panels


def district_panels_table(panels: Sequence[DistrictPanel]) -> str:
    """Stadtbezirke (rows) × small-area indicators (columns)."""
    names = districts()
    header = ["Kennzahl (Stand)", *names.tolist()]
    rows = [
        [f"{p.indicator.name} ({format_period(p.period)})"]
        + [format_value(p.rows.loc[k, "value"], p.rows.loc[k, "symbol"], p.indicator.unit)
           for k in names.index]
        for p in panels
    ]  # fmt: skip
    if not rows:
        rows = [["Keine kleinräumigen Werte", *[""] * len(names)]]
    return markdown_table(header, rows, align="l" + "r" * len(names))


def district_breaks_table(panels: Sequence[DistrictPanel]) -> str:
    """The class limits of each map of the Stadtbezirke."""
    rows = [
        [p.indicator.name, "; ".join(class_labels(p.breaks, p.indicator.unit)) or "–"]
        for p in panels
    ]
    return markdown_table(["Kennzahl", "Klassen der Karte"], rows or [["–", "–"]], align="ll")


# --------------------------------------------------------------------------- geometry


@_remembered
def district_geometry() -> tuple[tuple[dict, ...], str | None]:
    """The Stadtbezirke as GeoJSON features (key in ``properties.region_key``) and the
    geometry's own note (``hinweis``, e.g. that the sample geometry is schematic)."""
    frame = query("SELECT * FROM published.geometrie_stadtbezirke ORDER BY region_key")
    features = []
    for _, row in frame.iterrows():
        feature = json.loads(row["geojson"])
        if feature.get("type") != "Feature":
            raise ValueError(f"geometrie_stadtbezirke {row['region_key']}: not a GeoJSON Feature")
        feature.setdefault("properties", {})["region_key"] = row["region_key"]
        feature["properties"]["region_name"] = row["region_name"]
        features.append(feature)
    notes = {f["properties"].get("hinweis") for f in features} - {None, ""}
    return tuple(features), "; ".join(sorted(notes)) or None


# --------------------------------------------------------------------------- Schulformwechsel

SFW_TYPES = ("04", "10", "20", "15")
"""Hauptschule, Realschule, Gymnasium, Gesamtschule: the matrix of the Kurzreport."""
LATE_GRADES = (8, 9, 10)


@_remembered
def _schulformwechsel() -> pd.DataFrame:
    frame = query("SELECT * FROM published.schulformwechsel")
    return frame.astype({"anzahl": "float64", "jahrgang": "int64"})


def schulformwechsel(ausgabe: Edition) -> pd.DataFrame:
    """The published Schulformwechsel of the edition's school years."""
    frame = _schulformwechsel()
    return frame[frame["school_year"].map(ausgabe.includes)].reset_index(drop=True)


def school_type_names(frame: pd.DataFrame) -> dict[str, str]:
    """School type code → name, from the published table itself."""
    names = dict(zip(frame["von_schulform"], frame["von_schulform_name"], strict=True))
    names.update(zip(frame["nach_schulform"], frame["nach_schulform_name"], strict=True))
    return names


def _sum(cells: pd.DataFrame) -> float:
    """A total of published cells; NaN when a part is not published (the total would be
    a guess, and publishing it could reveal the hidden part)."""
    if cells["anzahl"].isna().any():
        return float("nan")
    return float(cells["anzahl"].sum())


def sfw_matrix(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    """Changes from row type to column type among the four types, with totals."""
    part = frame[
        (frame["school_year"] == year)
        & frame["von_schulform"].isin(SFW_TYPES)
        & frame["nach_schulform"].isin(SFW_TYPES)
    ]
    matrix = pd.DataFrame(index=list(SFW_TYPES), columns=[*SFW_TYPES, "summe"], dtype="float64")
    for von in SFW_TYPES:
        for nach in SFW_TYPES:
            if von != nach:
                cells = part[(part["von_schulform"] == von) & (part["nach_schulform"] == nach)]
                matrix.loc[von, nach] = _sum(cells)
        matrix.loc[von, "summe"] = _sum(part[part["von_schulform"] == von])
    matrix.loc["summe"] = [_sum(part[part["nach_schulform"] == n]) for n in SFW_TYPES] + [
        _sum(part)
    ]
    return matrix


def sfw_by_grade(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    """Changes by target type (rows) and grade entered (columns), all origins."""
    part = frame[(frame["school_year"] == year) & frame["nach_schulform"].isin(SFW_TYPES)]
    grades = list(range(5, 11))
    table = pd.DataFrame(index=list(SFW_TYPES), columns=[*grades, "summe"], dtype="float64")
    for nach in SFW_TYPES:
        rows = part[part["nach_schulform"] == nach]
        for grade in grades:
            cells = rows[rows["jahrgang"] == grade]
            table.loc[nach, grade] = _sum(cells) if len(cells) else 0.0
        table.loc[nach, "summe"] = _sum(rows)
    return table


def sfw_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Per school year: changes among the four types, out of the Gymnasium, and late
    changes (into grades 8–10, all origins and targets)."""
    rows = []
    for year, part in frame.groupby("school_year", sort=True):
        four = part[part["von_schulform"].isin(SFW_TYPES) & part["nach_schulform"].isin(SFW_TYPES)]
        rows.append(
            {
                "school_year": year,
                "insgesamt": _sum(four),
                "aus_gymnasium": _sum(four[four["von_schulform"] == "20"]),
                "spaet": _sum(part[part["jahrgang"].isin(LATE_GRADES)]),
            }
        )
    return pd.DataFrame(rows, columns=["school_year", "insgesamt", "aus_gymnasium", "spaet"])


def latest_school_year(years: Iterable[str]) -> str | None:
    """The latest school year of some school years (None if there are none)."""
    years = [y for y in years if SCHOOL_YEAR.match(str(y))]
    return max(years, key=period_end) if years else None


def _count(value: float) -> str:
    return format_value(value, None, "Anzahl")


def sfw_matrix_table(matrix: pd.DataFrame | None, names: dict[str, str], year: str | None) -> str:
    """The Schulformwechsel matrix with row and column totals ('.' where a part is secret)."""
    header = [f"von ↓ nach → ({year or '–'})", *(names.get(t, t) for t in SFW_TYPES)]
    header.append("Abgänge insgesamt")
    if matrix is None:
        return markdown_table(header, [["Keine Werte", *[""] * (len(header) - 1)]])
    rows = []
    for von in (*SFW_TYPES, "summe"):
        label = "Zugänge insgesamt" if von == "summe" else names.get(von, von)
        cells = ["–" if von == nach else _count(matrix.loc[von, nach]) for nach in SFW_TYPES]
        rows.append([label, *cells, _count(matrix.loc[von, "summe"])])
    rows[-1][0] = "**Zugänge insgesamt**"
    return markdown_table(header, rows, align="l" + "r" * (len(header) - 1))


def sfw_grade_table(table: pd.DataFrame | None, names: dict[str, str], year: str | None) -> str:
    """Changes by target type and grade entered, with the late changes (grades 8–10)."""
    grades = list(range(5, 11))
    header = [f"nach ↓ Klasse → ({year or '–'})", *map(str, grades), "insgesamt", "davon 8–10"]
    if table is None:
        return markdown_table(header, [["Keine Werte", *[""] * (len(header) - 1)]])
    rows = []
    for nach in SFW_TYPES:
        late = table.loc[nach, list(LATE_GRADES)]
        cells = [_count(v) if v else "–" for v in table.loc[nach, grades]]
        rows.append(
            [names.get(nach, nach), *cells, _count(table.loc[nach, "summe"]), _count(late.sum())]
        )
    totals = [table[g].sum() for g in grades]
    late_total = table[list(LATE_GRADES)].to_numpy().sum()
    rows.append(
        ["**insgesamt**", *(_count(v) for v in totals), _count(table["summe"].sum()),
         _count(late_total)]
    )  # fmt: skip
    return markdown_table(header, rows, align="l" + "r" * (len(header) - 1))


def sfw_series_table(series: pd.DataFrame) -> str:
    """Changes per school year: among the four types, out of the Gymnasium, late changes."""
    header = ["Schuljahr", "Wechsel insgesamt", "davon aus dem Gymnasium", "späte Wechsel (8–10)"]
    rows = [
        [r.school_year, _count(r.insgesamt), _count(r.aus_gymnasium), _count(r.spaet)]
        for r in series.itertuples()
    ]
    return markdown_table(header, rows or [["Keine Werte", "", "", ""]], align="lrrr")


def kurzreport_points(
    series: pd.DataFrame,
    year: str | None,
    matrix: pd.DataFrame | None,
    entries: Iterable[Indicator],
    ausgabe: Edition,
) -> str:
    """The Kurzreport's summary: Schulformwechsel first, then the indicators."""
    points = []
    if year and matrix is not None:
        row = series.set_index("school_year").loc[year]
        points.append(
            f"- **Schulformwechsel {year}:** {_count(matrix.loc['summe', 'summe'])} Wechsel "
            f"zwischen den vier Schulformen, davon {_count(matrix.loc['20', 'summe'])} aus dem "
            f"Gymnasium; {_count(row['spaet'])} späte Wechsel in die Klassen 8 bis 10."
        )
    points.append(summary_points(entries, ausgabe))
    return "\n".join(points)


# --------------------------------------------------------------------------- Schulsozialindex


def _latest_school_year(frame: pd.DataFrame, ausgabe: Edition) -> pd.DataFrame:
    frame = frame[frame["school_year"].map(ausgabe.includes)]
    if frame.empty:
        return frame
    return frame[frame["school_year"] == max(frame["school_year"], key=period_end)]


def sozialindex_stufen(ausgabe: Edition) -> pd.DataFrame:
    """Schools per level city-wide, latest school year of the edition (the published table
    has no districts: their level counts would show single schools' levels)."""
    frame = query("SELECT * FROM published.sozialindex_stufen")
    frame = frame.astype({"stufe": "int64", "anzahl_schulen": "int64"})
    return _latest_school_year(frame, ausgabe).reset_index(drop=True)


def sozialindex_stadtbezirke(ausgabe: Edition) -> pd.DataFrame:
    """Schools and mean level per Stadtbezirk, latest school year of the edition; the mean is
    NULL with symbol '.' where the pipeline withheld it (fewer than three schools behind it)."""
    frame = query("SELECT * FROM published.sozialindex_stadtbezirke")
    frame = frame.astype({"anzahl_schulen": "int64", "mittlere_stufe": "float64"})
    return _latest_school_year(frame, ausgabe).reset_index(drop=True)


def sozialindex_gewichte(ausgabe: Edition) -> pd.DataFrame:
    """The weights of the index inputs, latest school year of the edition."""
    frame = query("SELECT * FROM published.sozialindex_gewichte")
    return _latest_school_year(frame.astype({"gewicht": "float64"}), ausgabe).reset_index(drop=True)


def sozialindex_distribution(stufen: pd.DataFrame) -> pd.DataFrame:
    """Schools per level (rows 1–9) and school group (columns)."""
    if stufen.empty:
        return pd.DataFrame()
    table = stufen.pivot_table(
        index="stufe", columns="schulgruppe", values="anzahl_schulen", aggfunc="sum"
    )
    return table.reindex(range(1, 10)).fillna(0).astype("int64")


def sozialindex_means(bezirke: pd.DataFrame) -> pd.DataFrame:
    """The published mean level per Stadtbezirk (rows, all districts) and school group
    (columns, also a group whose means are all withheld); NaN where withheld or no school.
    Read, never computed here: only the pipeline knows what may be shown."""
    keys = districts().index
    if bezirke.empty:
        return pd.DataFrame(index=keys)
    means = bezirke.pivot(index="region_key", columns="schulgruppe", values="mittlere_stufe")
    return means.reindex(keys)


def sozialindex_weights_table(gewichte: pd.DataFrame) -> str:
    """Weights of the index inputs: one row per input, one column per school group."""
    if gewichte.empty:
        return markdown_table(["Merkmal", "Gewicht"], [["Keine Gewichte veröffentlicht", ""]])
    table = gewichte.pivot_table(
        index="merkmal_name", columns="schulgruppe", values="gewicht", sort=False
    )
    header = ["Merkmal", *table.columns]
    rows = [
        [name, *(format_value(v, None, "Gewicht") for v in row)] for name, row in table.iterrows()
    ]
    return markdown_table(header, rows, align="l" + "r" * len(table.columns))


def sozialindex_distribution_table(verteilung: pd.DataFrame) -> str:
    """Schools per level and group, with totals."""
    if verteilung.empty:
        return markdown_table(["Stufe", "Schulen"], [["Keine Werte", ""]])
    header = ["Stufe", *verteilung.columns]
    rows = [[str(stufe), *(_count(v) for v in row)] for stufe, row in verteilung.iterrows()]
    rows.append(["**insgesamt**", *(_count(v) for v in verteilung.sum())])
    return markdown_table(header, rows, align="l" + "r" * len(verteilung.columns))


def sozialindex_district_table(bezirke: pd.DataFrame) -> str:
    """Per Stadtbezirk and group: number of schools and the published mean level ('.' where
    withheld, '–' where the district has no school of the group)."""
    names = districts()
    groups = sorted(bezirke["schulgruppe"].unique()) if not bezirke.empty else []
    header = ["Stadtbezirk"]
    for group in groups:
        header += [f"{group}: Schulen", f"{group}: mittlere Stufe"]
    cells = bezirke.set_index(["region_key", "schulgruppe"]) if not bezirke.empty else None
    rows = []
    for key, name in names.items():
        row = [name]
        for group in groups:
            if (key, group) in cells.index:
                cell = cells.loc[(key, group)]
                row += [
                    _count(cell["anzahl_schulen"]),
                    format_value(cell["mittlere_stufe"], cell["symbol"], "Stufe"),
                ]
            else:
                row += [_count(0), "–"]
        rows.append(row)
    return markdown_table(header, rows, align="l" + "r" * (len(header) - 1))


def sozialindex_district_note(bezirke: pd.DataFrame) -> str:
    """The footnote of the district table: what '.' (and, if it occurs, '–') means."""
    note = "„.“ = gesperrt: Mittelwerte werden nur für mindestens drei Schulen veröffentlicht."
    present = set(zip(bezirke["region_key"], bezirke["schulgruppe"], strict=True))
    groups = set(bezirke["schulgruppe"])
    if any((key, group) not in present for key in districts().index for group in groups):
        note += " „–“ = keine Schule dieser Gruppe im Stadtbezirk."
    return note


def sozialindex_sentence(verteilung: pd.DataFrame, year: str | None) -> str:
    """How many schools have a level, and how many are on the three highest levels."""
    if verteilung.empty:
        return "Für diese Ausgabe liegen keine Stufen des Schulsozialindex vor."
    total = int(verteilung.to_numpy().sum())
    high = int(verteilung.loc[7:9].to_numpy().sum())
    return (
        f"Im Schuljahr {year} hatten {_count(total)} Krefelder Schulen eine Stufe des "
        f"Schulsozialindex; {_count(high)} davon ({format_percent(100 * high / total)}) "
        "standen auf den Stufen 7 bis 9 mit der größten Belastung."
    )


def sozialindex_points(verteilung: pd.DataFrame, mittel: pd.DataFrame, year: str | None) -> str:
    """The Schulsozialindex page's summary; the highest mean only among the published ones
    (and said so when some districts have none)."""
    if verteilung.empty:
        return "- Für diese Ausgabe liegen keine Stufen des Schulsozialindex vor."
    points = [f"- {sozialindex_sentence(verteilung, year)}"]
    names = districts()
    for group in mittel.columns:
        column = mittel[group].dropna()
        if column.empty:
            continue
        top = column.idxmax()
        among = (
            " unter den Stadtbezirken mit veröffentlichtem Mittelwert"
            if len(column) < len(mittel)
            else ""
        )
        points.append(
            f"- **{group}:** Die höchste durchschnittliche Stufe{among} haben die Schulen im "
            f"Stadtbezirk {names[top]} ({format_value(column[top], None, 'Stufe')})."
        )
    return "\n".join(points)
