"""Every real publisher file in ../shared/realdata through ``bildungsmonitor validate``.

The real files are the specification (they are read from beside the repository, never
copied into it): each file of a table the indicators use is accepted, every other file gets
one line naming it and saying what it is and why it is not loaded, and none raises.
Figures are the ones stated in each folder's PROVENANCE.md.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from pipelines.command_line.cli import main
from pipelines.ingest.identify import parse_file

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata not present")

ACCEPTED = {
    "bibb-ba-ausbildungsmarkt-krefeld/Krefeld.xlsx",
    "genesis-ffcsv-api-pystatis/12411-01-01-4_1773175772751_de_flat.csv",
    "genesis-ffcsv-api-pystatis/12411-01-01-4_ffcsv_old-layout_2024_de.csv",
    "ldbnrw-csv-classic/2023_12411-02-03-4.csv",
    "ldbnrw-csv-classic/2024_12411-09i.csv",
    "ldbnrw-csv-classic/2023_22811-01i.csv",
    "ldbnrw-csv-classic/2024_22811-05i.csv",
    "ldbnrw-csv-classic/2024_12521-03i.csv",
    "ldbnrw-csv-classic/2024_13111-54i.csv",
    "ldbnrw-csv-classic/2024_22542-06i.csv",
    "msb-nrw-schuldaten/schuldaten.csv",
    "regionalstatistik-csv-classic-schulen/13211-02-05-4.csv",
    "regionalstatistik-csv-classic-schulen/21111-01-03-4.csv",
    "regionalstatistik-csv-classic-schulen/21111-02-06-4.csv",
    "regionalstatistik-csv-classic-schulen/21121-02-02-4.csv",
    "regionalstatistik-csv-classic-schulen/82411-01-03-4.csv",
}
"""Files of the tables the indicators and the school guide use."""


def _real_files() -> list[str]:
    if not REALDATA.is_dir():
        return []
    return sorted(
        p.relative_to(REALDATA).as_posix()
        for p in REALDATA.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md"
    )


def _validate(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path)])
    return code, out.getvalue(), err.getvalue()


def test_the_walk_knows_every_accepted_file():
    """A renamed or removed real file must not silently shrink the walk."""
    assert set(_real_files()) >= ACCEPTED
    assert len(_real_files()) >= 46


@pytest.mark.parametrize("name", _real_files())
def test_real_file_is_accepted_or_gets_one_line(name):
    path = REALDATA / name
    code, out, err = _validate(path)  # raises nothing: a traceback fails the test
    if name in ACCEPTED:
        assert code == 0, err
        assert out.startswith(f"OK {path.name}: "), out
        return
    assert code == 0, f"an unused file must not fail validate:\n{err}"
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith(f"NICHT VERWENDET {path.name}: "), lines[0]
    reason = lines[0].split(": ", 1)[1]
    assert len(reason) > 30  # says what it is and why, not just "unknown"


def test_unused_genesis_table_names_code_title_and_the_used_tables():
    _code, out, _err = _validate(REALDATA / "destatis-csv-classic/12612-0002.csv")
    assert "12612-0002 (Lebendgeborene: Deutschland, Monate, Geschlecht)" in out
    assert "wird von keinem Indikator verwendet" in out
    assert "21111-02-06-4" in out  # the used tables are listed


def _value(frame, **where) -> float:
    rows = frame
    for column, wanted in where.items():
        rows = rows[rows[column] == wanted]
    assert len(rows) == 1, where
    return float(rows["value"].iloc[0])


def test_leavers_krefeld_2022_23_as_published():
    """PROVENANCE: Krefeld 2022/23 2,500 leavers, 230 without Hauptschulabschluss (9.2 %);
    NRW 183,830 and 11,835 (6.4 %)."""
    frame = parse_file(REALDATA / "regionalstatistik-csv-classic-schulen/21111-02-06-4.csv").frame
    total = {"period": "2022/23", "geschlecht": "insgesamt"}
    krefeld = _value(frame, region_key="05114", abschluss_code="insgesamt", **total)
    ohne = _value(frame, region_key="05114", abschluss_code="ohne_hsa", **total)
    nrw = _value(frame, region_key="05", abschluss_code="insgesamt", **total)
    nrw_ohne = _value(frame, region_key="05", abschluss_code="ohne_hsa", **total)
    assert (krefeld, ohne) == (2500, 230)
    assert (nrw, nrw_ohne) == (183830, 11835)
    assert round(100 * ohne / krefeld, 1) == 9.2
    assert round(100 * nrw_ohne / nrw, 1) == 6.4


def test_population_krefeld_31_12_2024_as_published():
    """PROVENANCE: Krefeld 231,406 inhabitants on 31.12.2024 (12411-01-01-4, ffcsv 2025)."""
    name = "genesis-ffcsv-api-pystatis/12411-01-01-4_1773175772751_de_flat.csv"
    frame = parse_file(REALDATA / name).frame
    krefeld = _value(
        frame, region_key="05114", period="2024-12-31", geschlecht="insgesamt",
        altersgruppe="insgesamt",
    )  # fmt: skip
    assert krefeld == 231406


def _edited(tmp_path: Path, name: str, line_of: str, column: int, value: str) -> Path:
    source = REALDATA / name
    lines = source.read_bytes().decode("cp1252").split("\n")
    number = next(i for i, line in enumerate(lines) if line_of in line)
    cells = lines[number].split(";")
    cells[column] = value
    lines[number] = ";".join(cells)
    target = tmp_path / source.name
    target.write_bytes("\n".join(lines).encode("cp1252"))
    return target


def test_validate_refuses_a_part_above_its_total(tmp_path):
    """9,999 leavers without certificate of 2,500: every cell is a fine count, the table is
    not. validate names file, row (the file's line) and the columns of part and total."""
    name = "regionalstatistik-csv-classic-schulen/21111-02-06-4.csv"
    edited = _edited(tmp_path, name, ";05114;", 5, "9999")
    code, out, err = _validate(edited)
    assert code == 1
    assert out == ""
    assert "21111-02-06-4.csv, row 89, column " in err
    assert "ohne Hauptschulabschluss | Insgesamt" in err
    assert "Teil über der Summe: abschluss_code=ohne_hsa (9999) > " in err
    assert "> abschluss_code=insgesamt (2500, row 89" in err
    assert "Traceback" not in err


def test_validate_refuses_parts_that_do_not_add_up(tmp_path):
    """Krefeld's certificates add up to 2,500 exactly; 500 more with the Abitur do not (the
    5-rounding allows 15)."""
    name = "regionalstatistik-csv-classic-schulen/21111-02-06-4.csv"
    edited = _edited(tmp_path, name, ";05114;", 15, "1370")
    code, _out, err = _validate(edited)
    assert code == 1
    assert "Teile ergeben nicht die Summe" in err
    assert "= 3000, abschluss_code=insgesamt = 2500" in err
