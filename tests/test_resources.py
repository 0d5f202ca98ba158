"""Staging, then swap: a run works on a copy and only release replaces the live files."""

from __future__ import annotations

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


def test_dbt_commands_start_without_an_adapter_in_this_process(monkeypatch):
    """dagster-dbt would build a dbt adapter here before each command (≈ 1.3 s); the
    pipeline's resource starts dbt straight away."""
    import dbt.adapters.factory

    from pipelines import paths
    from pipelines.definitions import dbt_executable
    from pipelines.resources import PipelineDbtCliResource

    registered: list = []  # dagster-dbt would swallow an exception raised here
    monkeypatch.setattr(
        dbt.adapters.factory, "register_adapter", lambda *a, **k: registered.append(a)
    )
    resource = PipelineDbtCliResource(
        project_dir=str(paths.DBT_PROJECT_DIR), dbt_executable=dbt_executable()
    )
    invocation = resource.cli(
        ["--version"], manifest=paths.DBT_PROJECT_DIR / "target" / "manifest.json"
    )
    assert invocation.wait().is_successful()
    assert invocation.adapter is None
    assert registered == []
