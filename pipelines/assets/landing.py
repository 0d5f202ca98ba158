"""The inbox: every delivered file is recognised, parsed and archived before anything loads.

One bad file fails this asset with the parser's message (source, file, row, column, rule);
nothing downstream runs, so the live warehouse and report stay as they were. A file that is
recognised but used by no indicator is listed (log and ``not_used`` metadata), not loaded.
"""

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import dagster as dg
import duckdb

from pipelines.automation.fingerprints import insert_rows
from pipelines.ingest.archive import Archive, Delivery
from pipelines.ingest.errors import IngestError, Problem
from pipelines.ingest.identify import delivery_files
from pipelines.ingest.supersede import SNAPSHOT_TABLES, publisher_date
from pipelines.resources import WarehouseResource

DELIVERIES_TABLE = "raw._deliveries"


@dataclass(frozen=True)
class Landed:
    """An inbox's deliveries, and the files recognised but not used (one problem each)."""

    deliveries: list[Delivery]
    unused: list[Problem]


def land_inbox(data_dir, archive: Archive, *, workers: int | None = None) -> Landed:
    """Archive every file in the inbox; collect all problems before failing.

    New files are parsed in up to ``workers`` processes (default: one per CPU; see
    :meth:`Archive.land_many`); deliveries and problems keep the inbox's file order. Files
    that are recognised but used by no indicator (:mod:`pipelines.ingest.unused`) do not
    fail the run: they are returned as ``unused``.
    """
    deliveries: list[Delivery] = []
    problems: list[Problem] = []
    for outcome in archive.land_many(delivery_files(data_dir), workers=workers):
        if isinstance(outcome, Delivery):
            deliveries.append(outcome)
        else:
            problems.extend(outcome)
    blocking = [p for p in problems if p.blocking]
    if blocking:
        raise IngestError(blocking)
    return Landed(deliveries, [p for p in problems if not p.blocking])


def land_all(data_dir, archive: Archive, *, workers: int | None = None) -> list[Delivery]:
    """The deliveries of :func:`land_inbox` (unused files are left aside)."""
    return land_inbox(data_dir, archive, workers=workers).deliveries


LOG_COLUMNS = (
    "sha256 varchar primary key, original_name varchar, size bigint, source varchar, "
    "table_name varchar, table_code varchar, parser varchar, received_at varchar, "
    "row_count bigint, periods varchar[], regions varchar[], notes varchar, "
    "published_at varchar, batch varchar, accepted_at varchar"
)
ADDED_COLUMNS = ("published_at", "batch", "accepted_at")
"""Added after the log's first version: the publisher's own date, and the run that accepted
the delivery and when (``pipelines.ingest.supersede`` orders deliveries by them)."""


def ensure_delivery_log(con: duckdb.DuckDBPyConnection) -> None:
    """The log table, with the columns of this version (an older log gains them, empty)."""
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists {DELIVERIES_TABLE} ({LOG_COLUMNS})")
    for column in ADDED_COLUMNS:
        con.execute(f"alter table {DELIVERIES_TABLE} add column if not exists {column} varchar")


def write_delivery_log(
    con: duckdb.DuckDBPyConnection, deliveries: list[Delivery], run_id: str | None = None
) -> None:
    """Add newly received files to the log the raw layer is built from.

    The log accumulates: a delivery once accepted keeps supplying its periods until a newer
    delivery of the same table supersedes them, even after its file left the inbox. Each new
    entry notes the run that accepted it (``run_id``; all of one run are one batch) and the
    publisher's date of the file; entries logged before are kept as they were.
    """
    ensure_delivery_log(con)
    _backfill_publisher_dates(con)
    unique = {d.sha256: d for d in deliveries}
    if not unique:
        return
    accepted_at = datetime.now(UTC).isoformat(timespec="seconds")
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
                _publisher_date(d.source, d.table, d.notes, d.periods),
                run_id,
                accepted_at if run_id is not None else None,
            )
            for d in unique.values()
        ],
        "insert or ignore",
    )


def _publisher_date(source: str, table: str, notes: list[str], periods: list[str]) -> str | None:
    return publisher_date(notes, periods, snapshot=f"{source}__{table}" in SNAPSHOT_TABLES)


def _backfill_publisher_dates(con: duckdb.DuckDBPyConnection) -> None:
    """Entries of a log from before the publisher's date was noted get it from their notes."""
    rows = con.execute(
        f"select sha256, source, table_name, notes, periods from {DELIVERIES_TABLE} "
        "where published_at is null and batch is null"
    ).fetchall()
    dates = [
        (sha, date)
        for sha, source, table, notes, periods in rows
        if (date := _publisher_date(source, table, json.loads(notes or "[]"), periods or []))
    ]
    if dates:
        con.execute(
            f"update {DELIVERIES_TABLE} as log set published_at = d.date "
            "from (select unnest(?) as sha256, unnest(?) as date) as d "
            "where log.sha256 = d.sha256",
            [[sha for sha, _ in dates], [date for _, date in dates]],
        )


@dg.asset(
    group_name="landing",
    description="Recognise, parse and archive every file in the inbox (BILDUNGSMONITOR_DATA_DIR).",
)
def inbox(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    folder = warehouse.inbox_dir()
    if not folder.is_dir():
        raise IngestError.single("inbox", folder, "data directory does not exist")
    landed = land_inbox(folder, Archive(warehouse.archive_dir()))
    deliveries = landed.deliveries
    for problem in landed.unused:
        context.log.warning(f"nicht verwendet: {problem.file}: {problem.rule}")
    with duckdb.connect(str(warehouse.staging_path(context.run_id))) as con:
        write_delivery_log(con, deliveries, run_id=context.run_id)
    by_table: dict[str, int] = {}
    for d in deliveries:
        key = f"{d.source}__{d.table}"
        by_table[key] = by_table.get(key, 0) + 1
    return dg.MaterializeResult(
        metadata={
            "data_dir": str(folder),
            "files": len(deliveries),
            "files_per_table": dg.MetadataValue.json(by_table),
            "not_used": dg.MetadataValue.json([f"{p.file}: {p.rule}" for p in landed.unused]),
            "deliveries": dg.MetadataValue.json(
                [asdict(d) | {"notes": d.notes} for d in deliveries]
            ),
        }
    )
