"""Dagster asset for the ``published`` layer, with its blocking disclosure check."""

import dagster as dg
import duckdb
import pandas as pd

from pipelines.published import audit_indicator_values, build_published, earlier_editions
from pipelines.resources import DataDirResource, WarehouseResource
from pipelines.state import PUBLISHED_KEY, published_fingerprint, record_setting
from quality.sdc.protect import Finding
from quality.sdc.thresholds import Thresholds

MART_INPUTS = [
    dg.AssetKey(["marts", "fct_indicator_values"]),
    dg.AssetKey(["marts", "dim_region"]),
    dg.AssetKey(["marts", "mart_schulformwechsel"]),
    dg.AssetKey(["marts", "mart_schulsozialindex"]),
    dg.AssetKey(["marts", "mart_schulsozialindex_gewichte"]),
    dg.AssetKey(["reference", "indicator_catalogue"]),
    dg.AssetKey(["reference", "regions"]),
    dg.AssetKey(["reference", "geheimhaltung"]),
    dg.AssetKey(["reference", "geheimhaltung_ausnahmen"]),
    dg.AssetKey(["reference", "bezeichnungen"]),
]


DISCLOSURE_CHECK = "no_small_counts_or_narrow_intervals"


@dg.asset(
    name="published_tables",
    group_name="published",
    deps=MART_INPUTS,
    kinds={"duckdb"},
    description="published.*: the marts after disclosure control; all the report reads.",
    check_specs=[
        dg.AssetCheckSpec(
            DISCLOSURE_CHECK,
            asset="published_tables",
            blocking=True,
            description=(
                "LP audit over all published indicator cells and earlier editions: no "
                "protected count below the threshold is shown, and every suppressed cell's "
                "feasible interval is at least the protection interval wide."
            ),
        )
    ],
)
def published_tables(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, data_dir: DataDirResource
) -> dg.MaterializeResult:
    """Build the published layer, then audit it in the same step: a failed audit (ERROR)
    fails the step, so the report never reads what it found."""
    run_id = context.run.run_id
    geometry = sorted((data_dir.resolved() / "geo").glob("*.geojson"))
    thresholds = Thresholds.from_env()
    earlier = earlier_editions(warehouse.editions_register())
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        counts, values = build_published(
            con, geometry[0] if geometry else None, thresholds, earlier=earlier
        )
        fingerprint = published_fingerprint(data_dir.resolved(), warehouse.editions_register())
        record_setting(con, PUBLISHED_KEY, fingerprint)
        finding = audit_indicator_values(con, thresholds, earlier=earlier)
    return dg.MaterializeResult(
        metadata={
            **{f"rows_{name}": n for name, n in counts.items()},
            "suppressed_primary": values.primary,
            "suppressed_secondary": values.secondary,
            "already_public_in_earlier_editions": values.already_public,
            "min_count": thresholds.count,
            "min_denominator": thresholds.denominator,
            "protection_interval": thresholds.width,
        },
        check_results=[disclosure_result(DISCLOSURE_CHECK, finding)],
    )


def disclosure_result(name: str, finding: Finding) -> dg.AssetCheckResult:
    """The audit as a blocking check result, with the offending cells for the UI."""
    return dg.AssetCheckResult(
        check_name=name,
        passed=finding.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "small_counts": len(finding.small),
            "narrow_intervals": len(finding.narrow),
            "hidden_cells_audited": finding.hidden,
            "lp_solves": finding.lp_solves,
            "offending_cells": dg.MetadataValue.md(
                pd_markdown(finding.small.head(20)) + "\n\n" + pd_markdown(finding.narrow.head(20))
            ),
        },
    )


def pd_markdown(frame: pd.DataFrame) -> str:
    """A small Markdown table for the Dagster UI (no tabulate dependency)."""
    if frame.empty:
        return "_none_"
    columns = list(frame.columns)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for _, r in frame.iterrows()]
    return "\n".join(lines)
