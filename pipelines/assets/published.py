"""Dagster asset for the ``published`` layer, with its blocking disclosure check."""

import dagster as dg
import duckdb
import pandas as pd

from pipelines.published import Thresholds, audit_indicator_values, build_published
from pipelines.resources import DataDirResource, WarehouseResource
from pipelines.state import PUBLISHED_KEY, published_fingerprint, record_setting

MART_INPUTS = [
    dg.AssetKey(["marts", "fct_indicator_values"]),
    dg.AssetKey(["marts", "dim_region"]),
    dg.AssetKey(["marts", "mart_schulformwechsel"]),
    dg.AssetKey(["marts", "mart_schulsozialindex"]),
    dg.AssetKey(["marts", "mart_schulsozialindex_gewichte"]),
    dg.AssetKey(["reference", "indicator_catalogue"]),
    dg.AssetKey(["reference", "regions"]),
]


DISCLOSURE_CHECK = "no_small_counts_or_derivable_cells"


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
            description="No small-area figure below the threshold; no suppressed cell derivable.",
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
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        counts, values = build_published(con, geometry[0] if geometry else None, thresholds, run_id)
        record_setting(con, PUBLISHED_KEY, published_fingerprint(data_dir.resolved()))
        small, derivable = audit_indicator_values(con, thresholds, run_id=run_id)
    return dg.MaterializeResult(
        metadata={
            **{f"rows_{name}": n for name, n in counts.items()},
            "indicators_protected": len(values.rebuilt),
            "indicators_kept": dg.MetadataValue.json(list(values.kept)),
            "min_count": thresholds.count,
            "min_denominator": thresholds.denominator,
        },
        check_results=[_disclosure_result(small, derivable)],
    )


def _disclosure_result(small: pd.DataFrame, derivable: pd.DataFrame) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=DISCLOSURE_CHECK,
        passed=small.empty and derivable.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "small_counts": len(small),
            "derivable_cells": len(derivable),
            "offending_rows": dg.MetadataValue.md(
                pd_markdown(small.head(20)) + "\n\n" + pd_markdown(derivable.head(20))
            ),
        },
    )


def pd_markdown(frame: pd.DataFrame) -> str:
    """A small Markdown table for the Dagster UI (no tabulate dependency)."""
    if frame.empty:
        return "_none_"
    columns = [
        c for c in ("indicator_id", "region_key", "period", "value", "numerator") if c in frame
    ]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for _, r in frame.iterrows()]
    return "\n".join(lines)
