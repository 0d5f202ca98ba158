"""The mart checks on small hand-made DuckDB warehouses: pass on good data, name what is wrong."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from quality import cross_source, expectations
from quality.outcome import CheckOutcome
from tests.fixtures.mart_warehouse import (
    COUNT,
    SHARE,
    build_warehouse,
    catalogue_frame,
    leavers_frames,
    regions_frame,
    schulformwechsel_frames,
    values_frame,
)


def schulformwechsel_counted() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seed's mart and its records counted as ``mart_data.schulformwechsel_records`` does."""
    mart, records = schulformwechsel_frames()
    counted = records.groupby(["school_year", "von_schulform", "nach_schulform"], as_index=False)[
        "changes"
    ].sum()
    return mart, counted.rename(columns={"changes": "anzahl"})


def run(check, path: Path) -> CheckOutcome:
    with duckdb.connect(str(path), read_only=True) as con:
        return check(con)


def _set(values: pd.DataFrame, indicator: str, region: str, period: str, **columns) -> None:
    mask = (
        (values["indicator_id"] == indicator)
        & (values["region_key"] == region)
        & (values["period"] == period)
    )
    assert mask.sum() == 1
    for column, value in columns.items():
        values.loc[mask, column] = value


def _share(values: pd.DataFrame, region: str, period: str, numerator: float) -> None:
    mask = (values["indicator_id"] == SHARE) & (values["region_key"] == region)
    denominator = values.loc[mask & (values["period"] == period), "denominator"].iloc[0]
    _set(values, SHARE, region, period, numerator=numerator, value=numerator / denominator * 100)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return build_warehouse(tmp_path / "good.duckdb")


@pytest.mark.parametrize(
    "check",
    [
        expectations.check_completeness,
        expectations.check_value_ranges,
        expectations.check_year_over_year,
        cross_source.check_leavers,
        cross_source.check_schulformwechsel,
    ],
)
def test_every_check_passes_on_good_data(good: Path, check) -> None:
    outcome = run(check, good)
    assert outcome.passed, outcome.summary
    assert outcome.rows.empty
    assert outcome.n_failures == 0


# --- completeness ---------------------------------------------------------------------------


def test_completeness_names_an_indicator_missing_from_the_mart(tmp_path: Path) -> None:
    catalogue = catalogue_frame()
    catalogue.loc[len(catalogue)] = ["neuer_indikator", "Neu", "%", "Land|Stadt", 1.0, 2.0]
    outcome = run(
        expectations.check_completeness,
        build_warehouse(tmp_path / "w.duckdb", catalogue=catalogue),
    )
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert set(outcome.rows["indicator_id"]) == {"neuer_indikator"}
    assert set(outcome.rows["region_key"]) == {"05", "05114"}
    assert "neuer_indikator × 05114 (Krefeld) × (keine Daten)" in outcome.summary
    assert "Ohne jede Zeile im Mart: neuer_indikator" in outcome.summary


def test_completeness_names_krefeld_missing_in_the_latest_period(tmp_path: Path) -> None:
    values = values_frame()
    values = values[
        ~((values["indicator_id"] == SHARE) & (values["region_key"] == "05114")
          & (values["period"] == "2023/24"))
    ]  # fmt: skip
    outcome = run(
        expectations.check_completeness, build_warehouse(tmp_path / "w.duckdb", values=values)
    )
    assert not outcome.passed
    assert outcome.rows[["indicator_id", "region_key", "period"]].values.tolist() == [
        [SHARE, "05114", "2023/24"]
    ]
    assert f"{SHARE} × 05114 (Krefeld) × 2023/24" in outcome.summary


def test_completeness_expects_comparison_cities_only_where_the_source_has_them(
    tmp_path: Path,
) -> None:
    regions = regions_frame()
    regions.loc[len(regions)] = ["05112", "Duisburg", "Stadt", True]  # never in the mart: fine
    values = values_frame()
    dropped_out = (values["region_key"] == "05111") & (values["period"] == "2023/24")
    outcome = run(
        expectations.check_completeness,
        build_warehouse(tmp_path / "w.duckdb", values=values[~dropped_out], regions=regions),
    )
    assert not outcome.passed
    assert outcome.rows["region_key"].tolist() == ["05111"]  # Düsseldorf dropped out


