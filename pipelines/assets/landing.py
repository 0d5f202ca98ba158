"""The inbox: every delivered file is recognised, parsed and archived before anything loads.

One bad file fails this asset with the parser's message (source, file, row, column, rule);
nothing downstream runs, so the live warehouse and report stay as they were.
"""

import json
from dataclasses import asdict

import dagster as dg
import duckdb

from pipelines.ingest.archive import Archive, Delivery
from pipelines.ingest.errors import IngestError
from pipelines.ingest.identify import delivery_files
from pipelines.ingest.landing_ahead import finish_landing_ahead
from pipelines.resources import DataDirResource, WarehouseResource
from pipelines.state import insert_rows

DELIVERIES_TABLE = "raw._deliveries"


def land_all(data_dir, archive: Archive, *, workers: int | None = None) -> list[Delivery]:
    """Archive every file in the inbox; collect all problems before failing.

    New files are parsed in up to ``workers`` processes (default: one per CPU; see
    :meth:`Archive.land_many`); deliveries and problems keep the inbox's file order.
    """
    deliveries: list[Delivery] = []
    problems = []
    for outcome in archive.land_many(delivery_files(data_dir), workers=workers):
        if isinstance(outcome, Delivery):
            deliveries.append(outcome)
        else:
            problems.extend(outcome)
    if problems:
        raise IngestError(problems)
    return deliveries


def write_delivery_log(con: duckdb.DuckDBPyConnection, deliveries: list[Delivery]) -> None:
    """Add newly received files to the log the raw layer is built from.

    The log accumulates: a delivery once accepted keeps supplying its periods until a newer
    delivery of the same table supersedes them, even after its file left the inbox.
    """
    con.execute("create schema if not exists raw")
    con.execute(
        f"create table if not exists {DELIVERIES_TABLE} ("
        "sha256 varchar primary key, original_name varchar, size bigint, source varchar, "
        "table_name varchar, table_code varchar, parser varchar, received_at varchar, "
        "row_count bigint, periods varchar[], regions varchar[], notes varchar)"
    )
    unique = {d.sha256: d for d in deliveries}
    if not unique:
        return
    insert_rows(
        con,
        DELIVERIES_TABLE,
        [
            (
                d.sha256,
                d.original_name,
                d.size,
                d.source,
                d.table,
                d.table_code,
                d.parser,
                d.received_at,
                d.rows,
                d.periods,
                d.regions,
                json.dumps(d.notes, ensure_ascii=False),
            )
            for d in unique.values()
        ],
        "insert or ignore",
    )


@dg.asset(
    group_name="landing",
    description="Recognise, parse and archive every file in the inbox (BILDUNGSMONITOR_DATA_DIR).",
)
def inbox(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    data_dir: DataDirResource,
) -> dg.MaterializeResult:
    folder = data_dir.resolved()
    if not folder.is_dir():
        raise IngestError.single("inbox", folder, "data directory does not exist")
    finish_landing_ahead()  # the planner's landing of a full refresh's inbox, if any
    deliveries = land_all(folder, Archive(warehouse.archive_dir()))
    with duckdb.connect(str(warehouse.staging_path(context.run_id))) as con:
        write_delivery_log(con, deliveries)
    by_table: dict[str, int] = {}
    for d in deliveries:
        key = f"{d.source}__{d.table}"
        by_table[key] = by_table.get(key, 0) + 1
    return dg.MaterializeResult(
        metadata={
            "data_dir": str(folder),
            "files": len(deliveries),
            "files_per_table": dg.MetadataValue.json(by_table),
            "deliveries": dg.MetadataValue.json(
                [asdict(d) | {"notes": d.notes} for d in deliveries]
            ),
        }
    )
