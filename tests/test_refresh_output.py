"""What ``bildungsmonitor refresh`` prints: stages and a short summary, the logs in a file.

The unit tests run small Dagster jobs through the same console machinery; the end-to-end
tests run the console script on the bundled sample in a subprocess (stdout is a pipe, as in
cron or CI), with their own warehouse, site and DAGSTER_HOME.
"""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipelines.assets.dbt import DBT_ASSETS, attach_singular_tests, dbt_project
from pipelines.command_line.progress import STAGE_LABELS, prune_run_logs, run_output
from pipelines.command_line.run_refresh import planned_per_step, user_message
from tests.conftest import CLI, LATE_FILE, SAMPLE, Released, copy_workspace

ANSI = "\x1b["
OBSERVATION_WARNING = "Logging an `AssetObservation`"


# ------------------------------------------------------------------ dbt tests as asset checks


def _node(name: str, kind: str, parents: list[str], **extra: object) -> dict:
    return {
        "name": name,
        "resource_type": kind,
        "package_name": "p",
        "depends_on": {"nodes": parents},
        "config": {},
        **extra,
    }


def test_a_singular_test_is_attached_to_the_parent_it_guards():
    seed, fct, other = "seed.p.catalogue", "model.p.fct", "model.p.other"
    manifest = {
        "nodes": {
            seed: _node("catalogue", "seed", []),
            fct: _node("fct", "model", [seed]),
            other: _node("other", "model", []),
            "test.p.downstream": _node("downstream", "test", [seed, fct]),
            "test.p.independent": _node("independent", "test", [seed, other]),
            "test.p.declared": _node(
                "declared", "test", [seed, fct], config={"meta": {"dagster": {"ref": "x"}}}
            ),
            "test.p.generic": _node("generic", "test", [seed, fct], attached_node=seed),
        },
        "parent_map": {seed: [], fct: [seed], other: []},
    }

    nodes = attach_singular_tests(manifest)["nodes"]

    def ref(test: str) -> object:
        return nodes[f"test.p.{test}"]["config"].get("meta", {}).get("dagster", {}).get("ref")

    assert ref("downstream") == {"name": "fct", "package": "p"}  # fct reads the catalogue
    assert ref("independent") == {"name": "catalogue", "package": "p"}  # the most upstream
    assert ref("declared") == "x"  # what the test's config says wins
    assert ref("generic") is None  # dbt attaches generic tests itself
    assert manifest["nodes"]["test.p.downstream"]["config"] == {}  # the input is not changed


def test_every_dbt_test_of_the_project_is_an_asset_check():
    """A test that is no check would run as a mere observation, with a warning per run, and
    could block nothing."""
    import json

    manifest = json.loads(dbt_project.manifest_path.read_bytes())
    tests = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    checks = {
        spec.metadata["dagster_dbt/unique_id"]
        for assets in DBT_ASSETS  # the marts' step and the published models' step
        for spec in assets.check_specs
    }
    assert tests, "the project has dbt tests"
    assert tests - checks == set()


def test_the_plan_of_a_report_only_run_counts_its_steps():
    from pipelines.automation.plan import RefreshPlan
    from pipelines.automation.selection import selected_keys
    from pipelines.definitions import defs

    planned = planned_per_step(defs, selected_keys(RefreshPlan(report=True)))
    # the report with its downloads audit and six release checks, then release
    assert planned == {"report_site": 8, "release": 1}
    full = planned_per_step(defs, None)
    partial = planned_per_step(defs, selected_keys(RefreshPlan(raw_tables={"ba__sgb2"})))
    assert 0 < partial["bildungsmonitor_dbt_assets"] < full["bildungsmonitor_dbt_assets"]


# ------------------------------------------------------------------ messages of failed runs


@dataclass
class _Error:
    message: str
    cls_name: str | None
    cause: "_Error | None" = None


