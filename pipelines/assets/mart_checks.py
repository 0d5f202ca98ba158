"""Blocking asset checks on the dbt marts (check layer 3): the quality gate before publishing.

Each check reads the run's staging warehouse, evaluates one function of ``quality.expectations``
or ``quality.cross_source`` (great-expectations, imported lazily inside them), appends its
result to ``quality.check_results`` for the working group's quality page, and returns an
``AssetCheckResult`` with the verdict, severity, counts and the offending rows.

All checks are ``blocking=True``: a failed result with ERROR severity stops every asset that
*directly* depends on the checked key — here the disclosure decision ``geheimhaltung`` (its
deps list both ``MART_GATE_KEYS``), and with it the published models, the report and the
release (their steps wait for the decision's step). Dagster does not hold back assets
that depend on the key only transitively, nor models built in the same dbt step: whatever must
not run after a failed check has to list ``MART_GATE_KEYS`` among its own deps
(``tests/test_mart_checks.py`` shows both). A WARN result (a year-over-year change beyond the
tolerance, or beyond the hard limit in a Stadtbezirk) is shown and recorded but does not block.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd

from pipelines.resources import WarehouseResource
from quality import cross_source, expectations
from quality.check_results import record_check_result
from quality.mart_data import MissingTableError
from quality.outcome import CheckOutcome, markdown_table

FCT_INDICATOR_VALUES = dg.AssetKey(["marts", "fct_indicator_values"])
MART_SCHULFORMWECHSEL = dg.AssetKey(["marts", "mart_schulformwechsel"])
MART_GATE_KEYS: list[dg.AssetKey] = [FCT_INDICATOR_VALUES, MART_SCHULFORMWECHSEL]
"""The keys these checks gate; every asset that must not run after a failed check lists them
among its deps (the disclosure decision ``geheimhaltung`` does; every published model
reads its decisions, so the published dbt step and the report wait for it)."""

SHOWN_ROWS = 20


@dataclass(frozen=True)
class MartCheck:
    name: str
    asset_key: dg.AssetKey
    description: str
    evaluate: Callable[[duckdb.DuckDBPyConnection], CheckOutcome]


MART_CHECK_SPECS: tuple[MartCheck, ...] = (
    MartCheck(
        "completeness",
        FCT_INDICATOR_VALUES,
        "Every catalogue indicator × region of each listed level × its latest period is present "
        "(ERROR).",
        expectations.check_completeness,
    ),
    MartCheck(
        "value_ranges",
        FCT_INDICATOR_VALUES,
        "Values within the range of their unit: % and Punkte 0–100, counts ≥ 0, numerator ≤ "
        "denominator for shares (ERROR).",
        expectations.check_value_ranges,
    ),
    MartCheck(
        "yoy_plausibility",
        FCT_INDICATOR_VALUES,
        "Year-over-year change per indicator × region × breakdown: beyond the catalogue's "
        "yoy_tolerance WARN, beyond yoy_hard_limit ERROR.",
        expectations.check_year_over_year,
    ),
    MartCheck(
        "leavers_cross_source",
        FCT_INDICATOR_VALUES,
        "Krefeld's leavers: school administration vs IT.NRW per school year within ±5 % (ERROR).",
        cross_source.check_leavers,
    ),
    MartCheck(
        "schulformwechsel_consistency",
        MART_SCHULFORMWECHSEL,
        "Matrix vs by-grade table: differences only from changes of other origins (ERROR).",
        cross_source.check_schulformwechsel,
    ),
)


def evaluate_and_record(
    con: duckdb.DuckDBPyConnection, spec: MartCheck, run_id: str
) -> CheckOutcome:
    """Run one check on an open warehouse and append its result to ``quality.check_results``."""
    try:
        outcome = spec.evaluate(con)
    except MissingTableError as missing:
        outcome = CheckOutcome(
            check_name=spec.name, passed=False, severity="ERROR", summary=f"{missing}."
        )
    record_check_result(
        con,
        run_id=run_id,
        check_name=spec.name,
        asset_key=spec.asset_key.to_user_string(),
        severity=outcome.severity,
        passed=outcome.passed,
        n_failures=outcome.n_failures,
        summary=outcome.summary,
        metadata=outcome.metadata,
        rows=outcome.rows if not outcome.passed else None,
    )
    return outcome


def to_asset_check_result(spec: MartCheck, outcome: CheckOutcome) -> dg.AssetCheckResult:
    rows: pd.DataFrame = outcome.rows
    metadata: dict[str, object] = {
        "befund": outcome.summary,
        "abweichungen": outcome.n_failures,
        **outcome.metadata,
    }
    if not outcome.passed:
        metadata["zeilen"] = dg.MetadataValue.md(markdown_table(rows, SHOWN_ROWS))
    return dg.AssetCheckResult(
        asset_key=spec.asset_key,
        check_name=spec.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity(outcome.severity),
        metadata=metadata,
    )


def check_key(spec: MartCheck) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(spec.asset_key, spec.name)


@dg.multi_asset_check(
    name="mart_checks",
    specs=[
        dg.AssetCheckSpec(s.name, asset=s.asset_key, blocking=True, description=s.description)
        for s in MART_CHECK_SPECS
    ],
    can_subset=True,
)
def mart_checks_step(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """The selected mart checks in one step: every one is evaluated and recorded, the failed
    ones too, on one connection (each close of a DuckDB file writes a checkpoint)."""
    run_id = context.op_execution_context.run_id
    selected = context.selected_asset_check_keys
    specs = [spec for spec in MART_CHECK_SPECS if check_key(spec) in selected]
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        outcomes = [(spec, evaluate_and_record(con, spec, run_id)) for spec in specs]
    for spec, outcome in outcomes:
        if not outcome.passed:
            context.log.warning(f"{spec.name} [{outcome.severity}]: {outcome.summary}")
        yield to_asset_check_result(spec, outcome)


mart_checks: list[dg.AssetChecksDefinition] = [mart_checks_step]
