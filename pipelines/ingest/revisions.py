"""Revisions: deliveries that change the figures of a period already loaded.

Why: statistical offices revise figures by sending a table again. The raw layer accepts the
newer delivery (``pipelines.ingest.supersede``), but new figures must not replace old ones
without a word. Whenever another delivery starts to supply a period of a raw table, the raw
step compares the two (:func:`compare_figures`) and, if the figures differ, records a
revision in ``raw._revisions``: table, period, old and new file with the publisher's dates,
row counts and totals, the run. A full snapshot replaced by one with other contents (the
school register) is recorded the same way, as ``ersetzt``.

The run summary lists a run's revisions (:func:`revision_lines`), the working group's quality
page shows them (:func:`load_revisions`), and the change log of the next edition marks the
published figures of a revised period "revidiert" (:func:`revised_cells`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.automation.fingerprints import insert_rows
from pipelines.ingest.supersede import german_date
from quality.outcome import german_number

REVISIONS_TABLE = "raw._revisions"
REVISED = "revidiert"
"""Kind: the figures of a period changed."""
REPLACED = "ersetzt"
"""Kind: a full snapshot (the school register) was replaced by one with other contents."""

DESCRIPTIVE_COLUMNS = ("source", "table_code", "region_name", "period", "file_sha256")
"""Columns that say where a row comes from or how a region is written, not what it counts:
the same figures from a flat-file CSV and a classic GENESIS download are the same figures."""

KEY_COLUMNS = (
    "region_key",
    "period",
    "geschlecht",
    "staatsangehoerigkeit",
    "schulform",
    "kategorie",
)
"""A published row's identity within its indicator (a column the file lacks reads
``insgesamt``): the key of a cell in the downloads and the change log."""
CELL_KEY = ("indicator_id", *KEY_COLUMNS)
"""A published figure's identity (as in ``marts.fct_indicator_values`` and the downloads)."""


@dataclass(frozen=True)
class FigureDiff:
    """Two deliveries of one period side by side."""

    old_rows: int
    new_rows: int
    old_total: float | None
    new_total: float | None
    rows_only_old: int
    rows_only_new: int

    @property
    def same(self) -> bool:
        return self.rows_only_old == 0 and self.rows_only_new == 0

    @property
    def changed(self) -> int:
        """Rows that differ: changed values count once, added or dropped rows once each."""
        return max(self.rows_only_old, self.rows_only_new)


@dataclass(frozen=True)
class DeliveryRevision:
    """One revised period (or one replaced snapshot) of a raw table."""

    source: str
    table_name: str
    kind: str
    period: str
    old_period: str
    old_sha256: str
    old_file: str
    old_published_at: str | None
    old_rows: int
    old_total: float | None
    new_sha256: str
    new_file: str
    new_published_at: str | None
    new_rows: int
    new_total: float | None
    rows_changed: int
    run_id: str = ""
    recorded_at: str = ""


NUMERIC_COLUMNS = {
    "old_rows": "bigint",
    "old_total": "double",
    "new_rows": "bigint",
    "new_total": "double",
    "rows_changed": "bigint",
}
COLUMNS = tuple(f.name for f in dataclasses.fields(DeliveryRevision))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _parquet_columns(con: duckdb.DuckDBPyConnection, parquet: Path) -> list[str]:
    rows = con.execute(f"describe select * from read_parquet({_quote(parquet.as_posix())})")
    return [row[0] for row in rows.fetchall()]


def compare_figures(
    con: duckdb.DuckDBPyConnection,
    old: Path,
    new: Path,
    *,
    old_period: str | None,
    new_period: str | None,
    ignore: Collection[str] = (),
) -> FigureDiff:
    """Compare the rows of ``old_period`` in the tidy Parquet ``old`` with those of
    ``new_period`` in ``new`` (None: the whole file, for a snapshot), on every column both
    have except the descriptive ones and ``ignore`` (labels beside a code)."""
    skip = set(DESCRIPTIVE_COLUMNS) | set(ignore)
    new_columns = set(_parquet_columns(con, new))
    compared = [c for c in _parquet_columns(con, old) if c in new_columns and c not in skip]
    cells = ", ".join(f'cast("{c}" as varchar) as "{c}"' for c in compared) or "1 as same"
    params: list[str] = []
    parts = []
    for path, period in ((old, old_period), (new, new_period)):
        where = ""
        if period is not None:
            where = " where cast(period as varchar) = ?"
            params.append(period)
        parts.append(f"select * from read_parquet({_quote(path.as_posix())}){where}")
    old_rows, new_rows, old_total, new_total, only_old, only_new = con.execute(
        f"""
        with old_rows as ({parts[0]}),
            new_rows as ({parts[1]}),
            old_cells as (select {cells} from old_rows),
            new_cells as (select {cells} from new_rows)
        select
            (select count(*) from old_rows),
            (select count(*) from new_rows),
            (select sum(try_cast(value as double)) from old_rows),
            (select sum(try_cast(value as double)) from new_rows),
            (select count(*) from (select * from old_cells except all select * from new_cells)),
            (select count(*) from (select * from new_cells except all select * from old_cells))
        """,
        params,
    ).fetchone()
    return FigureDiff(old_rows, new_rows, old_total, new_total, only_old, only_new)


