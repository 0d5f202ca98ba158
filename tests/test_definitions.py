"""The code location loads and its graph runs inbox → raw → dbt → report → release."""

from __future__ import annotations

from dagster import AssetKey

from pipelines import paths
from pipelines.assets.dbt import dbt_build_args
from pipelines.definitions import defs


def _graph():
    return defs.resolve_asset_graph()


def test_asset_graph_runs_from_raw_through_dbt_to_the_report():
    graph = _graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {
        "inbox",
        "raw_itnrw__abgaenger",
        "staging/stg_itnrw__abgaenger",
        "marts/fct_indicator_values",
        "intern/geheimhaltung",
        "published/indicator_values",
        "published/vergleichsstaedte",
        "report_site",
        "release",
    } <= keys
    staging = graph.get(AssetKey(["staging", "stg_itnrw__abgaenger"]))
    assert AssetKey("raw_itnrw__abgaenger") in staging.parent_keys
    decision = AssetKey(["intern", "geheimhaltung"])
    assert AssetKey(["marts", "fct_indicator_values"]) in graph.get(decision).parent_keys
    values = AssetKey(["published", "indicator_values"])
    assert decision in graph.get(values).parent_keys
    assert values in graph.get(AssetKey("report_site")).parent_keys
    assert AssetKey("report_site") in graph.get(AssetKey("release")).parent_keys


def test_dbt_tests_are_asset_checks():
    checks = {key.name for key in _graph().asset_check_keys}
    assert any(name.startswith("unique_combination") for name in checks)


def test_monthly_schedule_runs_the_refresh_job_in_berlin_time():
    schedule = defs.resolve_schedule_def("monthly_refresh")
    assert schedule.cron_schedule == "0 6 1 * *"
    assert schedule.execution_timezone == "Europe/Berlin"
    assert schedule.job_name == "refresh"


def test_dbt_build_args():
    assert dbt_build_args() == ["build", "--partial-parse"]
    assert dbt_build_args(["stg_x+"]) == ["build", "--partial-parse", "--select", "stg_x+"]


def test_dbt_gets_the_warehouse_as_a_var_and_the_environment_is_left_alone(tmp_path, monkeypatch):
    """The profile takes the var first: the pipeline changes no environment variable."""
    import json
    import subprocess

    from pipelines.transform.dbt_manifest import dbt_executable, warehouse_vars

    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(tmp_path / "live.duckdb"))
    staging = tmp_path / "staging.duckdb"
    args = warehouse_vars(staging)
    assert args[0] == "--vars" and json.loads(args[1]) == {
        "bildungsmonitor_warehouse": str(staging)
    }
    project = tmp_path / "p"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: p\nversion: '1.0'\nprofile: bildungsmonitor\n")
    (project / "models" / "m.sql").write_text("select 1 as x\n")
    profiles = paths.DBT_PROJECT_DIR / "profiles.yml"
    command = [dbt_executable(), "run", "--profiles-dir", str(profiles.parent), "--quiet", *args]
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert staging.exists() and not (tmp_path / "live.duckdb").exists()


def test_older_dbt_target_folders_are_pruned(tmp_path):
    import os

    from pipelines.assets.dbt import prune_invocation_targets

    target = tmp_path / "target"
    folders = []
    for i in range(8):
        folder = target / f"bildungsmonitor_dbt_assets-run{i}-x"
        folder.mkdir(parents=True)
        os.utime(folder, (1000 + i, 1000 + i))
        folders.append(folder)
    (target / "docs").mkdir()  # not a run's folder
    (target / "manifest.json").write_text("{}")
    current = folders[2]  # kept whatever its age
    prune_invocation_targets(current, keep=3)
    left = sorted(f.name for f in target.iterdir())
    assert left == sorted(["docs", "manifest.json", current.name, folders[7].name, folders[6].name])
