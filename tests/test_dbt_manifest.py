"""dbt's manifest and partial-parse state: parsed only when needed, and again when the
warehouse path changed (the state dbt build starts from must match its profile)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines import paths
from pipelines.transform import dbt_manifest
from pipelines.transform.dbt_manifest import prepare_manifest, read_stamp


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


def test_a_new_warehouse_path_parses_again_for_its_profile(project, tmp_path):
    warehouse_b = tmp_path / "b" / "staging" / "w.duckdb"
    hash_a = _profile_hash(project)

    assert prepare_manifest(project, warehouse_b)
    assert read_stamp(project).warehouse == str(warehouse_b)
    assert _profile_hash(project) != hash_a  # dbt build now finds state for its own profile
    assert not prepare_manifest(project, warehouse_b)  # nothing left to parse


def test_changed_files_are_parsed_before_the_run(project, tmp_path):
    warehouse_b = tmp_path / "b" / "staging" / "w.duckdb"
    model = project / "models" / "marts" / "fct_indicator_values.sql"
    model.write_text(model.read_text("utf-8") + "\n-- edited\n", encoding="utf-8")

    assert prepare_manifest(project, warehouse_b)
    manifest = json.loads((project / "target" / "manifest.json").read_text("utf-8"))
    node = manifest["nodes"]["model.bildungsmonitor.fct_indicator_values"]
    assert "-- edited" in node["raw_code"]  # the definitions must see the edit at load
    assert read_stamp(project).warehouse == str(warehouse_b)


def test_a_failed_parse_says_so_and_leaves_the_stamp_alone(project, tmp_path, monkeypatch):
    before = read_stamp(project)
    monkeypatch.setattr(dbt_manifest, "dbt_executable", lambda: "false")  # exits 1
    with pytest.raises(RuntimeError, match="dbt parse failed"):
        prepare_manifest(project, tmp_path / "c" / "w.duckdb")
    assert read_stamp(project) == before
