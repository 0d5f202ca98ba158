"""Shared fixtures: where the real reference files and the bundled sample live."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
SAMPLE = REPO_ROOT / "data" / "sample"
CLI = Path(sys.executable).parent / "bildungsmonitor"
LATE_FILE = Path("ba") / "arbeitslose_2025.xlsx"
"""The BA file end-to-end tests deliver after a first refresh: a partial run."""


@pytest.fixture
def realdata() -> Path:
    """The publishers' real files (tests only; CI has ../shared beside the checkout)."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def fixture_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped report rendered once per test session from the fixture warehouse (with
    the ``kategorie`` column): ``(site, warehouse)``. Shared by the release-check and the
    browser tests, which only read it (a test that edits pages works on its own copy): one
    cold render less in CI."""
    from pipelines.report import render_site
    from tests.test_report_data import build_warehouse
    from tests.test_report_render import copy_project

    root = tmp_path_factory.mktemp("fixture-report")
    warehouse = build_warehouse(root / "bildungsmonitor.duckdb", kategorie=True)
    result = render_site(
        copy_project(root / "reports"),
        root / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    print(f"\nfixture report: {len(result.pages)} pages in {result.seconds:.1f} s")
    return result.output_dir, warehouse


@pytest.fixture(scope="session")
def shared_render_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One page cache for the end-to-end refreshes of a test session (see
    ``use_render_cache``)."""
    return tmp_path_factory.mktemp("render-cache")


def use_render_cache(warehouse_dir: Path, cache: Path) -> None:
    """Let the refreshes of ``warehouse_dir`` use the session's page cache: several modules
    refresh the same sample, and a page whose recorded queries and sources are unchanged
    need not run again. The cache is content-addressed (``pipelines.report.cache``), so a
    page of other data still renders; the cache's own tests use fresh folders."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    (warehouse_dir / "render-cache").symlink_to(cache, target_is_directory=True)


# ----------------------------------------------------------- released workspaces of the sample
# Several end-to-end modules start from "the sample, refreshed and released". One refresh per
# session does that; each module works on its own copy (``copy_workspace``), so what a module
# changes (a new delivery, a killed run, other thresholds) never reaches another.


def workspace_env(tmp: Path) -> dict[str, str]:
    """The CLI's environment for the workspace ``tmp`` (inbox, warehouse, site, run history);
    without terminal width or forced colours, so the output is what a log file gets."""
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "FORCE_COLOR"}}
    env.update(
        BILDUNGSMONITOR_DATA_DIR=str(tmp / "inbox"),
        BILDUNGSMONITOR_WAREHOUSE=str(tmp / "warehouse" / "bm.duckdb"),
        BILDUNGSMONITOR_SITE_DIR=str(tmp / "site"),
        DAGSTER_HOME=str(tmp / "dagster_home"),
    )
    return env


@dataclass(frozen=True)
class Released:
    """A workspace after its first refresh, and what that refresh printed."""

    path: Path
    first_refresh: subprocess.CompletedProcess
    source_changes: tuple[str, ...] = ()
    """Files below the checkout's ``reports/`` that the refresh added, changed or removed."""


def _source_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _refresh(tmp: Path) -> subprocess.CompletedProcess:
    """``bildungsmonitor refresh`` in the workspace ``tmp``; it must succeed."""
    result = subprocess.run(
        [str(CLI), "refresh"], env=workspace_env(tmp), capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def materialised_by_last_run(dagster_home: Path) -> set[str]:
    """The asset keys the newest run in ``dagster_home`` materialised (Dagster's run history)."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    try:
        run = next(iter(instance.get_runs(limit=1)))
        records = instance.get_records_for_run(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ).records
        return {r.event_log_entry.dagster_event.asset_key.to_user_string() for r in records}
    finally:
        instance.dispose()


def _release_sample(tmp: Path, cache: Path, without: Iterable[Path] = ()) -> Released:
    use_render_cache(tmp / "warehouse", cache)
    shutil.copytree(SAMPLE, tmp / "inbox")
    for name in without:
        (tmp / "inbox" / name).unlink()
    before = _source_state(REPO_ROOT / "reports")
    result = _refresh(tmp)
    after = _source_state(REPO_ROOT / "reports")
    changes = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    return Released(tmp, result, tuple(sorted(changes)))


@pytest.fixture(scope="session")
def released_sample(
    tmp_path_factory: pytest.TempPathFactory, released_sample_without_late: Released
) -> Released:
    """The whole sample, released once per session (copy it before changing it): the sample
    without ``LATE_FILE``, then that file delivered, as a month's partial refresh (cheaper
    than a second full refresh; ``test_pipeline_e2e`` shows both end in the same data)."""
    tmp = copy_workspace(
        released_sample_without_late.path, tmp_path_factory.mktemp("released-sample") / "w"
    )
    shutil.copy2(SAMPLE / LATE_FILE, tmp / "inbox" / LATE_FILE)
    return Released(tmp, _refresh(tmp))


@pytest.fixture(scope="session")
def released_sample_without_late(
    tmp_path_factory: pytest.TempPathFactory, shared_render_cache: Path
) -> Released:
    """The sample without ``LATE_FILE``, refreshed and released once per session."""
    tmp = tmp_path_factory.mktemp("released-without-late")
    return _release_sample(tmp, shared_render_cache, without=[LATE_FILE])


def copy_workspace(source: Path, target: Path) -> Path:
    """A working copy of a released workspace: warehouse, releases, archive, site, inbox and
    run history; the page cache link stays shared (content-addressed)."""
    shutil.copytree(source, target, symlinks=True)
    site = target / "site"  # the site link is absolute: point it at the copy's own release
    site.unlink()
    site.symlink_to(target / "warehouse" / "releases" / "current" / "site")
    return target
