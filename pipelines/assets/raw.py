"""Raw layer: one Dagster asset and one DuckDB table ``raw.<source>__<table>`` per source table.

Each table is rebuilt from the archived deliveries listed in ``raw._deliveries``. Which
delivery supplies which period is decided by ``pipelines.ingest.supersede``: across runs the
one accepted last (a revised edition supersedes the old one without deleting it from the
archive), within one run the one with the newest publisher's date; deliveries of one run that
contradict each other without such a date fail the step, naming both files. A register (the
school register) is replaced as a whole. A period whose figures change that way is recorded
as a revision (``pipelines.ingest.revisions``), never replaced without a word.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import dagster as dg
import duckdb
import pandas as pd

from pipelines.assets.landing import DELIVERIES_TABLE, ensure_delivery_log
from pipelines.automation.fingerprints import raw_fingerprint, record_raw_build
from pipelines.ingest.archive import Archive
from pipelines.ingest.batches import by_size
from pipelines.ingest.revisions import (
    REPLACED,
    REVISED,
    DeliveryRevision,
    FigureDiff,
    compare_figures,
    record_revisions,
)
from pipelines.ingest.supersede import (
    SNAPSHOT_SLOT,
    SNAPSHOT_TABLES,
    AmbiguousDeliveries,
    ArchivedDelivery,
    assign_periods,
)
from pipelines.resources import WarehouseResource
from quality.check_results import record_check_result
from quality.raw_checks import raw_problems
from quality.schulwegweiser import profile_problems


@dataclass(frozen=True)
class RawTable:
    """``labels``: text columns beside a code column that name the same thing (a GENESIS
    label that a new edition words differently): a new wording is no new figure."""

    source: str
    table: str
    description: str
    labels: tuple[str, ...] = ()
    optional: bool = False
    """A table an inbox may lack (the social-context tables of issue 18): without any delivery
    it is not built, and its dbt staging model reads an empty relation (macro optional_raw)."""

    @property
    def name(self) -> str:
        return f"{self.source}__{self.table}"

    @property
    def snapshot(self) -> bool:
        """Every delivery is the whole table (a register): the latest replaces the last."""
        return self.name in SNAPSHOT_TABLES


RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "itnrw",
        "abgaenger",
        "Leavers by certificate and sex (GENESIS 21111-02-06-4).",
        labels=("abschlussart",),
    ),
    RawTable("itnrw", "schueler_schulart", "Schools and pupils by school type (21111-01-03-4)."),
    RawTable("itnrw", "berufskolleg", "Entrants to vocational schools by sector (21121-02-02-4)."),
    RawTable("itnrw", "bevoelkerung", "Population by age group and sex (12411)."),
    RawTable("itnrw", "kindertagesbetreuung", "Children in day care by age (22543), 1 March."),
    RawTable("ba", "arbeitslose", "Registered unemployed and rates, monthly (BA)."),
    RawTable(
        "ba",
        "ausbildungsmarkt",
        "Training market of the Agenturbezirk, 30 Sep (BA/BIBB).",
        labels=("beruf_name",),
    ),
    RawTable("ba", "sgb2", "SGB II quotas of minors, city and Stadtbezirke, December (BA)."),
    RawTable(
        "schulen",
        "schulen",
        "School register (school administration, template v1): the latest Stand only.",
    ),
    RawTable("schulen", "schueler", "Pupils per school, grade, sex, nationality, needs."),
    RawTable("schulen", "schulformwechsel", "Schulformwechsel: one record per change (per pupil)."),
    RawTable("schulen", "wiederholer", "Repeaters per school and grade."),
    RawTable("schulen", "fehlzeiten", "Absenteeism (hours) per school and grade."),
    RawTable("schulen", "abgaenger", "Leavers per school by certificate and sex."),
    RawTable("schulen", "uebergaenge", "Transitions Grundschule → Sek I per Grundschule."),
    # The school guides (issue 20): loaded when delivered, not required.
    RawTable(
        "schulen",
        "schulprofil",
        "What parents ask about a school, for the school year they register for.",
        optional=True,
    ),
    RawTable(
        "schulen",
        "anmeldungen",
        "Registrations, places and admissions per school and school year.",
        optional=True,
    ),
    # The social context (issue 18): loaded when delivered, not required.
    RawTable(
        "itnrw",
        "bevoelkerung_altersjahre",
        "Population by single year of age (12411-09i), 31 Dec.",
        optional=True,
    ),
    RawTable(
        "itnrw",
        "auslaender",
        "Foreign population by citizenship and sex (12521-03i), 31 Dec.",
        labels=("staatsangehoerigkeit",),
        optional=True,
    ),
    RawTable(
        "itnrw", "mindestsicherungsquote", "Mindestsicherungsquote (22811-01i).", optional=True
    ),
    RawTable(
        "itnrw",
        "mindestsicherung_empfaenger",
        "Recipients of Mindestsicherung by benefit (22811-05i).",
        optional=True,
    ),
    RawTable(
        "itnrw",
        "arbeitslose_kreise",
        "Unemployed and rates, annual average, Kreise (13211-02-05-4).",
        optional=True,
    ),
    RawTable(
        "itnrw",
        "jugendhilfe_gruppen",
        "Groups in youth-welfare facilities by legal basis (22542-06i).",
        labels=("rechtsgrundlage_label",),
        optional=True,
    ),
    RawTable(
        "itnrw",
        "beschaeftigte_qualifikation",
        "Employees by economic section and qualification (13111-54i), 31 Dec.",
        labels=("wirtschaftsabschnitt_label",),
        optional=True,
    ),
    RawTable(
        "itnrw",
        "einkommen",
        "Disposable income of private households (82411-01-03-4).",
        optional=True,
    ),
    RawTable(
        "msb",
        "schulverzeichnis",
        "State school register (MSB NRW open data schuldaten.csv): the latest download only.",
    ),
)
PROFILE_TABLE = next(t for t in RAW_TABLES if t.name == "schulen__schulprofil")
"""The school guides' profile: checked against the register after the step's tables."""


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class RawBuild:
    """What building one raw table did: its materialisation metadata, the fingerprint of
    the deliveries it was built from (None when the previous run's table was kept), and the
    periods whose figures another delivery revised."""

    metadata: dict
    fingerprint: str | None
    revisions: tuple[DeliveryRevision, ...] = ()


class _Figures:
    """Figures of archived deliveries compared side by side, each pair once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, archive: Archive, table: RawTable):
        self.con, self.archive, self.table = con, archive, table
        self._seen: dict[tuple[str, str, str | None, str | None], FigureDiff] = {}

    def diff(
        self, old: str, new: str, old_period: str | None, new_period: str | None
    ) -> FigureDiff:
        key = (old, new, old_period, new_period)
        if key not in self._seen:
            ignore = (*self.table.labels, *(["period"] if old_period is None else []))
            self._seen[key] = compare_figures(
                self.con,
                self.archive.root / old[:2] / old / "tidy.parquet",
                self.archive.root / new[:2] / new / "tidy.parquet",
                old_period=old_period,
                new_period=new_period,
                ignore=ignore,
            )
        return self._seen[key]

    def archived(self, sha: str) -> bool:
        return (self.archive.root / sha[:2] / sha / "tidy.parquet").is_file()

    def same(self, a: ArchivedDelivery, b: ArchivedDelivery, slot: str) -> bool:
        period = None if slot == SNAPSHOT_SLOT else slot
        return self.diff(a.sha256, b.sha256, period, period).same


