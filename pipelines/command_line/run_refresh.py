"""Run the refresh job in-process and tell the user, briefly, what happened.

The console gets one line per stage while the run goes (``pipelines.command_line.progress``) and
then a few lines: what ran and changed, the warnings counted with where to read them, and for a
failed run the failing step's or check's own message — the file, row and column of a broken
delivery, the finding of a failed check — instead of Dagster's stack traces. Those, dbt's
node log and every Dagster event are in the run's log file, whose path the summary names.
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

import dagster as dg

from pipelines import paths
from pipelines.automation.plan import RefreshPlan
from pipelines.command_line.progress import (
    RunProgress,
    counted,
    german_seconds,
    run_log_path,
    run_output,
    stage_label,
)
from pipelines.publishing.cleanup import run_tags

MAX_MESSAGE_LINES = 12
"""Lines of one failure message on the console; the run log has all of them."""
MAX_LINE_CHARS = 300
CHECK_FAILED = "DagsterAssetCheckFailedError"
DBT_ERRORS = "Errors parsed from dbt logs:"
"""dagster-dbt's failure message: the dbt command, then dbt's own error lines after this."""


def run_refresh(plan: RefreshPlan | None = None, *, verbose: bool = False) -> int:
    """Execute the ``refresh`` job (the plan's part of it) on the persistent instance.

    Returns 0 on success, 1 otherwise. Without a plan, every asset runs. ``verbose`` also
    sends dbt's and Dagster's logs to the console.
    """
    from pipelines.automation.selection import selected_keys
    from pipelines.command_line.dagster_home import ensure_dagster_home
    from pipelines.definitions import defs

    selection = selected_keys(plan) if plan is not None else None
    run_id = str(uuid.uuid4())  # chosen here: the log file is named before the run starts
    log_path = run_log_path(ensure_dagster_home(), run_id)
    print(f"Lauf {run_id[:8]} gestartet (Protokoll: {log_path})", flush=True)
    started = time.monotonic()
    expected = planned_per_step(defs, selection)
    with run_output(log_path, expected, verbose=verbose) as output:
        loggers = dg.Definitions(loggers=output.logger_defs())
        job = dg.Definitions.merge(defs, loggers).resolve_job_def("refresh")
        with dg.DagsterInstance.get() as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                asset_selection=selection,
                run_id=run_id,
                run_config=output.run_config(),
                tags=run_tags(paths.warehouse_path()),  # found if the process gets killed
            )
            outcome = RunOutcome(result, output.progress, log_path, time.monotonic() - started)
            if not result.success:
                outcome.quality_page = _quality_page_of_failed_run(result.run_id)
                outcome.notes += _notify(instance, result)
    print_summary(outcome, sys.stdout, sys.stderr)
    with log_path.open("a", encoding="utf-8") as log:
        print_summary(outcome, log, log)
    return 0 if result.success else 1


def planned_per_step(
    defs: dg.Definitions, selection: Sequence[dg.AssetKey] | None
) -> dict[str, int]:
    """Materialisations and check evaluations each step of the run is expected to report:
    the length of its progress bar. Checks run with the asset they check (Dagster's default
    check selection)."""
    all_keys = set(defs.resolve_all_asset_keys())
    selected = all_keys if selection is None else set(selection)
    planned: dict[str, int] = {}
    for definition in [*(defs.assets or []), *(defs.asset_checks or [])]:
        if not isinstance(definition, dg.AssetsDefinition):
            continue
        count = len(selected & set(definition.keys))
        count += sum(1 for spec in definition.check_specs if spec.asset_key in selected)
        if count:
            step = definition.node_def.name
            planned[step] = planned.get(step, 0) + count
    return planned


class ErrorInfo(Protocol):
    """What Dagster records of an exception (its ``SerializableErrorInfo``)."""

    message: str
    cls_name: str | None
    cause: ErrorInfo | None


@dataclass
class RunOutcome:
    """What the summary needs of a finished run."""

    result: dg.ExecuteInProcessResult
    progress: RunProgress
    log_path: Path
    seconds: float
    quality_page: Path | None = None
    notes: tuple[str, ...] = ()


def _quality_page_of_failed_run(run_id: str) -> Path | None:
    """Show the working group every check of the failed run (its staging warehouse is kept)."""
    from pipelines.resources import WarehouseResource
    from quality.quality_report import write_quality_report

    warehouse = WarehouseResource()
    staging = warehouse.staging_file()
    if not staging.exists() or warehouse.staging_owner() != run_id:
        return None
    try:
        return write_quality_report(staging, warehouse.quality_dir(), run_id=run_id)
    except Exception as error:  # no check ran (e.g. the inbox failed): nothing to show
        print(f"Qualitätsbericht nicht geschrieben: {error}", file=sys.stderr)  # → run log
        return None


def _notify(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> tuple[str, ...]:
    """E-mail the working group: run-failure sensors do not see in-process runs."""
    from pipelines.automation.failure_mail import notify_run_failure

    try:
        notify_run_failure(instance, result.dagster_run)
    except Exception as error:  # a mail problem must not hide the run's own summary
        return (f"E-Mail-Benachrichtigung fehlgeschlagen: {error}",)
    return ()


def print_summary(outcome: RunOutcome, out: TextIO, err: TextIO) -> None:
    """The few lines after the stages: success to ``out``, a failure's account to ``err``."""
    from pipelines.resources import WarehouseResource

    result = outcome.result
    warehouse = WarehouseResource()
    quality_page = outcome.quality_page or warehouse.quality_dir() / "index.html"
    materialised = [e.asset_key for e in result.get_asset_materialization_events()]
    evaluations = result.get_asset_check_evaluations()
    warned = [e for e in evaluations if not e.passed and e.severity == dg.AssetCheckSeverity.WARN]
    failed = [e for e in evaluations if not e.passed and e.severity != dg.AssetCheckSeverity.WARN]
    checks = counted(len(evaluations), "Prüfung", "Prüfungen")
    if warned:
        checks += f" ({len(warned)} mit Warnung)"
    if result.success:
        print(
            f"Fertig in {german_seconds(outcome.seconds)}: "
            f"{counted(len(materialised), 'Asset', 'Assets')} neu gebaut, {checks}.",
            file=out,
        )
        if dg.AssetKey("release") in materialised:
            print(f"Bericht freigegeben: {warehouse.live_site_dir() / 'index.html'}", file=out)
        for line in _revisions(warehouse.live_path(), result.run_id):
            print(line, file=out)
    for line in warning_lines(warned, quality_page, outcome.log_path):
        print(line, file=out)
    if not result.success:
        for line in failure_lines(result, failed, quality_page):
            print(line, file=err)
        not_run = outcome.progress.not_run()
        if not_run:
            print(f"Nicht ausgeführt: {', '.join(not_run)}", file=err)
        print("Lauf fehlgeschlagen: Warehouse und Bericht bleiben unverändert.", file=err)
    for note in outcome.notes:
        print(note, file=err)
    stream = out if result.success else err
    details = "" if result.success else " (mit Stacktrace)"
    print(f"Protokoll{details}: {outcome.log_path}", file=stream)
    out.flush()
    err.flush()


def _revisions(live: Path, run_id: str) -> list[str]:
    """Revised figures this run accepted (``pipelines.ingest.revisions``), at most five lines."""
    import duckdb

    from pipelines.ingest.revisions import revision_lines

    if not live.exists():
        return []
    with duckdb.connect(str(live), read_only=True) as con:
        lines = revision_lines(con, run_id=run_id)
    if len(lines) > 5:
        lines = [*lines[:4], f"… und {len(lines) - 4} weitere Revisionen (Qualitätsseite)"]
    return lines


def warning_lines(
    warned: Sequence[dg.AssetCheckEvaluation], quality_page: Path, log_path: Path
) -> list[str]:
    """One line per check that warned: how many findings, and where to read them (the
    quality page for the pipeline's own checks, the run log for dbt tests)."""
    lines = []
    for evaluation in warned:
        count = _findings(evaluation.metadata)
        where = log_path if _is_dbt_test(evaluation) else quality_page
        lines.append(f"{counted(count, 'Warnung', 'Warnungen')} ({_label(evaluation)}) → {where}")
    return lines


def failure_lines(
    result: dg.ExecuteInProcessResult,
    failed: Sequence[dg.AssetCheckEvaluation],
    quality_page: Path,
) -> list[str]:
    """The failed checks with their finding, then each failed step with its own message."""
    lines = []
    for evaluation in failed:
        lines.append(
            f"Prüfung fehlgeschlagen: {_label(evaluation)} "
            f"[{evaluation.check_name} auf {evaluation.asset_key.to_user_string()}]"
        )
        lines += [f"  {line}" for line in _finding(evaluation)]
        if not _is_dbt_test(evaluation) and quality_page.is_file():
            lines.append(f"  Einzelheiten: {quality_page}")
    shown: set[str] = set()
    for where, error in failure_errors(result):
        if failed and error.cls_name == CHECK_FAILED:
            continue  # Dagster's "blocking check failed": the checks above say which and why
        message = user_message(error)
        if message in shown:
            continue
        shown.add(message)
        lines.append(f"FEHLER in {where}:")
        lines += [f"  {line}" for line in _clipped(message)]
    return lines


def failure_errors(result: dg.ExecuteInProcessResult) -> list[tuple[str, ErrorInfo]]:
    """(where, error) of every failure event of the run: the failed steps, a resource that
    could not start, the run itself."""
    errors = []
    for event in result.all_events:
        error: ErrorInfo | None = None
        if event.is_step_failure:
            error, where = event.step_failure_data.error, stage_label(event.step_key or "")
        elif event.is_resource_init_failure:
            error, where = event.engine_event_data.error, stage_label(event.step_key or "Lauf")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            error, where = event.job_failure_data.error, "Lauf"
        if error is not None:
            errors.append((where, error))
    return errors


def user_message(error: ErrorInfo) -> str:
    """The message of the first exception that is not one of Dagster's wrappers, without
    its class name (``pipelines.ingest.errors.IngestError: itnrw: x.csv, row 3: …`` →
    ``itnrw: x.csv, row 3: …``); of a failed dbt command only dbt's own error lines."""
    while error.cause is not None and (error.cls_name or "").startswith("Dagster"):
        error = error.cause  # a wrapper (step execution, resource function) around it
    message = error.message.strip()
    if error.cls_name:
        message = re.sub(rf"^[\w.]*\b{re.escape(error.cls_name)}: ", "", message)
    if DBT_ERRORS in message:
        message = message.split(DBT_ERRORS, 1)[1].strip()
    return message


def _clipped(message: str) -> list[str]:
    """A message's non-empty lines, at most ``MAX_MESSAGE_LINES`` of ``MAX_LINE_CHARS``."""
    lines = [line for line in message.splitlines() if line.strip()]
    lines = [line[:MAX_LINE_CHARS] + " …" if len(line) > MAX_LINE_CHARS else line for line in lines]
    if len(lines) > MAX_MESSAGE_LINES:
        rest = len(lines) - MAX_MESSAGE_LINES
        lines = [*lines[:MAX_MESSAGE_LINES], f"… {rest} weitere Zeilen im Protokoll"]
    return lines or ["(keine Meldung)"]


def _finding(evaluation: dg.AssetCheckEvaluation) -> list[str]:
    """A failed check's own account: its finding (``befund``), description, or the counts
    in its metadata — not the tables of rows, which the quality page shows."""
    metadata = _plain(evaluation.metadata)
    if "befund" in metadata:
        return _clipped(str(metadata["befund"]))
    if evaluation.description:
        return _clipped(evaluation.description)
    if "dagster_dbt/failed_row_count" in metadata:
        return [f"{metadata['dagster_dbt/failed_row_count']} Zeilen verletzen den dbt-Test"]
    counts = [f"{k}: {v}" for k, v in metadata.items() if isinstance(v, int | float)]
    return [", ".join(counts)] if counts else []


def _plain(metadata: Mapping[str, object] | None) -> dict[str, object]:
    return {key: getattr(value, "value", value) for key, value in (metadata or {}).items()}


def _findings(metadata: Mapping[str, object] | None) -> int:
    """How many rows a check flagged: the pipeline's checks record ``abweichungen``,
    dagster-dbt the failed row count of a dbt test."""
    plain = _plain(metadata)
    for key in ("abweichungen", "dagster_dbt/failed_row_count"):
        if isinstance(plain.get(key), int):
            return int(plain[key])  # type: ignore[arg-type]
    return 1


def _label(evaluation: dg.AssetCheckEvaluation) -> str:
    from quality.quality_report import CHECK_LABELS

    if _is_dbt_test(evaluation):
        return f"dbt-Test {evaluation.check_name}"
    return CHECK_LABELS.get(evaluation.check_name, evaluation.check_name)


def _is_dbt_test(evaluation: dg.AssetCheckEvaluation) -> bool:
    from pipelines.assets.dbt import dbt_check_keys

    return evaluation.asset_check_key in dbt_check_keys()
