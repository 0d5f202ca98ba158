"""The working group's monthly refresh: 1st of the month, 06:00 Berlin time."""

from __future__ import annotations

import dagster as dg

from pipelines.jobs import refresh_job

monthly_refresh = dg.ScheduleDefinition(
    name="monthly_refresh",
    job=refresh_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="Europe/Berlin",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Monthly full refresh of all sources, checks and the report.",
)