def build_raw_table(con: duckdb.DuckDBPyConnection, archive: Archive, table: RawTable) -> RawBuild:
    """(Re)build ``raw.<table>`` from its deliveries (the caller records the fingerprint and
    the revisions). Raises :class:`AmbiguousDeliveries` for contradicting files of one run."""
    rows = con.execute(
        "select sha256, original_name, received_at, periods, parser, published_at, batch, "
        f"accepted_at from {DELIVERIES_TABLE} where source = ? and table_name = ?",
        [table.source, table.table],
    ).fetchall()
    exists = bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = ?",
            [table.name],
        ).fetchone()[0]
    )
    if not rows:
        if exists:
            return RawBuild({"kept_previous": True}, None)
        if table.optional:
            return RawBuild({"delivered": False}, None)
        raise dg.Failure(
            f"No delivery for {table.source} table '{table.table}' in the data directory, and the "
            "warehouse holds none from earlier runs."
        )
    archived = [
        ArchivedDelivery(*r[:3], tuple(r[3]), published_at=r[5], batch=r[6], accepted_at=r[7])
        for r in rows
    ]
    figures = _Figures(con, archive, table)
    assigned = assign_periods(archived, snapshot=table.snapshot, same_figures=figures.same)
    loaded = _loaded_periods(con, table) if exists else {}
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
    revisions = _revisions(table, loaded, assigned, {d.sha256: d for d in archived}, figures)
    summary = con.execute(
        f"select count(*), count(distinct period), count(distinct region_key) from raw.{table.name}"
    ).fetchone()
    metadata = {
        "rows": summary[0],
        "periods": summary[1],
        "regions": summary[2],
        "files": dg.MetadataValue.json(sorted(assigned)),
        "parsers": dg.MetadataValue.json(sorted({r[4] for r in rows})),
        "revisions": len(revisions),
    }
    # The planner (pipelines.automation.plan) fingerprints a table's inputs from the log's name,
    # receipt and periods alone; record the same, so that a table whose log is unchanged is skipped.
    # Every accepted delivery changes it: a new one is the last received.
    planned = assign_periods([d.plain() for d in archived])
    return RawBuild(metadata, raw_fingerprint(planned), tuple(revisions))