def test_completeness_requires_every_stadtbezirk(tmp_path: Path) -> None:
    values = values_frame()
    gone = (values["region_key"] == "05114000-2") & (values["period"] == "2024/25")
    outcome = run(
        expectations.check_completeness,
        build_warehouse(tmp_path / "w.duckdb", values=values[~gone]),
    )
    assert not outcome.passed
    assert outcome.rows[["indicator_id", "region_key", "period"]].values.tolist() == [
        [COUNT, "05114000-2", "2024/25"]
    ]


def test_completeness_needs_at_least_one_school_for_the_school_level() -> None:
    catalogue = catalogue_frame()
    catalogue.loc[catalogue["indicator_id"] == COUNT, "levels"] = "Stadt|Schule"
    values = values_frame()
    regions = regions_frame()
    missing = expectations.evaluate_completeness(values, catalogue, regions)
    assert missing.rows[["region_level", "region_key"]].values.tolist() == [
        ["Schule", expectations.AT_LEAST_ONE]
    ]
    school = values[(values["indicator_id"] == COUNT) & (values["region_key"] == "05114")].copy()
    school["region_key"], school["region_level"] = "123456", "Schule"
    present = expectations.evaluate_completeness(
        pd.concat([values, school], ignore_index=True), catalogue, regions
    )
    assert present.passed, present.summary


def test_completeness_allows_a_level_the_publication_lag_behind() -> None:
    """IT.NRW's Stadt figure of 2023/24 comes after the city's own Stadtbezirk figures: the
    Stadt level is complete at its own latest period (2023/24), not missing in 2024/25."""
    values = values_frame()
    late = (values["indicator_id"] == COUNT) & (values["region_level"] == "Stadt")
    lagging = values[~(late & (values["period"] == "2024/25"))]
    outcome = expectations.evaluate_completeness(lagging, catalogue_frame(), regions_frame())
    assert outcome.passed, outcome.summary
    # the lagging level without any value left: missing in the indicator's latest period
    gone = late & (values["period"] == "2023/24") & (values["region_key"] == "05114")
    outcome = expectations.evaluate_completeness(
        lagging[~gone.loc[lagging.index]], catalogue_frame(), regions_frame()
    )
    assert not outcome.passed
    assert outcome.rows[["indicator_id", "region_key", "period"]].values.tolist() == [
        [COUNT, "05114", "2024/25"]
    ]


def test_completeness_names_a_level_further_behind_than_the_publication_lag() -> None:
    values = values_frame()
    newer = values[(values["indicator_id"] == COUNT) & (values["region_level"] == "Stadtbezirk")]
    later = []
    for period in ["2025/26", "2026/27", "2027/28"]:  # the Stadt level stays at 2024/25
        rows = newer[newer["period"] == "2024/25"].copy()
        rows["period"] = period
        later.append(rows)
    values = pd.concat([values, *later], ignore_index=True)
    outcome = expectations.evaluate_completeness(values, catalogue_frame(), regions_frame())
    assert not outcome.passed
    assert set(outcome.rows["region_level"]) == {"Stadt"}
    assert set(outcome.rows["period"]) == {"2027/28"}


# --- value ranges ---------------------------------------------------------------------------


def test_value_ranges_names_a_share_of_120_percent(tmp_path: Path) -> None:
    values = values_frame()
    _set(values, SHARE, "05114", "2023/24", numerator=2904.0, value=120.0)
    outcome = run(
        expectations.check_value_ranges, build_warehouse(tmp_path / "w.duckdb", values=values)
    )
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert sorted(outcome.rows["regel"]) == ["Wert außerhalb 0–100 (%)", "Zähler größer als Nenner"]
    assert set(outcome.rows["region_key"]) == {"05114"}
    assert f"{SHARE} × 05114 × 2023/24: 120,0 %" in outcome.summary


