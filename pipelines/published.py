"""The ``published`` layer: what the report and the website may read, after disclosure control.

Built from the marts in the run's staging warehouse. Indicator values pass through
:func:`quality.disclosure.apply_disclosure_control` (primary and secondary suppression, with
Stadtbezirke and schools linked to the city total); per-pupil tables never get here; the
Stadtbezirk geometry comes from the data directory so the city's real file can replace the
schematic sample one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines import state
from pipelines.batches import by_size
from pipelines.ingest.geo import read_districts
from pipelines.state import digest
from quality.disclosure import (
    apply_disclosure_control,
    find_derivable_cells,
    find_small_counts,
    hierarchy_from_regions,
)

SCHEMA = "published"
SMALL_AREA_LEVELS = ("Stadtbezirk", "Schule")
DISCLOSURE_KEY_COLUMNS = ("indicator_id", "period", "kategorie")
"""One disclosure table per indicator × period × category (categories have no total cell)."""

SOZIALINDEX_MERKMALE = {
    "familiensprache_nichtdeutsch": "Familiensprache nicht Deutsch",
    "zuzug_ausland": "Zuzug aus dem Ausland",
    "foerderbedarf_lse": "Förderbedarf Lernen, Sprache, emotionale und soziale Entwicklung",
    "sgb2_quote_minderjaehrige": "SGB-II-Quote der Minderjährigen im Stadtbezirk",
}

# Aggregates only: no school names, scores or record ids leave the marts through these.
AGGREGATE_QUERIES = {
    "schulformwechsel": """
        select school_year, von_schulform, von_schulform_name, nach_schulform,
               nach_schulform_name, jahrgang, cast(sum(anzahl) as double) as anzahl,
               cast(null as varchar) as symbol, cast(null as varchar) as suppression_reason
        from marts.mart_schulformwechsel
        group by all
        order by all
    """,
    "sozialindex_stufen": """
        select s.school_year,
               case when s.gruppe ilike 'grund%' then 'Grundschulen'
                    else 'Weiterführende Schulen' end as schulgruppe,
               s.stadtbezirk_key as region_key, r.region_name, s.stufe,
               cast(count(*) as integer) as anzahl_schulen
        from marts.mart_schulsozialindex as s
        left join marts.dim_region as r on s.stadtbezirk_key = r.region_key
        where s.stufe is not null
        group by all
        order by all
    """,
    "sozialindex_gewichte": """
        select case when gruppe ilike 'grund%' then 'Grundschulen'
                    else 'Weiterführende Schulen' end as schulgruppe,
               referenz_schuljahr as school_year, eingabe as merkmal, gewicht
        from marts.mart_schulsozialindex_gewichte
        order by all
    """,
}


@dataclass(frozen=True)
class Thresholds:
    """Disclosure thresholds (BILDUNGSMONITOR_MIN_COUNT, BILDUNGSMONITOR_MIN_DENOMINATOR)."""

    count: int = 3
    denominator: int = 10

    @classmethod
    def from_env(cls) -> Thresholds:
        return cls(
            count=int(os.environ.get("BILDUNGSMONITOR_MIN_COUNT", cls.count)),
            denominator=int(os.environ.get("BILDUNGSMONITOR_MIN_DENOMINATOR", cls.denominator)),
        )


def protect_indicator_values(
    values: pd.DataFrame, regions: pd.DataFrame, thresholds: Thresholds
) -> pd.DataFrame:
    """Apply disclosure control to every indicator table that holds small-area figures.

    Tables (indicator × period) without Stadtbezirk or school rows only get the primary rule:
    they are city, state or comparison-city figures and carry no small counts of pupils.
    """
    small_area = values["region_level"].isin(SMALL_AREA_LEVELS)
    touched = values.loc[small_area, ["indicator_id", "period"]].drop_duplicates()
    in_touched = (
        values[["indicator_id", "period"]]
        .merge(touched.assign(_hit=True), how="left", on=["indicator_id", "period"])["_hit"]
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    # Schools add up to their Stadtbezirk, Stadtbezirke to the city (marts.dim_region).
    hierarchies = [
        hierarchy_from_regions(regions, "Stadtbezirk"),
        hierarchy_from_regions(regions, "Schule"),
    ]
    options = dict(
        count_threshold=thresholds.count,
        denominator_threshold=thresholds.denominator,
        key_columns=DISCLOSURE_KEY_COLUMNS,
    )
    parts = []
    if in_touched.any():
        parts.append(
            apply_disclosure_control(values[in_touched], hierarchies=hierarchies, **options)
        )
    if (~in_touched).any():
        parts.append(apply_disclosure_control(values[~in_touched], hierarchies=None, **options))
    return pd.concat(parts).sort_index()


def _replace(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    try:
        con.execute(f"create or replace table {SCHEMA}.{name} as select * from _frame")
    finally:
        con.unregister("_frame")


VALUES_QUERY = """
    select
        f.indicator_id, c.name_de as indicator_name, c.handlungsfeld,
        f.region_key, coalesce(r.region_name, f.region_key) as region_name,
        f.region_level, f.period, f.geschlecht, f.staatsangehoerigkeit, f.schulform,
        f.kategorie, f.numerator, f.denominator, f.value, f.unit, f.symbol, c.source
    from marts.fct_indicator_values as f
    inner join reference.indicator_catalogue as c using (indicator_id)
    left join marts.dim_region as r using (region_key)
    order by all
