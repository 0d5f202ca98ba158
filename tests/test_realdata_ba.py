"""The real BIBB/BA training-market workbook (Agenturbezirk Krefeld 2022/2023, see
``../shared/realdata/bibb-ba-ausbildungsmarkt-krefeld/PROVENANCE.md``) passes validation, with
counts and their ``VR`` change rates (per cent, may be negative) kept apart (issue 18)."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from pipelines.ingest import ba
from pipelines.ingest.tidy import ParsedFile
from quality.raw_schemas import validate_tidy

WORKBOOK = (
    Path(__file__).parents[2]
    / "shared"
    / "realdata"
    / "bibb-ba-ausbildungsmarkt-krefeld"
    / "Krefeld.xlsx"
)


@pytest.fixture(scope="module")
def workbook() -> Path:
    if not WORKBOOK.is_file():
        pytest.skip(f"real data not available: {WORKBOOK}")
    return WORKBOOK


@pytest.fixture(scope="module")
def parsed(workbook: Path) -> ParsedFile:
    return ba.parse(workbook)


@pytest.fixture(scope="module")
def sheet(workbook: Path):
    return openpyxl.load_workbook(workbook, read_only=False).active


def _row(parsed: ParsedFile, **where: str):
    hit = parsed.frame
    for column, wanted in where.items():
        hit = hit[hit[column] == wanted]
    assert len(hit) == 1, where
    return hit.iloc[0]


def test_validates_without_problems(parsed: ParsedFile) -> None:
    assert validate_tidy(parsed.frame, "ba__ausbildungsmarkt", file="Krefeld.xlsx") == []


def test_validate_still_refuses_a_negative_count(parsed: ParsedFile) -> None:
    frame = parsed.frame.copy()
    count = frame.index[(frame.einheit == "anzahl") & frame.value.notna()][0]
    frame.loc[count, "value"] = -3.0
    frame.loc[frame.index[frame.einheit == "veraenderung_prozent"][0], "value"] = -100.5
    problems = validate_tidy(frame, "ba__ausbildungsmarkt", file="Krefeld.xlsx")
    assert problems
    counts = [p for p in problems if "einheit = 'anzahl'" in p.rule]
    assert counts and {p.row for p in counts} == {count + 1}
    rates = [p for p in problems if "greater_than_or_equal_to(-100)" in p.rule]
    assert len(rates) == 1 and rates[0].value == -100.5


def test_total_row_naa_and_its_change(parsed: ParsedFile, sheet) -> None:
    # row 44 "alle Berufe": NAA 2022 (D44), 2023 (E44) and VR (F44)
    assert sheet["B44"].value == "alle Berufe"
    assert (sheet["D44"].value, sheet["E44"].value) == (3033, 2961)
    assert sheet["F44"].value == pytest.approx(-2.4390243902439024)
    total = {"beruf": "insgesamt", "einheit": "anzahl", "merkmal": "neue_vertraege"}
    assert _row(parsed, **total, period="2022").value == 3033
    assert _row(parsed, **total, period="2023").value == 2961
    rate = _row(
        parsed,
        beruf="insgesamt",
        einheit="veraenderung_prozent",
        merkmal="neue_vertraege_vr_prozent",
        period="2023",  # the change is dated to the later year
    )
    assert rate.value == pytest.approx(-2.4390243902439024) and rate.symbol is None
    assert rate.beruf_name == "alle Berufe"


@pytest.mark.parametrize(
    ("cell", "where", "expected"),
    [
        # X44: Nachfrage nach erweiterter Definition, alle Berufe (the value first refused)
        (
            "X44",
            {"beruf": "insgesamt", "merkmal": "nachfrage_erweitert_vr_prozent"},
            -2.5583356761315716,
        ),
        # F6: NAA, Berufshauptgruppe 11 Land-, Tier- und Forstwirtschaftsberufe
        ("F6", {"beruf": "11", "merkmal": "neue_vertraege_vr_prozent"}, -22.727272727272727),
        # I44: UVB ohne Alternative, alle Berufe
        (
            "I44",
            {"beruf": "insgesamt", "merkmal": "unversorgte_bewerber_vr_prozent"},
            -10.256410256410255,
        ),
    ],
)
def test_negative_changes_are_kept(parsed: ParsedFile, sheet, cell, where, expected) -> None:
    assert sheet[cell].value == pytest.approx(expected)
    row = _row(parsed, **where, period="2023")
    assert row.einheit == "veraenderung_prozent"
    assert row.value == pytest.approx(expected) and row.value < 0


def test_symbols_are_kept(parsed: ParsedFile, sheet) -> None:
    # K10: UVB mit Alternative 2023, Berufshauptgruppe 23, anonymised
    assert (sheet["A10"].value, sheet["K10"].value) == ("23", "*")
    star = _row(
        parsed, beruf="23", einheit="anzahl", merkmal="bewerber_mit_alternative", period="2023"
    )
    assert math.isnan(star.value) and star.symbol == "*"
    # F5: VR of NAA for Berufshauptgruppe 01 (0 → 0) is "." (not computable)
    assert (sheet["A5"].value, sheet["F5"].value) == ("01", ".")
    dot = _row(parsed, beruf="01", merkmal="neue_vertraege_vr_prozent", period="2023")
    assert math.isnan(dot.value) and dot.symbol == "."


def test_kldb_codes_and_rounding_note(parsed: ParsedFile) -> None:
    codes = set(parsed.frame.beruf)
    assert {"01", "11", "94", "nicht_zugeordnet", "insgesamt"} <= codes
    assert len(codes) == 39
    assert ba.ROUNDING_NOTE in parsed.notes
    counts = parsed.frame[parsed.frame.einheit == "anzahl"].value.dropna()
    assert (counts % 3 == 0).all()  # the BIBB's rounding to multiples of 3, as its note says
