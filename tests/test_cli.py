"""The analysts' commands: validate and inspect read files with the pipeline's own parsers."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipelines.command_line.cli import main
from tests.conftest import REPO_ROOT, SAMPLE

MESSY = REPO_ROOT / "tests" / "fixtures" / "messy"


def test_validate_prints_one_summary_line_per_valid_file(capsys):
    files = [
        SAMPLE / "itnrw" / "21111-02-06-4_2015-2021.csv",
        SAMPLE / "ba" / "sgb2_quoten_2024-12.xlsx",
    ]
    assert main(["validate", *map(str, files)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("OK 21111-02-06-4_2015-2021.csv: source=itnrw table=abgaenger")
    assert "periods=2014/15 – 2020/21" in lines[0]
    assert "source=ba table=sgb2" in lines[1]


def test_validate_fails_with_the_precise_error(capsys):
    code = main(["validate", str(MESSY / "itnrw_genesis_truncated.csv")])
    assert code == 1
    err = capsys.readouterr().err
    assert "itnrw_genesis_truncated.csv" in err
    assert "row" in err


def test_validate_checks_a_school_profile_against_the_register_given_with_it(tmp_path, capsys):
    """What refresh refuses, validate refuses too when the register is among its files."""
    import openpyxl

    profile = tmp_path / "schulprofil_2025-26.xlsx"
    book = openpyxl.load_workbook(SAMPLE / "schulen" / profile.name)
    book["Daten"].cell(4, 2, "999999")  # the third school's Schulnummer
    book.save(profile)
    register = SAMPLE / "msb" / "schuldaten.csv"

    assert main(["validate", str(profile)]) == 0
    assert "HINWEIS schulprofil_2025-26.xlsx: ob die Schulen im" in capsys.readouterr().out

    assert main(["validate", str(profile), str(register)]) == 1
    assert (
        "schulprofil_2025-26.xlsx, row 4, column 'schulnummer': Schule nicht im "
        "Schulverzeichnis des Landes (value: '999999')"
    ) in capsys.readouterr().err


def test_validate_reports_schema_violations(tmp_path, capsys):
    source = (SAMPLE / "itnrw" / "21111-02-06-4_2015-2021.csv").read_bytes()
    broken = tmp_path / "abgaenger.csv"
    # An impossible negative count: parses as a number, fails the pandera range rule.
    broken.write_bytes(source.replace(b";2160;", b";-2160;", 1))
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "column 'value'" in err and "greater_than_or_equal_to(0)" in err and "-2160" in err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_inspect_prints_the_tidy_rows(fmt, capsys):
    path = SAMPLE / "itnrw" / "21111-02-06-4_2015-2021.csv"
    assert main(["inspect", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        rows = json.loads(out)
        krefeld = [
            r for r in rows
            if r["region_key"] == "05114" and r["period"] == "2016/17"
            and r["abschluss_code"] == "ohne_hsa" and r["geschlecht"] == "insgesamt"
        ]  # fmt: skip
        assert [r["value"] for r in krefeld] == [174.0]
    else:
        assert out.splitlines()[0].startswith("source,table_code,region_key,region_name,period")


@pytest.mark.parametrize(
    ("file", "code", "stream", "expected"),
    [
        (SAMPLE / "ba" / "sgb2_quoten_2024-12.xlsx", 0, "stdout", "OK sgb2_quoten_2024-12.xlsx"),
        (MESSY / "itnrw_genesis_truncated.csv", 1, "stderr", "itnrw_genesis_truncated.csv"),
    ],
)
def test_console_command_exits_promptly_with_its_code_and_all_output(file, code, stream, expected):
    """``entry_point`` exits with the command's code, and the buffered output (a pipe, not a
    terminal) arrives in full."""
    done = subprocess.run(
        [sys.executable, "-c", "from pipelines.command_line.cli import entry_point; entry_point()",
         "validate", str(file)],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )  # fmt: skip
    assert done.returncode == code
    assert expected in getattr(done, stream)


def test_refresh_takes_verbose_for_the_full_logs():
    from pipelines.command_line.cli import build_parser

    assert build_parser().parse_args(["refresh", "--verbose"]).verbose
    assert build_parser().parse_args(["refresh", "-v", "--full"]).verbose
    assert not build_parser().parse_args(["refresh"]).verbose


def test_validate_refuses_last_years_registration_dates_without_the_register(tmp_path, capsys):
    import openpyxl

    profile = tmp_path / "schulprofil_2025-26.xlsx"
    book = openpyxl.load_workbook(SAMPLE / "schulen" / profile.name)
    header = [c.value for c in book["Daten"][1]]
    cell = book["Daten"].cell(2, header.index("anmeldung_von") + 1)
    cell.value = cell.value.replace(year=cell.value.year - 1)
    book.save(profile)

    assert main(["validate", str(profile)]) == 1
    assert "row 2, column 'anmeldung_von': Datum nicht in der Anmeldezeit für 2025/26" in (
        capsys.readouterr().err
    )
