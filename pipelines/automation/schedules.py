"""The working group's monthly refresh: 1st of the month, 06:00 Berlin time.

The tick asks the refresh planner what changed since the last released run and requests
just that part of the ``refresh`` job — or skips the month when nothing changed.
"""

from __future__ import annotations

import dagster as dg

from pipelines.automation.jobs import refresh_job
from pipelines.automation.plan import plan_refresh
from pipelines.automation.selection import run_request


@dg.schedule(
    name="monthly_refresh",
    job=refresh_job,
    cron_schedule="0 6 1 * *",
    execution_timezone="Europe/Berlin",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Monthly refresh: whatever changed in sources, models or report, and what "
    "depends on it.",
)
def monthly_refresh(context: dg.ScheduleEvaluationContext):
    plan = plan_refresh()
    if plan.nothing_to_do:
        return dg.SkipReason("Nichts geändert seit dem letzten Lauf.")
    return run_request(plan)
