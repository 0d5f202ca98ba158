"""A real ``kill -9`` of the refresh's process group at step boundaries and inside the release
switch; two refreshes and two publishes at once; a warehouse held open by an analyst.

Each case runs the ``bildungsmonitor`` console script with a pause point
(``pipelines.publishing.faults``), waits until the run sits there, kills the whole process group,
and then checks what a user relies on: warehouse, site and release manifest agree, the next
``refresh`` succeeds and leaves nothing behind, no process of the killed run survives.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from pipelines.publishing.releases import ReleaseStore
from tests.conftest import CLI, Released, copy_workspace

pytestmark = pytest.mark.e2e


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BILDUNGSMONITOR_DATA_DIR=str(tmp / "inbox"),
        BILDUNGSMONITOR_WAREHOUSE=str(tmp / "warehouse" / "bm.duckdb"),
        BILDUNGSMONITOR_SITE_DIR=str(tmp / "site"),
        DAGSTER_HOME=str(tmp / "dagster_home"),
        BILDUNGSMONITOR_PAUSE_DIR=str(tmp / "pause"),
    )
    env.pop("BILDUNGSMONITOR_PAUSE_AT", None)
    return env


def _store(tmp: Path) -> ReleaseStore:
    return ReleaseStore(tmp / "warehouse" / "bm.duckdb", tmp / "site")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, timeout=900, check=False
    )


def _start_paused(env: dict[str, str], point: str, *args: str) -> subprocess.Popen:
    """Start the CLI in its own process group; return once it sits at ``point``."""
    pause_dir = Path(env["BILDUNGSMONITOR_PAUSE_DIR"])
    shutil.rmtree(pause_dir, ignore_errors=True)
    process = subprocess.Popen(
        [str(CLI), *args],
        env={**env, "BILDUNGSMONITOR_PAUSE_AT": point},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    marker = pause_dir / f"{point.replace(':', '_')}.paused"
    deadline = time.monotonic() + 600
    while not marker.exists():
        if process.poll() is not None:
            pytest.fail(f"ended before {point}: {process.stdout.read()[-3000:]}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"never reached {point}")
        time.sleep(0.2)
    return process


def _kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _survivors(warehouse: Path, seconds: float = 10) -> list[str]:
    """Processes still working for this warehouse (dbt, kernels, the CLI), after a grace
    period in which kernels notice their parent died."""
    deadline = time.monotonic() + seconds
    while True:
        found = []
        for proc in psutil.process_iter(["pid", "cmdline"]):
            try:
                environ = proc.environ()
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
            if environ.get("BILDUNGSMONITOR_WAREHOUSE", "").startswith(str(warehouse.parent)):
                found.append(f"{proc.pid}: {' '.join(proc.info['cmdline'] or [])[:120]}")
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def _assert_consistent(tmp: Path) -> str:
    """Warehouse, site and manifest of the current release agree; returns its run id."""
    store = _store(tmp)
    current = store.current()
    assert current is not None
    assert store.problems() == []
    assert store.verify(current) == []
    marker = json.loads((tmp / "site" / "_release.json").read_text(encoding="utf-8"))
    assert marker["run_id"] == current.run_id
    with duckdb.connect(str(tmp / "warehouse" / "bm.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from published.indicator_values").fetchone()[0]
    return current.run_id


def _assert_nothing_left(tmp: Path) -> None:
    releases = tmp / "warehouse" / "releases"
    assert not [p.name for p in releases.iterdir() if p.name.endswith(".partial")]
    assert not list((tmp / "warehouse" / "tmp").glob("bm-*"))
    assert not [p.name for p in tmp.iterdir() if p.name.startswith(".site.")]


@pytest.fixture(scope="module")
def released(released_sample: Released) -> Path:
    """The session's released sample; each test works on its own copy."""
    return released_sample.path


def _copy(released: Path, tmp_path: Path) -> Path:
    return copy_workspace(released, tmp_path / "w")


BEFORE_THE_MARTS = (
    "after:inbox",
    "after:raw_tables",
    "after:bildungsmonitor_dbt_assets",
    "after:mart_checks",
)
AFTER_THE_MARTS = (
    "after:geheimhaltung",
    "after:published_dbt_assets",
    "after:report_site",
)
IN_THE_RELEASE = ("release:before-move", "release:before-switch", "release:after-switch")
STRICTER = {"BILDUNGSMONITOR_MIN_COUNT": "10", "BILDUNGSMONITOR_MIN_DENOMINATOR": "20"}
"""Disclosure thresholds above the defaults (as in ``test_suppression_consistency``)."""


