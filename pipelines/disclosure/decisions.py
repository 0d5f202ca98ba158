"""The disclosure decisions the ``published`` dbt models join (schema ``intern``).

The published tables themselves are dbt models (``dbt_project/models/published``); what dbt
cannot decide is here: which indicator cells are suppressed. They pass through
:mod:`quality.sdc` as one system (every indicator and level the policy in the seed
``geheimhaltung`` protects, linked by the populations they count and by the regions
hierarchy), with the cells of earlier editions counted as published. The decisions — cell key,
public symbol and reason, internal kind — go to ``intern.geheimhaltung``; the Schulsozialindex
districts withheld to ``intern.sozialindex_sperren``; the thresholds used to
``intern.geheimhaltung_regeln`` (the method page states the rule the decisions were made with).
The Stadtbezirk geometry comes from the data directory so the city's real file can replace the
schematic sample one (``intern.geometrie_stadtbezirke``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.disclosure.sozialindex import district_means
from pipelines.ingest.geo import read_districts
from quality.sdc.declarations import Policy, read_policy
from quality.sdc.protect import Finding, audit_published, protect, read_downloads
from quality.sdc.thresholds import Thresholds

SCHEMA = "published"
INTERNAL_SCHEMA = "intern"
"""The decisions (never read by a page): which cells are suppressed, and which were primary."""


def _replace(
    con: duckdb.DuckDBPyConnection,
    name: str,
    frame: pd.DataFrame,
    schema: str = INTERNAL_SCHEMA,
    types: dict[str, str] | None = None,
) -> None:
    """Write ``frame`` as ``schema.name``; ``types`` casts columns (an empty or all-NULL
    column would otherwise get DuckDB's NULL type, which a dbt contract rejects)."""
    types = types or {}
    columns = ", ".join(
        f"cast({c} as {types[c]}) as {c}" if c in types else c for c in frame.columns
    )
    con.execute(f"create schema if not exists {schema}")
    con.register("_frame", frame)
    try:
        con.execute(f"create or replace table {schema}.{name} as select {columns} from _frame")
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


@dataclass(frozen=True)
class Decisions:
    """What deciding the indicator cells' suppression did."""

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


def decide_indicator_values(
    con: duckdb.DuckDBPyConnection,
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> Decisions:
    """``intern.geheimhaltung``: every suppressed indicator cell (key, public symbol and
    reason, kind), decided over the whole published system at once (all indicators: they
    share populations). The dbt model ``published.indicator_values`` applies it."""
    values = con.execute(VALUES_QUERY).df()
    regions = con.execute("select * from marts.dim_region").df()
    protection = protect(
        values, read_policy_from(con), region_parents(regions), thresholds, earlier=earlier
    )
    hidden = protection.kinds.notna()
    decisions = (
        protection.frame.loc[hidden, [*CELL_KEY, "symbol", "suppression_reason"]]
        .assign(art=protection.kinds[hidden])
        .astype({c: "object" for c in CELL_KEY})
        .reset_index(drop=True)
    )
    _replace(con, "geheimhaltung", decisions, types=dict.fromkeys(decisions.columns, "varchar"))
    counts = protection.kinds.value_counts()
    return Decisions(
        rows=len(values),
        primary=int(counts.get("primaer", 0)),
        secondary=int(counts.get("sekundaer", 0)),
        already_public=protection.already_public,
    )


def decide_sozialindex(con: duckdb.DuckDBPyConnection) -> int:
    """``intern.sozialindex_sperren``: the Stadtbezirke whose mean level is withheld
    (:func:`pipelines.disclosure.sozialindex.hidden_districts`); returns their number."""
    means = district_means(con)
    hidden = means.loc[means["symbol"].notna(), ["school_year", "schulgruppe", "region_key"]]
    _replace(
        con,
        "sozialindex_sperren",
        hidden.reset_index(drop=True),
        types=dict.fromkeys(hidden.columns, "varchar"),
    )
    return len(hidden)


MARTS_CHECKSUM = """
    select bit_xor(hash(indicator_id, region_key, region_level, period, geschlecht,
                        staatsangehoerigkeit, schulform, kategorie, numerator, denominator,
                        value, symbol))
    from marts.fct_indicator_values
"""
"""The marts' cells the decisions were made over; the dbt test
``published_decisions_match_the_marts`` computes the same over the marts it publishes, so a
``dbt build`` after changed marts without a new decision fails instead of showing new cells."""


def record_thresholds(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> None:
    """``intern.geheimhaltung_regeln``: the thresholds the decisions were made with, and the
    checksum of the marts they were made for."""
    (checksum,) = con.execute(MARTS_CHECKSUM).fetchone() or (None,)
    rules = pd.DataFrame(
        [
            {
                "schwelle_fallzahl": thresholds.count,
                "schwelle_nenner": thresholds.denominator,
                "schutzintervall": thresholds.width,
                "marts_pruefsumme": checksum,
            }
        ]
    )
    types = dict.fromkeys(rules.columns, "integer") | {"marts_pruefsumme": "ubigint"}
    _replace(con, "geheimhaltung_regeln", rules.astype(object), types=types)


GEOMETRY_COLUMNS = ("region_key", "region_name", "geojson")


def write_geometry(con: duckdb.DuckDBPyConnection, geometry_file: Path | None) -> int:
    """``intern.geometrie_stadtbezirke`` from the data directory's GeoJSON (empty without
    one: the map pages then say so); returns the number of districts."""
    rows = []
    if geometry_file is not None:
        rows = [
            {
                "region_key": f["properties"]["region_key"],
                "region_name": f["properties"]["name"],
                "geojson": json.dumps(f, ensure_ascii=False),
            }
            for f in read_districts(geometry_file)["features"]
        ]
    frame = pd.DataFrame(rows, columns=list(GEOMETRY_COLUMNS)).astype("object")
    _replace(con, "geometrie_stadtbezirke", frame, types=dict.fromkeys(GEOMETRY_COLUMNS, "varchar"))
    return len(frame)


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
