"""The instance's event log: Dagster's SQLite files, written through connections kept open."""

from __future__ import annotations

import dagster as dg
import pytest
import yaml

from pipelines import dagster_storage
from pipelines.dagster_storage import PooledSqliteEventLogStorage
from pipelines.instance import WRITTEN_BY_US, dagster_yaml, ensure_dagster_home


@dg.asset
def tiny() -> int:
    return 1


@dg.asset_check(asset=tiny, blocking=True)
def tiny_is_small() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


JOB = dg.define_asset_job("tiny_job", selection=[tiny])
DEFS = dg.Definitions(assets=[tiny], asset_checks=[tiny_is_small], jobs=[JOB])


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return ensure_dagster_home()


def _run(instance: dg.DagsterInstance) -> str:
    result = DEFS.resolve_job_def("tiny_job").execute_in_process(instance=instance)
    assert result.success
    return result.run_id


def test_the_instance_uses_the_pooled_event_log(home):
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_id = _run(instance)
    assert (home / "history" / "runs" / f"{run_id}.db").is_file()


def test_dagsters_own_storage_reads_what_it_wrote(home, tmp_path):
    with dg.DagsterInstance.get() as instance:
        run_id = _run(instance)
    plain = tmp_path / "plain"  # the default config: Dagster's SqliteEventLogStorage
    plain.mkdir()
    (plain / "dagster.yaml").write_text(
        f"event_log_storage:\n  module: dagster._core.storage.event_log\n"
        f"  class: SqliteEventLogStorage\n  config:\n    base_dir: {home}/history/runs/\n"
    )
    with dg.DagsterInstance.from_config(str(plain)) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        types = [e.dagster_event_type for e in instance.all_logs(run_id) if e.is_dagster_event]
        assert dg.DagsterEventType.ASSET_MATERIALIZATION in types
        assert dg.DagsterEventType.ASSET_CHECK_EVALUATION in types
        materialization = instance.get_latest_materialization_event(dg.AssetKey("tiny"))
        assert materialization is not None and materialization.run_id == run_id
        check = dg.AssetCheckKey(dg.AssetKey("tiny"), "tiny_is_small")
        records = instance.event_log_storage.get_asset_check_execution_history(check, limit=5)
        assert [r.run_id for r in records] == [run_id]


def test_only_a_few_files_stay_open(home, monkeypatch):
    monkeypatch.setattr(dagster_storage, "OPEN_FILES", 3)
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        run_ids = [_run(instance) for _ in range(4)]
        assert len(storage._engines) == 3
        assert run_ids[-1] in storage._engines  # the newest stay
        assert len(instance.get_runs()) == 4
        storage.wipe()  # deletes the files: no connection may keep one
        assert set(storage._engines) <= {"index"}  # the index is emptied, the runs' are gone
        assert instance.all_logs(run_ids[0]) == []


def test_an_older_config_of_ours_is_updated_and_a_users_own_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "ours"))
    (tmp_path / "ours").mkdir()
    old = f"{WRITTEN_BY_US}: run history lives here\ntelemetry:\n  enabled: false\n"
    (tmp_path / "ours" / "dagster.yaml").write_text(old)
    home = ensure_dagster_home()
    written = (home / "dagster.yaml").read_text()
    assert written == dagster_yaml(home)
    assert yaml.safe_load(written)["telemetry"] == {"enabled": False}

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "users"))
    (tmp_path / "users").mkdir()
    (tmp_path / "users" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    home = ensure_dagster_home()
    assert (home / "dagster.yaml").read_text() == "telemetry:\n  enabled: false\n"


def _log_entry(run_id: str, message: str):
    import logging
    import time

    from dagster._core.events.log import EventLogEntry

    return EventLogEntry(
        error_info=None,
        level=logging.INFO,
        user_message=message,
        run_id=run_id,
        timestamp=time.time(),
        dagster_event=None,
    )


def test_a_watching_reader_sees_each_new_event_of_a_live_run(tmp_path):
    """The Dagster UI follows a running run through a second storage object; the writer's
    open connections put new events into the WAL file, which must wake the reader."""
    import time

    base = str(tmp_path / "runs") + "/"
    writer = PooledSqliteEventLogStorage(base)
    reader = PooledSqliteEventLogStorage(base)
    run_id = "live-run"
    writer.store_event(_log_entry(run_id, "first"))  # creates the run's file
    seen: list[str] = []
    reader.watch(run_id, None, lambda entry, cursor: seen.append(entry.user_message))
    try:
        time.sleep(0.5)  # the observer is running
        writer.store_event(_log_entry(run_id, "second"))
        deadline = time.monotonic() + 10
        while "second" not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "second" in seen
    finally:
        reader.dispose()
        writer.dispose()


def test_pruning_the_history_frees_each_deleted_runs_file(home, monkeypatch):
    """``pipelines.cleanup`` keeps the newest runs; a deleted run's shard file goes too."""
    from pathlib import Path

    from pipelines.cleanup import tidy_run_history

    monkeypatch.setenv("BILDUNGSMONITOR_KEEP_RUNS", "2")
    with dg.DagsterInstance.get() as instance:
        runs = [_run(instance) for _ in range(4)]
        shards = Path(home) / "history" / "runs"
        assert all((shards / f"{run}.db").exists() for run in runs)

        done = tidy_run_history(instance, Path("/nowhere/w.duckdb"))

        assert done == ["2 alte Läufe aus dem Verlauf entfernt"]
        assert {r.run_id for r in instance.get_runs()} == set(runs[2:])
        assert not any((shards / f"{run}.db").exists() for run in runs[:2])
        assert all((shards / f"{run}.db").exists() for run in runs[2:])


def test_a_run_whose_process_died_is_marked_failed(home):
    """A CLI run killed with ``kill -9`` stays STARTED in the history until the next refresh
    finds its process gone (the tags ``pipelines.cleanup.run_tags`` sets)."""
    from pathlib import Path

    from pipelines.cleanup import PID_TAG, WAREHOUSE_TAG, tidy_run_history

    live = Path("/srv/w.duckdb")
    with dg.DagsterInstance.get() as instance:
        dead = instance.create_run_for_job(
            DEFS.resolve_job_def("tiny_job"),
            tags={WAREHOUSE_TAG: str(live), PID_TAG: "999999999"},
        )
        instance.handle_run_event(
            dead.run_id,
            dg.DagsterEvent(
                event_type_value=dg.DagsterEventType.RUN_START.value, job_name="tiny_job"
            ),
        )
        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.STARTED

        done = tidy_run_history(instance, live)

        assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
        assert done[0].startswith("abgebrochener Lauf")
