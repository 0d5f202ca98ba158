"""The mart checks as Dagster asset checks: a failed ERROR check stops the report, a WARN does not.

A fake "dbt" multi-asset writes a small warehouse into the run's staging copy and produces the
mart keys plus a published key in one step; a fake report depends on ``MART_GATE_KEYS`` directly
(as the real disclosure decision ``geheimhaltung`` does), an "ungated" one only on the key
from the same step.
"""

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from pipelines.assets.mart_checks import (
    FCT_INDICATOR_VALUES,
    MART_CHECK_SPECS,
    MART_GATE_KEYS,
    evaluate_and_record,
    mart_checks,
)
from pipelines.resources import WarehouseResource
from quality.check_results import load_check_results
from tests.fixtures.mart_warehouse import SHARE, build_warehouse, values_frame

PUBLISHED = dg.AssetKey(["published", "indicator_values"])


def _pipeline(values: pd.DataFrame, ran: list[str]) -> list:
    @dg.multi_asset(
        specs=[
            *(dg.AssetSpec(key) for key in MART_GATE_KEYS),
            dg.AssetSpec(PUBLISHED, deps=[FCT_INDICATOR_VALUES]),
        ],
    )
    def fake_dbt(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        build_warehouse(warehouse.staging_path(context.run.run_id), values=values)
        for key in [*MART_GATE_KEYS, PUBLISHED]:
            yield dg.MaterializeResult(asset_key=key)

    @dg.asset(deps=[PUBLISHED, *MART_GATE_KEYS])
    def report() -> None:
        ran.append("report")

    @dg.asset(deps=[PUBLISHED])
    def ungated_report() -> None:
        ran.append("ungated_report")

    return [fake_dbt, report, ungated_report]


def _materialize(tmp_path: Path, values: pd.DataFrame) -> tuple[dg.ExecuteInProcessResult, list]:
    ran: list[str] = []
    defs = dg.Definitions(
        assets=_pipeline(values, ran),
        asset_checks=mart_checks,
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb"))},
        executor=dg.in_process_executor,
    )
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    return result, ran


def _evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _staging(tmp_path: Path, result: dg.ExecuteInProcessResult) -> Path:
    return tmp_path / "wh" / "staging" / "live.duckdb"


def test_every_mart_check_is_blocking_and_named() -> None:
    specs = [spec for check in mart_checks for spec in check.check_specs]
    assert {s.name for s in specs} == {s.name for s in MART_CHECK_SPECS}
    assert all(s.blocking for s in specs)
    assert {s.asset_key for s in specs} == set(MART_GATE_KEYS)


def test_good_mart_passes_and_the_report_runs(tmp_path: Path) -> None:
    result, ran = _materialize(tmp_path, values_frame())
    assert result.success
    assert sorted(ran) == ["report", "ungated_report"]
    assert all(e.passed for e in _evaluations(result).values())
    with duckdb.connect(str(_staging(tmp_path, result)), read_only=True) as con:
        run_id, stored = load_check_results(con)
    assert run_id == result.run_id
    assert sorted(stored["check_name"]) == sorted(s.name for s in MART_CHECK_SPECS)
    assert stored["passed"].all()


def test_failed_error_check_stops_the_report(tmp_path: Path) -> None:
    values = values_frame()
    krefeld = (values["region_key"] == "05114") & (values["period"] == "2023/24")
    values.loc[krefeld & (values["indicator_id"] == SHARE), ["numerator", "value"]] = [2904, 120.0]
    result, ran = _materialize(tmp_path, values)
    assert not result.success
    assert "report" not in ran
    # why the report must list MART_GATE_KEYS: a key of the same dbt step is not held back
    assert "ungated_report" in ran
    assert set(_evaluations(result)) == {s.name for s in MART_CHECK_SPECS}  # all evaluated
    ranges = _evaluations(result)["value_ranges"]
    assert not ranges.passed
    assert ranges.severity == dg.AssetCheckSeverity.ERROR
    assert ranges.asset_key == FCT_INDICATOR_VALUES
    assert "05114 × 2023/24: 120,0 %" in ranges.metadata["befund"].value
    assert "Zähler größer als Nenner" in ranges.metadata["zeilen"].value
    with duckdb.connect(str(_staging(tmp_path, result)), read_only=True) as con:
        _, stored = load_check_results(con)
    failed = stored[~stored["passed"]].set_index("check_name")
    assert "value_ranges" in failed.index
    assert failed.loc["value_ranges", "n_failures"] == 2
    assert failed.loc["value_ranges", "details"]["rows"][0]["region_key"] == "05114"


def test_warning_does_not_block(tmp_path: Path) -> None:
    values = values_frame()
    krefeld = (
        (values["indicator_id"] == SHARE)
        & (values["region_key"] == "05114")
        & (values["period"] == "2023/24")
    )
    values.loc[krefeld, ["numerator", "value"]] = [300, 300 / 2420 * 100]  # +3.2 points
    result, ran = _materialize(tmp_path, values)
    assert result.success
    assert "report" in ran
    yoy = _evaluations(result)["yoy_plausibility"]
    assert not yoy.passed
    assert yoy.severity == dg.AssetCheckSeverity.WARN


def test_a_missing_table_fails_the_check_with_its_name(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    spec = next(s for s in MART_CHECK_SPECS if s.name == "schulformwechsel_consistency")
    with duckdb.connect(str(path)) as con:
        con.execute("drop table marts.mart_schulformwechsel")
        outcome = evaluate_and_record(con, spec, "run-1")
        _, stored = load_check_results(con, "run-1")
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert "marts.mart_schulformwechsel fehlt" in outcome.summary
    assert stored["passed"].tolist() == [False]


def test_the_published_layer_waits_for_every_mart_check() -> None:
    """In the real code location the disclosure decision (step ``geheimhaltung``), which every
    published model reads, depends on the checked mart keys directly, so Dagster holds it
    back until every mart check passed."""
    from pipelines.definitions import defs

    checks_present = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    if not {s.name for s in MART_CHECK_SPECS} <= checks_present:  # not wired in yet
        defs = dg.Definitions.merge(defs, dg.Definitions(asset_checks=mart_checks))
    job = defs.resolve_job_def("refresh")
    (published,) = [d for n, d in job.graph.dependencies.items() if n.name == "geheimhaltung"]
    upstream = {dep.node for d in published.values() for dep in d.get_node_dependencies()}
    assert "mart_checks" in upstream  # the one step that evaluates every mart check
    (step,) = [c for c in defs.asset_checks if c.node_def.name == "mart_checks"]
    assert {spec.name for spec in step.check_specs} == {s.name for s in MART_CHECK_SPECS}
