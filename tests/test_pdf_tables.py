"""The PDF editions as a reader sees them: tables whose numbers keep their units, a title page
with edition, date, publisher and licence, and a Kurzreport that opens with its summary.

The PDFs are read back with ``pdftotext -layout`` (poppler), which keeps the columns of a
table where they are on the page: a number whose column is too narrow shows up as its unit
alone on the next line, a column too narrow for its value as two values run together.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from babel.dates import format_date

from pipelines.report import render_site
from tests.test_report_data import build_warehouse
from tests.test_report_render import REPORTS, copy_project

UNIT = r"(?:%-Pkt\.|%-|%|‰|Pkt\.)[).,;]*"
BARE_UNIT = re.compile(rf"^\s*(?P<unit>{UNIT})(?=\s|$)|(?<=\s\s)(?P<cell>{UNIT})(?=\s\s|\s*$)")
"""A unit standing on its own: at the start of a line or as a table cell of its own."""
TORN_UNIT = re.compile(r"(?:^|\s)(?:Pkt\.|%-)(?=\s\s|\s*$)")
"""Half of "%-Pkt.": never a value of its own."""
RUN_TOGETHER = re.compile(r"\d{4}/\d{2}\d|\d{5,}[.,]\d|%\d|[a-zäöüß][A-ZÄÖÜ]")
"""Two cells printed into each other: "2024/2524.344", "2024228.023", "9,5 %10,5 %",
"StanKrefeld" (no German word has a capital letter inside)."""
NUMBER = re.compile(r"\d[)]?$")


def unit_splits(text: str) -> list[str]:
    """Every place of a ``pdftotext -layout`` text where a number and its unit were torn
    apart or two cells ran into each other, as "line N: …" (empty: none)."""
    found = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        where = f"line {index + 1}: {line.strip()!r}"
        if RUN_TOGETHER.search(line) or TORN_UNIT.search(line):
            found.append(where)
            continue
        above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        for match in BARE_UNIT.finditer(line):
            group = "unit" if match["unit"] else "cell"
            start, end = match.span(group)
            # the number the unit belongs to ends above it (right-aligned cell) or, in
            # running text, at the end of the line above
            window = above[max(0, start - 12) : end + 2].rstrip()
            tokens = window.split()
            if (tokens and NUMBER.search(tokens[-1])) or (
                group == "unit" and NUMBER.search(above.rstrip())
            ):
                found.append(where)
                break
    return found


def test_torn_units_and_merged_cells_are_found() -> None:
    """Lines as the PDF showed them before the tables got computed widths."""
    wrapped = (
        " Arbeitslosenquote          2024         10,6     +0,3 %-Pkt. ungünstiger 9,5 % p\n"
        "                                          %\n"
    )
    assert unit_splits(wrapped) == ["line 2: '%'"]
    bracket = (
        "  • Arbeitslose: 12.736 in Krefeld (Juli 2025); zum Vorjahr +830 (+7,0\n"
        "    %) (ungünstiger).\n"
    )
    assert len(unit_splits(bracket)) == 1
    torn = (
        " Anteil der Kindertagespflege    01.03.2025       30,3        −0,3 %- –          28,1\n"
        "                                                    %            Pkt.              %\n"
    )
    assert len(unit_splits(torn)) == 1
    merged = " Schülerinnen und Schüler   2024/2524.344        −1.178 (−4,6    –    2.006.400\n"
    assert len(unit_splits(merged)) == 1
    assert len(unit_splits(" Stand     2024228.023   x\n")) == 1
    assert len(unit_splits(" Kennzahl  StanKrefeld  Veränderung\n")) == 1


def test_units_in_their_own_column_and_in_text_are_no_split() -> None:
    catalogue = (
        " Kennzahl                    Definition                        Einheit   Quelle\n"
        " Arbeitslose                 Definition von Arbeitslose.       Anzahl    IT.NRW\n"
        " Arbeitslosenquote           Definition von Arbeitslosenquote. %         IT.NRW\n"
        " SGB-II-Quote der unter 15   Definition der Quote.             %         IT.NRW\n"
    )
    prose = (
        "Bei Anteilen in Prozent wird die Veränderung in Prozentpunkten („%-Pkt.“)\n"
        "angegeben; 2024/25: 10,6 % in Krefeld, 6,7 % in NRW, −1,2 %-Pkt. zum Vorjahr.\n"
        " Zeitraum   Krefeld    Spanne\n 2024/25      10,6 %    5,0 % bis 9,5 %\n"
    )
    assert unit_splits(catalogue) == []
    assert unit_splits(prose) == []


# --------------------------------------------------------------------------- PDFs (e2e)


def pdf_text(pdf: Path, *pages: int) -> str:
    """The text of a PDF (or of pages ``first, last``) with its layout kept."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    command = ["pdftotext", "-layout"]
    if pages:
        command += ["-f", str(pages[0]), "-l", str(pages[-1])]
    done = subprocess.run([*command, str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory):
    """Both PDF editions rendered from the fixture warehouse (only their two pages)."""
    root = tmp_path_factory.mktemp("pdf")
    warehouse = build_warehouse(root / "w.duckdb")
    project = copy_project(root / "reports", render=["bericht.qmd", "kurzreport-schulerfolg.qmd"])
    before = date.today()
    result = render_site(
        project,
        root / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    days = {before, date.today()}
    return {p.stem: p for p in result.pdfs}, warehouse, days


@pytest.mark.e2e
def test_no_number_is_split_from_its_unit_in_the_pdfs(pdfs) -> None:
    files, _, _ = pdfs
    assert sorted(files) == ["bericht", "kurzreport-schulerfolg"]
    for name, pdf in files.items():
        text = pdf_text(pdf)
        assert "Tabelle 1" in text  # the tables are there to be checked
        assert unit_splits(text) == [], name


@pytest.mark.e2e
def test_title_pages_carry_edition_date_publisher_and_licence(pdfs) -> None:
    files, warehouse, days = pdfs
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (latest,) = con.execute(
            "SELECT max(period) FROM published.indicator_values "
            "WHERE regexp_full_match(period, '[0-9]{4}/[0-9]{2}')"
        ).fetchone()
    impressum = yaml.safe_load((REPORTS / "_impressum.yml").read_text("utf-8"))
    for name, title in (
        ("bericht", "Bildungsbericht Krefeld"),
        ("kurzreport-schulerfolg", "Schulerfolg sichern"),
    ):
        page = " ".join(pdf_text(files[name], 1, 1).split())  # line breaks as spaces
        assert title in page
        assert f"Ausgabe {latest}" in page
        assert any(f"Veröffentlicht am {format_date(d, 'd. MMMM y', locale='de')}" in page
                   for d in days)  # fmt: skip
        assert impressum["herausgeber"] in page
        assert impressum["kontakt"]["e-mail"] in page
        for key in ("lizenz_name", "lizenz_kurz", "lizenz_url"):
            assert impressum[key] in page, key
        assert f"({max(days).year}): {title}, Ausgabe {latest}." in page  # citation


@pytest.mark.e2e
def test_the_kurzreport_opens_with_its_summary(pdfs) -> None:
    files, _, _ = pdfs
    second = pdf_text(files["kurzreport-schulerfolg"], 2, 2)
    assert "Das Wichtigste in Kürze" in second
    first_section = second.find("Worum es geht")
    assert first_section == -1 or second.index("Das Wichtigste in Kürze") < first_section
    assert "Inhaltsverzeichnis" not in second
