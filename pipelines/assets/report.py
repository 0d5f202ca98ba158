"""Render the Bildungsbericht from the published layer, then release the run's results.

The report is rendered into a staging folder from the run's staging warehouse. Only the
``release`` asset — downstream of every blocking check — swaps the warehouse and the site
into place, so a failed run never damages the last good mart or report. The checks on
``report_site`` look at the rendered site itself (``pipelines.report.release_checks``: codes
in the text, figures without caption or alt text, broken links, key figures other than the
published ones, anything loaded from outside) and at its downloads (disclosure audit); each
is also recorded in ``quality.check_results`` for the working group's quality page.
"""

import shutil

import dagster as dg
import duckdb
import pandas as pd

from pipelines import paths
from pipelines.assets.published import disclosure_result
from pipelines.automation.fingerprints import (
    CODE_SETTING,
    REPORT_SETTING,
    code_fingerprint,
    record_setting,
    report_fingerprint,
)
from pipelines.disclosure.decisions import audit_from, earlier_editions
from pipelines.publishing.web_root import write_release_marker
from pipelines.report.contract import SCHEMA, TABLES
from pipelines.report.release_checks import RELEASE_CHECKS, ReleaseCheck, Site
from pipelines.resources import WarehouseResource
from quality.check_results import record_check_result
from quality.outcome import CheckOutcome, markdown_table
from quality.quality_report import write_quality_report
from quality.sdc.protect import Finding, read_downloads

PUBLISHED_INPUTS = [dg.AssetKey([SCHEMA, table]) for table in TABLES]
"""Every published dbt model the pages read (``published/indicator_values`` carries the
blocking disclosure audit: a failure stops the report)."""
DOWNLOADS_CHECK = "downloads_disclosure_audit"
ASSET = "report_site"
SHOWN_ROWS = 20
"""Findings listed in the Dagster UI per check; the quality page shows up to MAX_ROWS."""


