"""Raw layer: one Dagster asset and one DuckDB table ``raw.<source>__<table>`` per source table.

Each table is rebuilt from the archived deliveries listed in ``raw._deliveries``. When two
deliveries hold the same period, the one received last wins for that period (a revised
edition supersedes the old one without deleting it from the archive).
"""

from dataclasses import dataclass

import dagster as dg
import duckdb

from pipelines.assets.landing import DELIVERIES_TABLE
from pipelines.ingest.archive import Archive
from pipelines.resources import WarehouseResource


@dataclass(frozen=True)
class RawTable:
    source: str
    table: str
    description: str

    @property
    def name(self) -> str:
        return f"{self.source}__{self.table}"


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "itnrw",
        "abgaenger",
        "Leavers of allgemeinbildende schools by certificate and sex (GENESIS 21111-02-06-4).",
    ),
)


@dataclass(frozen=True)
class _Archived:
    sha256: str
    original_name: str
    received_at: str
    periods: tuple[str, ...]


def assign_periods(deliveries: list[_Archived]) -> dict[str, list[str]]:
    """Map each delivery (by sha256) to the periods it supplies: the latest delivery wins."""
    winner: dict[str, str] = {}
    for delivery in sorted(deliveries, key=lambda d: (d.received_at, d.original_name)):
        for period in delivery.periods:
            winner[period] = delivery.sha256
    assigned: dict[str, list[str]] = {}
    for period, sha in sorted(winner.items()):
        assigned.setdefault(sha, []).append(period)
    return assigned


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def build_raw_table(con: duckdb.DuckDBPyConnection, archive: Archive, table: RawTable) -> dict:
    """(Re)build ``raw.<table>`` from its deliveries; return materialisation metadata."""
    rows = con.execute(
        f"select sha256, original_name, received_at, periods, parser from {DELIVERIES_TABLE} "
        "where source = ? and table_name = ?",
        [table.source, table.table],
    ).fetchall()
    if not rows:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = ?",
            [table.name],
        ).fetchone()[0]
        if exists:
            return {"kept_previous": True}
        raise dg.Failure(
            f"No delivery for {table.source} table '{table.table}' in the data directory, and the "
            "warehouse holds none from earlier runs."
        )
    archived = [_Archived(r[0], r[1], r[2], tuple(r[3])) for r in rows]
    assigned = assign_periods(archived)
    parts = []
    for sha, periods in assigned.items():
        parquet = archive.root / sha[:2] / sha / "tidy.parquet"
        period_list = ", ".join(_quote(p) for p in periods)
        parts.append(
            f"select *, {_quote(sha)} as file_sha256 "
            f"from read_parquet({_quote(parquet.as_posix())}) "
            f"where cast(period as varchar) in ({period_list})"
        )
    con.execute(f"create or replace table raw.{table.name} as " + " union all by name ".join(parts))
    summary = con.execute(
        f"select count(*), count(distinct period), count(distinct region_key) from raw.{table.name}"
    ).fetchone()
    return {
        "rows": summary[0],
        "periods": summary[1],
        "regions": summary[2],
        "files": dg.MetadataValue.json(sorted(assigned)),
        "parsers": dg.MetadataValue.json(sorted({r[4] for r in rows})),
    }


def _raw_asset(table: RawTable) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"raw_{table.name}",
        group_name=f"raw_{table.source}",
        deps=["inbox"],
        description=table.description,
        kinds={"duckdb"},
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        with duckdb.connect(str(warehouse.staging_path(context.run_id))) as con:
            metadata = build_raw_table(con, Archive(warehouse.archive_dir()), table)
        return dg.MaterializeResult(metadata=metadata)

    return _asset


raw_assets = [_raw_asset(t) for t in RAW_TABLES]
