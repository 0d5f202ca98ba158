"""The downloads: CSV per indicator and the XLSX workbook of all indicators (issue 17, item 9).

German headers and labels from the label table, values rounded as the pages show them, keys
that stay text, and a workbook whose cells are exactly the CSV files' cells — so the
disclosure audit over the CSV files covers the workbook too. On the fixture warehouse of
``test_report_data``, with a few rows turned into the codes the real marts carry.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType

import duckdb
import openpyxl
import pandas as pd
import pytest

from pipelines.report.changelog import _same, read_published
from pipelines.report.contract import TABLES
from quality.sdc.downloads import label_table, read_download
from quality.sdc.protect import read_downloads
from tests import disclosure_attack
from tests.test_report_data import build_warehouse, fresh_report_helpers

HEADERS = dict(label_table()["spalte"])
SEX = ("maennlich", "weiblich")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture warehouse, with coded breakdowns as the marts have them: sex of the
    pupil counts, Schulform codes, and a share with many decimals."""
    path = build_warehouse(tmp_path_factory.mktemp("dl") / "w.duckdb", kategorie=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE published.indicator_values SET schulform = CASE schulform "
            "WHEN 'Hauptschule' THEN '04' WHEN 'Realschule' THEN '10' "
            "WHEN 'Gymnasium' THEN '20' WHEN 'Gesamtschule' THEN '15' ELSE schulform END"
        )
        con.execute(
            "INSERT INTO published.indicator_values SELECT * REPLACE ("
            "CASE WHEN period < '2020' THEN 'maennlich' ELSE 'weiblich' END AS geschlecht, "
            "value / 2 + 0.25 AS value) FROM published.indicator_values "
            "WHERE indicator_id = 'schueler_anzahl' AND region_key = '05114' "
            "AND schulform = 'insgesamt'"
        )
        con.execute(
            "UPDATE published.indicator_values SET value = 8.05, numerator = 174, "
            "denominator = 2161.0000000001 WHERE indicator_id = 'abgang_ohne_abschluss_quote' "
            "AND region_key = '05114' AND period = '2016/17' AND geschlecht = 'insgesamt'"
        )
    return path


@pytest.fixture
def bm(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    return fresh_report_helpers(monkeypatch, "bm_report_downloads")


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle, delimiter=";"))
    return header, rows


def test_csv_has_german_headers_labels_and_values_rounded_as_shown(
    bm: ModuleType, tmp_path: Path
) -> None:
    ausgabe = bm.edition()
    path = tmp_path / "abgang_ohne_abschluss_quote.csv"
    written = bm.write_csv("abgang_ohne_abschluss_quote", ausgabe, path)
    header, rows = _csv_rows(path)
    assert len(rows) == written > 0
    columns = [*TABLES["indicator_values"], "kategorie"]
    assert header == [HEADERS[c] for c in bm.published_columns("indicator_values")]
    assert set(header) == {HEADERS[c] for c in columns}
    assert "Regionalschlüssel" in header and "Zähler" in header and "Grund der Sperrung" in header
    at = {h: i for i, h in enumerate(header)}
    (row,) = [r for r in rows if r[at["Zeitraum"]] == "2016/17"
              and r[at["Regionalschlüssel"]] == "05114"
              and r[at["Geschlecht"]] == "Insgesamt"]  # fmt: skip
    cell = dict(zip(header, row, strict=True))
    # 8.05 % is shown as 8,1 % (half up), the counts without ",0"
    assert (cell["Wert"], cell["Zähler"], cell["Nenner"]) == ("8,1", "174", "2161")
    assert bm.format_value(8.05, None, "%") == "8,1 %"
    for row in rows:
        value = row[header.index("Wert")]
        assert value == "" or (value.count(",") == 1 and len(value.split(",")[1]) == 1), value
        for count in (row[header.index("Zähler")], row[header.index("Nenner")]):
            assert count == "" or count.isdigit(), count