@dg.asset(
    group_name="report",
    deps=PUBLISHED_INPUTS,
    description="The Quarto website and PDF edition, rendered from published.* into staging.",
    kinds={"quarto"},
    check_specs=[
        dg.AssetCheckSpec(
            DOWNLOADS_CHECK,
            asset=ASSET,
            blocking=True,
            description=(
                "The disclosure audit over the rendered site's CSV downloads, exactly as a "
                "reader gets them, with every earlier edition counted as published."
            ),
        ),
        *(
            dg.AssetCheckSpec(check.name, asset=ASSET, blocking=True, description=check.description)
            for check in RELEASE_CHECKS
        ),
    ],
)
def report_site(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    from pipelines.report.render import render_site  # heavy imports (nbclient, pandoc) only here

    output = warehouse.staging_site_dir(context.run.run_id)
    shutil.rmtree(output, ignore_errors=True)
    staging = warehouse.staging_path(context.run.run_id)
    sources = report_fingerprint()
    result = render_site(
        paths.REPORTS_DIR,
        output,
        env={paths.ENV_WAREHOUSE: str(staging)},
        cache_dir=warehouse.render_cache_dir(),
        copy_sources=True,  # generated pages go to the copy, never into the checkout
    )
    downloads = read_downloads(sorted(output.glob("indikatoren/*.csv")))
    earlier = earlier_editions(warehouse.editions_register())
    with duckdb.connect(str(staging)) as con:
        record_setting(con, REPORT_SETTING, sources)
        finding = audit_from(con, downloads, warehouse.thresholds(), earlier=earlier)
        site = Site(output)  # each page parsed once for all checks
        outcomes = [release_outcome(check, site, con) for check in RELEASE_CHECKS]
        for outcome in [downloads_outcome(finding), *outcomes]:
            record_outcome(con, outcome, context.run.run_id)
    return dg.MaterializeResult(
        check_results=[
            disclosure_result(DOWNLOADS_CHECK, finding),
            *(check_result(outcome) for outcome in outcomes),
        ],
        metadata={
            "pages": len(result.pages),
            "pages_from_cache": len(result.cached),
            "renderer": result.renderer,
            "seconds": round(result.seconds, 1),
            "pdf": str(result.pdf) if result.pdf else "",
        },
    )


def release_outcome(
    check: ReleaseCheck, site: Site, con: duckdb.DuckDBPyConnection
) -> CheckOutcome:
    """One release check on the rendered site, as a check outcome with its findings."""
    findings = check.run(site, con)
    rows = pd.DataFrame(
        [(f.page, f.what, f.context) for f in findings], columns=["Seite", "Fund", "Kontext"]
    )
    if findings:
        pages = rows["Seite"].nunique()
        shown = ", ".join(dict.fromkeys(f"{f.what} ({f.page})" for f in findings[:5]))
        more = f" und {len(findings) - 5} weitere" if len(findings) > 5 else ""
        summary = (
            f"{len(findings)} {'Fund' if len(findings) == 1 else 'Funde'} auf {pages} "
            f"{'Seite' if pages == 1 else 'Seiten'}: {shown}{more}."
        )
    else:
        summary = f"Keine Funde auf {len(site.pages)} Seiten."
    return CheckOutcome(
        check_name=check.name,
        passed=not findings,
        severity="ERROR",
        summary=summary,
        rows=rows,
        metadata={"seiten_geprueft": len(site.pages)},
    )


def downloads_outcome(finding: Finding) -> CheckOutcome:
    """The downloads' disclosure audit in the quality page's terms."""
    rows = pd.concat(
        [
            finding.small.assign(befund="kleine Fallzahl"),
            finding.narrow.assign(befund="zu enges Intervall"),
        ],
        ignore_index=True,
    )
    if finding.passed:
        summary = (
            "Keine kleine Fallzahl und kein zu enges Intervall in den Downloads "
            f"({finding.hidden} gesperrte Zellen geprüft)."
        )
    else:
        summary = (
            f"{len(finding.small)} kleine Fallzahlen und {len(finding.narrow)} zu enge "
            "Intervalle gesperrter Zellen in den Downloads."
        )
    return CheckOutcome(
        check_name=DOWNLOADS_CHECK,
        passed=finding.passed,
        severity="ERROR",
        summary=summary,
        rows=rows,
        metadata={"gesperrte_zellen": finding.hidden, "lp_loesungen": finding.lp_solves},
    )


def record_outcome(con: duckdb.DuckDBPyConnection, outcome: CheckOutcome, run_id: str) -> None:
    record_check_result(
        con,
        run_id=run_id,
        check_name=outcome.check_name,
        asset_key=ASSET,
        severity=outcome.severity,
        passed=outcome.passed,
        n_failures=outcome.n_failures,
        summary=outcome.summary,
        metadata=outcome.metadata,
        rows=None if outcome.passed else outcome.rows,
    )


def check_result(outcome: CheckOutcome) -> dg.AssetCheckResult:
    """A release check's outcome for Dagster: blocking (ERROR), findings in the UI."""
    metadata: dict[str, object] = {
        "befund": outcome.summary,
        "abweichungen": outcome.n_failures,
        **outcome.metadata,
    }
    if not outcome.passed:
        metadata["funde"] = dg.MetadataValue.md(markdown_table(outcome.rows, SHOWN_ROWS))
    return dg.AssetCheckResult(
        asset_key=ASSET,
        check_name=outcome.check_name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


@dg.asset(
    group_name="report",
    deps=[report_site],
    description="Swap this run's warehouse and rendered site into place (atomic renames).",
)
def release(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    write_release_marker(warehouse.staging_site_dir(context.run.run_id), context.run.run_id)
    run = context.instance.get_run_by_id(context.run.run_id)
    if run is not None and not run.asset_selection:  # every asset ran: the code is current
        with duckdb.connect(str(warehouse.staging_path(context.run.run_id))) as con:
            record_setting(con, CODE_SETTING, code_fingerprint())
    live, site = warehouse.release(context.run.run_id)
    quality_page = write_quality_report(live, warehouse.quality_dir(), run_id=context.run.run_id)
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
