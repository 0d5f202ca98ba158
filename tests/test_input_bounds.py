"""Every parser's resource use is bounded: bombs and floods are refused, naming the file.

The acceptance cases run ``bildungsmonitor validate`` in a child process and measure it there
(wall time, peak RSS from ``getrusage(RUSAGE_CHILDREN)`` of a wrapper that starts only that
child), with an address-space limit as a safety net: before the bounds, the workbooks below
made calamine abort the process asking for 512 GiB, and the merged range made the grid
padding build 17 billion cells.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.command_line.cli import main
from pipelines.ingest import genesis, schulen, xlsx, xlsx_bounds
from pipelines.ingest.errors import IngestError
from pipelines.ingest.identify import parse_file
from pipelines.ingest.limits import megabytes
from quality.raw_schemas import validate_tidy
from tests.conftest import REPO_ROOT, SAMPLE

GIB = 1024**3
ACCEPTANCE_SECONDS = 30
ACCEPTANCE_RSS = GIB

_MEASURE = """
import json, resource, subprocess, sys, time
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, preexec_fn=limit)
print(json.dumps({
    "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
    "seconds": time.perf_counter() - start,
    "rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
}))
"""


def _validate_measured(path: Path, **env: str) -> dict:
    """``bildungsmonitor validate path`` in a child process: exit code, output, seconds, RSS."""
    command = [
        sys.executable,
        "-c",
        "from pipelines.command_line.cli import entry_point; entry_point()",
    ]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command, "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        check=True,
    )
    return json.loads(done.stdout)


def _assert_refused_within_bounds(result: dict, path: Path, *expected: str) -> None:
    assert result["code"] == 1, result
    stderr = result["stderr"]
    assert "Traceback" not in stderr and "memory allocation" not in stderr, stderr
    assert path.name in stderr
    for text in expected:
        assert text in stderr, stderr
    assert result["seconds"] < ACCEPTANCE_SECONDS, result["seconds"]
    assert result["rss"] < ACCEPTANCE_RSS, result["rss"] / GIB


# --- workbooks -------------------------------------------------------------------------------

BA_TITLE = "Arbeitslose und Arbeitslosenquoten – Statistik der Bundesagentur für Arbeit"


def _ba_looking_book() -> openpyxl.Workbook:
    """A small workbook whose title makes the BA sniffer read the whole sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Arbeitslose"
    sheet["A1"] = BA_TITLE
    sheet["A3"] = "Berichtsmonate: Januar 2025 bis Oktober 2025"
    return book


def _patched(book: openpyxl.Workbook, target: Path, old: bytes, new: bytes) -> Path:
    """Save ``book`` with ``old`` replaced by ``new`` in its worksheet XML."""
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                assert old in data
                data = data.replace(old, new)
            out.writestr(info, data, zipfile.ZIP_DEFLATED)
    return target


def _dimension_bomb(target: Path) -> Path:
    """4.9 KB: dimension A1:XFD1048576, one cell in the very last one (as openpyxl writes it)."""
    book = _ba_looking_book()
    book.active["XFD1048576"] = "x"
    book.save(target)
    return target


def _merged_bomb(target: Path) -> Path:
    """4.9 KB: one merged range F1:XFD1048576 (openpyxl itself would need minutes for it)."""
    book = _ba_looking_book()
    book.active["F1"] = "Kopf"
    book.active.merge_cells("F1:G1")
    return _patched(book, target, b'ref="F1:G1"', b'ref="F1:XFD1048576"')


def test_dimension_bomb_is_refused_in_seconds_and_megabytes(tmp_path: Path) -> None:
    path = _dimension_bomb(tmp_path / "arbeitslose_2025.xlsx")
    assert path.stat().st_size < 6000
    result = _validate_measured(path)
    _assert_refused_within_bounds(
        result, path, "A1:XFD1048576", "17.179.869.184 Zellen", "Tabellenblatt 'Arbeitslose'"
    )


def test_merged_range_bomb_is_refused_in_seconds_and_megabytes(tmp_path: Path) -> None:
    path = _merged_bomb(tmp_path / "arbeitslose_2025.xlsx")
    assert path.stat().st_size < 6000
    result = _validate_measured(path)
    _assert_refused_within_bounds(result, path, "verbundener Zellbereich F1:XFD1048576")


