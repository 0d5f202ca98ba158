"""The published layer is built and audited in batches of whole indicators; the result must
not depend on the batch size, and the audit must still find what breaks disclosure control."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.batches import by_size
from pipelines.published import (
    Thresholds,
    audit_indicator_values,
    build_indicator_values,
    protect_indicator_values,
)

CITY = "05114"
BEZIRKE = [f"05114000-{n}" for n in range(1, 5)]


def _mart() -> duckdb.DuckDBPyConnection:
    """Three count indicators for the city and four Stadtbezirke; one Bezirk count is 2."""
    rows = []
    for indicator, bezirk_counts in {
        "a_anzahl": [2, 14, 15, 9],
        "b_anzahl": [20, 14, 15, 9],
        "c_anzahl": [1, 30, 5, 7],
    }.items():
        for period in ("2022", "2023"):
            cells = [(CITY, "Stadt", float(sum(bezirk_counts)))]
            cells += [
                (k, "Stadtbezirk", float(v)) for k, v in zip(BEZIRKE, bezirk_counts, strict=True)
            ]
            for key, level, value in cells:
                rows.append(
                    (indicator, key, level, period, "insgesamt", "insgesamt", "insgesamt", None,
                     None, None, value, "Anzahl", None)
                )  # fmt: skip
    columns = [
        "indicator_id", "region_key", "region_level", "period", "geschlecht",
        "staatsangehoerigkeit", "schulform", "kategorie", "numerator", "denominator", "value",
        "unit", "symbol",
    ]  # fmt: skip
    values = pd.DataFrame(rows, columns=columns).astype(
        {"kategorie": "object", "numerator": "float64", "denominator": "float64"}
    )
    regions = pd.DataFrame(
        [(CITY, "Krefeld", "Stadt", None)]
        + [(k, f"Bezirk {k[-1]}", "Stadtbezirk", CITY) for k in BEZIRKE],
        columns=["region_key", "region_name", "region_level", "parent_key"],
    )
    catalogue = pd.DataFrame(
        {
            "indicator_id": ["a_anzahl", "b_anzahl", "c_anzahl"],
            "name_de": ["A", "B", "C"],
            "handlungsfeld": "Rahmenbedingungen",
            "source": "schulen",
        }
    )
    con = duckdb.connect()
    for schema in ("marts", "reference", "published"):
        con.execute(f"create schema {schema}")
    con.register("mart_values", values)
    con.register("mart_regions", regions)
    con.register("mart_catalogue", catalogue)
    con.execute(
        "create table marts.fct_indicator_values as select * replace "
        "(cast(kategorie as varchar) as kategorie, cast(symbol as varchar) as symbol) "
        "from mart_values"
    )
    con.execute("create table marts.dim_region as select * from mart_regions")
    con.execute("create table published.regions as select * from mart_regions")
    con.execute("create table reference.indicator_catalogue as select * from mart_catalogue")
    return con


def _build(con: duckdb.DuckDBPyConnection, run_id: str = "run-1", batch_rows: int = 10_000):
    regions = con.execute("select * from marts.dim_region").df()
    return build_indicator_values(con, regions, Thresholds(), run_id=run_id, batch_rows=batch_rows)


def _published(batch_rows: int) -> tuple[duckdb.DuckDBPyConnection, pd.DataFrame]:
    con = _mart()
    build = _build(con, batch_rows=batch_rows)
    frame = con.execute("select * from published.indicator_values").df()
    assert build.rows == len(frame) == 30
    assert build.rebuilt == ("a_anzahl", "b_anzahl", "c_anzahl") and build.kept == ()
    return con, frame


def test_batches_of_whole_indicators_give_the_same_table_as_one_pass():
    _, one_pass = _published(batch_rows=10_000)
    _, per_indicator = _published(batch_rows=1)
    pd.testing.assert_frame_equal(one_pass, per_indicator)
    suppressed = one_pass[one_pass["suppression_reason"].notna()]
    assert set(suppressed["indicator_id"]) == {"a_anzahl", "c_anzahl"}
    assert (suppressed["suppression_reason"] == "sekundaer").sum() == 4  # one per table


def test_protection_per_batch_equals_protecting_all_indicators_at_once():
    con, published = _published(batch_rows=1)
    values = con.execute(
        "select f.*, c.name_de as indicator_name from marts.fct_indicator_values f "
        "join reference.indicator_catalogue c using (indicator_id)"
    ).df()
    regions = con.execute("select * from marts.dim_region").df()
    at_once = protect_indicator_values(values, regions, Thresholds())
    hidden_at_once = set(
        at_once.loc[at_once["value"].isna(), ["indicator_id", "region_key", "period"]].itertuples(
            index=False, name=None
        )
    )
    hidden = set(
        published.loc[
            published["value"].isna(), ["indicator_id", "region_key", "period"]
        ].itertuples(index=False, name=None)
    )
    assert hidden == hidden_at_once and len(hidden) == 8


@pytest.mark.parametrize("batch_rows", [1, 10_000])
def test_audit_finds_small_counts_and_derivable_cells_in_any_batch(batch_rows):
    con, _ = _published(batch_rows=1)
    small, derivable = audit_indicator_values(con, Thresholds(), batch_rows=batch_rows)
    assert small.empty and derivable.empty

    # publish the complement again: the protected Bezirk follows from the city total
    con.execute(
        "update published.indicator_values set value = 15, symbol = null, "
        "suppression_reason = null where indicator_id = 'c_anzahl' and period = '2023' "
        "and suppression_reason = 'sekundaer'"
    )
    # and a small count in another indicator
    con.execute(
        "update published.indicator_values set value = 2, symbol = null, "
        "suppression_reason = null where indicator_id = 'a_anzahl' and period = '2022' "
        "and region_key = '05114000-1'"
    )
    small, derivable = audit_indicator_values(con, Thresholds(), batch_rows=batch_rows)
    assert list(small[["indicator_id", "period", "region_key"]].itertuples(index=False)) == [
        ("a_anzahl", "2022", "05114000-1")
    ]
    assert set(derivable["indicator_id"]) == {"c_anzahl"}
    assert set(derivable["period"]) == {"2023"}


def test_unchanged_indicators_keep_their_rows_and_changed_ones_are_protected_again():
    con, first = _published(batch_rows=10_000)
    again = _build(con, run_id="run-2")
    assert again.rebuilt == () and again.kept == ("a_anzahl", "b_anzahl", "c_anzahl")
    pd.testing.assert_frame_equal(
        con.execute("select * from published.indicator_values").df(), first
    )

    # a revised delivery changes indicator b: now one Bezirk count is small
    con.execute(
        "update marts.fct_indicator_values set value = 1 "
        "where indicator_id = 'b_anzahl' and region_key = '05114000-4' and period = '2023'"
    )
    con.execute(
        "update marts.fct_indicator_values set value = value - 8 "
        "where indicator_id = 'b_anzahl' and region_key = '05114' and period = '2023'"
    )
    partial = _build(con, run_id="run-3")
    assert partial.rebuilt == ("b_anzahl",) and partial.kept == ("a_anzahl", "c_anzahl")
    incremental = con.execute("select * from published.indicator_values").df()
    con.execute("drop table published.indicator_values")  # the same marts, from scratch
    assert _build(con, run_id="run-4").kept == ()
    pd.testing.assert_frame_equal(
        incremental, con.execute("select * from published.indicator_values").df()
    )
    assert (
        incremental.loc[
            (incremental.indicator_id == "b_anzahl") & (incremental.period == "2023"),
            "suppression_reason",
        ]
        .notna()
        .sum()
        == 2
    )


def test_other_thresholds_protect_every_indicator_again():
    con, _ = _published(batch_rows=10_000)
    regions = con.execute("select * from marts.dim_region").df()
    stricter = build_indicator_values(con, regions, Thresholds(count=10), run_id="run-2")
    assert stricter.kept == () and len(stricter.rebuilt) == 3


def test_audit_of_a_run_covers_the_indicators_it_protected():
    con, _ = _published(batch_rows=10_000)
    con.execute(
        "update marts.fct_indicator_values set value = value + 1 where indicator_id = 'c_anzahl'"
    )
    assert _build(con, run_id="run-2").rebuilt == ("c_anzahl",)
    # a small count slipped into a kept indicator is the last release's business …
    con.execute(
        "update published.indicator_values set value = 2, symbol = null "
        "where indicator_id = 'a_anzahl' and region_key = '05114000-1' and period = '2022'"
    )
    small, _ = audit_indicator_values(con, Thresholds(), run_id="run-2")
    assert small.empty
    # … while the whole-table audit (no run) still sees it
    small, _ = audit_indicator_values(con, Thresholds())
    assert list(small["indicator_id"]) == ["a_anzahl"]


def test_batches_hold_whole_keys_in_order_and_a_large_key_alone():
    assert by_size([("a", 5), ("b", 5), ("c", 20), ("d", 1), ("e", 9)], 10) == [
        ["a", "b"],
        ["c"],
        ["d", "e"],
    ]
    assert by_size([], 10) == []


@pytest.mark.parametrize("small_counts", [0, 1])
def test_the_disclosure_audit_runs_in_the_published_step_and_a_failure_blocks_the_report(
    tmp_path, monkeypatch, small_counts
):
    import dagster as dg

    from pipelines.assets import published
    from pipelines.resources import DataDirResource, WarehouseResource

    found = pd.DataFrame(
        {"indicator_id": ["x"] * small_counts, "region_key": ["05114"] * small_counts}
    )
    monkeypatch.setattr(published, "build_published", lambda *args: ({}, _NoBuild()))
    monkeypatch.setattr(published, "audit_indicator_values", lambda *a, **k: (found, found[:0]))
    ran: list[str] = []

    @dg.asset(deps=["published_tables"])
    def report() -> None:
        ran.append("report")

    (tmp_path / "data").mkdir()
    defs = dg.Definitions(
        assets=[published.published_tables, report],
        resources={
            "warehouse": WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb")),
            "data_dir": DataDirResource(path=str(tmp_path / "data")),
        },
        executor=dg.in_process_executor,
    )
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "no_small_counts_or_derivable_cells"
    assert evaluation.passed is (small_counts == 0)
    assert evaluation.metadata["small_counts"].value == small_counts
    assert ran == ([] if small_counts else ["report"])
    assert result.success is (small_counts == 0)


class _NoBuild:
    rebuilt: tuple = ()
    kept: tuple = ()
