"""Render the Bildungsbericht from the published layer, then release the run's results.

The report is rendered into a staging folder from the run's staging warehouse. Only the
``release`` asset — downstream of every blocking check — swaps the warehouse and the site
into place, so a failed run never damages the last good mart or report.
"""

import shutil

import dagster as dg
import duckdb

from pipelines import paths
from pipelines.assets.published import disclosure_result
from pipelines.publish import write_release_marker
from pipelines.published import audit_from, earlier_editions
from pipelines.resources import WarehouseResource
from pipelines.state import (
    CODE_KEY,
    REPORT_KEY,
    code_fingerprint,
    record_setting,
    report_fingerprint,
)
from quality.quality_report import write_quality_report
from quality.sdc.protect import read_downloads
from quality.sdc.thresholds import Thresholds

PUBLISHED_INPUTS = [dg.AssetKey("published_tables")]
DOWNLOADS_CHECK = "downloads_disclosure_audit"


@dg.asset(
    group_name="report",
    deps=PUBLISHED_INPUTS,
    description="The Quarto website and PDF edition, rendered from published.* into staging.",
    kinds={"quarto"},
    check_specs=[
        dg.AssetCheckSpec(
            DOWNLOADS_CHECK,
            asset="report_site",
            blocking=True,
            description=(
                "The disclosure audit over the rendered site's CSV downloads, exactly as a "
                "reader gets them, with every earlier edition counted as published."
            ),
        )
    ],
)
def report_site(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.report.render import render_site  # heavy imports (nbclient, pandoc) only here

    output = warehouse.staging_site_dir(context.run_id)
    shutil.rmtree(output, ignore_errors=True)
    staging = warehouse.staging_path(context.run_id)
    sources = report_fingerprint()
    result = render_site(
        paths.REPORTS_DIR,
        output,
        env={paths.ENV_WAREHOUSE: str(staging)},
        cache_dir=warehouse.render_cache_dir(),
    )
    downloads = read_downloads(sorted(output.glob("indikatoren/*.csv")))
    earlier = earlier_editions(warehouse.editions_register())
    with duckdb.connect(str(staging)) as con:
        record_setting(con, REPORT_KEY, sources)
        finding = audit_from(con, downloads, Thresholds.from_env(), earlier=earlier)
    return dg.MaterializeResult(
        check_results=[disclosure_result(DOWNLOADS_CHECK, finding)],
        metadata={
            "pages": len(result.pages),
            "pages_from_cache": len(result.cached),
            "renderer": result.renderer,
            "seconds": round(result.seconds, 1),
            "pdf": str(result.pdf) if result.pdf else "",
        },
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
    run = context.instance.get_run_by_id(context.run_id)
    if run is not None and not run.asset_selection:  # every asset ran: the code is current
        with duckdb.connect(str(warehouse.staging_path(context.run_id))) as con:
            record_setting(con, CODE_KEY, code_fingerprint())
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
