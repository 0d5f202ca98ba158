"""Read the published mart for the report pages: catalogue, regions, editions, values, series.

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
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
from babel.dates import format_date

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

LOCAL_LEVELS = ("Stadt", "Agenturbezirk")
"""Levels whose Krefeld region is the report's own figure (the BA's training-market figures
exist only for the Agenturbezirk Krefeld, which includes the Kreis Viersen)."""


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


def remembered(function: Callable[..., T]) -> Callable[..., T]:
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


@remembered
def published_columns(table: str) -> tuple[str, ...]:
    rows = query(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'published' AND table_name = ? ORDER BY ordinal_position",
        [table],
    )
    return tuple(rows["column_name"])


def headline(indicator_id: str) -> dict[str, str]:
    """The code each breakdown column has in the indicator's headline series: ``insgesamt``
    everywhere, except the catalogue's headline category (``leit_merkmal = leit_code``)."""
    codes = dict.fromkeys(breakdown_columns(), TOTAL)
    entry = next((e for e in _catalogue() if e.id == indicator_id), None)
    if entry is not None and entry.leit is not None and entry.leit[0] in codes:
        codes[entry.leit[0]] = entry.leit[1]
    return codes


def breakdown_columns() -> tuple[str, ...]:
    """The breakdown columns the published values have (``kategorie`` only if present)."""
    return tuple(c for c in BREAKDOWNS if c in published_columns("indicator_values"))


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
    leit: tuple[str, str] | None = None
    """(breakdown column, code) of the headline category, for indicators whose total is no
    statement (shares adding up to 100 %): charts, maps and key figures show it."""
    leit_name: str | None = None

    @property
    def local_level(self) -> str | None:
        """The level of the report's own figure: Krefeld as a city, else its Agenturbezirk."""
        return next((lvl for lvl in LOCAL_LEVELS if lvl in self.levels), None)


@remembered
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
            leit=(text(row.get("leit_merkmal")), text(row.get("leit_code")))
            if text(row.get("leit_merkmal"))
            else None,
            leit_name=text(row.get("leit_name_de")) or None,
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


@remembered
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


@remembered
def _periods() -> tuple[str, ...]:
    frame = query("SELECT DISTINCT period FROM published.indicator_values ORDER BY period")
    return tuple(frame["period"])


@remembered
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


NUMBER_COLUMNS = {"value": "float64", "numerator": "float64", "denominator": "float64"}
SCHOOL_LEVEL = "Schule"


@remembered
def _indicator_periods(indicator_id: str) -> tuple[str, ...]:
    """The periods with published rows of one indicator, oldest first."""
    frame = query(
        "SELECT DISTINCT period FROM published.indicator_values WHERE indicator_id = ?",
        [indicator_id],
    )
    return tuple(sorted(frame["period"], key=period_end))


def edition_periods(indicator_id: str, ausgabe: Edition) -> tuple[str, ...]:
    return tuple(p for p in _indicator_periods(indicator_id) if period_end(p) <= ausgabe.cutoff)