def test_a_failure_message_is_the_users_own_exception_without_dagsters_wrapper():
    ingest = _Error(
        "pipelines.ingest.errors.IngestError: itnrw: a.csv, row 12: truncated file\n", "IngestError"
    )
    step = 'Error occurred while executing op "inbox":'
    wrapped = _Error(step, "DagsterExecutionStepExecutionError", ingest)
    assert user_message(wrapped) == "itnrw: a.csv, row 12: truncated file"

    dbt = _Error(
        "dagster_dbt.errors.DagsterDbtCliRuntimeError: The dbt CLI process with command\n\n"
        "`dbt build --select a b c`\n\nfailed with exit code `1`.\n\n"
        "Errors parsed from dbt logs:\n\nFailure in test x (tests/x.sql)\n  Got 2 results",
        "DagsterDbtCliRuntimeError",
    )
    assert user_message(dbt) == "Failure in test x (tests/x.sql)\n  Got 2 results"


# ------------------------------------------------------------------ the console of a run


@dg.asset(check_specs=[dg.AssetCheckSpec("plausibel", asset="landing")])
def landing(context: dg.AssetExecutionContext):
    print("chatter a library prints")
    context.log.warning("a warning for the log file")
    yield dg.Output(1)
    yield dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN)


@dg.asset(deps=[landing])
def rohdaten() -> None:
    if os.environ.get("BM_TEST_FAIL"):
        raise ValueError("lieferung.csv, Zeile 3: kaputt")


@dg.asset(deps=[rohdaten])
def bericht() -> None:
    return None


def _run_small_job(tmp_path: Path, *, verbose: bool = False) -> tuple[bool, Path, object]:
    defs = dg.Definitions(assets=[landing, rohdaten, bericht])
    log = tmp_path / "logs" / "refresh-test.log"
    planned = {"landing": 2, "rohdaten": 1, "bericht": 1}
    with run_output(log, planned, verbose=verbose) as output:
        merged = dg.Definitions.merge(defs, dg.Definitions(loggers=output.logger_defs()))
        result = merged.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
            run_config=output.run_config(),
        )
    return result.success, log, output.progress


def test_a_run_shows_one_line_per_stage_and_logs_everything_else(tmp_path, capsys):
    success, log, _progress = _run_small_job(tmp_path)
    console = capsys.readouterr()

    assert success
    lines = console.out.splitlines()
    assert [line.split()[0] for line in lines] == ["landing", "rohdaten", "bericht"]
    assert "fertig: 1 Asset, 1 Prüfung (1 mit Warnung)" in lines[0]
    assert console.err == ""
    text = log.read_text(encoding="utf-8")
    assert "chatter a library prints" in text and "a warning for the log file" in text
    assert "STEP_SUCCESS" in text  # Dagster's own events, at debug level


def test_verbose_sends_the_logs_to_the_console_too(tmp_path, capsys):
    _run_small_job(tmp_path, verbose=True)
    console = capsys.readouterr()
    assert "chatter a library prints" in console.out
    assert "a warning for the log file" in console.err
    assert "landing                    fertig" in console.out


def test_a_failed_stage_says_so_and_the_rest_is_not_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BM_TEST_FAIL", "1")
    success, log, progress = _run_small_job(tmp_path)
    console = capsys.readouterr()
    assert not success
    assert re.search(r"^rohdaten +FEHLER", console.out, re.MULTILINE)
    assert "Traceback" not in console.out + console.err and "kaputt" not in console.out
    assert progress.not_run() == ["bericht"]
    assert "lieferung.csv, Zeile 3: kaputt" in log.read_text(encoding="utf-8")


def test_only_the_newest_run_logs_are_kept(tmp_path):
    names = [f"refresh-2026120{day}-060000-abcdef0{day}.log" for day in range(1, 6)]
    for name in names:
        (tmp_path / name).write_text("log", encoding="utf-8")
    prune_run_logs(tmp_path, keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == names[2:]


# ------------------------------------------------------------------ end to end


def _env(tmp: Path, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "FORCE_COLOR"}}
    env.update(
        BILDUNGSMONITOR_DATA_DIR=str(data_dir),
        BILDUNGSMONITOR_WAREHOUSE=str(tmp / "warehouse" / "bm.duckdb"),
        BILDUNGSMONITOR_SITE_DIR=str(tmp / "site"),
        DAGSTER_HOME=str(tmp / "dagster_home"),
    )
    return env


