"""Decide what a refresh must rebuild: only what depends on changed inputs.

The planner compares the current inputs with what the live warehouse records they were built
from (``pipelines.automation.fingerprints``): new files in the inbox (by content hash, not by name
or date), dbt models whose SQL, config or macros changed, a changed report project, changed
disclosure settings, changed pipeline code. It runs before Dagster is imported, so a refresh with
nothing to do finishes in about a second, and it lands new files into the content-addressed
archive (outside the warehouse: the live mart and report stay untouched) to learn which raw
tables they feed. The result names *what* changed; ``pipelines.command_line.run_refresh`` turns it
into the asset selection of one ``refresh`` run — the changed assets and everything downstream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines import paths
from pipelines.automation import fingerprints
from pipelines.ingest.archive import Archive, sha256_of
from pipelines.ingest.errors import IngestError
from pipelines.ingest.identify import delivery_files
from pipelines.ingest.supersede import ArchivedDelivery, assign_periods
from pipelines.publishing.releases import ReleaseStore
from pipelines.transform.dbt_manifest import prepare_manifest
from quality.sdc.thresholds import Thresholds

DELIVERIES_TABLE = "raw._deliveries"


@dataclass
class RefreshPlan:
    """What changed since the last released run, and why."""

    full: bool = False
    reasons: list[str] = field(default_factory=list)
    new_files: list[str] = field(default_factory=list)
    inbox: bool = False
    raw_tables: set[str] = field(default_factory=set)
    dbt_nodes: set[str] = field(default_factory=set)
    published: bool = False
    report: bool = False

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.full
            or self.inbox
            or self.raw_tables
            or self.dbt_nodes
            or self.published
            or self.report
        )

    def because(self, reason: str) -> None:
        self.reasons.append(reason)


def plan_refresh(
    *,
    live_warehouse: Path | None = None,
    data_dir: Path | None = None,
    site_dir: Path | None = None,
    manifest_path: Path | None = None,
    force_full: bool = False,
) -> RefreshPlan:
    """Compare current inputs with the live warehouse's records; see the module docstring."""
    live_warehouse = live_warehouse or paths.warehouse_path()
    data_dir = data_dir or paths.data_dir()
    site_dir = site_dir or paths.site_dir()
    if manifest_path is None:
        prepare_manifest(staging_warehouse=paths.staging_warehouse_path(live_warehouse))
        manifest_path = paths.DBT_PROJECT_DIR / "target" / "manifest.json"
    plan = RefreshPlan()
    archive = Archive(live_warehouse.parent / "archive")  # where the run's inbox step lands
    if force_full:
        return _full(plan, "vollständiger Lauf angefordert (--full)")
    if not live_warehouse.exists():
        return _full(plan, "noch kein Warehouse: erster Lauf")
    with duckdb.connect(str(live_warehouse), read_only=True) as con:
        recorded_raw = fingerprints.raw_builds(con)
        recorded_dbt = fingerprints.dbt_nodes(con)
        settings = fingerprints.settings(con)
        deliveries = _deliveries(con)
    if settings.get(fingerprints.CODE_SETTING) != fingerprints.code_fingerprint():
        reason = "Pipeline-Code oder Paketversionen geändert (oder noch kein voller Lauf)"
        return _full(plan, reason)
    if not data_dir.is_dir():  # the run fails with the inbox's own message
        plan.inbox = True
        plan.because(f"Datenverzeichnis {data_dir} fehlt")
        return plan

    _plan_inbox(plan, data_dir, archive, deliveries)
    for table, fingerprint in _raw_fingerprints(deliveries).items():
        if recorded_raw.get(table) != fingerprint:
            plan.raw_tables.add(table)
    if plan.raw_tables:
        plan.because(f"Rohtabellen mit neuen Lieferungen: {', '.join(sorted(plan.raw_tables))}")

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    current = fingerprints.dbt_node_fingerprints(manifest)
    plan.dbt_nodes = {uid for uid, fp in current.items() if recorded_dbt.get(uid) != fp}
    if plan.dbt_nodes:
        names = sorted(uid.rsplit(".", 1)[-1] for uid in plan.dbt_nodes)
        shown = ", ".join(names[:8]) + (f" (+{len(names) - 8})" if len(names) > 8 else "")
        plan.because(f"dbt-Knoten geändert: {shown}")

    editions = paths.editions_register(live_warehouse)
    published = fingerprints.published_fingerprint(data_dir, Thresholds.from_env(), editions)
    if settings.get(fingerprints.PUBLISHED_SETTING) != published:
        plan.published = True
        plan.because(
            "Geheimhaltungs-Einstellungen, veröffentlichte Ausgaben oder Geometrie geändert"
        )
    if settings.get(fingerprints.REPORT_SETTING) != fingerprints.report_fingerprint():
        plan.report = True
        plan.because("Berichtsquellen oder Renderer geändert")
    if not (site_dir / "_release.json").is_file():
        plan.report = True
        plan.because(f"kein freigegebener Bericht in {site_dir}")
    mismatch = ReleaseStore(live_warehouse, site_dir).problems()
    if mismatch:  # never report "current" for a warehouse and site of different releases
        plan.report = True
        plan.because("Freigabe unvollständig: " + "; ".join(mismatch))
    return plan


def _full(plan: RefreshPlan, reason: str) -> RefreshPlan:
    """Mark ``plan`` as a full refresh."""
    plan.full = True
    plan.because(reason)
    return plan


def _deliveries(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = '_deliveries'"
    ).fetchone()[0]
    if not exists:
        return []
    return con.execute(
        f"select sha256, original_name, received_at, periods, source, table_name "
        f"from {DELIVERIES_TABLE}"
    ).fetchall()


def _plan_inbox(
    plan: RefreshPlan, data_dir: Path, archive: Archive, deliveries: list[tuple]
) -> None:
    """Land files whose content the warehouse has not seen; add them to ``deliveries``."""
    known = {row[0] for row in deliveries}
    for path in delivery_files(data_dir):
        try:
            if sha256_of(path) in known:
                continue
        except IngestError:  # unreadable: the run's inbox step names it in one line
            plan.inbox = True
            plan.because(f"Datei {path.name} ist nicht lesbar: der Lauf meldet die Einzelheiten")
            continue
        try:
            delivery = archive.land(path)
        except IngestError as error:  # the run's inbox step reports it, with file, row and column
            if not any(p.blocking for p in error.problems):
                continue  # recognised but used by no indicator: no reason for a run
            plan.inbox = True
            plan.new_files.append(path.name)
            plan.because(f"Datei {path.name} ist fehlerhaft: der Lauf meldet die Einzelheiten")
            continue
        plan.inbox = True
        plan.new_files.append(path.name)
        known.add(delivery.sha256)
        deliveries.append(
            (
                delivery.sha256,
                delivery.original_name,
                delivery.received_at,
                delivery.periods,
                delivery.source,
                delivery.table,
            )
        )
    if plan.new_files:
        plan.because(f"neue Dateien im Eingang: {', '.join(plan.new_files)}")


def _raw_fingerprints(deliveries: list[tuple]) -> dict[str, str]:
    """Each raw table's inputs as ``pipelines.assets.raw`` will assign them."""
    by_table: dict[str, list[ArchivedDelivery]] = {}
    for sha, name, received_at, periods, source, table in deliveries:
        by_table.setdefault(f"{source}__{table}", []).append(
            ArchivedDelivery(sha, name, received_at, tuple(periods))
        )
    return {t: fingerprints.raw_fingerprint(assign_periods(d)) for t, d in by_table.items()}
