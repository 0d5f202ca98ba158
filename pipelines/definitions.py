"""The code location: one Definitions object built from the parts in this package."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.assets.dbt import dbt_project
from pipelines.assets.graph import ASSET_CHECKS, ASSETS
from pipelines.automation.failure_mail import refresh_failure_email
from pipelines.automation.jobs import refresh_job
from pipelines.automation.schedules import monthly_refresh
from pipelines.automation.sensors import inbox_sensor
from pipelines.resources import WarehouseResource
from pipelines.transform.dbt_manifest import dbt_executable

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=ASSET_CHECKS,
    jobs=[refresh_job],
    schedules=[monthly_refresh],
    sensors=[inbox_sensor, refresh_failure_email],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    },
    executor=dg.in_process_executor,
)