def _refresh(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), "refresh", *args], env=env, capture_output=True, text=True, timeout=900
    )


def _run_log(result: subprocess.CompletedProcess) -> Path:
    found = re.search(r"^Protokoll[^:]*: (.+)$", result.stdout + result.stderr, re.MULTILINE)
    assert found, result.stdout + result.stderr
    return Path(found.group(1))


@pytest.fixture(scope="module")
def first_refresh(
    tmp_path_factory, released_sample_without_late: Released
) -> tuple[Path, dict[str, str], subprocess.CompletedProcess]:
    """A copy of the session's released sample without ``LATE_FILE`` (delivered later: the
    verbose test's partial run), and what its first refresh printed."""
    source = released_sample_without_late.path
    tmp = copy_workspace(source, tmp_path_factory.mktemp("refresh_output") / "w")
    return tmp, _env(tmp, tmp / "inbox"), released_sample_without_late.first_refresh


@pytest.mark.e2e
def test_a_full_refresh_prints_stages_and_a_short_summary(released_sample_without_late):
    tmp, result = released_sample_without_late.path, released_sample_without_late.first_refresh
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert len(output.splitlines()) <= 40, output
    assert ANSI not in output
    for noise in ("WARNING", "dagster - ", "AssetObservation", "Traceback", "PASS="):
        assert noise not in output, noise
    for label in STAGE_LABELS.values():  # every stage of a full run: one line each
        stage = re.compile(rf"^{re.escape(label)} +fertig")
        assert len([line for line in result.stdout.splitlines() if stage.match(line)]) == 1
    quality_page = re.escape(str(tmp / "_qualitaet" / "index.html"))
    assert re.search(
        rf"^\d+ Warnungen \(Plausibilität der Veränderung zum Vorjahr\) → {quality_page}$",
        result.stdout,
        re.MULTILINE,
    ), result.stdout
    assert f"Bericht freigegeben: {tmp / 'site' / 'index.html'}" in result.stdout

    log = _run_log(result)
    assert log.parent == tmp / "dagster_home" / "logs"
    text = log.read_text(encoding="utf-8")
    assert "Running dbt command" in text and re.search(r"Done\. PASS=\d+ WARN=", text)
    assert ANSI not in text
    assert OBSERVATION_WARNING not in text  # every dbt test that ran was a selected check


@pytest.mark.e2e
def test_verbose_shows_dbt_and_dagster_logs_of_a_partial_run(first_refresh):
    tmp, env, first = first_refresh
    assert first.returncode == 0
    shutil.copyfile(SAMPLE / LATE_FILE, tmp / "inbox" / LATE_FILE)

    result = _refresh(env, "--verbose")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "neue Dateien im Eingang: arbeitslose_2025.xlsx" in output
    assert re.search(r"^\d+ of \d+ START ", result.stdout, re.MULTILINE)  # dbt's node log
    assert re.search(r" - INFO - refresh - .* Running dbt command", result.stderr)  # Dagster's
    assert ANSI not in output
    # a partial run names its tests: none runs outside the run's check selection
    assert OBSERVATION_WARNING not in _run_log(result).read_text(encoding="utf-8")


@pytest.mark.e2e
def test_a_bad_input_file_fails_in_a_few_lines_naming_the_file(first_refresh, tmp_path):
    _tmp, env, first = first_refresh
    assert first.returncode == 0
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    genesis_file = inbox / "itnrw" / "21111-02-06-4_2015-2021.csv"
    lines = genesis_file.read_bytes().splitlines(keepends=True)
    genesis_file.write_bytes(b"".join(lines[: len(lines) // 2]))  # a truncated delivery

    result = _refresh(env | {"BILDUNGSMONITOR_DATA_DIR": str(inbox)})

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(rf"{re.escape(genesis_file.name)}, row \d+: truncated file", result.stderr)
    assert "Lauf fehlgeschlagen: Warehouse und Bericht bleiben unverändert." in result.stderr
    assert len(output.splitlines()) <= 12, output
    for noise in ("Traceback", "Stack Trace", "dagster._core", ANSI):
        assert noise not in output, noise
    assert "Stack Trace" in _run_log(result).read_text(encoding="utf-8")