def _loaded_periods(con: duckdb.DuckDBPyConnection, table: RawTable) -> dict[str, str]:
    """Which delivery supplied which period of the table as the last release built it (a
    register: its one slot, from the latest Stand an older, accumulated table holds)."""
    has_files = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'raw' "
        "and table_name = ? and column_name = 'file_sha256'",
        [table.name],
    ).fetchone()[0]
    if not has_files:
        return {}
    rows = con.execute(
        f"select cast(period as varchar), min(file_sha256) from raw.{table.name} "
        "where period is not null group by 1 order by 1"
    ).fetchall()
    if table.snapshot:
        return {SNAPSHOT_SLOT: rows[-1][1]} if rows else {}
    return dict(rows)


def _revisions(
    table: RawTable,
    loaded: dict[str, str],
    assigned: dict[str, list[str]],
    deliveries: dict[str, ArchivedDelivery],
    figures: _Figures,
) -> list[DeliveryRevision]:
    """Periods now supplied by another delivery than before whose figures differ."""
    revisions = []
    for new_sha, periods in assigned.items():
        slots = [SNAPSHOT_SLOT] if table.snapshot else periods
        for slot in slots:
            old_sha = loaded.get(slot)
            if old_sha is None or old_sha == new_sha or not figures.archived(old_sha):
                continue
            old, new = deliveries.get(old_sha), deliveries[new_sha]
            if table.snapshot:
                old_period = max(old.periods) if old and old.periods else ""
                period = max(new.periods)
                diff = figures.diff(old_sha, new_sha, None, None)
            else:
                old_period = period = slot
                diff = figures.diff(old_sha, new_sha, slot, slot)
            if diff.same:
                continue
            revisions.append(
                DeliveryRevision(
                    source=table.source,
                    table_name=table.table,
                    kind=REPLACED if table.snapshot else REVISED,
                    period=period,
                    old_period=old_period,
                    old_sha256=old_sha,
                    old_file=old.original_name if old else old_sha,
                    old_published_at=old.published_at if old else None,
                    old_rows=diff.old_rows,
                    old_total=diff.old_total,
                    new_sha256=new_sha,
                    new_file=new.original_name,
                    new_published_at=new.published_at,
                    new_rows=diff.new_rows,
                    new_total=diff.new_total,
                    rows_changed=diff.changed,
                )
            )
    return revisions


CHECK_NAME = "pandera_schema"
CHECK_BATCH_ROWS = 500_000
"""Rows validated together: whole periods, at least one."""