def read_values(
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
        for column, code in headline(indicator_id).items():
            conditions.append(f"{column} = ?")
            params.append(code)
    frame = query(
        f"SELECT * FROM published.indicator_values WHERE {' AND '.join(conditions)}",
        params,
    )
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(NUMBER_COLUMNS)
    frame["period_end"] = frame["period"].map(period_end).astype(object)
    return frame.sort_values(["period_end", "region_key", *breakdown_columns()], ignore_index=True)


@remembered
def _regional_values(indicator_id: str) -> pd.DataFrame:
    """The indicator's rows above the schools (state, cities, districts): all that charts,
    maps and tables show; read once per kernel, and small even for a whole state."""
    frame = query(
        "SELECT * FROM published.indicator_values "
        "WHERE indicator_id = ? AND region_level IS DISTINCT FROM ?",
        [indicator_id, SCHOOL_LEVEL],
    )
    return _typed(frame)


@remembered
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

    ``totals`` keeps only the rows of the headline series: totals in every breakdown
    (``insgesamt``), except the catalogue's headline category (:func:`headline`).
    Rows above the schools come from the kernel's copy; a selection that may include single
    schools is read from the warehouse each time and not kept.
    """
    levels = None if levels is None else tuple(levels)
    region_keys = None if region_keys is None else tuple(region_keys)
    if _without_schools(levels, region_keys):
        return _selected(indicator_id, ausgabe, levels, region_keys, totals).copy()
    periods = edition_periods(indicator_id, ausgabe)
    return read_values(indicator_id, periods, levels, region_keys, totals)


@remembered
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
        for column, code in headline(indicator_id).items():
            keep &= frame[column] == code
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
    frame = read_values(indicator_id, edition_periods(indicator_id, ausgabe))
    return frame[list(published_columns("indicator_values"))]


def published_overview(
    indicator_id: str, ausgabe: Edition, *, totals: bool = False
) -> pd.DataFrame:
    """What a page says about its published rows without holding them: one row per
    combination of source, symbol, suppression reason and level, with the number of rows
    (column ``zeilen``); :func:`sources`, :func:`symbol_notes` and
    :func:`suppression_note` accept it like the rows themselves. ``totals`` as in
    :func:`values`."""
    periods = edition_periods(indicator_id, ausgabe)
    conditions = [
        "indicator_id = ?",
        f"period IN ({', '.join('?' * len(periods))})" if periods else "false",
    ]
    params: list[object] = [indicator_id, *periods]
    if totals:
        codes = headline(indicator_id)
        conditions += [f"{column} = ?" for column in codes]
        params += list(codes.values())
    return query(
        "SELECT source, symbol, suppression_reason, region_level, count(*) AS zeilen "
        f"FROM published.indicator_values WHERE {' AND '.join(conditions)} "
        "GROUP BY ALL ORDER BY ALL",
        params,
    )


def school_rows(overview: pd.DataFrame) -> int:
    """How many of the rows of a :func:`published_overview` are rows of single schools."""
    return int(overview.loc[overview["region_level"] == SCHOOL_LEVEL, "zeilen"].sum())


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


@remembered
def _trend(entry: Indicator, ausgabe: Edition, last: int | None) -> Trend:
    own = local_region(entry)
    cities = comparison_cities()
    frame = yearly(values(entry.id, ausgabe, region_keys=[k for k in (own, NRW) if k] + cities))
    # the comparison cities' rows only decide which periods the series has; their median,
    # minimum and maximum come from published.vergleichsstaedte
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
    stats = comparison_summary(entry.id).reindex(periods)
    table[["median", "min", "max", "n"]] = stats[["median", "min", "max", "n"]].to_numpy()
    return Trend(
        indicator=entry,
        edition=ausgabe,
        local_key=own,
        table=table,
        periods=tuple(periods),
    )


@remembered
def comparison_summary(indicator_id: str) -> pd.DataFrame:
    """The comparison cities' median, minimum, maximum and number per period of the
    indicator's headline series (``published.vergleichsstaedte``: only periods where at least
    three cities have a published value), indexed by period."""
    codes = headline(indicator_id)
    conditions = " AND ".join(["indicator_id = ?", *(f"{column} = ?" for column in codes)])
    frame = query(
        f"SELECT period, median, min, max, n FROM published.vergleichsstaedte WHERE {conditions}",
        [indicator_id, *codes.values()],
    )
    numbers = dict.fromkeys(("median", "min", "max", "n"), "float64")
    return frame.astype(numbers).set_index("period")


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


def breakdown_series(
    entry: Indicator, ausgabe: Edition, column: str, *, last: int = 3
) -> pd.DataFrame:
    """The local region's values by every category of one breakdown ``column`` over the last
    ``last`` periods of the edition (columns ``period``, ``category``, ``value``,
    ``symbol``), the other breakdowns at the headline series' codes — the input of
    ``bm_charts.breakdown_bars``. Empty when the indicator has no such breakdown."""
    own = local_region(entry)
    if own is None or column not in breakdown_columns():
        return pd.DataFrame(columns=["period", "category", "value", "symbol"])
    frame = values(entry.id, ausgabe, region_keys=[own], totals=False)
    for other, code in headline(entry.id).items():
        if other != column:
            frame = frame[frame[other] == code]
    frame = frame[frame[column] != TOTAL]
    periods = list(dict.fromkeys(yearly(frame)["period"]))[-last:]
    frame = frame[frame["period"].isin(periods)]
    return frame.rename(columns={column: "category"})[
        ["period", "category", "value", "symbol"]
    ].reset_index(drop=True)
