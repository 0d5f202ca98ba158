"""What a killed or finished run leaves behind, cleared at the next refresh's start.

Called by :func:`refresh_guard` while the refresh lock is held, so nothing it removes can
belong to a run that is still going: unfinished releases (``pipelines.publishing.releases``),
scratch folders of dead processes, Dagster runs still marked STARTED whose process is gone, and run
history beyond ``BILDUNGSMONITOR_KEEP_RUNS`` (default 50; each run's event log is ≈ 1.5 MB).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from pipelines import paths

if TYPE_CHECKING:
    from dagster import DagsterInstance
from pipelines.publishing.locks import LockBusy, held, refresh_lock_path
from pipelines.publishing.releases import ReleaseStore

KEEP_RUNS_ENV = "BILDUNGSMONITOR_KEEP_RUNS"
DEFAULT_KEEP_RUNS = 50
WAREHOUSE_TAG = "bildungsmonitor/warehouse"
PID_TAG = "bildungsmonitor/pid"


def run_tags(live_warehouse: Path) -> dict[str, str]:
    """Tags of a CLI run: which warehouse, which process (to find it stuck after a kill)."""
    return {WAREHOUSE_TAG: str(live_warehouse), PID_TAG: str(os.getpid())}


@contextmanager
def refresh_guard(
    live_warehouse: Path | None = None, site: Path | None = None
) -> Iterator[list[str]]:
    """Hold the refresh lock (raises ``LockBusy``) and clean up first; yields what was done."""
    live = live_warehouse or paths.warehouse_path()
    with held(refresh_lock_path(live), "refresh") as killed_holder:
        done = stop_orphans(live)
        if killed_holder is not None:  # its Dagster run may still say STARTED
            with _instance() as instance:
                done += tidy_run_history(instance, live)
        done += ReleaseStore(live, site or paths.site_dir()).recover()
        done += sweep_scratch(paths.scratch_dir(live))
        yield done


def stop_orphans(live_warehouse: Path) -> list[str]:
    """Kill processes a killed refresh left working on this warehouse's staging copy.

    A ``kill -9`` of the CLI alone (not its process group) orphans its children: dbt runs on
    and keeps the staging file locked, Jupyter kernels linger. They are recognised by the
    staging warehouse in their environment (the report's kernels) or on their command line
    (dbt, which gets it as a var): only a run's children have it, analysts open the live
    file; while the refresh lock is held, none of them can belong to a running refresh
    except this process's own children, which are spared.
    """
    staging = str(paths.staging_warehouse_path(live_warehouse))
    me = psutil.Process()
    mine = {me.pid, *(p.pid for p in me.children(recursive=True))}
    killed: list[psutil.Process] = []
    for process in psutil.process_iter(["name"]):
        if process.pid in mine:
            continue
        try:
            if not _works_on(process, staging):
                continue
            process.kill()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        killed.append(process)
    psutil.wait_procs(killed, timeout=10)
    return [f"verwaister Prozess beendet: {p.info['name']} (PID {p.pid})" for p in killed]


def _works_on(process: psutil.Process, staging: str) -> bool:
    if process.environ().get(paths.ENV_WAREHOUSE) == staging:
        return True
    return any(staging in argument for argument in process.cmdline())


def sweep_scratch(folder: Path) -> list[str]:
    """Remove ``bm-<kind>-<pid>-…`` folders whose process no longer runs."""
    done = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        parts = entry.name.split("-")
        pid = next((int(p) for p in parts[1:] if p.isdigit()), None)
        if not entry.name.startswith("bm-") or pid is None or psutil.pid_exists(pid):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        done.append(f"temporärer Ordner eines abgebrochenen Laufs entfernt: {entry.name}")
    return done


def keep_runs() -> int:
    return paths.env_count(KEEP_RUNS_ENV, DEFAULT_KEEP_RUNS)


def tidy_run_history(
    instance: DagsterInstance, live_warehouse: Path, current_run_id: str | None = None
) -> list[str]:
    """Mark this warehouse's CLI runs whose process died as failed; prune old runs.

    Runs the Dagster daemon launched are the daemon's run monitoring's to mark."""
    import dagster as dg

    done = []
    started = instance.get_runs(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={WAREHOUSE_TAG: str(live_warehouse)},
        )
    )
    for run in started:
        pid = run.tags.get(PID_TAG, "")
        alive = pid.isdigit() and (int(pid) == os.getpid() or psutil.pid_exists(int(pid)))
        if run.run_id == current_run_id or alive:
            continue
        instance.report_run_failed(
            run, message="Lauf abgebrochen (Prozess beendet); beim nächsten refresh erkannt."
        )
        done.append(f"abgebrochener Lauf {run.run_id[:8]} als fehlgeschlagen markiert")
    keep = keep_runs()
    records = instance.get_run_records(order_by="create_timestamp", ascending=False)
    finished = [r for r in records if r.dagster_run.is_finished]
    for record in finished[keep:]:
        instance.delete_run(record.dagster_run.run_id)
    if len(finished) > keep:
        done.append(f"{len(finished) - keep} alte Läufe aus dem Verlauf entfernt")
    return done


def guarded_refresh(refresh: Callable[[], int]) -> int:
    """Run ``refresh`` under the refresh lock after clean-up; lock conflicts — with another
    refresh, or a program holding the warehouse open for writing — become one line each."""
    import duckdb

    live = paths.warehouse_path()
    try:
        with refresh_guard(live) as done:
            for line in done:
                print(f"  Aufgeräumt: {line}")
            return refresh()
    except LockBusy as error:
        print(f"FEHLER: {error}", file=sys.stderr)
        return 3
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = re.search(r"\(PID (\d+)\)", str(error))
        who = f" (PID {holder.group(1)})" if holder else ""
        print(
            f"FEHLER: Warehouse {live} ist von einem anderen Programm{who} zum Schreiben "
            "geöffnet; diese Verbindung schließen, dann refresh erneut starten.",
            file=sys.stderr,
        )
        return 3


def _instance() -> DagsterInstance:
    """Imported only after a killed refresh: a refresh with nothing to do needs no Dagster."""
    import dagster as dg

    return dg.DagsterInstance.get()
