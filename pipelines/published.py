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

from pipelines.ingest.geo import read_districts
from quality.disclosure import apply_disclosure_control, hierarchy_from_regions

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


def build_published(
    con: duckdb.DuckDBPyConnection, geometry_file: Path | None, thresholds: Thresholds
) -> dict[str, int]:
    """(Re)build every ``published.*`` table; returns row counts per table."""
    con.execute(f"create schema if not exists {SCHEMA}")
    regions = con.execute("select * from marts.dim_region").df()
    catalogue = con.execute("select * from reference.indicator_catalogue").df()
    values = con.execute(
        """
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
    ).df()
    protected = protect_indicator_values(values, regions, thresholds)
    columns = [c for c in values.columns if c != "symbol"] + ["symbol", "suppression_reason"]
    tables = {
        "indicator_values": protected[columns],
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
    return {name: len(frame) for name, frame in tables.items()}