def test_value_ranges_names_a_rate_that_does_not_match_its_numerator_and_denominator() -> None:
    values = values_frame()
    row = (values["indicator_id"] == SHARE) & (values["region_key"] == "05111")
    numerator, denominator = values.loc[row, "numerator"], values.loc[row, "denominator"]
    values.loc[row, "value"] = 100 * numerator + denominator / 1000  # a bracket missing
    rounded = (values["indicator_id"] == SHARE) & (values["region_key"] == "05")
    values.loc[rounded, "value"] = values.loc[rounded, "value"].round(1)  # as published: fine
    outcome = expectations.evaluate_value_ranges(values)
    assert not outcome.passed
    mismatch = outcome.rows[outcome.rows["regel"] == "Wert passt nicht zu Zähler und Nenner"]
    assert mismatch[["region_key", "period"]].values.tolist() == [
        ["05111", "2022/23"],
        ["05111", "2023/24"],
    ]


def test_value_ranges_names_a_negative_count() -> None:
    values = values_frame()
    _set(values, COUNT, "05114000-1", "2024/25", value=-3.0)
    outcome = expectations.evaluate_value_ranges(values)
    assert not outcome.passed
    assert outcome.rows[["region_key", "regel"]].values.tolist() == [
        ["05114000-1", "Wert unter 0 (Anzahl)"]
    ]


def test_value_ranges_reports_units_without_a_rule() -> None:
    values = values_frame()
    values.loc[values["indicator_id"] == COUNT, "unit"] = "Fälle je Tag"
    outcome = expectations.evaluate_value_ranges(values)
    assert outcome.passed
    assert "Einheiten ohne Bereichsregel: Fälle je Tag" in outcome.summary


# --- year over year -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "previous"),
    [
        ("2017/18", "2016/17"),
        ("2000/01", "1999/00"),
        ("2024", "2023"),
        ("2024-09", "2023-09"),
        ("2024-12-31", "2023-12-31"),
        ("Stand 2024", None),
    ],
)
def test_previous_period_is_one_year_earlier(period: str, previous: str | None) -> None:
    assert expectations.previous_period(period) == previous


def test_yoy_jump_beyond_the_hard_limit_is_an_error(tmp_path: Path) -> None:
    values = values_frame()
    _share(values, "05114", "2023/24", numerator=400.0)  # 9.2 % → 16.5 %: +7.3 points
    outcome = run(
        expectations.check_year_over_year, build_warehouse(tmp_path / "w.duckdb", values=values)
    )
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    row = outcome.rows.iloc[0]
    assert (row["schwere"], row["region_key"], row["previous_period"], row["period"]) == (
        "ERROR", "05114", "2022/23", "2023/24",
    )  # fmt: skip
    assert row["change"] == pytest.approx(400 / 2420 * 100 - 230 / 2500 * 100)
    assert f"{SHARE} × 05114 (Krefeld), 2022/23 → 2023/24: 7,3 %-Punkte" in outcome.summary
    assert "harte Grenze 5,0" in outcome.summary


def test_yoy_jump_beyond_the_tolerance_only_is_a_warning() -> None:
    values = values_frame()
    _share(values, "05114", "2023/24", numerator=300.0)  # 9.2 % → 12.4 %: +3.2 points
    outcome = expectations.evaluate_year_over_year(values, catalogue_frame(), regions_frame())
    assert not outcome.passed
    assert outcome.severity == "WARN"
    assert outcome.rows["schwere"].tolist() == ["WARN"]
    assert outcome.metadata["beyond_hard_limit"] == 0
    assert "Toleranz 2,0" in outcome.summary


