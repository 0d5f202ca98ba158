"""The code location: one Definitions object built from the parts in this package."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from pipelines.assets.dbt import bildungsmonitor_dbt_assets, dbt_project, published_dbt_assets
from pipelines.assets.landing import inbox
from pipelines.assets.mart_checks import mart_checks
from pipelines.assets.published import disclosure_audit, geheimhaltung
from pipelines.assets.raw import raw_tables
from pipelines.assets.report import release, report_site
from pipelines.dbt_manifest import dbt_executable
from pipelines.jobs import refresh_job
from pipelines.notify import refresh_failure_email
from pipelines.resources import DataDirResource, WarehouseResource
from pipelines.schedules import monthly_refresh
from pipelines.sensors import inbox_sensor

defs = dg.Definitions(
    assets=[
        inbox,
        raw_tables,
        bildungsmonitor_dbt_assets,
        geheimhaltung,
        published_dbt_assets,
        report_site,
        release,
    ],
    asset_checks=[*mart_checks, disclosure_audit],
    jobs=[refresh_job],
    schedules=[monthly_refresh],
    sensors=[inbox_sensor, refresh_failure_email],
    resources={
        "warehouse": WarehouseResource(),
        "data_dir": DataDirResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    },
    executor=dg.in_process_executor,
)
