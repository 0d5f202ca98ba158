"""The ``published`` layer: what the report and the website may read, after disclosure control.

Built from the marts in the run's staging warehouse. Indicator values pass through
:mod:`quality.sdc` as one system (every indicator and level the policy in the seed
``geheimhaltung`` protects, linked by the populations they count and by the regions
hierarchy), with the cells of earlier editions counted as published; per-pupil tables never get
here; the Stadtbezirk geometry comes from the data directory so the city's real file can
replace the schematic sample one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.ingest.geo import read_districts
from pipelines.sozialindex_published import MIN_SCHOOLS_PER_GROUP, district_means
from quality.sdc.declarations import Policy, read_policy
from quality.sdc.protect import Finding, audit_published, protect, read_downloads
from quality.sdc.thresholds import Thresholds

SCHEMA = "published"

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
    # City-wide only (per-district level counts would show single schools' levels), and
    # only for a school year × group of at least MIN_SCHOOLS_PER_GROUP schools. The district
    # means are built with suppression by pipelines.sozialindex_published.
    "sozialindex_stufen": f"""
        select school_year,
               case when gruppe ilike 'grund%' then 'Grundschulen'
                    else 'Weiterführende Schulen' end as schulgruppe,
               stufe, cast(count(*) as integer) as anzahl_schulen
        from marts.mart_schulsozialindex
        where stufe is not null
        group by school_year, schulgruppe, stufe
        qualify sum(count(*)) over (partition by school_year, schulgruppe)
            >= {MIN_SCHOOLS_PER_GROUP}
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


def _replace(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, schema: str = SCHEMA
) -> None:
    con.execute(f"create schema if not exists {schema}")
    con.register("_frame", frame)
    try:
        con.execute(f"create or replace table {schema}.{name} as select * from _frame")
    finally:
        con.unregister("_frame")


def read_policy_from(con: duckdb.DuckDBPyConnection) -> Policy:
    """The disclosure policy from the warehouse's seeds (``reference.geheimhaltung*``)."""
    rows = con.execute("select * from reference.geheimhaltung").df()
    exemptions = con.execute("select * from reference.geheimhaltung_ausnahmen").df()
    return read_policy(rows.to_dict("records"), exemptions.to_dict("records"))


def region_parents(regions: pd.DataFrame) -> dict[str, str]:
    """Region → the region it adds up to (school → Stadtbezirk → city), from ``dim_region``."""
    rows = regions[regions["parent_key"].notna()]
    return dict(zip(rows["region_key"].astype(str), rows["parent_key"].astype(str), strict=True))


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

INTERNAL_SCHEMA = "intern"
"""Tables for the working group only (never read by a page): which cells were primary."""


@dataclass(frozen=True)
class IndicatorValuesBuild:
    """What building ``published.indicator_values`` did."""

    rows: int
    primary: int
    secondary: int
    already_public: int


def earlier_editions(register: Path | None) -> pd.DataFrame | None:
    """The cells of every edition published so far (``publish`` keeps a copy of each
    edition's downloads in the register beside the warehouse); None when there is none."""
    if register is None or not register.is_dir():
        return None
    files = sorted(register.glob("*/indikatoren/*.csv"))
    return read_downloads(files) if files else None


def build_indicator_values(
    con: duckdb.DuckDBPyConnection,
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> IndicatorValuesBuild:
    """``published.indicator_values``: every indicator after disclosure control over the
    whole published system (all indicators at once: they share populations), and
    ``intern.geheimhaltung`` with the kind of every suppressed cell."""
    values = con.execute(VALUES_QUERY).df()
    regions = con.execute("select * from marts.dim_region").df()
    protection = protect(
        values, read_policy_from(con), region_parents(regions), thresholds, earlier=earlier
    )
    frame = protection.frame
    columns = [c for c in values.columns if c != "symbol"] + ["symbol", "suppression_reason"]
    _replace(con, "indicator_values", frame[columns].reset_index(drop=True))
    kinds = frame[list(CELL_KEY)].assign(art=protection.kinds)[protection.kinds.notna()]
    con.execute(f"create schema if not exists {INTERNAL_SCHEMA}")
    con.register("_kinds", kinds.reset_index(drop=True))
    try:
        con.execute(
            f"create or replace table {INTERNAL_SCHEMA}.geheimhaltung as select * from _kinds"
        )
    finally:
        con.unregister("_kinds")
    counts = protection.kinds.value_counts()
    return IndicatorValuesBuild(
        rows=len(frame),
        primary=int(counts.get("primaer", 0)),
        secondary=int(counts.get("sekundaer", 0)),
        already_public=protection.already_public,
    )


CELL_KEY = (
    "indicator_id", "region_key", "region_level", "period", "geschlecht",
    "staatsangehoerigkeit", "schulform", "kategorie",
)  # fmt: skip


def audit_indicator_values(
    con: duckdb.DuckDBPyConnection,
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> Finding:
    """The LP audit of ``published.indicator_values`` as it is, against the marts' true
    values, with earlier editions counted as published."""
    published_cells = con.execute("select * from published.indicator_values").df()
    return audit_from(con, published_cells, thresholds, earlier=earlier)


def audit_from(
    con: duckdb.DuckDBPyConnection,
    published_cells: pd.DataFrame,
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> Finding:
    """The LP audit of any published cells (the table, or the downloads of a rendered site)."""
    truth = con.execute(VALUES_QUERY).df()
    regions = con.execute("select * from marts.dim_region").df()
    return audit_published(
        published_cells,
        truth,
        read_policy_from(con),
        region_parents(regions),
        thresholds,
        earlier=earlier,
    )


def build_published(
    con: duckdb.DuckDBPyConnection,
    geometry_file: Path | None,
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> tuple[dict[str, int], IndicatorValuesBuild]:
    """(Re)build every ``published.*`` table; returns row counts per table and what the
    indicator values' build did."""
    con.execute(f"create schema if not exists {SCHEMA}")
    regions = con.execute("select * from marts.dim_region").df()
    catalogue = con.execute("select * from reference.indicator_catalogue").df()
    values = build_indicator_values(con, thresholds, earlier=earlier)
    counts = {"indicator_values": values.rows}
    tables = {
        "indicator_catalogue": catalogue.drop(
            columns=[c for c in ("yoy_tolerance", "yoy_hard_limit") if c in catalogue]
        ),
        "regions": regions,
        # the method page states the rule from these, not from typed numbers
        "geheimhaltung_regeln": pd.DataFrame(
            [
                {
                    "schwelle_fallzahl": thresholds.count,
                    "schwelle_nenner": thresholds.denominator,
                    "schutzintervall": thresholds.width,
                }
            ]
        ),
        "geheimhaltung_ausnahmen": con.execute(
            "select ausnahme, gegenstand, begruendung, beschluss "
            "from reference.geheimhaltung_ausnahmen order by ausnahme"
        ).df(),
        # the one label table (codes → German names, natural order, download headers)
        "bezeichnungen": con.execute(
            "select merkmal, code, bezeichnung, sortierung "
            "from reference.bezeichnungen order by merkmal, sortierung, code"
        ).df(),
    }
    for name, query in AGGREGATE_QUERIES.items():
        tables[name] = con.execute(query).df()
    tables["sozialindex_stadtbezirke"] = district_means(con)
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
