"""The pandera raw schemas catch what the parsers cannot know is wrong, and say where."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.ingest.identify import delivery_files, parse_file
from quality.raw_schemas import SCHEMAS, validate_tidy
from tests.conftest import SAMPLE


def _leavers(**overrides) -> pd.DataFrame:
    row = {
        "source": "itnrw",
        "table_code": "21111-02-06-4",
        "region_key": "05114",
        "region_name": "Krefeld",
        "period": "2016/17",
        "abschlussart": "ohne Hauptschulabschluss",
        "abschluss_code": "ohne_hsa",
        "geschlecht": "insgesamt",
        "value": 174.0,
        "symbol": None,
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_valid_row_passes():
    assert validate_tidy(_leavers(), "itnrw__abgaenger") == []


@pytest.mark.parametrize(
    ("overrides", "column", "rule_part"),
    [
        ({"value": -5.0}, "value", "greater_than_or_equal_to(0)"),
        ({"period": "2017"}, "period", "str_matches"),
        ({"abschluss_code": "unbekannt"}, "abschluss_code", "isin"),
        ({"region_key": "5114"}, "region_key", "str_matches"),
        ({"symbol": "?"}, "symbol", "isin"),
    ],
)
def test_bad_cell_is_named_with_row_column_value_and_rule(overrides, column, rule_part):
    problems = validate_tidy(_leavers(**overrides), "itnrw__abgaenger", {0: "abgaenger.csv"})
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.row, problem.column) == ("abgaenger.csv", 1, column)
    assert problem.value == next(iter(overrides.values()))
    assert rule_part in problem.rule
    assert str(problem).startswith("itnrw: abgaenger.csv, row 1, column ")


def test_duplicate_keys_are_reported():
    frame = pd.concat([_leavers(), _leavers(value=175.0)], ignore_index=True)
    problems = validate_tidy(frame, "itnrw__abgaenger")
    assert problems and all("unique" in p.rule or "duplicate" in p.rule.lower() for p in problems)


def test_missing_value_needs_a_symbol():
    problems = validate_tidy(_leavers(value=float("nan")), "itnrw__abgaenger")
    assert any("explained by a symbol" in p.rule for p in problems)


def test_table_without_schema_is_a_problem():
    assert "no pandera schema" in validate_tidy(_leavers(), "itnrw__neu")[0].rule


def test_every_bundled_sample_file_is_valid():
    for path in delivery_files(SAMPLE):
        parsed = parse_file(path)
        table = f"{parsed.source}__{parsed.table}"
        assert table in SCHEMAS, table
        assert validate_tidy(parsed.frame, table) == [], path.name
