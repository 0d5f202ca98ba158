"""Bad input gets an honest one-line message naming the file (and the line where there is one).

Covered: mixed encodings, NUL bytes, UTF-16 and workbooks posing as CSV, a UTF-8 file cut in
a character, unreadable files (in ``validate``, ``inspect`` and the landing of ``refresh``),
and periods outside the catalogue's range (a school year, year, month or date after today or
before 2000) in every parser and in the raw schemas.

Unreadable files: ``chmod 000`` does not stop root. When the tests run as root, the real
``chmod 000`` case runs the CLI as user ``nobody`` (``setpriv``); the landing path is tested
by making ``open`` raise ``PermissionError`` for one file, and a folder named like a delivery
stands in for a file that is no file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.assets.landing import land_all
from pipelines.command_line.cli import main
from pipelines.ingest import ba, genesis, schulen
from pipelines.ingest.archive import Archive, Delivery
from pipelines.ingest.errors import IngestError
from pipelines.ingest.identify import parse_file
from pipelines.ingest.periods import current_school_year, period_problem
from quality.raw_schemas import validate_tidy
from tests.conftest import REPO_ROOT, SAMPLE

ABGAENGER_HEADER = "schuljahr;schulnummer;abschlussart;geschlecht;abgaenger\r\n"
TODAY = dt.date.today()
NEXT_SCHOOL_YEAR_START = int(current_school_year(TODAY)[:4]) + 1
NEXT_SCHOOL_YEAR = f"{NEXT_SCHOOL_YEAR_START}/{(NEXT_SCHOOL_YEAR_START + 1) % 100:02d}"


def _validate(path: Path, capsys) -> list[str]:
    """``bildungsmonitor validate path``: it fails, and its stderr lines."""
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()


# --- encodings and bytes -----------------------------------------------------------------------


def test_mixed_encodings_are_refused_naming_both_lines(tmp_path: Path, capsys) -> None:
    """Part UTF-8, part Windows-1252 used to load as 'FÃ¶rderschule'."""
    path = tmp_path / "abgaenger_2016-17.csv"
    path.write_bytes(
        ABGAENGER_HEADER.encode()
        + "2016/17;012345;Förderschulabschluss;m;7\r\n".encode()
        + b"2016/17;023456;msa;w;30\r\n"
        + "2016/17;034567;Förderschulabschluss;w;3\r\n".encode("cp1252")
    )
    lines = _validate(path, capsys)
    assert lines == [
        f"FEHLER {path}:",
        "inbox: abgaenger_2016-17.csv, row 4: gemischte Zeichenkodierung: Zeile 2 ist UTF-8, "
        "Zeile 4 nicht (Windows-1252/Latin-1) — die Datei wurde aus Teilen zusammengesetzt; "
        "einheitlich als CSV UTF-8 speichern",
    ]
    with pytest.raises(IngestError, match="gemischte Zeichenkodierung") as info:
        schulen.parse(path)
    assert info.value.problems[0].source == "schulen"


def test_a_genesis_download_with_a_utf8_line_is_refused(tmp_path: Path) -> None:
    source = (SAMPLE / "itnrw" / "21111-02-06-4_2015-2021.csv").read_bytes()
    assert b"\xe4" in source  # Windows-1252 umlauts, as downloaded
    lines = source.split(b"\n")
    lines[20] = lines[20].replace(b"Stadt", "Städt".encode(), 1)
    path = tmp_path / "21111-02-06-4.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(IngestError) as info:
        genesis.parse(path)
    problem = info.value.problems[0]
    assert problem.source == "itnrw" and problem.row == 2
    assert problem.rule.startswith("gemischte Zeichenkodierung: Zeile 21 ist UTF-8, Zeile 2 nicht")


def test_windows_1252_and_utf8_files_alone_are_read_as_before(tmp_path: Path) -> None:
    rows = ABGAENGER_HEADER + "2016/17;012345;Förderschulabschluss;m;7\r\n"
    for encoding, note in (("cp1252", True), ("utf-8-sig", False)):
        path = tmp_path / f"abgaenger_{encoding}.csv"
        path.write_bytes(rows.encode(encoding))
        parsed = parse_file(path)
        assert parsed.frame["abschlussart"].tolist() == ["foerderschule"]
        assert ("read as Windows-1252 (cp1252)" in parsed.notes) is note


def test_a_nul_byte_is_named_by_its_line(tmp_path: Path, capsys) -> None:
    """It used to read 'not recognised … check the header row'."""
    rows = [f"2016/17;0{n}2345;msa;w;30\r\n" for n in range(1, 5)]
    path = tmp_path / "abgaenger.csv"
    path.write_bytes(
        (ABGAENGER_HEADER + "".join(rows)).encode() + b"2016/17;06\x002345;msa;w;30\r\n"
    )
    lines = _validate(path, capsys)
    assert lines[1] == (
        "inbox: abgaenger.csv, row 6: NUL-Byte (Zeichen 0) in der Zeile: die Datei ist "
        "beschädigt oder keine Textdatei — neu exportieren"
    )
    for parse, source in ((schulen.parse, "schulen"), (genesis.parse, "itnrw")):
        with pytest.raises(IngestError) as info:
            parse(path)
        assert (info.value.problems[0].source, info.value.problems[0].row) == (source, 6)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("a;b\r\n1;2\r\n".encode("utf-16"), "ist in UTF-16 gespeichert"),
        ((SAMPLE / "ba" / "sgb2_quoten_2024-12.xlsx").read_bytes(), "ist eine ZIP-Datei"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "ist eine alte Excel-Datei (.xls)"),
    ],
    ids=["utf-16", "xlsx-named-csv", "xls-named-csv"],
)
def test_files_that_are_no_csv_text_say_what_they_are(
    tmp_path: Path, capsys, content: bytes, expected: str
) -> None:
    path = tmp_path / "lieferung.csv"
    path.write_bytes(content)
    lines = _validate(path, capsys)
    assert lines[1].startswith(f"inbox: lieferung.csv, row 1: {expected}")


def test_a_utf8_file_cut_inside_a_character_is_named(tmp_path: Path) -> None:
    path = tmp_path / "abgaenger.csv"
    data = (ABGAENGER_HEADER + "2016/17;012345;Förderschulabschluss;m;7\r\nx;Bö").encode()
    path.write_bytes(data[:-1])
    with pytest.raises(IngestError, match="UTF-8-Datei endet mitten in einem Zeichen") as info:
        parse_file(path)
    assert info.value.problems[0].row == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "altes Excel-Format 97–2003 (.xls): in Excel als .xlsx speichern",
        ),
        (
            b"PK\x03\x04 cut off",
            "keine XLSX-Arbeitsmappe: kein ZIP-Archiv (beschädigt oder umbenannt?)",
        ),
    ],
    ids=["xls", "no-zip"],
)
def test_a_workbook_that_is_none_says_so(
    tmp_path: Path, capsys, content: bytes, expected: str
) -> None:
    """Both used to read 'not recognised … check the header row'."""
    path = tmp_path / "arbeitslose.xlsx"
    path.write_bytes(content)
    assert _validate(path, capsys)[1] == f"inbox: arbeitslose.xlsx: {expected}"


# --- files that cannot be read -----------------------------------------------------------------


@pytest.fixture
def locked_file() -> Iterator[Path]:
    """A copy of a sample file with mode 000, in a folder others may enter."""
    folder = Path(tempfile.mkdtemp(prefix="bm-locked-"))
    folder.chmod(0o755)
    path = folder / "12411-02-03-4.csv"
    shutil.copyfile(SAMPLE / "itnrw" / "12411-02-03-4.csv", path)
    path.chmod(0)
    yield path
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    shutil.rmtree(folder)


_CLI = [sys.executable, "-c", "from pipelines.command_line.cli import entry_point; entry_point()"]


def _as_unprivileged(command: list[str]) -> list[str]:
    """``command`` as it must run for ``chmod 000`` to bite: as ``nobody`` when we are root."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: chmod 000 cannot be tested for real")
    nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run(
        [*nobody, sys.executable, "-c", "import pipelines.command_line.cli"],
        cwd=REPO_ROOT,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("user nobody cannot read the project: chmod 000 cannot be tested for real")
    return [*nobody, *command]


@pytest.mark.parametrize("command", ["validate", "inspect"])
def test_chmod_000_is_one_line_in_validate_and_inspect(locked_file: Path, command: str) -> None:
    done = subprocess.run(
        _as_unprivileged([*_CLI, command, str(locked_file)]),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"FEHLER {locked_file}:",
        "inbox: 12411-02-03-4.csv: Datei nicht lesbar: keine Leseberechtigung "
        "(Zugriffsrechte der Datei prüfen)",
    ]


@pytest.fixture
def denied(monkeypatch, tmp_path: Path) -> tuple[Path, Path]:
    """Two deliveries; opening the second raises PermissionError (what chmod 000 does to a
    user that is not root, and what a file locked by another program does on a share)."""
    readable = tmp_path / "inbox" / "12411-02-03-4.csv"
    locked = tmp_path / "inbox" / "21111-02-06-4_2015-2021.csv"
    readable.parent.mkdir()
    shutil.copyfile(SAMPLE / "itnrw" / readable.name, readable)
    shutil.copyfile(SAMPLE / "itnrw" / locked.name, locked)
    real_open = Path.open

    def guarded(self: Path, *args, **kwargs):
        if self.name == locked.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", guarded)
    return readable, locked


def test_an_unreadable_file_is_one_problem_in_the_landing_of_refresh(
    denied: tuple[Path, Path], tmp_path: Path
) -> None:
    readable, locked = denied
    archive = Archive(tmp_path / "archive")
    outcomes = archive.land_many([readable, locked], workers=1)
    assert isinstance(outcomes[0], Delivery)
    assert [str(p) for p in outcomes[1]] == [  # type: ignore[union-attr]
        "inbox: 21111-02-06-4_2015-2021.csv: Datei nicht lesbar: keine Leseberechtigung "
        "(Zugriffsrechte der Datei prüfen)"
    ]
    with pytest.raises(IngestError) as info:  # the inbox step's error: the run's summary
        land_all(readable.parent, archive, workers=1)
    assert "21111-02-06-4_2015-2021.csv: Datei nicht lesbar" in str(info.value)


def test_an_unreadable_file_is_one_line_in_validate(denied: tuple[Path, Path], capsys) -> None:
    readable, locked = denied
    assert main(["validate", str(readable), str(locked)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("OK 12411-02-03-4.csv")
    assert captured.err.splitlines() == [
        f"FEHLER {locked}:",
        "inbox: 21111-02-06-4_2015-2021.csv: Datei nicht lesbar: keine Leseberechtigung "
        "(Zugriffsrechte der Datei prüfen)",
    ]


@pytest.mark.parametrize("command", ["validate", "inspect"])
def test_a_folder_or_a_missing_file_is_one_line(tmp_path: Path, capsys, command: str) -> None:
    folder = tmp_path / "schueler_2024-25.xlsx"
    folder.mkdir()
    assert main([command, str(folder)]) == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        "inbox: schueler_2024-25.xlsx: ist ein Ordner, keine Datei"
    )
    assert main([command, str(tmp_path / "fehlt.csv")]) == 1
    assert capsys.readouterr().err.splitlines()[1] == (
        "inbox: fehlt.csv: Datei nicht gefunden (verschoben oder gelöscht?)"
    )


# --- periods outside the catalogue's range -----------------------------------------------------


def test_the_period_range_runs_from_2000_to_today() -> None:
    today = dt.date(2026, 12, 6)
    assert current_school_year(today) == "2026/27"
    assert current_school_year(dt.date(2026, 7, 31)) == "2025/26"
    inside = ["2000/01", "2026/27", "2000", "2026", "2026-12", "2026-12-06", "2014-03-01"]
    assert [period_problem(p, today) for p in inside] == [None] * len(inside)
    assert period_problem("2027/28", today) == (
        "Schuljahr 2027/28 liegt in der Zukunft (laufendes Schuljahr: 2026/27)"
    )
    assert period_problem("2027", today) == "Jahr 2027 liegt in der Zukunft (heute: 06.12.2026)"
    assert period_problem("2027-01", today).startswith("Monat 2027-01 liegt in der Zukunft")
    assert period_problem("2026-12-07", today).startswith("Stichtag 2026-12-07 liegt in der")
    assert period_problem("1999/00", today) == (
        "Zeitraum 1999/00 liegt vor 2000, dem ersten Jahr des Katalogs"
    )
    assert period_problem("unklar", today) is None  # the period's form is another check


def test_a_future_school_year_is_refused_by_the_school_template_parser(
    tmp_path: Path, capsys
) -> None:
    path = tmp_path / "abgaenger.csv"
    path.write_text(
        ABGAENGER_HEADER + "2016/17;012345;msa;w;30\r\n" + f"{NEXT_SCHOOL_YEAR};012345;msa;w;3\r\n",
        encoding="utf-8",
    )
    lines = _validate(path, capsys)
    assert lines[1] == (
        f"schulen: abgaenger.csv, row 3, column 'schuljahr': Schuljahr {NEXT_SCHOOL_YEAR} liegt "
        f"in der Zukunft (laufendes Schuljahr: {current_school_year(TODAY)}) "
        f"(value: '{NEXT_SCHOOL_YEAR}')"
    )


def test_a_register_dated_in_the_future_is_refused(tmp_path: Path) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    path = tmp_path / "schulen.csv"
    path.write_text(
        "schulnummer;name;schulform;stadtbezirk;traeger;strasse;plz;ort;utm_ost;utm_nord;"
        "betrieb_ab;betrieb_bis;stand\r\n"
        "012345;Testschule A (fiktiv);02;4;oeffentlich;Testweg 1;47798;Krefeld;;;2010/11;"
        f"{NEXT_SCHOOL_YEAR};{tomorrow:%d.%m.%Y}\r\n",
        encoding="utf-8",
    )
    with pytest.raises(IngestError) as info:
        schulen.parse(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("schulen.csv", 2, "stand")
    assert problem.rule.startswith(f"Stichtag {tomorrow.isoformat()} liegt in der Zukunft")
    assert len(info.value.problems) == 1  # a school's planned last school year is no period


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (NEXT_SCHOOL_YEAR_START + 1, f"Schuljahr {NEXT_SCHOOL_YEAR} liegt in der Zukunft"),
        (1999, "Zeitraum 1998/99 liegt vor 2000"),
    ],
)
def test_a_genesis_period_outside_the_range_is_refused_naming_the_line(
    tmp_path: Path, year: int, expected: str
) -> None:
    """21111-02-06-4 dates leavers by the year their school year ends."""
    lines = (SAMPLE / "itnrw" / "21111-02-06-4_2015-2021.csv").read_bytes().split(b"\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(b"2021;05114;"))
    lines[number] = str(year).encode() + lines[number][4:]
    path = tmp_path / "21111-02-06-4.csv"
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(IngestError) as info:
        parse_file(path)
    problem = info.value.problems[-1]
    assert (problem.source, problem.file, problem.row) == ("itnrw", path.name, number + 1)
    assert (problem.column, problem.value) == ("period", str(year))
    assert problem.rule.startswith(expected)


def test_a_future_ba_month_is_refused_naming_the_cell(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(SAMPLE / "ba" / "arbeitslose_2025.xlsx")
    sheet = book["Arbeitslose"]
    assert sheet["B16"].value == "Februar 2025"
    sheet["B16"] = f"Februar {TODAY.year + 1}"
    path = tmp_path / "arbeitslose.xlsx"
    book.save(path)
    with pytest.raises(IngestError) as info:
        ba.parse(path)
    problem = info.value.problems[0]
    assert (problem.file, problem.row) == ("arbeitslose.xlsx", 16)
    assert "cell B16" in problem.rule
    assert f"Monat {TODAY.year + 1}-02 liegt in der Zukunft" in problem.rule


def test_the_raw_schemas_refuse_periods_outside_the_range() -> None:
    """Deliveries archived before the parsers checked periods meet the same rule in the raw
    layer's blocking check, which names the file and the row."""
    frame = pd.DataFrame(
        {
            "source": "ba",
            "table_code": "ba-sgb2",
            "region_key": "05114",
            "region_name": "Krefeld",
            "period": ["2024", str(TODAY.year + 1), "1999"],
            "merkmal": "sgb2_quote_unter_15",
            "value": 12.5,
            "symbol": None,
        }
    )
    problems = validate_tidy(frame, "ba__sgb2", {0: "a.xlsx", 1: "b.xlsx", 2: "c.xlsx"})
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("b.xlsx", 2, "period", str(TODAY.year + 1)),
        ("c.xlsx", 3, "period", "1999"),
    ]
    assert all("period between 2000 and today" in p.rule for p in problems)
