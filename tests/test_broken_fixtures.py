"""The broken inboxes pass the parsers and the raw schemas, and the mart checks name each break.

The full gate (``bildungsmonitor refresh`` exits non-zero, the site stays byte-identical) is the
end-to-end test's job; here each broken file is parsed with the real parser, checked with its
real pandera schema, turned into the mart's rows the way the dbt model does, and given to the
check that must catch it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingest.identify import parse_file
from quality import cross_source, expectations
from quality.raw_schemas import validate_tidy
from tests.conftest import REPO_ROOT, SAMPLE
from tests.fixtures.broken.make_broken import (
    CASES,
    GENESIS_LEAVERS_2015_2021,
    GENESIS_LEAVERS_2022_2025,
    broken_bytes,
    write_broken_inbox,
)

SEEDS = REPO_ROOT / "dbt_project" / "seeds"


def _seed(name: str) -> pd.DataFrame:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return pd.DataFrame(list(csv.DictReader(handle)))


def _catalogue() -> pd.DataFrame:
    catalogue = _seed("indicator_catalogue")
    for column in ("yoy_tolerance", "yoy_hard_limit"):
        catalogue[column] = pd.to_numeric(catalogue[column], errors="coerce")
    return catalogue


def _regions() -> pd.DataFrame:
    regions = _seed("regions")
    regions["is_comparison_city"] = regions["is_comparison_city"].eq("true")
    return regions


def _parsed(path: Path) -> pd.DataFrame:
    parsed = parse_file(path)
    assert validate_tidy(parsed.frame, f"{parsed.source}__{parsed.table}") == []
    return parsed.frame


def _share_rows(inbox: Path) -> pd.DataFrame:
    """ind_abgang_ohne_abschluss_quote in pandas: without HSA / all leavers, regions of the list."""
    tidy = pd.concat(
        [_parsed(inbox / GENESIS_LEAVERS_2015_2021), _parsed(inbox / GENESIS_LEAVERS_2022_2025)]
    )
    totals = tidy[tidy["geschlecht"] == "insgesamt"].pivot_table(
        index=["region_key", "period"], columns="abschluss_code", values="value"
    )
    regions = _regions().set_index("region_key")
    rows = totals.reset_index()
    rows = rows[rows["region_key"].isin(regions.index)]
    return pd.DataFrame(
        {
            "indicator_id": "abgang_ohne_abschluss_quote",
            "region_key": rows["region_key"],
            "region_level": rows["region_key"].map(regions["region_level"]),
            "period": rows["period"],
            "geschlecht": "insgesamt",
            "staatsangehoerigkeit": "insgesamt",
            "schulform": "insgesamt",
            "kategorie": "insgesamt",
            "numerator": rows["ohne_hsa"],
            "denominator": rows["insgesamt"],
            "value": rows["ohne_hsa"] / rows["insgesamt"] * 100,
            "unit": "%",
            "symbol": None,
        }
    ).reset_index(drop=True)


def _share_catalogue() -> pd.DataFrame:
    """The catalogue row of the share, for the levels the IT.NRW file feeds (Land, Stadt)."""
    catalogue = _catalogue()
    share = catalogue[catalogue["indicator_id"] == "abgang_ohne_abschluss_quote"].copy()
    share["levels"] = "Land|Stadt"
    return share


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_file_is_deterministic_and_changes_little(case: str) -> None:
    spec = CASES[case]
    original = (SAMPLE / spec.file).read_bytes()
    broken = broken_bytes(case)
    assert broken == broken_bytes(case)
    assert broken != original
    assert broken.count(b"\r\n") == original.count(b"\r\n")  # line endings kept
    changed = set(broken.splitlines()) ^ set(original.splitlines())
    assert 1 <= len(changed) <= (600 if case == "cross_source_mismatch" else 2)


def test_the_unbroken_sample_passes_the_checks_these_cases_target() -> None:
    values = _share_rows(SAMPLE)
    catalogue, regions = _share_catalogue(), _regions()
    assert expectations.evaluate_value_ranges(values).passed
    yoy = expectations.evaluate_year_over_year(values, catalogue, regions)
    assert yoy.severity == "WARN" or yoy.passed  # the real 2023/24 rise is a warning at most
    assert expectations.evaluate_completeness(values, catalogue, regions).passed


def test_impossible_value_fails_value_ranges(tmp_path: Path) -> None:
    spec = write_broken_inbox("impossible_value", tmp_path / "inbox")
    outcome = expectations.evaluate_value_ranges(_share_rows(tmp_path / "inbox"))
    assert outcome.check_name == spec.check_name
    assert not outcome.passed and outcome.severity == "ERROR"
    assert all(m in outcome.summary for m in spec.mentions), outcome.summary


def test_missing_indicator_fails_completeness(tmp_path: Path) -> None:
    spec = write_broken_inbox("missing_indicator", tmp_path / "inbox")
    outcome = expectations.evaluate_completeness(
        _share_rows(tmp_path / "inbox"), _share_catalogue(), _regions()
    )
    assert outcome.check_name == spec.check_name
    assert not outcome.passed
    assert outcome.rows[["region_key", "period"]].values.tolist() == [["05114", "2024/25"]]
    assert all(m in outcome.summary for m in spec.mentions), outcome.summary


def test_yoy_jump_fails_with_an_error(tmp_path: Path) -> None:
    spec = write_broken_inbox("yoy_jump", tmp_path / "inbox")
    values = _share_rows(tmp_path / "inbox")
    assert expectations.evaluate_value_ranges(values).passed  # only the jump is wrong
    outcome = expectations.evaluate_year_over_year(values, _share_catalogue(), _regions())
    assert outcome.check_name == spec.check_name
    assert not outcome.passed and outcome.severity == "ERROR"
    errors = outcome.rows[outcome.rows["schwere"] == "ERROR"]
    assert set(errors["region_key"]) == {"05114"}
    assert set(errors["period"]) == {"2020/21", "2021/22"}
    assert all(m in outcome.summary for m in spec.mentions), outcome.summary


def test_cross_source_mismatch_fails_leavers_check(tmp_path: Path) -> None:
    spec = write_broken_inbox("cross_source_mismatch", tmp_path / "inbox")
    schulen = _parsed(tmp_path / "inbox" / spec.file)
    itnrw = _parsed(tmp_path / "inbox" / GENESIS_LEAVERS_2015_2021)
    krefeld_total = itnrw[
        (itnrw["region_key"] == "05114")
        & (itnrw["abschluss_code"] == "insgesamt")
        & (itnrw["geschlecht"] == "insgesamt")
    ]
    leavers = (
        schulen.groupby("period")["value"]
        .sum()
        .rename("schulen")
        .to_frame()
        .join(krefeld_total.set_index("period")["value"].rename("itnrw"), how="outer")
        .rename_axis("school_year")
        .reset_index()
    )
    outcome = cross_source.evaluate_leavers(leavers)
    assert outcome.check_name == spec.check_name
    assert not outcome.passed
    assert outcome.rows["school_year"].tolist() == ["2017/18"]
    assert outcome.rows["abweichung_prozent"].iloc[0] > 8
    assert all(m in outcome.summary for m in spec.mentions), outcome.summary
