"""The disclosure decision before the ``published`` dbt models, and the audit after them.

The published tables are dbt models (``dbt_project/models/published``, a dbt step of their
own: ``pipelines.assets.dbt.published_dbt_assets``). Before them, the asset
``intern/geheimhaltung`` decides which cells are suppressed (``quality.sdc.protect``, which
needs Python and an LP solver) and writes only its decisions; the models join them. After them,
the blocking check :data:`DISCLOSURE_CHECK` on ``published/indicator_values`` audits what was
published against the marts' true values: a failure stops the report, which depends on it.
"""

from collections.abc import Iterator

import dagster as dg
import duckdb
import pandas as pd

from pipelines.automation.fingerprints import (
    PUBLISHED_SETTING,
    published_fingerprint,
    record_setting,
)
from pipelines.disclosure.decisions import (
    audit_indicator_values,
    decide_indicator_values,
    decide_sozialindex,
    earlier_editions,
    record_thresholds,
    write_geometry,
)
from pipelines.resources import WarehouseResource
from quality.sdc.protect import Finding

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
]
"""Everything the decisions read; among them ``MART_GATE_KEYS`` (``mart_checks``), so a
failed mart check stops the decision and with it every published model."""

DECISIONS_KEY = dg.AssetKey(["intern", "geheimhaltung"])
SOZIALINDEX_KEY = dg.AssetKey(["intern", "sozialindex_sperren"])
RULES_KEY = dg.AssetKey(["intern", "geheimhaltung_regeln"])
GEOMETRY_KEY = dg.AssetKey(["intern", "geometrie_stadtbezirke"])
DECISION_KEYS = (DECISIONS_KEY, SOZIALINDEX_KEY, RULES_KEY, GEOMETRY_KEY)
"""The tables of the step ``geheimhaltung`` (the dbt sources of schema ``intern`` map to them)."""
PUBLISHED_VALUES_KEY = dg.AssetKey(["published", "indicator_values"])

DISCLOSURE_CHECK = "no_small_counts_or_narrow_intervals"


@dg.multi_asset(
    name="geheimhaltung",
    group_name="published",
    can_subset=True,
    specs=[
        dg.AssetSpec(
            DECISIONS_KEY,
            deps=MART_INPUTS,
            kinds={"duckdb"},
            skippable=True,
            description="intern.geheimhaltung: every suppressed indicator cell and its kind.",
        ),
        dg.AssetSpec(
            SOZIALINDEX_KEY,
            deps=MART_INPUTS,
            kinds={"duckdb"},
            skippable=True,
            description="intern.sozialindex_sperren: Stadtbezirke whose mean level is withheld.",
        ),
        dg.AssetSpec(
            RULES_KEY,
            deps=MART_INPUTS,  # with the checksum of the marts the decisions are for
            kinds={"duckdb"},
            skippable=True,
            description=(
                "intern.geheimhaltung_regeln: the thresholds of this run's decisions and the "
                "checksum of the marts they were made for."
            ),
        ),
        dg.AssetSpec(
            GEOMETRY_KEY,
            kinds={"duckdb"},
            skippable=True,
            description="intern.geometrie_stadtbezirke: the Stadtbezirk polygons of the data dir.",
        ),
    ],
)
def geheimhaltung(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    """Decide the suppressions for this run's marts (with earlier editions counted as
    published) and record the settings the decision depends on; only the selected tables."""
    run_id = context.run.run_id
    selected = context.selected_asset_keys
    thresholds = warehouse.thresholds()
    results = []
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        if DECISIONS_KEY in selected:
            earlier = earlier_editions(warehouse.editions_register())
            decisions = decide_indicator_values(con, thresholds, earlier=earlier)
            results.append(
                dg.MaterializeResult(
                    asset_key=DECISIONS_KEY,
                    metadata={
                        "cells": decisions.rows,
                        "suppressed_primary": decisions.primary,
                        "suppressed_secondary": decisions.secondary,
                        "already_public_in_earlier_editions": decisions.already_public,
                    },
                )
            )
        if SOZIALINDEX_KEY in selected:
            hidden = decide_sozialindex(con)
            results.append(
                dg.MaterializeResult(asset_key=SOZIALINDEX_KEY, metadata={"withheld": hidden})
            )
        if RULES_KEY in selected:
            record_thresholds(con, thresholds)
            results.append(
                dg.MaterializeResult(
                    asset_key=RULES_KEY,
                    metadata={
                        "min_count": thresholds.count,
                        "min_denominator": thresholds.denominator,
                        "protection_interval": thresholds.width,
                    },
                )
            )
        if GEOMETRY_KEY in selected:
            geometry = sorted((warehouse.inbox_dir() / "geo").glob("*.geojson"))
            districts = write_geometry(con, geometry[0] if geometry else None)
            results.append(
                dg.MaterializeResult(asset_key=GEOMETRY_KEY, metadata={"districts": districts})
            )
        if set(DECISION_KEYS) <= set(selected):  # all the settings applied anew
            fingerprint = published_fingerprint(
                warehouse.inbox_dir(), thresholds, warehouse.editions_register()
            )
            record_setting(con, PUBLISHED_SETTING, fingerprint)
    yield from results


@dg.multi_asset_check(
    name="disclosure_audit",
    specs=[
        dg.AssetCheckSpec(
            DISCLOSURE_CHECK,
            asset=PUBLISHED_VALUES_KEY,
            blocking=True,
            description=(
                "LP audit over all published indicator cells and earlier editions: no "
                "protected count below the threshold is shown, and every suppressed cell's "
                "feasible interval is at least the protection interval wide."
            ),
        )
    ],
)
def disclosure_audit(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """The audit of ``published.indicator_values`` as dbt built it (ERROR when it fails: the
    report depends on the audited table and does not run)."""
    thresholds = warehouse.thresholds()
    earlier = earlier_editions(warehouse.editions_register())
    run_id = context.op_execution_context.run_id
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        finding = audit_indicator_values(con, thresholds, earlier=earlier)
    yield disclosure_result(DISCLOSURE_CHECK, finding)


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
