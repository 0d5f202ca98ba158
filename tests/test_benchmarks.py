"""The benchmark harness's pure helpers: stage split, statistics, scenario choice, machine info.

No timing is asserted here; ``make bench`` measures, these tests only check the bookkeeping.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks.machine import cpu_model, memory_bytes
from benchmarks.run import combine_sequential, edit_model, generation_summary, parse_scenarios
from benchmarks.stages import STAGES, RunTiming, StepTiming, split_stages, stage_of
from benchmarks.summary import (
    disclosure_meets_target,
    markdown,
    meets_target,
    overhead_ratio,
    spread,
    summarise_disclosure,
    summarise_runs,
)


@pytest.mark.parametrize(
    ("step_key", "stage"),
    [
        ("inbox", "inbox"),
        ("raw_tables", "raw"),
        ("raw_ba__arbeitslose", "raw"),
        ("raw_schulen__schueler_pandera_schema", "checks"),
        ("bildungsmonitor_dbt_assets", "dbt_build"),
        ("mart_checks", "checks"),
        ("marts__fct_indicator_values_completeness", "checks"),
        ("published_tables", "published"),
        ("geheimhaltung", "published"),
        ("published_dbt_assets", "published"),
        ("disclosure_audit", "checks"),
        ("published_tables_no_small_counts_or_derivable_cells", "checks"),
        ("report_site", "report"),
        ("release", "release"),
    ],
)
def test_stage_of_the_refresh_job_steps(step_key, stage):
    assert stage_of(step_key) == stage


def _run(last_dbt_event=None):
    steps = (
        StepTiming("inbox", 100.0, 102.0, "SUCCESS"),
        StepTiming("raw_ba__arbeitslose", 102.5, 103.0, "SUCCESS"),
        StepTiming("bildungsmonitor_dbt_assets", 103.0, 113.0, "SUCCESS"),
        StepTiming("report_site", 113.0, 120.0, "SUCCESS"),
        StepTiming("release", None, None, "SKIPPED"),
    )
    return RunTiming("r1", "SUCCESS", 99.0, 121.0, steps, last_dbt_event)


def test_split_stages_accounts_for_every_second_of_the_process():
    split = split_stages(_run(last_dbt_event=110.0), process_start=95.0, process_end=122.0)
    assert set(split) == set(STAGES)
    assert split["startup"] == pytest.approx(4.0)
    assert split["inbox"] == pytest.approx(2.0)
    assert split["raw"] == pytest.approx(0.5)
    assert split["dbt_build"] == pytest.approx(7.0)
    assert split["dbt_docs"] == pytest.approx(3.0)
    assert split["report"] == pytest.approx(7.0)
    assert split["release"] == 0.0  # skipped step: no duration
    assert split["teardown"] == pytest.approx(1.0)
    assert split["between_steps"] == pytest.approx(22.0 - 19.5)
    assert sum(split.values()) == pytest.approx(122.0 - 95.0)


def test_split_stages_without_dbt_events_keeps_the_whole_dbt_step_as_build():
    split = split_stages(_run(), process_start=99.0, process_end=121.0)
    assert split["dbt_build"] == pytest.approx(10.0)
    assert split["dbt_docs"] == 0.0


def test_spread_ignores_missing_values():
    assert spread([3.0, None, 1.0, 2.0]) == {"median": 2.0, "min": 1.0, "max": 3.0, "n": 3}
    assert spread([None]) is None


def _sample(wall, returncode=0, rss=None, stages=None):
    return {
        "returncode": returncode,
        "wall_seconds": wall,
        "peak_rss_tree_bytes": rss,
        "max_rss_process_bytes": rss,
        "stages": stages or {},
    }


def test_summarise_runs_leaves_failed_runs_out_of_the_figures():
    samples = [
        _sample(10.0, rss=100, stages={"dbt_build": 4.0}),
        _sample(12.0, rss=300, stages={"dbt_build": 6.0}),
        _sample(1.0, returncode=1, rss=5, stages={"dbt_build": 0.1}),
    ]
    summary = summarise_runs(samples)
    assert summary["runs"] == 3
    assert summary["failed"] == 1
    assert summary["wall_seconds"]["median"] == pytest.approx(11.0)
    assert summary["wall_seconds"]["min"] == 10.0
    assert summary["peak_rss_tree_bytes"]["max"] == 300
    assert summary["stages_median_seconds"] == {"dbt_build": pytest.approx(5.0)}


def test_meets_target_uses_the_median_and_for_scale_the_memory():
    assert meets_target("noop", {"wall_seconds": {"median": 9.0}}) is True
    assert meets_target("noop", {"wall_seconds": {"median": 11.0}}) is False
    assert meets_target("baseline", {"wall_seconds": {"median": 1.0}}) is None
    too_big = {"wall_seconds": {"median": 60.0}, "peak_rss_tree_bytes": {"max": 5 * 1024**3}}
    assert meets_target("scale", too_big) is False


def test_overhead_ratio():
    assert overhead_ratio(26.0, [10.0, 10.0]) == pytest.approx(1.3)
    assert overhead_ratio(26.0, [10.0, None]) is None
    assert overhead_ratio(None, [10.0, 10.0]) is None


def test_parse_scenarios_accepts_names_and_issue_numbers_in_canonical_order():
    assert parse_scenarios("6,full,2") == ["full", "noop", "baseline"]
    assert parse_scenarios("3,4") == ["new-ba-file", "model-edit"]
    assert parse_scenarios("5") == ["scale"]
    assert parse_scenarios("disclosure,1") == ["full", "disclosure"]
    assert parse_scenarios("7") == ["disclosure"]
    with pytest.raises(ValueError, match="unknown scenario"):
        parse_scenarios("8")


def test_combine_sequential_adds_times_and_keeps_the_larger_memory():
    parse = _sample(2.0, rss=50) | {"started_at": 1.0}
    refresh = _sample(10.0, rss=400, stages={"dbt_build": 3.0}) | {"started_at": 3.0}
    combined = combine_sequential(parse, refresh)
    assert combined["wall_seconds"] == pytest.approx(12.0)
    assert combined["started_at"] == 1.0
    assert combined["peak_rss_tree_bytes"] == 400
    assert combined["stages"] == {"dbt_build": 3.0, "dbt_parse": 2.0}
    failed_parse = _sample(2.0, returncode=2) | {"started_at": 1.0}
    assert combine_sequential(failed_parse, refresh)["returncode"] == 2


def test_edit_model_changes_only_a_comment(tmp_path):
    model = tmp_path / "m.sql"
    model.write_text("select 1 as x\n", encoding="utf-8")
    edit_model(model, 1)
    edit_model(model, 2)
    lines = model.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "select 1 as x"
    assert [line for line in lines[1:] if line] == ["-- benchmark edit 1", "-- benchmark edit 2"]


def test_cpu_model_and_memory_from_proc_files():
    cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel Xeon X\n"
    assert cpu_model(cpuinfo) == "Intel Xeon X"
    assert cpu_model("Hardware\t: BCM2835\n") == "BCM2835"
    assert cpu_model("") is None
    assert memory_bytes("MemTotal:       24576000 kB\nMemFree: 1 kB\n") == 24576000 * 1024
    assert memory_bytes("") is None


def test_markdown_table_lists_measured_and_unavailable_scenarios():
    results = {
        "date": "2026-01-01",
        "repeat": 1,
        "note": "shared machine",
        "machine": {
            "cpu_model": "CPU",
            "cpus_usable": 2,
            "memory_bytes": 24 * 1024**3,
            "packages": {},
            "load_average_at_start": [1.0, 1.0, 1.0],
        },
        "scenarios": {
            "noop": {
                "title": "no-op",
                "status": "measured",
                "summary": summarise_runs([_sample(12.5, rss=2 * 1024**2, stages={"inbox": 1})]),
                "meets_target": False,
            },
            "scale": {"title": "scale", "status": "not available", "reason": "no --scale"},
        },
        "overhead": {
            "dbt_build_seconds": 10.0,
            "render_seconds": 10.0,
            "refresh_seconds": 30.0,
            "ratio": 1.5,
        },
    }
    text = markdown(results)
    assert "| noop: no-op | 1 | 12.5 | 12.5 | 12.5 | 10.0 | **no** | 2 | 2 |" in text
    assert "**scale** (scale): no --scale" in text
    assert "1.50×" in text
    assert "shared machine" in text


def test_measure_reports_the_childs_exit_code_and_memory(tmp_path):
    out = tmp_path / "m.json"
    code = "import sys; b = bytearray(64 * 1024 * 1024); sys.exit(3)"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.measure", str(out), "--", sys.executable, "-c", code],
        check=True,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["returncode"] == 3
    assert result["max_rss_process_bytes"] >= 64 * 1024 * 1024
    assert result["ended_at"] >= result["started_at"]


def test_generation_summary_counts_the_scale_data(tmp_path):
    (tmp_path / "schulen").mkdir()
    (tmp_path / "schulen" / "a.csv").write_bytes(b"x" * 100)
    (tmp_path / "README.md").write_bytes(b"y" * 20)
    generated = {"wall_seconds": 12.5, "peak_rss_tree_bytes": 300, "returncode": 0}
    summary = generation_summary(generated, tmp_path)
    assert summary == {
        "scale": "state",
        "seconds": 12.5,
        "files": 2,
        "bytes": 120,
        "peak_rss_tree_bytes": 300,
    }


def test_markdown_reports_the_scale_data_and_failed_runs():
    failed = _sample(700.0, returncode=1, rss=3 * 1024**3) | {
        "log_tail": ["step raw_schulen__schueler failed", "MemoryError"]
    }
    ok = _sample(500.0, rss=2 * 1024**3, stages={"inbox": 300.0})
    summary = summarise_runs([ok, failed])
    results = {
        "date": "2026-01-01",
        "repeat": 2,
        "machine": {"packages": {}},
        "scenarios": {
            "scale": {
                "title": "state-sized data, full refresh",
                "status": "measured",
                "summary": summary,
                "meets_target": meets_target("scale", summary),
                "samples": [ok, failed],
                "data": {
                    "scale": "state",
                    "seconds": 31.0,
                    "files": 102,
                    "bytes": 73 * 1024**2,
                    "peak_rss_tree_bytes": 650 * 1024**2,
                },
            }
        },
    }
    text = markdown(results)
    assert "| scale: state-sized data, full refresh | 2 (1 failed) | 500.0 |" in text
    assert "| 600.0 | yes | 2048 |" in text
    assert "--scale state`: 31.0 s, 102 files, 73 MiB, peak RSS tree 650 MiB" in text
    assert "**scale** failed (rc=1)" in text
    assert "MemoryError" in text


def _timing(*rounds: tuple[float, float]) -> dict:
    """A ``benchmarks.disclosure`` result with rounds of (protect, audit) seconds."""
    return {
        "rows": 100,
        "primary": 3,
        "secondary": 5,
        "hidden": 8,
        "lp_solves": 4,
        "rounds": [
            {
                "protect_seconds": p,
                "protect_cpu_seconds": p / 2,
                "audit_seconds": a,
                "audit_cpu_seconds": a / 2,
                "core_protect_seconds": p - 1,
                "core_audit_seconds": a - 1,
                "passed": True,
            }
            for p, a in rounds
        ],
    }


def test_summarise_disclosure_adds_protect_and_audit_per_round():
    step = {"step_seconds": 9.0, "peak_rss_bytes": 700 * 1024**2, "rss_after_imports_bytes": 1}
    summary = summarise_disclosure(_timing((2.0, 1.0), (4.0, 2.0), (3.0, 1.5)), step)
    assert summary["rounds"] == 3
    assert summary["passed"] is True
    assert summary["total_seconds"] == {"median": 4.5, "min": 3.0, "max": 6.0, "n": 3}
    assert summary["total_cpu_seconds"]["median"] == pytest.approx(2.25)
    assert summary["core_total_seconds"]["median"] == pytest.approx(2.5)
    assert (summary["primary"], summary["lp_solves"]) == (3, 4)
    assert summary["step_peak_rss_bytes"] == 700 * 1024**2


def test_disclosure_targets_time_for_both_sizes_and_memory_for_the_state():
    fast, slow = (
        summarise_disclosure(_timing((1.0, 1.0))),
        summarise_disclosure(_timing((2.0, 2.0))),
    )
    assert disclosure_meets_target("sample", fast) is True
    assert disclosure_meets_target("sample", slow) is False
    big = {"peak_rss_bytes": 2 * 1024**3}
    small = {"peak_rss_bytes": 1024**3}
    assert disclosure_meets_target("state", summarise_disclosure(_timing((30, 20)), small))
    assert not disclosure_meets_target("state", summarise_disclosure(_timing((30, 20)), big))
    assert not disclosure_meets_target("state", summarise_disclosure(_timing((30, 20))))
    assert disclosure_meets_target("other", fast) is None


def test_markdown_lists_the_disclosure_scenario_per_size():
    summary = summarise_disclosure(_timing((2.0, 1.5)), {"step_seconds": 5.0})
    results = {
        "date": "2026-01-01",
        "repeat": 1,
        "machine": {"packages": {}},
        "scenarios": {
            "disclosure": {
                "title": "disclosure",
                "status": "measured",
                "sizes": {
                    "sample": {
                        "status": "measured",
                        "summary": summary,
                        "meets_target": disclosure_meets_target("sample", summary),
                    }
                },
            }
        },
    }
    text = markdown(results)
    assert "| sample | 1 | 2.0 | 1.5 | 3.5 (3.5–3.5) | 1.8 | 1.5 | 3.0 | 5.0 | – | **no** |" in text
    assert "3 primary and 5 secondary suppressions" in text
    assert "| scenario | runs |" not in text  # no refresh scenario: no empty refresh table


def test_the_disclosure_benchmark_times_protect_and_audit_on_a_warehouse(tmp_path):
    """On the published layer's hand-made mart; the figures' bookkeeping, not their size."""
    from benchmarks.disclosure import main
    from tests.test_published_layer import _mart

    warehouse = tmp_path / "w.duckdb"
    con = _mart()
    con.execute(f"attach '{warehouse}' as copy")
    con.execute("copy from database memory to copy")
    con.execute("detach copy")
    out = tmp_path / "t.json"
    assert main([str(warehouse), str(out), "--repeat", "2"]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert len(result["rounds"]) == 2
    assert all(r["passed"] and r["protect_seconds"] > 0 for r in result["rounds"])
    assert result["primary"] == 4
    assert result["peak_rss_bytes"] > 0


def test_the_guides_benchmark_renders_only_the_guides(tmp_path: Path) -> None:
    from benchmarks.guides import GUIDE_GLOBS, guides_project
    from pipelines.report.project import load_project

    project = guides_project(tmp_path / "reports")
    config = yaml.safe_load((project / "_quarto.yml").read_text("utf-8"))
    assert config["project"]["render"] == list(GUIDE_GLOBS)
    assert "navbar" not in config["website"] and "page-footer" not in config["website"]
    assert config["project"]["post-render"] == "_post_render.py"  # the search index is timed
    assert load_project(project).pages == ()  # the pre-render step writes them