def check_raw_table(
    con: duckdb.DuckDBPyConnection, table: RawTable, batch_rows: int = CHECK_BATCH_ROWS
) -> tuple[list, int]:
    """Validate ``raw.<table>`` with its pandera schema and consistency rules
    (:mod:`quality.raw_checks`); failures name file, row and column.

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
        problems += raw_problems(frame, table.name, file_of_row)
        rows += len(frame)
    return problems, rows


def check_profile_against_register(con: duckdb.DuckDBPyConnection) -> list:
    """The school guides' profile against the state register as loaded in this warehouse
    (:mod:`quality.schulwegweiser`): after every table of the step is built, since the
    register may be rebuilt in the same step. Nothing to check without a profile table."""
    loaded = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    if PROFILE_TABLE.name not in loaded:
        return []
    names = dict(con.execute(f"select sha256, original_name from {DELIVERIES_TABLE}").fetchall())
    profile = con.execute(
        f"select rowid as row_position, * from raw.{PROFILE_TABLE.name} order by rowid"
    ).df()
    profile.index = pd.Index(profile.pop("row_position"), name=None)
    file_of_row = {i: names.get(sha, sha) for i, sha in profile["file_sha256"].items()}
    register = (
        con.execute(
            "select schulnummer, schulbetriebsschluessel, gemeindeschluessel "
            "from raw.msb__schulverzeichnis"
        ).df()
        if "msb__schulverzeichnis" in loaded
        else None
    )
    return profile_problems(profile, register, file_of_row)


def _check_result(key: dg.AssetKey, problems: list, rows: int) -> dg.AssetCheckResult:
    metadata: dict[str, object] = {
        "rows": rows,
        "problems": len(problems),
        "first_problems": dg.MetadataValue.md("\n".join(f"- {p}" for p in problems[:20]) or "none"),
    }
    if problems:  # the CLI prints a failed check's finding: file, row, column and rule
        metadata["befund"] = "\n".join(str(p) for p in problems[:20])
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


def asset_key(table: RawTable) -> dg.AssetKey:
    return dg.AssetKey(f"raw_{table.name}")


RAW_WORKERS = 2
"""Tables built side by side: DuckDB's reading and writing of one overlaps pandera's checking
of the other (which holds the GIL)."""


@dataclass(frozen=True)
class _Built:
    table: RawTable
    build: RawBuild
    problems: list
    rows: int
    refused: str | None = None


def _build_and_check(con: duckdb.DuckDBPyConnection, archive: Archive, table: RawTable) -> _Built:
    cursor = con.cursor()  # a connection of its own per thread, to the same database
    try:
        build = build_raw_table(cursor, archive, table)
        if build.metadata.get("delivered") is False:  # an optional table nobody delivered
            return _Built(table, build, [], 0)
        problems, rows = check_raw_table(cursor, table)
    except AmbiguousDeliveries as error:  # reported with the other tables' after all are built
        return _Built(table, RawBuild({}, None), [], 0, refused=error.message(f"raw.{table.name}"))
    finally:
        cursor.close()
    return _Built(table, build, problems, rows)


@dg.multi_asset(
    name="raw_tables",
    specs=[
        dg.AssetSpec(
            asset_key(t),
            group_name=f"raw_{t.source}",
            deps=["inbox"],
            description=t.description,
            kinds={"duckdb"},
            skippable=True,
        )
        for t in RAW_TABLES
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_NAME,
            asset=asset_key(t),
            blocking=True,
            description=(
                f"pandera schema of raw.{t.name}: types, codes, ranges, unique keys; and its "
                "consistency (no part above its total, additive parts sum to the total)."
            ),
        )
        for t in RAW_TABLES
    ],
    can_subset=True,
)
def raw_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """The selected raw tables, each with its pandera schema as a blocking check, in one step.

    One step, not one per table: the tables share one warehouse connection (each close of a
    DuckDB file writes a checkpoint) and are built side by side; Dagster's per-step work is
    paid once. Each table is still its own asset with its own check: a failed check (ERROR)
    fails the step after every selected table is built and checked, so nothing downstream
    runs and every problem is reported at once.
    """
    run_id = context.run.run_id
    selected = [t for t in RAW_TABLES if asset_key(t) in context.selected_asset_keys]
    checked = context.selected_asset_check_keys
    archive = Archive(warehouse.archive_dir())
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        ensure_delivery_log(con)  # a log from before batches and publisher's dates gains them
        rows = _delivered_rows(con)
        largest_first = sorted(selected, key=lambda t: -rows.get(t.name, 0))
        with ThreadPoolExecutor(RAW_WORKERS) as pool:
            built = {
                b.table: b for b in pool.map(partial(_build_and_check, con, archive), largest_first)
            }
        refused = [b.refused for b in built.values() if b.refused]
        if refused:
            raise dg.Failure(
                "Lieferungen widersprechen sich; nichts wurde geladen.\n" + "\n".join(refused)
            )
        if (guide := built.get(PROFILE_TABLE)) and guide.build.metadata.get(
            "delivered"
        ) is not False:
            guide.problems.extend(check_profile_against_register(con))
        for table in selected:  # the bookkeeping in one thread: its tables are shared
            result = built[table]
            if result.build.fingerprint is not None:
                record_raw_build(con, table.name, result.build.fingerprint)
            record_revisions(con, run_id, result.build.revisions)
            record_check_result(
                con,
                run_id=run_id,
                check_name=CHECK_NAME,
                asset_key=asset_key(table).to_user_string(),
                severity="ERROR",
                passed=not result.problems,
                n_failures=len(result.problems),
                rows=pd.DataFrame({"problem": [str(p) for p in result.problems]}),
            )
    for table in selected:
        result = built[table]
        check_key = dg.AssetCheckKey(asset_key(table), CHECK_NAME)
        yield dg.MaterializeResult(
            asset_key=asset_key(table),
            metadata=result.build.metadata,
            check_results=(
                [_check_result(asset_key(table), result.problems, result.rows)]
                if check_key in checked
                else []
            ),
        )


def _delivered_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows delivered per raw table (``<source>__<table>``): the largest are built first, so
    that no big table starts last while the other thread idles."""
    return dict(
        con.execute(
            f"select source || '__' || table_name, sum(row_count) from {DELIVERIES_TABLE} "
            "group by 1"
        ).fetchall()
    )
