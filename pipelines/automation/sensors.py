"""Inbox sensor: a new or changed delivery in the data directory starts the refresh job.

The cursor is a fingerprint of the inbox (name, size, modification time of every delivery
file), so an unchanged inbox requests nothing and the same state never runs twice. When it
changed, the refresh planner decides what the run rebuilds (files with known content, e.g. a
renamed copy, request nothing).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg

from pipelines import paths
from pipelines.automation.jobs import refresh_job
from pipelines.automation.plan import plan_refresh
from pipelines.automation.selection import run_request
from pipelines.ingest.identify import delivery_files


def inbox_fingerprint(folder: Path) -> str:
    """A digest that changes whenever a delivery file is added, removed or rewritten."""
    digest = hashlib.sha256()
    for path in delivery_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    name="inbox_sensor",
    job=refresh_job,
    minimum_interval_seconds=300,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Starts a refresh when files in BILDUNGSMONITOR_DATA_DIR are added or changed.",
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    # not the run's settings resource: that one holds the refresh lock while a run executes
    folder = paths.data_dir()
    if not folder.is_dir():
        return dg.SensorResult(skip_reason=f"data directory {folder} does not exist")
    fingerprint = inbox_fingerprint(folder)
    if fingerprint == context.cursor:
        return dg.SensorResult(skip_reason="no new or changed files in the inbox")
    plan = plan_refresh()
    if plan.nothing_to_do:
        return dg.SensorResult(skip_reason="inbox changed, but no new content", cursor=fingerprint)
    return dg.SensorResult(run_requests=[run_request(plan, fingerprint)], cursor=fingerprint)
