"""Spreadsheet formulas in downloads: text is neutralised, numbers stay numbers.

Unit tests of ``pipelines.report.downloads_safety`` and of the one writer that uses it,
``bm_report.write_csv``, on the fixture warehouse of ``test_report_data``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.report.downloads_safety import FORMULA_STARTS, neutralise, neutralise_frame
from quality.sdc.downloads import read_download
from quality.sdc.protect import read_downloads
from tests.test_report_data import build_warehouse, fresh_report_helpers

LINK = '=HYPERLINK("http://x.example/","klick")'


@pytest.mark.parametrize(
    "text",
    [LINK, "=1+1", "+49 2151 0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "=", "-"],
)
def test_text_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["Beispiel-Realschule (fiktiv)", "", " =1", "'=1", "05114", "2016/17", "a=b", "x-y"],
)
def test_other_text_is_kept(value: str) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [-1.5, -3, 0, 2.5, None, pd.NA])
def test_values_that_are_no_text_are_kept(value: object) -> None:
    assert neutralise(value) is value


def test_nan_is_kept() -> None:
    assert math.isnan(neutralise(float("nan")))  # type: ignore[arg-type]


@given(st.text())
def test_no_neutralised_text_starts_a_formula(text: str) -> None:
    safe = neutralise(text)
    assert isinstance(safe, str) and not safe.startswith(FORMULA_STARTS)
    assert safe in (text, "'" + text)
    assert neutralise(safe) == safe  # twice is once: nothing grows on a second pass


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_key": ["187120", "187130", "187140"],
            "region_name": [LINK, "Schule B", None],
            "kategorie": pd.Series(["-5 bis 0", "insgesamt", "@x"], dtype="str"),
            "mixed": pd.Series([-7, "-7", 2.5], dtype=object),
            "numerator": [-3.0, 4.0, float("nan")],
            "count": pd.Series([-1, 2, 3], dtype="int64"),
            "value": [-1.5, 12.25, None],
        }
    )


def test_frame_neutralises_text_columns_and_keeps_numbers() -> None:
    frame = _frame()
    before = frame.copy()
    out = neutralise_frame(frame)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not changed
    assert list(out["region_name"].iloc[:2]) == ["'" + LINK, "Schule B"]
    assert out["region_name"].isna().iloc[2]
    assert list(out["kategorie"]) == ["'-5 bis 0", "insgesamt", "'@x"]
    assert list(out["mixed"]) == [-7, "'-7", 2.5]  # a number among texts stays a number
    for column in ("numerator", "count", "value", "region_key"):
        pd.testing.assert_series_equal(out[column], frame[column])
    assert out.dtypes.to_dict() == frame.dtypes.to_dict()


def test_frame_neutralises_column_names() -> None:
    out = neutralise_frame(pd.DataFrame({"=a": ["x"], "b": [1]}))
    assert list(out.columns) == ["'=a", "b"]


def test_csv_keeps_the_quote_and_the_numbers_and_reads_back_for_the_audit(
    tmp_path: Path,
) -> None:
    """Written as ``write_csv`` writes: the cell text starts with ``'``, a negative value is
    ``-1,5`` (a number to the spreadsheet), and the disclosure audit reads it as -1.5."""
    path = tmp_path / "d.csv"
    frame = _frame().assign(indicator_id="x", region_level="Schule", period="2016/17")
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        neutralise_frame(frame).to_csv(handle, sep=";", decimal=",", index=False)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert rows[0]["region_name"] == "'" + LINK
    assert (rows[0]["numerator"], rows[0]["value"], rows[0]["count"]) == ("-3,0", "-1,5", "-1")
    cells = [v for row in rows for v in row.values()]
    assert not [v for v in cells if v.startswith(FORMULA_STARTS) and not _number(v)]
    back = read_downloads([path])
    assert list(back["value"].iloc[:2]) == [-1.5, 12.25]
    assert list(back["region_key"]) == ["187120", "187130", "187140"]


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def test_write_csv_neutralises_a_school_name_from_the_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE published.indicator_values SET region_name = ? WHERE region_key = '187120'",
            [LINK],
        )
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    bm = fresh_report_helpers(monkeypatch, "bm_report_safety")

    path = tmp_path / "schueler_anzahl.csv"
    written = bm.write_csv("schueler_anzahl", bm.edition(), path)
    rows = read_download(path)  # German headers and labels back to columns and codes
    assert len(rows) == written
    school = [r for r in rows if r["region_key"] == "187120"]
    assert school and {r["region_name"] for r in school} == {"'" + LINK}
    assert LINK not in {v for r in rows for v in r.values()}
    assert all(_number(r["value"]) for r in rows if r["value"])