# every step boundary of the job and the points inside the release
@pytest.mark.parametrize("point", [*BEFORE_THE_MARTS, *AFTER_THE_MARTS, *IN_THE_RELEASE])
def test_a_killed_refresh_leaves_one_consistent_release(
    released: Path, tmp_path: Path, point: str
) -> None:
    tmp = _copy(released, tmp_path)
    env = _env(tmp)
    before = _assert_consistent(tmp)

    # the killed run: a full refresh for the step boundaries before the disclosure step; for
    # the later ones a changed disclosure threshold, which runs only the published layer, the
    # report and the release (the same kill, without rebuilding the marts each time)
    later = point not in BEFORE_THE_MARTS
    killed_env = {**env, **STRICTER} if later else env
    args = ("refresh",) if later else ("refresh", "--full")
    process = _start_paused(killed_env, point, *args)
    _kill_group(process)

    assert _survivors(tmp / "warehouse") == []
    after_kill = _assert_consistent(tmp)
    if point == "release:after-switch":
        assert after_kill != before  # the switch happened: the new release is whole
    else:
        assert after_kill == before  # nothing of the killed run is visible

    # the next refresh with the settings of the release that is current
    result = _run(killed_env if point == "release:after-switch" else env, "refresh")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    _assert_consistent(tmp)
    _assert_nothing_left(tmp)
    assert "STARTED" not in _run_statuses(tmp)  # the killed run is marked failed


def _run_statuses(tmp: Path) -> list[str]:
    code = (
        "import dagster as dg\n"
        "with dg.DagsterInstance.get() as i:\n"
        "    print(' '.join(r.status.value for r in i.get_runs()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_a_second_refresh_is_refused_naming_the_first(released: Path, tmp_path: Path) -> None:
    tmp = _copy(released, tmp_path)
    env = _env(tmp)
    first = _start_paused(env, "after:raw_tables", "refresh", "--full")
    try:
        second = _run(env, "refresh")
    finally:
        _kill_group(first)
    assert second.returncode != 0
    output = second.stdout + second.stderr
    assert "Ein anderer refresh läuft bereits" in output and f"PID {first.pid}" in output
    assert "Traceback" not in output
    _assert_consistent(tmp)


def test_two_publishes_at_once_never_make_an_incomplete_edition_current(
    released: Path, tmp_path: Path
) -> None:
    tmp = _copy(released, tmp_path)
    env = _env(tmp)
    web = tmp / "web"
    first = _start_paused(env, "publish:before-rename", "publish", "--to", str(web))
    try:
        second = _run(env, "publish", "--to", str(web))
    finally:
        _kill_group(first)
    assert second.returncode != 0
    assert "Ein anderer publish läuft bereits" in second.stdout + second.stderr
    assert not (web / "current").exists()  # the killed publish never switched

    again = _run(env, "publish", "--to", str(web))
    assert again.returncode == 0, again.stdout + again.stderr
    current = (web / "current").resolve()
    marker = json.loads((current / "_release.json").read_text(encoding="utf-8"))
    assert all((current / name).is_file() for name in marker["files"])
    assert not list((web / "editions").glob(".*"))


def test_an_analyst_holding_the_warehouse_gets_one_line_not_a_traceback(
    released: Path, tmp_path: Path
) -> None:
    tmp = _copy(released, tmp_path)
    with duckdb.connect(str(tmp / "warehouse" / "bm.duckdb")) as _analyst:
        result = _run(_env(tmp), "refresh")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert "geöffnet" in output and "bm.duckdb" in output


def test_killing_only_the_cli_leaves_no_dbt_running_after_the_next_refresh(
    released: Path, tmp_path: Path
) -> None:
    """``kill -9`` of the CLI alone (not its group) orphans dbt; the next refresh stops it."""
    tmp = _copy(released, tmp_path)
    env = _env(tmp)
    process = subprocess.Popen(
        [str(CLI), "refresh", "--full"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 600
    dbt: list[psutil.Process] = []
    while not dbt and time.monotonic() < deadline and process.poll() is None:
        children = psutil.Process(process.pid).children(recursive=True)
        dbt = [c for c in children if "build" in " ".join(_cmdline(c))]
        time.sleep(0.2)
    assert dbt, "dbt build never started"
    process.kill()  # the CLI only
    process.wait(timeout=30)
    assert any(p.is_running() for p in dbt)  # orphaned, still working

    result = _run(env, "refresh")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "verwaister Prozess beendet" in result.stdout
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in dbt)
    assert _survivors(tmp / "warehouse", seconds=0) == []
    _assert_consistent(tmp)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []
