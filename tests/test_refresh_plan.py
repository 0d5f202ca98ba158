"""The refresh planner: nothing changed → nothing runs; a change selects only what depends on it."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import paths
from pipelines.assets.landing import write_delivery_log
from pipelines.automation import fingerprints
from pipelines.automation.plan import plan_refresh
from pipelines.ingest.archive import Archive, sha256_of
from pipelines.ingest.supersede import ArchivedDelivery, assign_periods
from quality.sdc.thresholds import Thresholds

SAMPLE_BA = paths.SAMPLE_DATA_DIR / "ba"
MANIFEST = paths.DBT_PROJECT_DIR / "target" / "manifest.json"


def _manifest() -> dict:
    if not MANIFEST.exists():
        pytest.skip("no dbt manifest (make dbt-parse)")
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def _released(tmp_path: Path, inbox_files: list[Path], manifest: dict) -> dict[str, Path]:
    """A live warehouse that records having built exactly ``inbox_files`` and ``manifest``."""
    live = tmp_path / "wh" / "bildungsmonitor.duckdb"
    live.parent.mkdir(parents=True)
    inbox = tmp_path / "inbox" / "ba"
    inbox.mkdir(parents=True)
    deliveries = []
    archive = Archive(live.parent / "archive")
    for source in inbox_files:
        shutil.copyfile(source, inbox / source.name)
        deliveries.append(archive.land(inbox / source.name))
    with duckdb.connect(str(live)) as con:
        write_delivery_log(con, deliveries)
        by_table: dict[str, list[ArchivedDelivery]] = {}
        for d in deliveries:
            by_table.setdefault(f"{d.source}__{d.table}", []).append(
                ArchivedDelivery(d.sha256, d.original_name, d.received_at, tuple(d.periods))
            )
        for table, archived in by_table.items():
            fingerprints.record_raw_build(
                con, table, fingerprints.raw_fingerprint(assign_periods(archived))
            )
        fingerprints.record_dbt_nodes(con, fingerprints.dbt_node_fingerprints(manifest))
        fingerprints.record_setting(con, fingerprints.CODE_SETTING, fingerprints.code_fingerprint())
        fingerprints.record_setting(
            con, fingerprints.REPORT_SETTING, fingerprints.report_fingerprint()
        )
        fingerprints.record_setting(
            con,
            fingerprints.PUBLISHED_SETTING,
            fingerprints.published_fingerprint(tmp_path / "inbox", Thresholds()),
        )
    site = tmp_path / "site"
    site.mkdir()
    (site / "_release.json").write_text("{}")
    manifest_file = tmp_path / "manifest.json"
    manifest_file.write_text(json.dumps(manifest))
    return {"live": live, "data": tmp_path / "inbox", "site": site, "manifest": manifest_file}


def _plan(where: dict[str, Path], **kwargs):
    return plan_refresh(
        live_warehouse=where["live"],
        data_dir=where["data"],
        site_dir=where["site"],
        manifest_path=where["manifest"],
        **kwargs,
    )


def test_nothing_changed_means_nothing_to_do(tmp_path):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    plan = _plan(where)
    assert plan.nothing_to_do, plan.reasons
    assert _plan(where, force_full=True).full


def test_a_new_file_selects_its_raw_table_only(tmp_path):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    shutil.copyfile(SAMPLE_BA / "arbeitslose_2025.xlsx", where["data"] / "ba" / "neu.xlsx")

    plan = _plan(where)

    assert plan.inbox and plan.new_files == ["neu.xlsx"]
    assert plan.raw_tables == {"ba__arbeitslose"}
    assert not plan.dbt_nodes and not plan.full
    # landed into the archive (content-addressed), the live warehouse untouched
    with duckdb.connect(str(where["live"]), read_only=True) as con:
        assert con.execute("select count(*) from raw._deliveries").fetchone()[0] == 1


def test_a_renamed_copy_of_a_known_file_is_no_change(tmp_path):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    shutil.copyfile(SAMPLE_BA / "arbeitslose_2024.xlsx", where["data"] / "ba" / "kopie.xlsx")
    assert _plan(where).nothing_to_do


def test_an_edited_model_selects_that_model(tmp_path):
    manifest = _manifest()
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], manifest)
    edited = copy.deepcopy(manifest)
    uid = "model.bildungsmonitor.ind_arbeitslosenquote"
    edited["nodes"][uid]["raw_code"] += "\n-- edited"
    edited["nodes"][uid]["checksum"]["checksum"] = "0" * 64
    where["manifest"].write_text(json.dumps(edited))

    plan = _plan(where)

    assert plan.dbt_nodes == {uid}
    assert not plan.raw_tables and not plan.inbox


def test_missing_release_renders_the_report_again(tmp_path):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    (where["site"] / "_release.json").unlink()
    plan = _plan(where)
    assert plan.report and not plan.dbt_nodes and not plan.raw_tables


def test_no_warehouse_or_changed_code_means_full(tmp_path):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    with duckdb.connect(str(where["live"])) as con:
        fingerprints.record_setting(con, fingerprints.CODE_SETTING, "older code")
    assert _plan(where).full
    where["live"] = tmp_path / "nowhere.duckdb"
    assert _plan(where).full


def test_a_full_plan_lands_nothing(tmp_path):
    """A dry run or a sensor only asks; the run's inbox step lands the files."""
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    new_file = where["data"] / "ba" / "sgb2_quoten_2024-12.xlsx"
    shutil.copyfile(SAMPLE_BA / new_file.name, new_file)
    archive = Archive(where["live"].parent / "archive")
    assert _plan(where, force_full=True).full
    assert archive.known(sha256_of(new_file)) is None


def test_a_broken_new_file_still_selects_the_inbox(tmp_path):
    """The run's inbox step reports the file's problem with row and column, as before."""
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    (where["data"] / "ba" / "kaputt.xlsx").write_bytes(b"not a workbook")
    plan = _plan(where)
    assert plan.inbox and plan.new_files == ["kaputt.xlsx"]


def test_an_unused_file_in_the_inbox_is_no_reason_for_a_run(tmp_path):
    """A code list beside the deliveries is listed by the run, never loaded: nothing to do."""
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    (where["data"] / "ba" / "Statkue_Abgangsart.csv").write_text(
        "SF;Art;Beschreibung;KZ_Bereich;KZ_Bereich_JG;AbgangsJG;Flag;geaendert;gueltigVon;"
        "gueltigBis\nGY;0A;Ohne Abschluss;12;4;**;1;2018-05-03 13:36:08;;\n",
        encoding="utf-8",
    )
    plan = _plan(where)
    assert plan.nothing_to_do, plan.reasons


def test_selection_is_the_change_and_everything_downstream():
    from dagster import AssetKey

    from pipelines.automation.plan import RefreshPlan
    from pipelines.automation.selection import selected_keys

    plan = RefreshPlan(dbt_nodes={"model.bildungsmonitor.ind_arbeitslosenquote"})
    keys = set(selected_keys(plan))
    assert AssetKey(["intermediate", "ind_arbeitslosenquote"]) in keys
    assert {AssetKey(["marts", "fct_indicator_values"]), AssetKey("release")} <= keys
    assert AssetKey(["staging", "stg_ba__arbeitslose"]) not in keys  # upstream stays
    assert not {k for k in keys if k.path[0].startswith("raw_")}

    report_only = set(selected_keys(RefreshPlan(report=True)))
    assert report_only == {AssetKey("report_site"), AssetKey("release")}

    new_file = set(selected_keys(RefreshPlan(inbox=True, raw_tables={"ba__sgb2"})))
    assert {AssetKey("inbox"), AssetKey("raw_ba__sgb2")} <= new_file
    assert AssetKey("raw_ba__arbeitslose") not in new_file
    assert selected_keys(RefreshPlan(full=True)) is None


def test_a_changed_dbt_var_selects_the_models_that_read_it(tmp_path):
    """The last build used ``sozialindex_stufen: 5``; the project now says 9: the models
    (and tests) reading that var are rebuilt, nothing else."""
    manifest = _manifest()
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], manifest)
    before = {**fingerprints.project_vars(), "sozialindex_stufen": 5}
    with duckdb.connect(str(where["live"])) as con:
        fingerprints.record_dbt_nodes(con, fingerprints.dbt_node_fingerprints(manifest, before))

    plan = _plan(where)

    assert "model.bildungsmonitor.mart_schulsozialindex_gewichte" in plan.dbt_nodes
    assert "model.bildungsmonitor.ind_arbeitslosenquote" not in plan.dbt_nodes
    assert all("sozialindex" in uid for uid in plan.dbt_nodes), plan.dbt_nodes
    assert not plan.raw_tables and not plan.inbox and not plan.full


def test_a_changed_disclosure_threshold_selects_the_published_layer_only(tmp_path, monkeypatch):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    assert _plan(where).nothing_to_do
    monkeypatch.setenv("BILDUNGSMONITOR_MIN_COUNT", "5")

    plan = _plan(where)

    assert plan.published
    assert not (plan.full or plan.inbox or plan.raw_tables or plan.dbt_nodes or plan.report)


# ----------------------------------------------- one change, exactly what depends on it (keys)
def _selected(plan) -> set:
    from pipelines.automation.selection import selected_keys

    keys = selected_keys(plan)
    assert keys is not None, "a partial change must not select the whole job"
    return {key.to_user_string() for key in keys}


def test_an_edited_catalogue_seed_selects_the_seed_and_what_reads_it(tmp_path):
    manifest = _manifest()
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], manifest)
    edited = copy.deepcopy(manifest)
    uid = "seed.bildungsmonitor.indicator_catalogue"
    edited["nodes"][uid]["checksum"]["checksum"] = "1" * 64  # a changed row
    where["manifest"].write_text(json.dumps(edited))

    plan = _plan(where)
    keys = _selected(plan)

    assert plan.dbt_nodes == {uid}
    assert {"reference/indicator_catalogue", "marts/dim_indicator", "release"} <= keys
    assert "marts/mart_schulsozialindex_gewichte" not in keys  # does not read the catalogue
    assert not {k for k in keys if k.startswith(("raw_", "staging/", "inbox"))}


def test_an_edited_page_selects_the_report_and_the_release_only(tmp_path, monkeypatch):
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], _manifest())
    monkeypatch.setattr(fingerprints, "report_fingerprint", lambda *a: "edited index.qmd")

    plan = _plan(where)

    assert plan.report and not (plan.dbt_nodes or plan.raw_tables or plan.published)
    assert _selected(plan) == {"report_site", "release"}


def test_a_changed_var_and_a_changed_threshold_select_their_parts_only(tmp_path, monkeypatch):
    manifest = _manifest()
    where = _released(tmp_path, [SAMPLE_BA / "arbeitslose_2024.xlsx"], manifest)
    before = {**fingerprints.project_vars(), "sozialindex_gewichtung": "gleich"}
    with duckdb.connect(str(where["live"])) as con:
        fingerprints.record_dbt_nodes(con, fingerprints.dbt_node_fingerprints(manifest, before))
    var_keys = _selected(_plan(where))
    assert "marts/mart_schulsozialindex_gewichte" in var_keys
    assert "intermediate/ind_arbeitslosenquote" not in var_keys
    assert not {k for k in var_keys if k.startswith(("raw_", "inbox"))}

    where = _released(tmp_path / "t", [SAMPLE_BA / "arbeitslose_2024.xlsx"], manifest)
    monkeypatch.setenv("BILDUNGSMONITOR_MIN_COUNT", "5")
    threshold_keys = _selected(_plan(where))
    assert "intern/geheimhaltung" in threshold_keys
    assert {"published/indicator_values", "report_site", "release"} <= threshold_keys
    assert not {k for k in threshold_keys if k.startswith(("raw_", "marts/", "inbox"))}