def _raw_workbook(target: Path, sheet_xml: str, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A minimal workbook written by hand: one sheet ``Daten`` with the given XML in ``part``."""
    namespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{relations}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{namespace}" xmlns:r="{relations}"><sheets>'
            '<sheet name="Daten" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{relations}/worksheet" '
            f'Target="/{part}"/></Relationships>'
        ),
        part: f'<worksheet xmlns="{namespace}">{sheet_xml}</worksheet>',
    }
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return target


def _cell(ref: str, text: str = "x", attribute: str = 'r="{ref}"') -> str:
    return f'<c {attribute.format(ref=ref)} t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.mark.parametrize(
    ("case", "far"),
    [
        ("plain", _cell("XFD1048576")),
        ("whitespace", _cell("XFD1048576", attribute='r  =\n "{ref}"')),
        ("single quotes", _cell("XFD1048576", attribute="r='{ref}'")),
        ("lower case", _cell("xfd1048576")),
        ("two letters", _cell("ZZ1048576")),
        ("row far down", _cell("J1048576")),
    ],
)
def test_far_cells_without_a_dimension_are_measured_from_the_references(
    tmp_path: Path, case: str, far: str
) -> None:
    """No ``<dimension>`` to go by: calamine spans the cells themselves (and accepts all of
    these spellings), so the references are what is measured."""
    xml = f'<sheetData><row r="1">{_cell("A1")}</row><row r="1048576">{far}</row></sheetData>'
    path = _raw_workbook(tmp_path / "far.xlsx", xml)
    with pytest.raises(IngestError) as info:
        xlsx_bounds.check_workbook(path)
    problem = info.value.problems[0]
    assert problem.file == "far.xlsx" and problem.row == 1048576
    assert "Tabellenblatt 'Daten' reicht bis" in problem.rule


def test_a_sheet_is_measured_under_any_part_name(tmp_path: Path) -> None:
    """calamine reads a sheet from wherever the workbook's relations point."""
    xml = f'<sheetData><row r="1">{_cell("A1")}{_cell("XFD1048576")}</row></sheetData>'
    path = _raw_workbook(tmp_path / "odd.xlsx", xml, part="xl/odd/blob.bin")
    with pytest.raises(IngestError, match="Tabellenblatt 'Daten' reicht bis XFD1048576"):
        xlsx_bounds.check_workbook(path)


def test_attribute_names_ending_in_r_are_no_cell_references() -> None:
    """``xmlns:xr="http…"`` (in every sheet Excel 2016 writes) is not a cell in column HTTP:
    the fast pattern takes it for one, the exact one clears it."""
    sheet = (
        b'<worksheet xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">'
        b'<sheetData><row r="1"><c r="C1"><v>1</v></c></row></sheetData></worksheet>'
    )
    assert xlsx_bounds._CANDIDATE_REF.findall(sheet)[0][0] == b"http"
    assert xlsx_bounds._cell_extent(sheet) == (99_999, 26)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_xml_with_entity_declarations_is_refused(tmp_path: Path, part: str) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    sheet = f'<sheetData><row r="1">{_cell("A1")}</row></sheetData>'
    path = _raw_workbook(tmp_path / "lol.xlsx", sheet)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name).decode() for name in archive.namelist()}
    parts[part] = laughs + parts.get(part, "<sst/>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    with pytest.raises(IngestError) as info:
        parse_file(path)
    assert f"Teil {part} der Arbeitsmappe enthält eine DTD" in str(info.value)
    assert "lol.xlsx" in str(info.value)


def test_the_workbook_index_is_parsed_without_entities(tmp_path: Path) -> None:
    path = _raw_workbook(tmp_path / "a.xlsx", "<sheetData/>")
    with zipfile.ZipFile(path) as archive:
        assert xlsx_bounds._sheet_names(archive) == {"xl/worksheets/sheet1.xml": "Daten"}
        index = archive.read("xl/workbook.xml")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/evil.xml", b'<!DOCTYPE x [<!ENTITY e "Daten">]>' + index)
    with zipfile.ZipFile(path) as archive, pytest.raises(xlsx_bounds._Forbidden):
        xlsx_bounds._elements(archive, "xl/evil.xml")


def test_a_part_too_large_to_unpack_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = _raw_workbook(tmp_path / "big.xlsx", "<sheetData/>" + " " * 5000)
    monkeypatch.setattr(xlsx_bounds, "MAX_XML_PART_BYTES", 4096)
    with pytest.raises(IngestError, match=r"xl/worksheets/sheet1\.xml der Arbeitsmappe ist entp"):
        xlsx_bounds.check_workbook(path)


def test_the_readers_guard_the_grid_before_building_it(tmp_path: Path, monkeypatch) -> None:
    """Past the XML check, both readers measure a sheet (with its merged ranges) before its
    grid is padded or iterated: calamine's and openpyxl's paths alike."""
    book = openpyxl.Workbook()
    book.active["A1"] = "Titel"
    book.active.merge_cells("B3:F40")
    path = tmp_path / "merged.xlsx"
    book.save(path)
    monkeypatch.setattr(xlsx_bounds, "MAX_SHEET_CELLS", 6 * 40 - 1)
    for read in (xlsx._calamine_sheets, xlsx._openpyxl_sheets):
        with pytest.raises(IngestError, match="reicht bis F40 \\(240 Zellen\\)"):
            read(path)
    monkeypatch.setattr(xlsx_bounds, "MAX_SHEET_CELLS", 6 * 40)
    assert len(xlsx.Workbook(path).sheets()[0].rows()) == 40


def test_real_and_sample_workbooks_pass_the_bounds(realdata: Path) -> None:
    workbooks = [*sorted(SAMPLE.rglob("*.xlsx")), *sorted(realdata.rglob("*.xlsx"))]
    assert len(workbooks) > 30
    for path in workbooks:
        xlsx_bounds.check_workbook(path)


# --- text files ------------------------------------------------------------------------------

SCHULEN_HEADER = (
    b"schuljahr;schulnummer;jahrgang;wiederholer_nicht_versetzt;wiederholer_freiwillig;"
)
SCHULEN_HEADER += b"schueler\r\n"
FFCSV_HEADER = (
    b"statistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
    b"1_variable_label;1_variable_attribute_code;1_variable_attribute_label;2_variable_code;"
    b"2_variable_label;2_variable_attribute_code;2_variable_attribute_label;value;value_unit;"
    b"value_variable_code;value_variable_label\n"
)
FFCSV_BAD_ROW = (
    "12411;Fortschreibung;STAG;Stichtag;2024-12-31;KREISE;Kreise;5114;Krefeld;GES;Geschlecht;;"
    "Insgesamt;22x;Anzahl;BEVSTD;Bevölkerungsstand\n"
).encode()


def _flood(path: Path, header: bytes, row: bytes, size: int) -> Path:
    """``header`` and copies of ``row`` up to about ``size`` bytes, written in large pieces."""
    piece = row * max(1, (1 << 22) // len(row))
    with path.open("wb") as handle:
        handle.write(header)
        for _ in range(max(1, size // len(piece))):
            handle.write(piece)
    return path


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("name", "header", "row", "expected"),
    [
        ("wiederholer_2016-17.csv", SCHULEN_HEADER, b"2016/17;0123X5;77;zwei;1;-80\r\n",
         "schulen: wiederholer_2016-17.csv: mindestens"),
        ("12411-01-01-4_flood_flat.csv", FFCSV_HEADER, FFCSV_BAD_ROW,
         "itnrw: 12411-01-01-4_flood_flat.csv: mindestens 25 Probleme"),
    ],
    ids=["school-template", "genesis-ffcsv"],
)  # fmt: skip
def test_300_mb_of_bad_rows_is_refused_in_seconds_and_megabytes(
    tmp_path: Path, name: str, header: bytes, row: bytes, expected: str
) -> None:
    """A valid header and ten million bad rows: read as a stream, given up after the first
    problems (the size limit is raised so that it is the reading that is measured)."""
    path = _flood(tmp_path / name, header, row, 300_000_000)
    assert path.stat().st_size > 290_000_000
    result = _validate_measured(path, BILDUNGSMONITOR_MAX_FILE_MB="1024")
    _assert_refused_within_bounds(result, path, expected, "Prüfung nach Zeile")
    assert len(result["stderr"].splitlines()) <= 1 + schulen.MAX_PROBLEMS
    path.unlink()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    row = b"2016/17;012345;7;2;1;80\r\n"
    path = _flood(tmp_path / "wiederholer.csv", SCHULEN_HEADER, row, 3 << 20)
    size = megabytes(path.stat().st_size)
    monkeypatch.setenv("BILDUNGSMONITOR_MAX_FILE_MB", "2")

    def never(*args, **kwargs):
        raise AssertionError("a file over the limit must not be scanned")

    monkeypatch.setattr("pipelines.ingest.textfile._scan", never)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"inbox: wiederholer.csv: Datei ist {size} groß, erlaubt sind höchstens 2,0 MB" in err
    assert "BILDUNGSMONITOR_MAX_FILE_MB" in err


def test_a_broken_size_setting_is_named(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(SCHULEN_HEADER)
    monkeypatch.setenv("BILDUNGSMONITOR_MAX_FILE_MB", "viel")
    with pytest.raises(IngestError, match="BILDUNGSMONITOR_MAX_FILE_MB='viel' ist keine"):
        parse_file(path)


def test_a_line_of_megabytes_is_refused_before_the_csv_reader_sees_it(tmp_path: Path) -> None:
    """One line of three million ``;`` would be a record of three million fields."""
    path = tmp_path / "wiederholer.csv"
    path.write_bytes(SCHULEN_HEADER + b"2016/17;012345;7;2;1;80\r\n" + b";" * 3_000_000 + b"\r\n")
    for parse in (parse_file, schulen.parse, genesis.parse):
        with pytest.raises(IngestError) as info:
            parse(path)
        problem = info.value.problems[0]
        assert (problem.file, problem.row) == ("wiederholer.csv", 3)
        assert "Zeile länger als 1 MB" in problem.rule


def test_schulen_problems_stop_at_the_limit_and_say_at_least(tmp_path: Path) -> None:
    rows = b"".join(b"2016/17;012345;%d;2;1;80\r\n" % (14 + i) for i in range(300))
    path = tmp_path / "wiederholer.csv"
    path.write_bytes(SCHULEN_HEADER + rows)
    with pytest.raises(IngestError) as info:
        schulen.parse(path)
    problems = info.value.problems
    assert len(problems) == schulen.MAX_PROBLEMS
    assert [p.row for p in problems[:3]] == [2, 3, 4]
    last = problems[-1]
    assert (last.file, last.row) == ("wiederholer.csv", None)
    assert last.rule == (
        f"mindestens {schulen.MAX_PROBLEMS} Probleme: Prüfung nach Zeile 51 beendet, die ersten "
        f"{schulen.MAX_PROBLEMS - 1} stehen oben"
    )


def test_schulen_batches_keep_duplicates_and_trailing_sums_across_batches(
    tmp_path: Path, monkeypatch
) -> None:
    """Batches of three rows: a key repeated two batches later is still a duplicate, and the
    sum row at the end is still skipped with a note."""
    monkeypatch.setattr(schulen, "BATCH_ROWS", 3)
    rows = [b"2016/17;0123%02d;7;2;1;80\r\n" % i for i in range(8)]
    path = tmp_path / "wiederholer.csv"
    path.write_bytes(SCHULEN_HEADER + b"".join(rows) + b"Summe;;;16;8;640\r\n")
    parsed = schulen.parse(path)
    assert len(parsed.frame) == 8 * 3
    assert "skipped 1 sum row(s): rows 10" in parsed.notes
    path.write_bytes(SCHULEN_HEADER + b"".join(rows) + rows[1])
    with pytest.raises(IngestError, match=r"row 10, .*duplicate key .*same as row 3"):
        schulen.parse(path)


def test_genesis_problems_stop_at_the_limit_and_say_at_least(tmp_path: Path) -> None:
    path = tmp_path / "12411-01-01-4_x_flat.csv"
    path.write_bytes(FFCSV_HEADER + FFCSV_BAD_ROW * 200)
    with pytest.raises(IngestError) as info:
        genesis.parse(path)
    problems = info.value.problems
    assert len(problems) == genesis.MAX_PROBLEMS
    assert problems[0].row == 2 and problems[0].value == "22x"
    assert problems[-1].rule.startswith(
        f"mindestens {genesis.MAX_PROBLEMS} Probleme: Prüfung nach Zeile 26 beendet"
    )


def test_schema_problems_are_listed_up_to_a_limit_with_the_total() -> None:
    frame = pd.DataFrame(
        {
            "source": "ba",
            "table_code": "ba-sgb2",
            "region_key": "05114",
            "region_name": "Krefeld",
            "period": [str(2000 + i % 20) for i in range(1000)],
            "merkmal": [f"m{i}" for i in range(1000)],
            "value": -1.0,
            "symbol": None,
        }
    )
    problems = validate_tidy(frame, "ba__sgb2", file="sgb2.xlsx")
    assert len(problems) == 100
    assert all(p.file == "sgb2.xlsx" for p in problems)
    assert problems[0].row == 1
    assert (
        problems[-1].rule == "insgesamt 2000 Verstöße gegen das Schema, die ersten 99 stehen oben"
    )