"""


BATCH_ROWS = 300_000
"""Rows of ``indicator_values`` protected together: whole indicators, at least one."""


@dataclass(frozen=True)
class IndicatorValuesBuild:
    """What building ``published.indicator_values`` did: rows, and which indicators it
    protected anew (the others were unchanged and kept from the last release)."""

    rows: int
    rebuilt: tuple[str, ...]
    kept: tuple[str, ...]


def build_indicator_values(
    con: duckdb.DuckDBPyConnection,
    regions: pd.DataFrame,
    thresholds: Thresholds,
    *,
    run_id: str = "",
    batch_rows: int = BATCH_ROWS,
) -> IndicatorValuesBuild:
    """``published.indicator_values``: every indicator after disclosure control.

    Whole indicators in batches of about ``batch_rows`` rows: the disclosure tables never
    span indicators, so the result is the same as protecting everything at once, but a
    state-sized mart (millions of school rows) is never held in pandas whole.

    An indicator whose inputs (its rows, the regions, the thresholds, the pipeline code) have
    the fingerprint recorded when its published rows were made keeps those rows: a new BA
    month re-protects the BA indicators, not the school ones. The table ends sorted as if
    it had been built in one pass.
    """
    table = f"{SCHEMA}.indicator_values"
    con.execute(f"create or replace temp table _indicator_values as {VALUES_QUERY}")
    fingerprints = _input_fingerprints(con, thresholds)
    recorded = state.published_indicators(con) if _table_exists(con, table) else {}
    kept = [i for i, fp in fingerprints.items() if recorded.get(i, ("", ""))[0] == fp]
    rebuilt = [i for i in fingerprints if i not in kept]
    if kept:
        con.execute(
            f"delete from {table} where indicator_id not in ({', '.join('?' * len(kept))})",
            kept,
        )
    else:
        con.execute(
            f"create or replace table {table} as select * exclude (symbol), symbol, "
            "cast(null as varchar) as suppression_reason from _indicator_values limit 0"
        )
    sizes = con.execute(
        "select indicator_id, count(*) from _indicator_values group by 1 order by 1"
    ).fetchall()
    for batch in by_size([(i, n) for i, n in sizes if i in set(rebuilt)], batch_rows):
        values = con.execute(
            "select * from _indicator_values "
            f"where indicator_id in ({', '.join('?' * len(batch))}) order by rowid",
            batch,
        ).df()
        protected = protect_indicator_values(values, regions, thresholds)
        columns = [c for c in values.columns if c != "symbol"] + ["symbol", "suppression_reason"]
        con.register("_frame", protected[columns].reset_index(drop=True))
        try:
            con.execute(f"insert into {table} by name select * from _frame")
        finally:
            con.unregister("_frame")
    if kept and rebuilt:  # restore the one-pass order
        con.execute(f"create or replace table {table} as select * from {table} order by all")
    con.execute("drop table _indicator_values")
    state.record_published_indicators(
        con,
        {
            **{i: recorded[i] for i in kept},
            **{i: (fingerprints[i], run_id) for i in rebuilt},
        },
    )
    rows = con.execute(f"select count(*) from {table}").fetchone()[0]
    return IndicatorValuesBuild(rows, tuple(rebuilt), tuple(kept))


def _input_fingerprints(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> dict[str, str]:
    """Per indicator in ``_indicator_values``: a digest of its rows and of what else its
    protection depends on (regions hierarchy, thresholds, the pipeline's code)."""
    context = digest(
        [
            str(con.execute("select count(*), sum(hash(d)) from marts.dim_region d").fetchone()),
            f"{thresholds.count}/{thresholds.denominator}",
            state.code_fingerprint(),
        ]
    )
    rows = con.execute(
        "select indicator_id, count(*)::varchar || ':' || sum(hash(v))::varchar "
        "from _indicator_values v group by 1 order by 1"
    ).fetchall()
    return {indicator: digest([context, content]) for indicator, content in rows}


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def audit_indicator_values(
    con: duckdb.DuckDBPyConnection,
    thresholds: Thresholds,
    batch_rows: int = BATCH_ROWS,
    run_id: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of ``published.indicator_values`` that break disclosure control: small-area
    counts below the threshold, and protected cells that follow from published ones.

    Whole tables that hold small-area cells are audited, with the city totals they add up
    to; whole indicators are read in batches, as when the table was built. With ``run_id``
    only the indicators that run protected are audited: the others are the rows of the last
    release, unchanged, with the same regions and thresholds, and passed this audit then.
    """
    regions = con.execute("select * from published.regions").df()
    hierarchies = [
        hierarchy_from_regions(regions, "Stadtbezirk"),
        hierarchy_from_regions(regions, "Schule"),
    ]
    keys = list(DISCLOSURE_KEY_COLUMNS)
    sizes = con.execute(
        "select indicator_id, count(*) from published.indicator_values group by 1 order by 1"
    ).fetchall()
    if run_id is not None:
        protected_by = state.published_indicators(con)
        sizes = [(i, n) for i, n in sizes if protected_by.get(i, ("", run_id))[1] == run_id]
    small_parts, derivable_parts = [], []
    for batch in by_size(sizes, batch_rows):
        values = con.execute(
            "select * from published.indicator_values "
            f"where indicator_id in ({', '.join('?' * len(batch))})",
            batch,
        ).df()
        small_area = values[values["region_level"].isin(SMALL_AREA_LEVELS)]
        small_parts.append(find_small_counts(small_area, thresholds.count))
        touched = values.merge(small_area[keys].drop_duplicates(), on=keys)
        derivable_parts.append(
            find_derivable_cells(touched, hierarchies=hierarchies, key_columns=keys)
        )
    if not sizes:
        empty = con.execute("select * from published.indicator_values limit 0").df()
        return empty, empty
    return (
        pd.concat(small_parts, ignore_index=True),
        pd.concat(derivable_parts, ignore_index=True),
    )


def build_published(
    con: duckdb.DuckDBPyConnection,
    geometry_file: Path | None,
    thresholds: Thresholds,
    run_id: str = "",
) -> tuple[dict[str, int], IndicatorValuesBuild]:
    """(Re)build every ``published.*`` table; returns row counts per table and what the
    indicator values' build did."""
    con.execute(f"create schema if not exists {SCHEMA}")
    regions = con.execute("select * from marts.dim_region").df()
    catalogue = con.execute("select * from reference.indicator_catalogue").df()
    values = build_indicator_values(con, regions, thresholds, run_id=run_id)
    counts = {"indicator_values": values.rows}
    tables = {
        "indicator_catalogue": catalogue.drop(
            columns=[c for c in ("yoy_tolerance", "yoy_hard_limit") if c in catalogue]
        ),
        "regions": regions,
    }
    for name, query in AGGREGATE_QUERIES.items():
        tables[name] = con.execute(query).df()
    weights = tables["sozialindex_gewichte"]
    names = weights["merkmal"].map(SOZIALINDEX_MERKMALE).fillna(weights["merkmal"])
    weights.insert(3, "merkmal_name", names)
    if geometry_file is not None:
        districts = read_districts(geometry_file)
        tables["geometrie_stadtbezirke"] = pd.DataFrame(
            [
                {
                    "region_key": f["properties"]["region_key"],
                    "region_name": f["properties"]["name"],
                    "geojson": json.dumps(f, ensure_ascii=False),
                }
                for f in districts["features"]
            ]
        )
    for name, frame in tables.items():
        _replace(con, name, frame.reset_index(drop=True))
    return counts | {name: len(frame) for name, frame in tables.items()}, values
