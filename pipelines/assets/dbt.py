"""dbt models, seeds and tests as Dagster assets (dagster-dbt).

The manifest is prepared at build time (``make dbt-parse``), never parsed on import. dbt runs
against this run's staging copy of the warehouse: the profile reads BILDUNGSMONITOR_WAREHOUSE,
which is set for the dbt subprocess only.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from pipelines import paths
from pipelines.resources import WarehouseResource

dbt_project = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
DOCS_TARGET = paths.DBT_PROJECT_DIR / "target" / "docs"


def dbt_build_args(selection: list[str] | None = None) -> list[str]:
    """The dbt CLI arguments of one build (kept pure so it can be unit-tested)."""
    args = ["build"]
    if selection:
        args += ["--select", *selection]
    return args


@contextmanager
def warehouse_env(path: os.PathLike[str] | str) -> Iterator[None]:
    """Point the dbt profile at ``path`` while the dbt subprocess starts."""
    previous = os.environ.get(paths.ENV_WAREHOUSE)
    os.environ[paths.ENV_WAREHOUSE] = os.fspath(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(paths.ENV_WAREHOUSE, None)
        else:
            os.environ[paths.ENV_WAREHOUSE] = previous


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project)
def bildungsmonitor_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    staging = warehouse.staging_path(context.run_id)
    with warehouse_env(staging):
        invocation = dbt.cli(dbt_build_args(), context=context)
    yield from invocation.stream()
    with warehouse_env(staging):
        # The documentation (catalog.json) is built with every run, for `make dbt-docs`.
        dbt.cli(["docs", "generate"], target_path=DOCS_TARGET, raise_on_error=True).wait()
