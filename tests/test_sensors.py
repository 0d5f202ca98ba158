"""The inbox sensor asks for a run exactly when the inbox changed."""

from __future__ import annotations

import dagster as dg

from pipelines.automation.sensors import inbox_sensor


def _evaluate(cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor)
    return inbox_sensor.evaluate_tick(context)


def test_new_file_requests_one_run_and_unchanged_inbox_none(tmp_path, monkeypatch):
    monkeypatch.setenv("BILDUNGSMONITOR_DATA_DIR", str(tmp_path))
    (tmp_path / "itnrw").mkdir()
    (tmp_path / "itnrw" / "a.csv").write_text("x")
    first = _evaluate(None)
    assert len(first.run_requests) == 1
    again = _evaluate(first.cursor)
    assert again.run_requests == []
    (tmp_path / "itnrw" / "b.xlsx").write_bytes(b"y")
    third = _evaluate(first.cursor)
    assert len(third.run_requests) == 1
    assert third.run_requests[0].run_key != first.run_requests[0].run_key


def test_readme_and_other_files_do_not_trigger(tmp_path, monkeypatch):
    monkeypatch.setenv("BILDUNGSMONITOR_DATA_DIR", str(tmp_path))
    first = _evaluate(None)
    (tmp_path / "README.md").write_text("notes")
    assert _evaluate(first.cursor).run_requests == []
