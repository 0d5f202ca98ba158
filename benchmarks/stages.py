"""The time split of one refresh by stage, read afterwards from its Dagster run.

The refresh job executes in process, one step after the other, so step durations add up:
what the run took beyond its steps is Dagster's own work between steps, and what the process
took before the run started is start-up (imports, definitions load, run creation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

STAGES: tuple[str, ...] = (
    "startup",
    "inbox",
    "raw",
    "dbt_build",
    "dbt_docs",
    "checks",
    "published",
    "report",
    "release",
    "between_steps",
    "teardown",
)
"""Stages in pipeline order; ``dbt_docs`` is the ``dbt docs generate`` tail of the dbt step."""

DBT_STEP_MARKER = "dbt_assets"


@dataclass(frozen=True)
class StepTiming:
    key: str
    start: float | None
    end: float | None
    status: str

    @property
    def seconds(self) -> float:
        if self.start is None or self.end is None:
            return 0.0
        return self.end - self.start


@dataclass(frozen=True)
class RunTiming:
    """Epoch seconds of the Dagster run and its steps, plus the last dbt event's time."""

    run_id: str
    status: str
    start: float
    end: float
    steps: tuple[StepTiming, ...]
    last_dbt_event: float | None = None


def stage_of(step_key: str) -> str:
    """The stage a step of the refresh job belongs to, by the job's step naming."""
    if step_key == "inbox":
        return "inbox"
    if step_key.startswith("raw_"):  # raw_tables; one step per table (and pandera) in older results
        return "checks" if step_key.endswith("_pandera_schema") else "raw"
    if step_key in {"published_tables", "geheimhaltung", "published_dbt_assets"}:
        return "published"  # the disclosure decision and the published dbt models
    if DBT_STEP_MARKER in step_key:
        return "dbt_build"
    if step_key == "report_site":
        return "report"
    if step_key == "release":
        return "release"
    return "checks"  # mart_checks, disclosure_audit; older results: marts__<model>_<check>, …


def split_stages(run: RunTiming, process_start: float, process_end: float) -> dict[str, float]:
    """Seconds per stage (keys of ``STAGES``) of one refresh process and its run."""
    split = dict.fromkeys(STAGES, 0.0)
    for step in run.steps:
        stage = stage_of(step.key)
        seconds = step.seconds
        if stage == "dbt_build" and run.last_dbt_event is not None and step.end is not None:
            docs = max(0.0, step.end - run.last_dbt_event)
            split["dbt_docs"] += docs
            seconds -= docs
        split[stage] += seconds
    split["startup"] = max(0.0, run.start - process_start)
    split["teardown"] = max(0.0, process_end - run.end)
    in_steps = sum(step.seconds for step in run.steps)
    split["between_steps"] = max(0.0, (run.end - run.start) - in_steps)
    return split


def step_seconds(run: RunTiming) -> dict[str, float]:
    """Every step's duration by step key (raw assets individually)."""
    return {step.key: step.seconds for step in run.steps}


def read_run(dagster_home: Path, since: float) -> RunTiming | None:
    """The latest run created in ``dagster_home`` at or after ``since`` (epoch seconds)."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        records = instance.get_run_records(limit=1)
        if not records or records[0].start_time is None:
            return None
        record = records[0]
        if record.create_timestamp.timestamp() < since - 1:
            return None
        run_id = record.dagster_run.run_id
        steps = tuple(
            StepTiming(s.step_key, s.start_time, s.end_time, s.status.value)
            for s in instance.get_run_step_stats(run_id)
        )
        return RunTiming(
            run_id=run_id,
            status=record.dagster_run.status.value,
            start=record.start_time,
            end=record.end_time or record.start_time,
            steps=steps,
            last_dbt_event=_last_event_time(instance, run_id, (s.key for s in steps)),
        )


def _last_event_time(instance, run_id: str, step_keys: Iterable[str]) -> float | None:
    """When dbt reported its last model or test: after it, the step generates the docs."""
    import dagster as dg

    dbt_steps = {key for key in step_keys if DBT_STEP_MARKER in key}
    if not dbt_steps:
        return None
    kinds = {
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    }
    times = [
        entry.timestamp
        for entry in instance.all_logs(run_id, of_type=kinds)
        if entry.step_key in dbt_steps
    ]
    return max(times) if times else None
