"""Render the Bildungsbericht from the published layer, then release the run's results.

The report is rendered into a staging folder from the run's staging warehouse. Only the
``release`` asset — downstream of every blocking check — swaps the warehouse and the site
into place, so a failed run never damages the last good mart or report.
"""

import shutil

import dagster as dg

from pipelines import paths
from pipelines.publish import write_release_marker
from pipelines.resources import WarehouseResource
from quality.quality_report import write_quality_report

PUBLISHED_INPUTS = [dg.AssetKey("published_tables")]


@dg.asset(
    group_name="report",
    deps=PUBLISHED_INPUTS,
    description="The Quarto website and PDF edition, rendered from published.* into staging.",
    kinds={"quarto"},
)
def report_site(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.report.render import render_site  # heavy imports (nbclient, pandoc) only here

    output = warehouse.staging_site_dir(context.run_id)
    shutil.rmtree(output, ignore_errors=True)
    result = render_site(
        paths.REPORTS_DIR,
        output,
        env={paths.ENV_WAREHOUSE: str(warehouse.staging_path(context.run_id))},
    )
    return dg.MaterializeResult(
        metadata={
            "pages": len(result.pages),
            "renderer": result.renderer,
            "pdf": str(result.pdf) if result.pdf else "",
        }
    )


@dg.asset(
    group_name="report",
    deps=[report_site],
    description="Swap this run's warehouse and rendered site into place (atomic renames).",
)
def release(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    write_release_marker(warehouse.staging_site_dir(context.run_id), context.run_id)
    live, site = warehouse.release(context.run_id)
    quality_page = write_quality_report(live, warehouse.quality_dir(), run_id=context.run_id)
    for stale in (live.parent / "staging").glob("*.duckdb"):
        stale.unlink(missing_ok=True)
    context.log.info(f"Released warehouse {live} and report {site}")
    return dg.MaterializeResult(
        metadata={
            "warehouse": str(live),
            "site": str(site),
            "index": str(site / "index.html"),
            "quality_page": str(quality_page),
        }
    )
