"""End to end: a spreadsheet formula in a school name never reaches a public download as one.

The school administration's register is typed by people; a school named
``=HYPERLINK("http://x.example/","klick")`` must arrive in the report's downloads as text that
a spreadsheet shows (``'=HYPERLINK…``), in every file that carries the name. Runs the
``bildungsmonitor`` console script on a copy of the sample with its own warehouse, site and
DAGSTER_HOME in a temporary folder, as ``test_pipeline_e2e`` does.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipelines.report.downloads_safety import FORMULA_STARTS
from tests.conftest import CLI, Released, copy_workspace, workspace_env

pytestmark = pytest.mark.e2e

LINK = '=HYPERLINK("http://x.example/","klick")'
SAFE = "'" + LINK
REGISTER = Path("schulen") / "schulen_2024-10-15.xlsx"
"""The sample's master data: sheet ``Daten``, one row per school, the name in ``name``."""


def rename_first_school(register: Path, name: str) -> None:
    """Give the register's first school ``name``, stored as text (openpyxl would otherwise
    save a string starting with ``=`` as a formula)."""
    book = openpyxl.load_workbook(register)
    sheet = book["Daten"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("name") + 1)
    cell.value = name
    cell.data_type = "s"
    book.save(register)
    check = openpyxl.load_workbook(register)["Daten"].cell(row=2, column=cell.column)
    assert (check.value, check.data_type) == (name, "s")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, released_sample: Released) -> Path:
    """A copy of the session's released sample whose register renames the first school to
    ``LINK``, refreshed: what depends on the register is built and rendered again."""
    tmp = copy_workspace(released_sample.path, tmp_path_factory.mktemp("injection") / "w")
    rename_first_school(tmp / "inbox" / REGISTER, LINK)
    result = subprocess.run(
        [str(CLI), "refresh"], env=workspace_env(tmp), capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Rohtabellen mit neuen Lieferungen" in result.stdout
    return tmp / "site"


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle, delimiter=";") for cell in row]


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def test_the_school_name_is_text_in_every_download(site: Path) -> None:
    downloads = sorted(site.rglob("*.csv")) + sorted(site.rglob("*.xlsx"))
    carrying: list[str] = []
    for path in downloads:
        name = str(path.relative_to(site))
        if path.suffix == ".csv":
            cells = _csv_cells(path)
            named = [c for c in cells if "HYPERLINK" in c]
            assert all(c == SAFE for c in named), (name, set(named))
            formulas = [c for c in cells if c.startswith(FORMULA_STARTS) and not _number(c)]
            assert not formulas, (name, formulas[:3])
        else:
            book = openpyxl.load_workbook(path)
            cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
            named = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
            assert all((c.value, c.data_type) == (SAFE, "s") for c in named), name
            assert not [c for c in cells if c.data_type == "f"], name
        if named:
            carrying.append(name)
    # A school is counted in the pupil figures: the name must have reached the downloads,
    # or this test would pass without looking at it.
    assert str(Path("indikatoren") / "schueler_anzahl.csv") in carrying, carrying
