"""quality.check_results and the working group's quality page built from it."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from quality.check_results import MAX_ROWS, load_check_results, record_check_result
from quality.quality_report import write_quality_report

EARLY = datetime(2026, 3, 1, 8, 0)
LATE = datetime(2026, 3, 2, 8, 0)


def _record(con, run_id: str, name: str, severity: str, passed: bool, rows=None, at=LATE):
    record_check_result(
        con,
        run_id=run_id,
        check_name=name,
        asset_key="marts/fct_indicator_values",
        severity=severity,
        passed=passed,
        n_failures=0 if rows is None else len(rows),
        summary=f"Befund {name}",
        metadata={"geprueft": 12},
        rows=rows,
        checked_at=at,
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        _record(con, "old-run", "completeness", "ERROR", False, pd.DataFrame({"x": [1]}), EARLY)
        _record(con, "run-2", "completeness", "ERROR", True)
        _record(
            con,
            "run-2",
            "yoy_plausibility",
            "WARN",
            False,
            pd.DataFrame(
                {"region_key": ["05114"], "period": ["2023/24"], "change": [2.61], "note": ["<b>"]}
            ),
        )
        _record(
            con,
            "run-2",
            "value_ranges",
            "ERROR",
            False,
            pd.DataFrame({"region_key": [f"r{i}" for i in range(MAX_ROWS + 5)], "value": 120.0}),
        )
        record_check_result(
            con,
            run_id="run-2",
            check_name="pandera_schema",
            asset_key="raw_itnrw__abgaenger",
            severity="ERROR",
            passed=True,
            n_failures=0,
            checked_at=LATE,
        )
    return path


def test_results_of_the_latest_run_are_loaded(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_id, results = load_check_results(con)
        _, old = load_check_results(con, "old-run")
    assert run_id == "run-2"
    assert sorted(results["check_name"]) == [
        "completeness", "pandera_schema", "value_ranges", "yoy_plausibility",
    ]  # fmt: skip
    capped = results.set_index("check_name").loc["value_ranges", "details"]
    assert len(capped["rows"]) == MAX_ROWS
    assert capped["rows_total"] == MAX_ROWS + 5
    assert old["check_name"].tolist() == ["completeness"]


def test_severity_must_be_warn_or_error(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con, pytest.raises(ValueError):
        record_check_result(
            con, run_id="r", check_name="c", asset_key="a", severity="INFO", passed=True,
            n_failures=0,
        )  # fmt: skip


def test_quality_page_lists_every_check_with_status_and_rows(
    warehouse: Path, tmp_path: Path
) -> None:
    page = write_quality_report(warehouse, tmp_path / "_qualitaet")
    text = page.read_text(encoding="utf-8")
    assert page.name == "index.html"
    assert '<html lang="de">' in text
    assert "run-2" in text and "old-run" not in text
    assert "1 nicht bestanden" in text and "1 mit Warnung" in text and "2 bestanden" in text
    assert text.index("Wertebereiche je Einheit") < text.index("Plausibilität der Veränderung")
    assert "Schema und Summen der Rohdaten (pandera)" in text
    assert "Befund yoy_plausibility" in text
    assert "<td>05114</td><td>2023/24</td>" in text
    assert '<td class="num">2,61</td>' in text
    assert "&lt;b&gt;" in text and "<b>" not in text
    assert f"Gezeigt: {MAX_ROWS} von {MAX_ROWS + 5} Zeilen" in text
    assert "noindex" in text
    assert not re.search(r"(src|href)=\"(https?:)?//", text)


def test_quality_page_without_results(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    text = write_quality_report(empty, tmp_path / "out").read_text(encoding="utf-8")
    assert "keine Prüfergebnisse" in text
