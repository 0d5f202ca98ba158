"""Raw layer: one Dagster asset and one DuckDB table ``raw.<source>__<table>`` per source table.

Each table is rebuilt from the archived deliveries listed in ``raw._deliveries``. When two
deliveries hold the same period, the one received last wins for that period (a revised
edition supersedes the old one without deleting it from the archive).
"""

from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd

from pipelines.assets.landing import DELIVERIES_TABLE
from pipelines.batches import by_size
from pipelines.ingest.archive import Archive
from pipelines.ingest.supersede import ArchivedDelivery, assign_periods
from pipelines.resources import WarehouseResource
from pipelines.state import raw_fingerprint, record_raw_build
from quality.check_results import record_check_result
from quality.raw_schemas import validate_tidy


@dataclass(frozen=True)
class RawTable:
    source: str
    table: str
    description: str

    @property
    def name(self) -> str:
        return f"{self.source}__{self.table}"


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable("itnrw", "abgaenger", "Leavers by certificate and sex (GENESIS 21111-02-06-4)."),
    RawTable("itnrw", "schueler_schulart", "Schools and pupils by school type (21111-01-03-4)."),
    RawTable("itnrw", "berufskolleg", "Entrants to vocational schools by sector (21121-02-02-4)."),
    RawTable("itnrw", "bevoelkerung", "Population by age group and sex (12411)."),
    RawTable("itnrw", "kindertagesbetreuung", "Children in day care by age (22543), 1 March."),
    RawTable("ba", "arbeitslose", "Registered unemployed and rates, monthly (BA)."),
    RawTable("ba", "ausbildungsmarkt", "Training market of the Agenturbezirk, 30 Sep (BA/BIBB)."),
    RawTable("ba", "sgb2", "SGB II quotas of minors, city and Stadtbezirke, December (BA)."),
    RawTable("schulen", "schulen", "School master data (school administration, template v1)."),
    RawTable("schulen", "schueler", "Pupils per school, grade, sex, nationality, needs."),
    RawTable("schulen", "schulformwechsel", "Schulformwechsel: one record per change (per pupil)."),
    RawTable("schulen", "wiederholer", "Repeaters per school and grade."),
    RawTable("schulen", "fehlzeiten", "Absenteeism (hours) per school and grade."),
    RawTable("schulen", "abgaenger", "Leavers per school by certificate and sex."),
    RawTable("schulen", "uebergaenge", "Transitions Grundschule → Sek I per Grundschule."),
)


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
    archived = [ArchivedDelivery(r[0], r[1], r[2], tuple(r[3])) for r in rows]
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
    record_raw_build(con, table.name, raw_fingerprint(assigned))
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


CHECK_NAME = "pandera_schema"
CHECK_BATCH_ROWS = 500_000
"""Rows validated together: whole periods, at least one."""


def check_raw_table(
    con: duckdb.DuckDBPyConnection, table: RawTable, batch_rows: int = CHECK_BATCH_ROWS
) -> tuple[list, int]:
    """Validate ``raw.<table>`` with its pandera schema; failures name file, row and column.

    Whole periods in batches of about ``batch_rows`` rows: every schema's unique key
    includes the period and its other checks are row-wise, so the verdict is the same as for
    the whole table, but a state-sized table (millions of rows) never sits in pandas at
    once, and a table of many small periods (months) is still checked in one go. Rows keep
    their number in the table."""
    names = dict(con.execute(f"select sha256, original_name from {DELIVERIES_TABLE}").fetchall())
    sizes = con.execute(
        f"select period, count(*) from raw.{table.name} group by 1 order by 1 nulls last"
    ).fetchall()
    problems: list = []
    rows = 0
    for periods in by_size(sizes, batch_rows):
        known = [p for p in periods if p is not None]
        condition = f"period in ({', '.join('?' * len(known))})" if known else "false"
        if None in periods:
            condition += " or period is null"
        frame = con.execute(
            f"select rowid as row_position, * from raw.{table.name} "
            f"where {condition} order by rowid",
            known,
        ).df()
        frame.index = pd.Index(frame.pop("row_position"), name=None)
        files = [names.get(sha, sha) for sha in frame.pop("file_sha256")]
        file_of_row = dict(zip(frame.index, files, strict=True))
        problems += validate_tidy(frame, table.name, file_of_row)
        rows += len(frame)
    return problems, rows


def _check_result(problems: list, rows: int) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows": rows,
            "problems": len(problems),
            "first_problems": dg.MetadataValue.md(
                "\n".join(f"- {p}" for p in problems[:20]) or "none"
            ),
        },
    )


def _raw_asset(table: RawTable) -> dg.AssetsDefinition:
    """The raw table's asset, with its pandera schema as a blocking check in the same step:
    a failed check (ERROR) fails the step after the table is built, so nothing downstream
    runs; one step instead of two saves Dagster's per-step work, 15 times per refresh."""
    name = f"raw_{table.name}"

    @dg.asset(
        name=name,
        group_name=f"raw_{table.source}",
        deps=["inbox"],
        description=table.description,
        kinds={"duckdb"},
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=name,
                blocking=True,
                description=(
                    f"pandera schema of raw.{table.name}: types, codes, ranges, unique keys."
                ),
            )
        ],
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        run_id = context.run_id
        with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
            metadata = build_raw_table(con, Archive(warehouse.archive_dir()), table)
            problems, rows = check_raw_table(con, table)
            record_check_result(
                con,
                run_id=run_id,
                check_name=CHECK_NAME,
                asset_key=name,
                severity="ERROR",
                passed=not problems,
                n_failures=len(problems),
                rows=pd.DataFrame({"problem": [str(p) for p in problems]}),
            )
        return dg.MaterializeResult(
            metadata=metadata, check_results=[_check_result(problems, rows)]
        )

    return _asset


raw_assets = [_raw_asset(t) for t in RAW_TABLES]
