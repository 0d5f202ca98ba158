"""Every query the mart checks run, in one place.

The checks depend on the dbt models' table and column names only through these functions: when
a model is renamed or reshaped, adapt the SQL here and the checks stay as they are. Each
function returns a pandas frame with the columns named in its docstring.
"""

from __future__ import annotations

import duckdb
import pandas as pd

MART = "marts.fct_indicator_values"
CATALOGUE = "reference.indicator_catalogue"
REGIONS = "marts.dim_region"
SCHULFORMWECHSEL_MART = "marts.mart_schulformwechsel"
SCHULFORMWECHSEL_RECORDS = "staging.stg_schulen__schulformwechsel"
LEAVERS_SCHULEN = "staging.stg_schulen__abgaenger"
LEAVERS_ITNRW = "staging.stg_itnrw__abgaenger"

KREFELD = "05114"


class MissingTableError(LookupError):
    """A table a check needs is not in the warehouse (model not built, or renamed)."""


def _require(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for table in tables:
        schema, name = table.split(".")
        found = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
        if not found:
            raise MissingTableError(f"Tabelle {table} fehlt im Warehouse")


def indicator_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The mart: indicator_id, region_key, region_level, period, geschlecht,
    staatsangehoerigkeit, schulform, kategorie, numerator, denominator, value, unit, symbol."""
    _require(con, MART)
    return con.execute(
        f"""
        select indicator_id, region_key, region_level, period, geschlecht,
               staatsangehoerigkeit, schulform, kategorie, numerator, denominator, value, unit,
               symbol
        from {MART}
        """
    ).df()


def catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The indicator catalogue seed: indicator_id, name_de, unit, levels ('|'-separated),
    yoy_tolerance, yoy_hard_limit."""
    _require(con, CATALOGUE)
    return con.execute(
        f"""
        select indicator_id, name_de, unit, levels,
               cast(yoy_tolerance as double) as yoy_tolerance,
               cast(yoy_hard_limit as double) as yoy_hard_limit
        from {CATALOGUE}
        """
    ).df()


def regions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The mart's regions (the region list seed plus the schools): region_key, region_name,
    region_level, is_comparison_city."""
    _require(con, REGIONS)
    return con.execute(
        f"""
        select region_key, region_name, region_level,
               coalesce(cast(is_comparison_city as boolean), false) as is_comparison_city
        from {REGIONS}
        """
    ).df()


def leavers_by_source(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Krefeld's leavers per school year from both sources: school_year, schulen, itnrw.

    School administration: every leaver row of every school (all certificates and sexes) —
    the templates have no total rows. IT.NRW: the published total (all certificates, both
    sexes) for Krefeld. A year missing in one source has a null there.
    """
    _require(con, LEAVERS_SCHULEN, LEAVERS_ITNRW)
    return con.execute(
        f"""
        with schulen as (
            select school_year, sum(leavers) as schulen
            from {LEAVERS_SCHULEN}
            group by school_year
        ),
        itnrw as (
            select school_year, sum(leavers) as itnrw
            from {LEAVERS_ITNRW}
            where region_key = ? and abschluss_code = 'insgesamt' and geschlecht = 'insgesamt'
            group by school_year
        )
        select coalesce(s.school_year, i.school_year) as school_year, s.schulen, i.itnrw
        from schulen as s
        full outer join itnrw as i on s.school_year = i.school_year
        order by school_year
        """,
        [KREFELD],
    ).df()


def schulformwechsel_mart(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The aggregated changes the report's two tables are built from: school_year,
    von_schulform, nach_schulform, jahrgang, anzahl."""
    _require(con, SCHULFORMWECHSEL_MART)
    return con.execute(
        f"""
        select school_year, von_schulform, nach_schulform, jahrgang, sum(anzahl) as anzahl
        from {SCHULFORMWECHSEL_MART}
        group by all
        """
    ).df()


def schulformwechsel_records(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The school administration's change records, counted independently of the mart:
    school_year, von_schulform, nach_schulform, anzahl."""
    _require(con, SCHULFORMWECHSEL_RECORDS)
    return con.execute(
        f"""
        select school_year, von_schulform, nach_schulform, sum(changes) as anzahl
        from {SCHULFORMWECHSEL_RECORDS}
        group by all
        """
    ).df()
