"""The one job every entry point starts: the CLI, the monthly schedule, the inbox sensor, the UI."""

from __future__ import annotations

import dagster as dg

from pipelines.publishing.faults import pause_point


@dg.success_hook
def pause_after_step(context: dg.HookContext) -> None:
    """A step boundary where the crash tests can kill the run (``pipelines.publishing.faults``)."""
    pause_point(f"after:{context.step_key}")


refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all(),
    description="Full refresh: inbox → raw → dbt build → checks → report → release.",
    hooks={pause_after_step},
)