# ----------------------------------------------------------------------- recording and reading
def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    columns = ", ".join(f"{name} {NUMERIC_COLUMNS.get(name, 'varchar')}" for name in COLUMNS)
    con.execute(f"create table if not exists {REVISIONS_TABLE} ({columns})")


def record_revisions(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    revisions: Iterable[DeliveryRevision],
    recorded_at: datetime | None = None,
) -> None:
    """Add ``revisions`` of run ``run_id`` (in the run's staging warehouse: a failed run
    releases none, and its successor finds and records them again)."""
    stamp = (recorded_at or datetime.now(UTC)).isoformat(timespec="seconds")
    rows = [
        dataclasses.astuple(dataclasses.replace(r, run_id=run_id, recorded_at=stamp))
        for r in revisions
    ]
    if not rows:
        return
    ensure_table(con)
    insert_rows(con, REVISIONS_TABLE, rows)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def load_revisions(
    con: duckdb.DuckDBPyConnection, run_id: str | None = None
) -> list[DeliveryRevision]:
    """The recorded revisions, newest first; only those of ``run_id`` if given."""
    if not _exists(con, *REVISIONS_TABLE.split(".")):
        return []
    where, params = ("where run_id = ?", [run_id]) if run_id is not None else ("", [])
    columns = ", ".join(COLUMNS)
    rows = con.execute(
        f"select {columns} from {REVISIONS_TABLE} {where} "
        "order by recorded_at desc, source, table_name, period",
        params,
    ).fetchall()
    return [DeliveryRevision(*row) for row in rows]


def _file(name: str, published_at: str | None) -> str:
    return f"{name} (Stand {german_date(published_at)})" if published_at else name


def describe(revision: DeliveryRevision) -> str:
    """One German line: what was revised, by which file, with old and new totals."""
    r = revision
    files = f"{_file(r.old_file, r.old_published_at)} → {_file(r.new_file, r.new_published_at)}"
    rows = f"{r.rows_changed} {'Zeile' if r.rows_changed == 1 else 'Zeilen'} geändert"
    table = f"{r.source}__{r.table_name}"
    if r.kind == REPLACED:
        return (
            f"Ersetzt: {table}, Stand {r.old_period} → {r.period}: {files}; "
            f"{german_number(r.old_rows, 0)} → {german_number(r.new_rows, 0)} Zeilen, {rows}"
        )
    return (
        f"Revidiert: {table}, Zeitraum {r.period}: {files}; Summe "
        f"{german_number(r.old_total, 0)} → {german_number(r.new_total, 0)}, {rows}"
    )


def revision_lines(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> list[str]:
    """German lines for the run summary: the revisions run ``run_id`` accepted (None: all
    recorded), one per revised period, with old and new file and totals."""
    return [describe(r) for r in load_revisions(con, run_id)]


def _instant(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def revised_cells(con: duckdb.DuckDBPyConnection, since: str | None = None) -> set[tuple[str, ...]]:
    """The published figures (:data:`CELL_KEY`) of a period revised after ``since`` (ISO time;
    None: ever): those whose value comes from the revision's new file
    (``source_file_sha256``) and whose period is the revised one or contains it (a year and
    its months or reference date)."""
    revisions = [
        r
        for r in load_revisions(con)
        if r.kind == REVISED and (since is None or _instant(r.recorded_at) > _instant(since))
    ]
    if not revisions or not _exists(con, "marts", "fct_indicator_values"):
        return set()
    columns = ", ".join(f"cast(f.{c} as varchar)" for c in CELL_KEY)
    rows = con.execute(
        f"""
        select distinct {columns}
        from marts.fct_indicator_values as f
        inner join (select unnest(?) as sha256, unnest(?) as period) as r
            on f.source_file_sha256 = r.sha256
        where r.period = f.period or starts_with(r.period, f.period || '-')
        """,
        [[r.new_sha256 for r in revisions], [r.period for r in revisions]],
    ).fetchall()
    return {tuple(row) for row in rows}