def test_csv_counts_are_integers_and_codes_are_labels(bm: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "schueler_anzahl.csv"
    bm.write_csv("schueler_anzahl", bm.edition(), path)
    header, rows = _csv_rows(path)
    values = [r[header.index("Wert")] for r in rows if r[header.index("Wert")]]
    assert values and all(v.isdigit() for v in values), values[:5]  # no "174,0"
    sexes = {r[header.index("Geschlecht")] for r in rows}
    assert {"männlich", "weiblich", "Insgesamt"} <= sexes and "maennlich" not in sexes
    schools = {r[header.index("Schulform")] for r in rows}
    assert {"Hauptschule", "Realschule", "Gymnasium", "Gesamtschule"} <= schools
    assert not schools & {"04", "10", "15", "20", "insgesamt"}
    assert "05114" in {r[header.index("Regionalschlüssel")] for r in rows}
    # the share of the added rows: x/2 + 0.25 of a count, shown as a whole number
    assert all("," not in r[header.index("Wert")] for r in rows)


def test_csv_reads_back_to_codes_for_the_audit_and_the_change_log(
    bm: ModuleType, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    (site / "indikatoren").mkdir(parents=True)
    path = site / "indikatoren" / "schueler_anzahl.csv"
    written = bm.write_csv("schueler_anzahl", bm.edition(), path)
    cells = read_downloads([path])
    assert len(cells) == written
    assert {"indicator_id", "region_key", "geschlecht", "schulform", "value"} <= set(cells)
    assert set(SEX) <= set(cells["geschlecht"]) and "04" in set(cells["schulform"])
    assert not {"männlich", "Hauptschule"} & (set(cells["geschlecht"]) | set(cells["schulform"]))
    truth = bm.published_rows("schueler_anzahl", bm.edition())
    assert sorted(cells["value"].dropna()) == sorted(
        float(Decimal(repr(float(v))).quantize(Decimal(1), ROUND_HALF_UP))
        for v in truth["value"].dropna()
    )
    rows, names = read_published(site)
    assert names["schueler_anzahl"] == bm.indicator("schueler_anzahl").name
    keys = set(rows["schueler_anzahl"])
    assert ("05114", "2016/17", "maennlich", "insgesamt", "insgesamt", "insgesamt") in keys
    attack = disclosure_attack.read_downloads(site)
    assert ("schueler_anzahl", "05114", "2016/17", "maennlich", "insgesamt", "insgesamt",
            "insgesamt") in attack.rows  # fmt: skip


def test_an_edition_at_full_precision_and_one_rounded_as_shown_are_the_same_figures() -> None:
    assert _same(("8,055555555555555", ""), ("8,1", ""))
    assert _same(("174,0", ""), ("174", ""))
    assert not _same(("8,04", ""), ("8,1", ""))
    assert not _same(("8,1", ""), ("8,1", "."))
    assert _same(("", "."), ("", "."))


def test_files_with_codes_and_old_headers_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "indicator_id;region_key;period;geschlecht;value;symbol\nx;05114;2016/17;maennlich;1,5;\n",
        encoding="utf-8-sig",
    )
    (row,) = read_download(path)
    assert row == {"indicator_id": "x", "region_key": "05114", "period": "2016/17",
                   "geschlecht": "maennlich", "value": "1,5", "symbol": ""}  # fmt: skip


# --------------------------------------------------------------------------- the workbook


@pytest.fixture
def workbook(bm: ModuleType, tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "alle_kennzahlen.xlsx"
    return path, bm.write_xlsx(bm.edition(), path)


def _data_sheets(book: openpyxl.Workbook) -> list:
    return [s for s in book.worksheets if s.title not in ("Hinweise", "Katalog")]


def test_workbook_sheets_keys_as_text_numbers_as_numbers(
    bm: ModuleType, workbook: tuple[Path, int]
) -> None:
    path, written = workbook
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Hinweise", "Katalog", *bm.HANDLUNGSFELDER]
    header = [HEADERS[c] for c in bm.published_columns("indicator_values")]
    total = 0
    for sheet in _data_sheets(book):
        rows = list(sheet.iter_rows())
        assert [c.value for c in rows[0]] == header
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{rows[0][-1].column_letter}{len(rows)}"
        total += len(rows) - 1
        for row in rows[1:]:
            cells = dict(zip(header, row, strict=True))
            for key in ("Regionalschlüssel", "Kennzahl-ID", "Zeitraum"):
                assert cells[key].data_type == "s" and cells[key].number_format == "@"
                assert isinstance(cells[key].value, str)
            for number in ("Zähler", "Nenner", "Wert"):
                cell = cells[number]
                if cell.value is not None:
                    assert cell.data_type == "n" and isinstance(cell.value, int | float)
            if cells["Wert"].value is not None:
                fmt = cells["Wert"].number_format
                assert fmt == ("0" if cells["Einheit"].value == "Anzahl" else "0.0"), fmt
    assert total == written
    keys = {c.value for s in _data_sheets(book) for c in s["D"] if c.row > 1}  # Regionalschlüssel
    assert "05114" in keys and "05" in keys


def test_workbook_has_no_formula(workbook: tuple[Path, int]) -> None:
    book = openpyxl.load_workbook(workbook[0])
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert cells and not [c for c in cells if c.data_type == "f"]
    assert not [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]


def test_workbook_catalogue_and_notes(bm: ModuleType, workbook: tuple[Path, int]) -> None:
    book = openpyxl.load_workbook(workbook[0])
    catalogue = [[c.value for c in r] for r in book["Katalog"].iter_rows()]
    header = catalogue[0]
    assert {"Definition", "Quelle", "Lizenz"} <= set(header)
    assert [r[0] for r in catalogue[1:]] == [e.id for e in bm.indicators()]
    entry = bm.indicator("abgang_ohne_abschluss_quote")
    row = dict(zip(header, catalogue[1:][[r[0] for r in catalogue[1:]].index(entry.id)],
                   strict=True))  # fmt: skip
    assert row["Definition"] == entry.definition and row["Quelle"] == entry.source
    assert (
        "dl-de/by-2-0" in row["Lizenz"] and "https://www.govdata.de/dl-de/by-2-0" in row["Lizenz"]
    )
    notes = {r[0].value: r[1].value for r in book["Hinweise"].iter_rows(min_row=2)}
    assert notes["."].startswith("gesperrt") and set(bm.SYMBOLS) <= set(notes)
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in notes["Lizenz"]


def test_workbook_cells_equal_the_csv_cells(
    bm: ModuleType, workbook: tuple[Path, int], tmp_path: Path
) -> None:
    """The audit reads the CSV files; the workbook must show nothing else."""
    book = openpyxl.load_workbook(workbook[0])
    by_indicator: dict[str, list[list[object]]] = {}
    for sheet in _data_sheets(book):
        for row in sheet.iter_rows(min_row=2, values_only=True):
            by_indicator.setdefault(str(row[0]), []).append(list(row))
    ausgabe = bm.edition()
    compared = 0
    for entry in bm.indicators():
        path = tmp_path / f"{entry.id}.csv"
        bm.write_csv(entry.id, ausgabe, path)
        header, rows = _csv_rows(path)
        numbers = {header.index(HEADERS[c]) for c in ("numerator", "denominator", "value")}
        shown = by_indicator.get(entry.id, [])
        assert len(shown) == len(rows), entry.id
        for text_row, cell_row in zip(rows, shown, strict=True):
            for i, (text, cell) in enumerate(zip(text_row, cell_row, strict=True)):
                if i in numbers and text:
                    assert isinstance(cell, int | float) and float(text.replace(",", ".")) == cell
                else:
                    assert (cell if cell is not None else "") == text, (entry.id, header[i])
            compared += 1
    assert compared == sum(len(v) for v in by_indicator.values()) > 1000


def test_a_long_handlungsfeld_continues_on_a_second_sheet(bm: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "klein.xlsx"
    written = bm.write_xlsx(bm.edition(), path, max_rows=500)
    book = openpyxl.load_workbook(path, read_only=True)
    names = book.sheetnames
    assert "Allgemeinbildende Schule (2)" in names
    # openpyxl's write-only mode writes no <dimension>: count the rows themselves
    counts = {s.title: sum(1 for _ in s.iter_rows()) for s in book.worksheets}
    rows = sum(n - 1 for title, n in counts.items() if title not in ("Hinweise", "Katalog"))
    assert rows == written and all(n <= 500 for n in counts.values())


def test_workbook_rounds_like_the_pages(bm: ModuleType, workbook: tuple[Path, int]) -> None:
    book = openpyxl.load_workbook(workbook[0])
    sheet = book["Allgemeinbildende Schule"]
    rows = [r for r in sheet.iter_rows(min_row=2, values_only=True)]
    header = [c.value for c in sheet[1]]
    at = {h: i for i, h in enumerate(header)}
    (row,) = [r for r in rows if r[0] == "abgang_ohne_abschluss_quote" and r[at["Zeitraum"]]
              == "2016/17" and r[at["Regionalschlüssel"]] == "05114"
              and r[at["Geschlecht"]] == "Insgesamt"]  # fmt: skip
    assert (row[at["Wert"]], row[at["Zähler"]], row[at["Nenner"]]) == (8.1, 174, 2161)
    frame = pd.DataFrame(rows, columns=header)
    assert "männlich" in set(frame["Geschlecht"]) and "maennlich" not in set(frame["Geschlecht"])


def test_a_number_in_a_key_column_is_written_as_text(bm: ModuleType, tmp_path: Path) -> None:
    """A key delivered as a number (5114) stays a text cell in ``@``, never a number."""
    import bm_xlsx

    path = tmp_path / "k.xlsx"
    frame = pd.DataFrame({"k": [5114, "05"], "n": [3, None]}, dtype=object)
    with bm_xlsx.Workbook(path) as book:
        book.add_sheet("t", ["k", "n"], [(frame, [bm_xlsx.KEY, bm_xlsx.INTEGER])], widths=[9, 9])
    sheet = openpyxl.load_workbook(path)["t"]
    assert [(c.value, c.data_type, c.number_format) for c in sheet["A"][1:]] == [
        ("5114", "s", "@"),
        ("05", "s", "@"),
    ]
    assert [(c.value, c.data_type) for c in sheet["B"][1:]] == [(3, "n"), (None, "n")]