def test_yoy_counts_are_compared_relative_to_the_earlier_value() -> None:
    catalogue, regions = catalogue_frame(), regions_frame()
    values = values_frame()
    _set(values, COUNT, "05114", "2024/25", value=28000.0)  # 24,000 → 28,000: +16.7 %
    warned = expectations.evaluate_year_over_year(values, catalogue, regions)
    assert warned.severity == "WARN"
    assert warned.rows["change_unit"].tolist() == ["% (relativ)"]
    assert warned.rows["change"].iloc[0] == pytest.approx(4000 / 24000 * 100)
    _set(values, COUNT, "05114", "2024/25", value=31000.0)  # +29.2 %: beyond 25 %
    assert expectations.evaluate_year_over_year(values, catalogue, regions).severity == "ERROR"


def test_yoy_beyond_the_hard_limit_in_a_stadtbezirk_is_a_warning() -> None:
    values = values_frame()
    _set(values, COUNT, "05114000-1", "2024/25", value=3500.0)  # 2,600 → 3,500: +34.6 %
    outcome = expectations.evaluate_year_over_year(values, catalogue_frame(), regions_frame())
    assert not outcome.passed
    assert outcome.severity == "WARN"
    assert outcome.rows[["schwere", "region_level", "region_key", "grenze"]].values.tolist() == [
        ["WARN", "Stadtbezirk", "05114000-1", "harte Grenze"]
    ]
    assert "1 Stadtbezirkswert über der harten Grenze (bei Stadtbezirken nur Warnung)" in (
        outcome.summary
    )


def test_yoy_compares_categories_but_not_breakdown_cells_or_schools() -> None:
    values = values_frame()
    krefeld = values[(values["indicator_id"] == SHARE) & (values["region_key"] == "05114")]
    by_sex = krefeld.assign(geschlecht="weiblich", value=[5.0, 25.0])
    by_category = krefeld.assign(kategorie="msa", value=[40.0, 50.0])
    school = krefeld.assign(region_key="S100001", region_level="Schule", value=[5.0, 25.0])
    outcome = expectations.evaluate_year_over_year(
        pd.concat([values, by_sex, by_category, school], ignore_index=True),
        catalogue_frame(),
        regions_frame(),
    )
    assert outcome.rows[["kategorie", "geschlecht", "region_key"]].values.tolist() == [
        ["msa", "insgesamt", "05114"]
    ]
    assert "[msa]" in outcome.summary


def test_yoy_skips_rates_on_small_denominators() -> None:
    values = values_frame()
    share = values["indicator_id"] == SHARE
    values.loc[share & (values["region_key"] == "05111"), "denominator"] = 40.0
    values.loc[share & (values["region_key"] == "05111"), "value"] = [5.0, 30.0]
    outcome = expectations.evaluate_year_over_year(values, catalogue_frame(), regions_frame())
    assert outcome.passed, outcome.summary
    assert outcome.metadata["skipped_small_base"] == 1


def test_yoy_compares_a_month_with_the_same_month_a_year_earlier() -> None:
    catalogue = pd.DataFrame(
        [("alq", "Arbeitslosenquote", "%", "Stadt", 1.0, 3.0)],
        columns=catalogue_frame().columns,
    )
    base = values_frame().iloc[0].to_dict()
    rows = [
        {**base, "indicator_id": "alq", "region_key": "05114", "period": p, "value": v,
         "numerator": None, "denominator": None}
        for p, v in [("2023-09", 9.0), ("2024-08", 5.0), ("2024-09", 9.5)]
    ]  # fmt: skip
    pairs, _ = expectations.year_over_year(pd.DataFrame(rows), catalogue)
    assert pairs[["previous_period", "period"]].values.tolist() == [["2023-09", "2024-09"]]


# --- cross-source: leavers ------------------------------------------------------------------


def test_leavers_mismatch_beyond_tolerance_names_the_school_year(tmp_path: Path) -> None:
    schulen, itnrw = leavers_frames()
    year = schulen["school_year"] == "2021/22"
    schulen.loc[year, "leavers"] = (schulen.loc[year, "leavers"] * 1.1).round()
    outcome = run(
        cross_source.check_leavers,
        build_warehouse(tmp_path / "w.duckdb", leavers=(schulen, itnrw)),
    )
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert outcome.rows["school_year"].tolist() == ["2021/22"]
    total = schulen.loc[year, "leavers"].sum()
    assert total == 2677
    assert outcome.rows["abweichung_prozent"].iloc[0] == pytest.approx((total - 2440) / 24.40)
    assert "2021/22: Schulverwaltung 2.677, IT.NRW 2.440 (9,7 %)" in outcome.summary


