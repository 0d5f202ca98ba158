"""Workbooks read by calamine give the parsers exactly what openpyxl gave them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pipelines.ingest import schulen, xlsx
from pipelines.ingest.errors import IngestError
from pipelines.ingest.identify import parse_file
from tests.conftest import SAMPLE

MESSY = Path(__file__).parent / "fixtures" / "messy"
WORKBOOKS = sorted(SAMPLE.rglob("*.xlsx"))[::4] + sorted(MESSY.glob("*.xlsx"))
BIBB = Path("bibb-ba-ausbildungsmarkt-krefeld") / "Krefeld.xlsx"


def _typed(rows: list[list[object]]) -> list[list[tuple[type, object]]]:
    """Cells with their types (``1 == 1.0 == True``), trailing empty cells and rows dropped."""
    typed = []
    for row in rows:
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        typed.append([(type(v), v) for v in cells])
    while typed and not typed[-1]:
        typed.pop()
    return typed


def _assert_same_as_openpyxl(path: Path) -> None:
    book = xlsx.Workbook(path)
    sheets = book.sheets()
    assert book.reader == "calamine"
    reference = openpyxl.load_workbook(path, data_only=True)
    assert [s.title for s in sheets] == reference.sheetnames
    for sheet, ws in zip(sheets, reference.worksheets, strict=True):
        expected = [list(r) for r in ws.iter_rows(values_only=True)]
        assert _typed(sheet.rows()) == _typed(expected), (path.name, sheet.title)
        merged = {(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges}
        assert set(sheet.merged) == merged
        assert sheet.rows(7) == sheet.rows()[:7]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_calamine_cells_match_openpyxl(path: Path) -> None:
    _assert_same_as_openpyxl(path)


def test_calamine_cells_match_openpyxl_on_the_real_bibb_workbook(realdata: Path) -> None:
    _assert_same_as_openpyxl(realdata / BIBB)


def test_values_are_normalised_to_openpyxls_types(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append([5, 2.5, dt.datetime(2024, 10, 15), dt.datetime(2024, 10, 15, 8, 30)])
    wb.active.append([None, "", " text ", True])
    path = tmp_path / "types.xlsx"
    wb.save(path)
    rows = xlsx.Workbook(path).sheets()[0].rows()
    assert _typed(rows) == _typed(
        [
            [5, 2.5, dt.datetime(2024, 10, 15), dt.datetime(2024, 10, 15, 8, 30)],
            [None, None, " text ", True],
        ]
    )


def test_merged_range_past_the_last_value_extends_the_grid(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Titel"
    wb.active.merge_cells("B3:F4")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    sheet = xlsx.Workbook(path).sheets()[0]
    assert len(sheet.rows()) == 4 and all(len(row) == 6 for row in sheet.rows())
    assert sheet.merged == [(3, 2, 4, 6)]
    assert len(sheet.rows(2)) == 2


def test_error_cells_are_not_read_as_empty(tmp_path: Path) -> None:
    """calamine reads ``#DIV/0!`` as an empty cell; openpyxl keeps it, and the parser rejects it."""
    wb = openpyxl.Workbook()
    wb.active.append(["schuljahr", "schulnummer", "schulform_ziel", "schueler"])
    wb.active.append(["2017/18", "012345", "20", 25])
    wb.active.append(["2017/18", "012345", "10", "#DIV/0!"])  # openpyxl writes an error cell
    path = tmp_path / "uebergaenge.xlsx"
    wb.save(path)
    assert xlsx.has_error_cells(path)
    book = xlsx.Workbook(path)
    assert book.sheets()[0].rows()[2][3] == "#DIV/0!" and book.reader == "openpyxl"
    with pytest.raises(IngestError) as info:
        schulen.parse(path)
    problem = info.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "schueler", "#DIV/0!")


def test_a_workbook_is_opened_once_for_sniffing_and_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    opened: list[Path] = []
    read = xlsx._calamine_sheets

    def counting(path: Path) -> list[xlsx.Sheet]:
        opened.append(path)
        return read(path)

    monkeypatch.setattr(xlsx, "_calamine_sheets", counting)
    for path in (
        SAMPLE / "schulen" / "schueler_2024-25.xlsx",
        SAMPLE / "ba" / "sgb2_quoten_2024-12.xlsx",
    ):
        parse_file(path)
        assert opened == [path]
        opened.clear()
