"""Staging, then swap: a run works on a copy and only release replaces the live files."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import socket
import subprocess
import sys
from pathlib import Path

import duckdb

from pipelines.resources import WarehouseResource


def _warehouse(tmp_path: Path) -> WarehouseResource:
    return WarehouseResource(
        path=str(tmp_path / "wh" / "live.duckdb"), site_dir=str(tmp_path / "site")
    )


def _live_with_one_row(tmp_path: Path) -> WarehouseResource:
    warehouse = _warehouse(tmp_path)
    warehouse.live_path().parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse.live_path())) as con:
        con.execute("create table t as select 1 as x")
    return warehouse


def test_staging_starts_as_a_copy_of_the_live_warehouse(tmp_path):
    warehouse = _live_with_one_row(tmp_path)
    staging = warehouse.staging_path("run1")
    with duckdb.connect(str(staging)) as con:
        con.execute("insert into t values (2)")
    with duckdb.connect(str(warehouse.live_path()), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 1


def test_release_swaps_warehouse_and_site(tmp_path):
    warehouse = _warehouse(tmp_path)
    old_site = warehouse.live_site_dir()
    old_site.mkdir(parents=True)
    (old_site / "index.html").write_text("alt")
    with duckdb.connect(str(warehouse.staging_path("run2"))) as con:
        con.execute("create table t as select 42 as x")
    new_site = warehouse.staging_site_dir("run2")
    new_site.mkdir(parents=True)
    (new_site / "index.html").write_text("neu")

    live, site = warehouse.release("run2")

    assert (site / "index.html").read_text() == "neu"
    assert not new_site.exists()
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("select x from t").fetchone()[0] == 42
    assert sorted(p.name for p in site.parent.iterdir()) == ["site", "wh"]


def test_staging_keeps_one_path_and_a_new_run_starts_from_the_live_file(tmp_path):
    """dbt's partial parse needs a stable path; a new run must not inherit a failed run's copy."""
    warehouse = _live_with_one_row(tmp_path)
    first = warehouse.staging_path("failed-run")
    with duckdb.connect(str(first)) as con:
        con.execute("insert into t values (2)")
    assert warehouse.staging_path("failed-run") == first  # same run: same copy, kept
    assert warehouse.staging_owner() == "failed-run"

    second = warehouse.staging_path("next-run")

    assert second == first
    assert warehouse.staging_owner() == "next-run"
    with duckdb.connect(str(second), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone()[0] == 1


def _connections_while(command: list[str], tmp_path: Path) -> tuple[int, str]:
    """Run ``command`` with a local socket as its HTTP(S) proxy: how many connections did
    it open (a request to PyPI would go through the proxy), and what did it print."""
    with socket.socket() as proxy:
        proxy.bind(("127.0.0.1", 0))
        proxy.listen(8)
        proxy.settimeout(0.2)
        url = f"http://127.0.0.1:{proxy.getsockname()[1]}"
        env = {**os.environ, "HTTPS_PROXY": url, "HTTP_PROXY": url, "NO_PROXY": ""}
        env.pop("no_proxy", None)
        process = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, text=True
        )
        connections = 0
        while process.poll() is None:
            with contextlib.suppress(TimeoutError):
                connection, _ = proxy.accept()
                connections += 1
                connection.close()
        return connections, process.stdout.read() if process.stdout else ""


def test_the_pipelines_dbt_command_answers_version_without_the_network(tmp_path):
    """dagster-dbt runs ``<dbt_executable> --version`` before every dbt command; dbt's own
    ``--version`` asks PyPI for the latest release. The pipeline's command must not."""
    from pipelines.transform.dbt_manifest import dbt_executable

    ours = dbt_executable()
    assert Path(ours).name == "bildungsmonitor-dbt"
    connections, out = _connections_while([ours, "--version"], tmp_path)
    assert connections == 0
    assert importlib.metadata.version("dbt-core") in out
    plain = Path(sys.executable).with_name("dbt")  # the test can fail: dbt itself asks PyPI
    assert _connections_while([str(plain), "--version"], tmp_path)[0] >= 1


def test_settings_are_resolved_once_per_run(tmp_path, monkeypatch):
    """Paths and thresholds are read when the run starts; a variable changed during the run
    changes nothing for its steps. Set fields win over the environment."""
    monkeypatch.setenv("BILDUNGSMONITOR_DATA_DIR", str(tmp_path / "inbox"))
    monkeypatch.setenv("BILDUNGSMONITOR_MIN_COUNT", "4")
    resolved = WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb")).resolved()
    monkeypatch.setenv("BILDUNGSMONITOR_DATA_DIR", str(tmp_path / "other"))
    monkeypatch.setenv("BILDUNGSMONITOR_MIN_COUNT", "7")

    assert resolved.inbox_dir() == tmp_path / "inbox"
    assert resolved.thresholds().count == 4
    assert resolved.thresholds().denominator == 10  # the default
    assert WarehouseResource(min_count=2).thresholds().count == 2