def test_leavers_within_tolerance_and_single_source_years_pass() -> None:
    leavers = pd.DataFrame(
        {"school_year": ["2022/23", "2023/24"], "schulen": [2535.0, 2400.0], "itnrw": [2500, None]}
    )
    outcome = cross_source.evaluate_leavers(leavers)
    assert outcome.passed
    assert outcome.metadata["school_years_compared"] == 1
    assert "Nur in einer Quelle (nicht verglichen): 2023/24" in outcome.summary


# --- cross-source: Schulformwechsel ---------------------------------------------------------


def test_schulformwechsel_seed_differences_are_explained_by_origin() -> None:
    mart, records = schulformwechsel_counted()
    table = cross_source.schulformwechsel_reconciliation(mart, records).set_index("nach_schulform")
    # the seed: total in 21 / 76 / 22 / 0 in the matrix, 22 / 76 / 23 / 2 by grade
    assert table["matrix"].to_dict() == {"04": 21, "10": 76, "15": 22, "20": 0}
    assert table["tabelle_jahrgang"].to_dict() == {"04": 22, "10": 76, "15": 23, "20": 2}
    outcome = cross_source.evaluate_schulformwechsel(mart, records)
    assert outcome.passed, outcome.summary
    assert outcome.metadata["explained_by_origin"] == 4


def test_schulformwechsel_unexplained_difference_is_an_error(tmp_path: Path) -> None:
    mart, records = schulformwechsel_frames()
    lost = (mart["von_schulform"] == "08") & (mart["nach_schulform"] == "04")
    outcome = run(
        cross_source.check_schulformwechsel,
        build_warehouse(tmp_path / "w.duckdb", schulformwechsel=(mart[~lost], records)),
    )
    assert not outcome.passed
    assert outcome.severity == "ERROR"
    assert outcome.rows[["nach_schulform", "unerklaert"]].values.tolist() == [["04", -1]]
    assert "2017/18 nach 04: nach Jahrgang 21, Matrix 21, andere Herkunft 1" in outcome.summary


def test_schulformwechsel_double_counted_other_origin_is_an_error() -> None:
    mart, records = schulformwechsel_counted()
    twice = (mart["von_schulform"] == "14") & (mart["nach_schulform"] == "15")
    mart.loc[twice, "anzahl"] = 2.0
    outcome = cross_source.evaluate_schulformwechsel(mart, records)
    assert outcome.rows[["nach_schulform", "unerklaert"]].values.tolist() == [["15", 1]]


def test_great_expectations_gets_only_the_columns_an_expectation_reads(monkeypatch) -> None:
    """GX hashes the whole batch frame; the mart's wide frames are cut to what is checked."""
    from quality import gx_runner

    real = gx_runner._batch_definition()
    seen: list[list[str]] = []

    class Spy:
        def get_batch(self, batch_parameters):
            seen.append(list(batch_parameters["dataframe"].columns))
            return real.get_batch(batch_parameters=batch_parameters)

    monkeypatch.setattr(gx_runner, "_batch_definition", lambda: Spy())
    gx = gx_runner.expectations()
    frame = pd.DataFrame(
        {"value": [1.0, -2.0], "numerator": [1, 3], "denominator": [2, 2], "text": ["a", "b"]},
        index=[10, 11],
    )
    (low,) = gx_runner.validate(
        frame, [gx.ExpectColumnValuesToBeBetween(column="value", min_value=0)]
    )
    pair = gx.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A="denominator", column_B="numerator", or_equal=True
    )
    (above,) = gx_runner.validate(frame, [pair])
    assert seen == [["value"], ["numerator", "denominator"]]
    assert low.unexpected_index == [11] and above.unexpected_index == [11]  # original labels
