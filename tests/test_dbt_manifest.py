"""dbt's manifest and partial-parse state: parsed only when needed, in the background when only
the warehouse path changed (the state dbt build starts from must match its profile)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines import dbt_manifest, paths
from pipelines.dbt_manifest import (
    abandon_background_parse,
    finish_background_parse,
    prepare_manifest,
    read_stamp,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the dbt project, parsed once for warehouse A."""
    copy = tmp_path / "dbt_project"
    shutil.copytree(
        paths.DBT_PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    assert prepare_manifest(copy, tmp_path / "a" / "staging" / "w.duckdb")
    return copy


def _profile_hash(project: Path) -> str:
    """The profile checksum dbt keyed the partial-parse state on (it is in the msgpack)."""
    import msgpack

    state = msgpack.unpackb((project / "target" / "partial_parse.msgpack").read_bytes())
    return state["state_check"]["profile_hash"]["checksum"]


def test_a_new_warehouse_path_parses_in_the_background(project, tmp_path):
    warehouse_b = tmp_path / "b" / "staging" / "w.duckdb"
    manifest = (project / "target" / "manifest.json").read_bytes()
    hash_a = _profile_hash(project)

    assert prepare_manifest(project, warehouse_b, background=True)
    # nothing the run's definitions read changes while the parse runs beside them
    assert (project / "target" / "manifest.json").read_bytes() == manifest
    assert read_stamp(project).warehouse != str(warehouse_b)

    assert finish_background_parse()
    assert read_stamp(project).warehouse == str(warehouse_b)
    assert _profile_hash(project) != hash_a  # dbt build now finds state for its own profile
    assert not prepare_manifest(project, warehouse_b)  # nothing left to parse
    assert not finish_background_parse()  # and nothing left to wait for


def test_changed_files_are_parsed_before_the_run(project, tmp_path):
    warehouse_b = tmp_path / "b" / "staging" / "w.duckdb"
    model = project / "models" / "marts" / "fct_indicator_values.sql"
    model.write_text(model.read_text("utf-8") + "\n-- edited\n", encoding="utf-8")

    assert prepare_manifest(project, warehouse_b, background=True)
    manifest = json.loads((project / "target" / "manifest.json").read_text("utf-8"))
    node = manifest["nodes"]["model.bildungsmonitor.fct_indicator_values"]
    assert "-- edited" in node["raw_code"]  # the definitions must see the edit at load
    assert read_stamp(project).warehouse == str(warehouse_b)
    assert not finish_background_parse()


def test_a_failed_background_parse_leaves_the_state_alone(project, tmp_path, monkeypatch):
    before = read_stamp(project)
    monkeypatch.setattr(dbt_manifest, "dbt_executable", lambda: "false")  # exits 1
    assert prepare_manifest(project, tmp_path / "c" / "w.duckdb", background=True)
    assert not finish_background_parse()  # dbt build then parses in full and reports
    assert read_stamp(project) == before


def test_an_abandoned_parse_is_stopped_and_cleaned_up(project, tmp_path, monkeypatch):
    monkeypatch.setattr(dbt_manifest, "_parse_command", lambda *a, **k: ["sleep", "30"])
    prepare_manifest(project, tmp_path / "d" / "w.duckdb", background=True)
    running = dbt_manifest._background
    assert running is not None and running.process.poll() is None
    abandon_background_parse()
    assert running.process.poll() is not None
    assert not running.target.exists()
    assert not finish_background_parse()
