"""The one job every entry point starts: the CLI, the monthly schedule, the inbox sensor, the UI."""

from __future__ import annotations

import dagster as dg

refresh_job = dg.define_asset_job(
    name="refresh",
    selection=dg.AssetSelection.all(),
    description="Full refresh: inbox → raw → dbt build → checks → report → release.",
)
