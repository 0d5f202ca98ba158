"""Fingerprints of what each part was built from: stable if nothing changed, moved by edits."""

from __future__ import annotations

import copy
import json

import duckdb
import pytest

from pipelines import paths
from pipelines.assets.dbt import built_nodes
from pipelines.automation import fingerprints

MANIFEST = paths.DBT_PROJECT_DIR / "target" / "manifest.json"


@pytest.fixture(scope="module")
def manifest() -> dict:
    if not MANIFEST.exists():
        pytest.skip("no dbt manifest (make dbt-parse)")
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_parse_and_build_details_do_not_count(manifest):
    """A build's manifest adds compiled SQL and dbt's own macros; a new parse new timestamps."""
    before = fingerprints.dbt_node_fingerprints(manifest)
    built = copy.deepcopy(manifest)
    for node in built["nodes"].values():
        node["created_at"] = 0.0
        node["compiled_code"] = "select 1"
        node["database"] = "other_file"
        node["depends_on"]["macros"] = [*node["depends_on"]["macros"], "macro.dbt.statement"]
    assert fingerprints.dbt_node_fingerprints(built) == before


def test_an_edit_changes_that_node_only(manifest):
    before = fingerprints.dbt_node_fingerprints(manifest)
    edited = copy.deepcopy(manifest)
    uid = "model.bildungsmonitor.ind_arbeitslosenquote"
    edited["nodes"][uid]["raw_code"] += "\n-- edit"
    after = fingerprints.dbt_node_fingerprints(edited)
    assert {k for k in before if before[k] != after[k]} == {uid}


def test_a_macro_edit_changes_every_node_that_calls_it(manifest):
    macro = "macro.bildungsmonitor.percent"
    callers = {
        uid
        for uid, node in manifest["nodes"].items()
        if macro in node.get("depends_on", {}).get("macros", [])
    }
    assert callers, "the percent macro is used by indicator models"
    before = fingerprints.dbt_node_fingerprints(manifest)
    edited = copy.deepcopy(manifest)
    edited["macros"][macro]["macro_sql"] += " "
    after = fingerprints.dbt_node_fingerprints(edited)
    changed = {k for k in before if before[k] != after[k]}
    assert callers <= changed
    assert not {uid for uid in changed if uid.startswith("seed.")}  # seeds call no macro


def test_a_var_change_changes_the_nodes_that_read_it(manifest):
    """dbt vars are not in the manifest: the fingerprint adds the values a node reads."""
    variables = fingerprints.project_vars()
    before = fingerprints.dbt_node_fingerprints(manifest, variables)
    after = fingerprints.dbt_node_fingerprints(
        manifest, {**variables, "sozialindex_gewichtung": "gleich"}
    )
    changed = {k for k in before if before[k] != after[k]}
    assert "model.bildungsmonitor.mart_schulsozialindex_gewichte" in changed
    assert "model.bildungsmonitor.ind_arbeitslosenquote" not in changed
    readers = {
        uid
        for uid, node in manifest["nodes"].items()
        if "sozialindex_gewichtung" in node.get("raw_code", "")
    }
    assert changed == readers
    region = fingerprints.dbt_node_fingerprints(
        manifest, {**variables, "stadt_region_key": "05111"}
    )
    moved = {k for k in before if before[k] != region[k]}
    assert "model.bildungsmonitor.int_schulen__schulen" in moved  # read in its SQL
    assert "model.bildungsmonitor.ind_arbeitslosenquote" not in moved


def test_raw_fingerprint_is_about_content_not_order():
    one = fingerprints.raw_fingerprint({"a": ["2020", "2021"], "b": ["2022"]})
    assert one == fingerprints.raw_fingerprint({"b": ["2022"], "a": ["2021", "2020"]})
    assert one != fingerprints.raw_fingerprint({"a": ["2020"], "b": ["2021", "2022"]})


def test_code_and_report_fingerprints_follow_their_files(tmp_path):
    for folder in ("pipelines/assets", "pipelines/report", "quality", "reports"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "pipelines/assets/a.py").write_text("x = 1\n")
    (tmp_path / "pipelines/report/render.py").write_text("y = 1\n")
    (tmp_path / "reports/index.qmd").write_text("# Start\n")
    code, report = (
        fingerprints.code_fingerprint(tmp_path),
        fingerprints.report_fingerprint(tmp_path),
    )

    (tmp_path / "pipelines/report/render.py").write_text("y = 2\n")
    assert fingerprints.code_fingerprint(tmp_path) == code  # the renderer belongs to the report
    assert fingerprints.report_fingerprint(tmp_path) != report

    (tmp_path / "pipelines/assets/a.py").write_text("x = 2\n")
    assert fingerprints.code_fingerprint(tmp_path) != code

    report = fingerprints.report_fingerprint(tmp_path)
    outputs = (
        "_site/index.html",
        "_qualitaet/index.html",
        "indikatoren/x.qmd",
        "schulwegweiser/schulen/100001.qmd",
        "_variables.yml",
        "_vorlagen/__pycache__/x.pyc",
    )
    for output in outputs:
        (tmp_path / "reports" / output).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "reports" / output).write_text("written by a run")
    assert fingerprints.report_fingerprint(tmp_path) == report  # outputs are no sources
    (tmp_path / "reports/schulwegweiser.qmd").write_text("# Schulwegweiser\n")
    assert fingerprints.report_fingerprint(tmp_path) != report  # a source beside the output


def test_the_report_outputs_are_the_folders_the_generators_write():
    """The pre-render step writes these; if a generator moves, the fingerprint and the
    sources a run copies must follow."""
    from pipelines.report import generate_guides, generate_pages

    reports_texte = (paths.REPO_ROOT / "reports" / "bm_texte.py").read_text(encoding="utf-8")
    assert generate_pages.OUTPUT_DIR in paths.REPORT_OUTPUTS
    assert generate_guides.OUTPUT_DIR in paths.REPORT_OUTPUTS
    assert 'VARIABLES_FILE = "_variables.yml"' in reports_texte


def test_records_round_trip(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert fingerprints.raw_builds(con) == {} and fingerprints.settings(con) == {}
        fingerprints.record_raw_build(con, "ba__sgb2", "f1")
        fingerprints.record_raw_build(con, "ba__sgb2", "f2")
        fingerprints.record_dbt_nodes(con, {"model.x": "m"})
        fingerprints.record_setting(con, fingerprints.CODE_SETTING, "c")
        assert fingerprints.raw_builds(con) == {"ba__sgb2": "f2"}
        assert fingerprints.dbt_nodes(con) == {"model.x": "m"}
        assert fingerprints.settings(con) == {"code": "c"}


def test_built_nodes_include_the_tests_of_selected_models(manifest):
    uid = "model.bildungsmonitor.fct_indicator_values"
    built = built_nodes(manifest, {uid})
    tests = {b for b in built if b.startswith(("test.", "unit_test."))}
    assert uid in built and tests
    assert all(
        uid in manifest["nodes"][t]["depends_on"]["nodes"] for t in tests if t in manifest["nodes"]
    )
