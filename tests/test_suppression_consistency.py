"""Page, PDF and CSV show the same suppression for the same cell (issue 15).

Every number or „.“ a page's table shows is tied to the published cell it shows (by the
attacker in ``tests/disclosure_attack.py``, which reads only the site); the Kurzreport's PDF is
read with ``pdftotext -layout`` and its tables are lined up with the page's. A cell shown as
„.“ must be „.“ in the download, and a cell the download suppresses must not be shown as a
number. The end-to-end tests run the pipeline with stricter thresholds than the default, so
that the pages themselves show suppressed cells (with the defaults the sample's pages show
none); the unit tests prove the comparison catches a page or PDF that prints a suppressed
value.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from quality.sdc.downloads import read_download
from tests.conftest import CLI, Released, copy_workspace, materialised_by_last_run, workspace_env
from tests.disclosure_attack import (
    DIMS,
    Downloads,
    Shown,
    Table,
    by_difference,
    page_cells,
    page_tables,
    read_downloads,
    read_site,
    table_cells,
)

KURZREPORT = "kurzreport-schulerfolg"
STRICT = {"BILDUNGSMONITOR_MIN_COUNT": "10", "BILDUNGSMONITOR_MIN_DENOMINATOR": "20"}
"""Stricter than the defaults (3 and 10): some Stadtbezirke's latest totals become secret, so
the district tables, maps and panels show „.“ (a protection interval of 10 follows)."""


# ------------------------------------------------------------------------ the comparison


@dataclass(frozen=True)
class Mismatch:
    """A cell whose page (or PDF) and download disagree about its suppression or value."""

    where: str
    cell: tuple[str, ...]
    shown: str
    download: str
    problem: str


LEAK = "the page shows a value the download suppresses"
DOT_PUBLISHED = "„.“ on the page, the download publishes the cell"
DOT_NO_ROW = "„.“ on the page for a cell no download has"
OTHER_VALUE = "the page shows another value than the download"


def compare(cells: list[Shown], downloads: Downloads) -> list[Mismatch]:
    """Every disagreement between what pages show and what the downloads publish: „.“ where
    the download does not suppress the cell, a number where it does, or another number."""
    found = []
    for item in cells:
        row = downloads.cell(item.cell)
        download = "no row" if row is None else (row["value"] or row["symbol"] or "")
        number = item.number
        problem = None
        if item.text == "." and item.exact:
            if row is None:
                problem = DOT_NO_ROW
            elif not downloads.suppressed(item.cell):
                problem = DOT_PUBLISHED
        elif number is not None and row is not None:
            if downloads.suppressed(item.cell):
                problem = LEAK
            elif item.exact and row["value"]:
                value = float(row["value"].replace(",", "."))
                if abs(value - number[0]) > number[1]:
                    problem = OTHER_VALUE
        if problem:
            found.append(
                Mismatch(f"{item.page}: {item.table}", item.cell, item.text, download, problem)
            )
    return found


def pdf_tables(text: str, tables: list[Table], name: str) -> tuple[list[Table], list[str]]:
    """The PDF's version of each captioned page table: the page's rows with the value cells
    the PDF prints (``pdftotext -layout`` keeps a row on one line, cells two spaces apart),
    and what could not be found."""
    lines = [line.strip() for line in text.splitlines()]
    found: list[Table] = []
    missing: list[str] = []
    for table in tables:
        number = re.match(r"^(Tabelle \d+):", table.caption)
        key = next((c for c in ("Zeitraum", "Stand") if c in table.header), None)
        if not number or key is None:
            continue
        start = next((i for i, line in enumerate(lines) if line.startswith(number[0])), None)
        if start is None:
            missing.append(f"{name}: {table.caption}")
            continue
        end = next(
            (
                i
                for i in range(start + 1, len(lines))
                if re.match(r"^(Tabelle|Abbildung) \d+:", lines[i])
            ),
            len(lines),
        )
        at = table.header.index(key)
        cursor = start + 1
        rows = []
        for row in table.rows:
            for i in range(cursor, end):
                cells = re.split(r"\s{2,}", lines[i])
                if row[at] in cells and (at == 0 or row[0].startswith(cells[0])):
                    values = cells[cells.index(row[at]) + 1 :]
                    if len(values) == len(row) - at - 1:
                        rows.append(row[: at + 1] + values)
                        cursor = i + 1
                        break
            else:
                missing.append(f"{name}: {table.caption}: {' | '.join(row[: at + 1])}")
        found.append(Table(name, table.id, table.caption, table.header, rows, table.before))
    return found, missing


def pdf_text(pdf: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


# ------------------------------------------------------------------------ unit: a tiny site

COLUMNS = [
    "indicator_id", "indicator_name", "handlungsfeld", "region_key", "region_name",
    "region_level", "period", "geschlecht", "staatsangehoerigkeit", "schulform", "kategorie",
    "numerator", "denominator", "value", "unit", "source", "symbol", "suppression_reason",
]  # fmt: skip


def _row(indicator, name, key, region, level, period, value, unit, geschlecht="insgesamt"):
    hidden = value is None
    number = "" if hidden else str(value).replace(".", ",")
    return {
        "indicator_id": indicator, "indicator_name": name, "handlungsfeld": "Schule",
        "region_key": key, "region_name": region, "region_level": level, "period": period,
        "geschlecht": geschlecht, "staatsangehoerigkeit": "insgesamt", "schulform": "insgesamt",
        "kategorie": "insgesamt", "numerator": number if unit == "Anzahl" else "",
        "denominator": "", "value": number, "unit": unit, "source": "Schulverwaltung",
        "symbol": "." if hidden else "", "suppression_reason": "gesperrt" if hidden else "",
    }  # fmt: skip


def _write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)


def _table(header: list[str], rows: list[list[str]], id_: str = "", caption: str = "") -> str:
    """A table as Pandoc writes it."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    attr = f' id="{id_}"' if id_ else ""
    return f"<table{attr}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


QUOTE = "wiederholer_quote"
QUOTE_NAME = "Wiederholerquote"
TREND = [["2023/24", "2,6 %", "–", "–", "–"], ["2024/25", ".", "–", "–", "–"]]


def _tiny_site(root: Path) -> Path:
    """An indicator page with a time series and a breakdown; 2024/25 and „männlich“ are
    suppressed in the download and shown as „.“."""
    rows = [
        _row(QUOTE, QUOTE_NAME, "05114", "Krefeld", "Stadt", "2023/24", 2.6, "%"),
        _row(QUOTE, QUOTE_NAME, "05114", "Krefeld", "Stadt", "2024/25", None, "%"),
        _row(QUOTE, QUOTE_NAME, "05114", "Krefeld", "Stadt", "2024/25", 2.5, "%", "weiblich"),
        _row(QUOTE, QUOTE_NAME, "05114", "Krefeld", "Stadt", "2024/25", None, "%", "männlich"),
    ]
    _write_csv(root / "indikatoren" / f"{QUOTE}.csv", rows)
    trend = _table(
        ["Zeitraum", "Krefeld", "Nordrhein-Westfalen", "Vergleichsstädte: Median", "Spanne"],
        TREND,
        "tbl-wiederholer-quote-zeitreihe",
        "Tabelle 1: Wiederholerquote nach Zeitraum",
    )
    breakdown = _table(["Geschlecht", QUOTE_NAME], [["weiblich", "2,5 %"], ["männlich", "."]])
    html = (
        f"<html><body><h2>Entwicklung</h2>{trend}<h2>Aufgliederungen</h2>"
        f"<p><strong>Nach Geschlecht</strong> (Krefeld, 2024/25)</p>{breakdown}</body></html>"
    )
    (root / "indikatoren" / f"{QUOTE}.html").write_text(html, encoding="utf-8")
    return root


def _cells(site: Path, page: str) -> list[Shown]:
    cells, unmapped = page_cells(site / page, site, read_downloads(site))
    assert not unmapped
    return cells


def test_a_consistent_page_passes_and_shows_its_suppressed_cells(tmp_path):
    site = _tiny_site(tmp_path)
    cells = _cells(site, f"indikatoren/{QUOTE}.html")
    assert len(cells) == 4
    assert sum(c.text == "." for c in cells) == 2
    assert compare(cells, read_downloads(site)) == []


def test_a_page_that_prints_a_suppressed_value_is_caught(tmp_path):
    site = _tiny_site(tmp_path)
    page = site / "indikatoren" / f"{QUOTE}.html"
    html = page.read_text(encoding="utf-8")
    leaky = html.replace("<td>männlich</td><td>.</td>", "<td>männlich</td><td>2,7 %</td>")
    page.write_text(leaky, encoding="utf-8")
    (problem,) = compare(_cells(site, f"indikatoren/{QUOTE}.html"), read_downloads(site))
    assert problem.cell[:4] == (QUOTE, "05114", "2024/25", "maennlich")  # „männlich“
    assert problem.problem == LEAK
    assert (problem.shown, problem.download) == ("2,7 %", ".")


def test_a_page_that_hides_a_published_value_is_caught(tmp_path):
    site = _tiny_site(tmp_path)
    page = site / "indikatoren" / f"{QUOTE}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("2,5 %", "."), encoding="utf-8")
    (problem,) = compare(_cells(site, f"indikatoren/{QUOTE}.html"), read_downloads(site))
    assert problem.cell[3] == "weiblich"
    assert problem.problem == DOT_PUBLISHED


def test_the_pdf_table_is_lined_up_with_the_page_and_a_printed_secret_is_caught(tmp_path):
    site = _tiny_site(tmp_path)
    downloads = read_downloads(site)
    (trend, _) = page_tables(site / "indikatoren" / f"{QUOTE}.html", site)
    pdf = "\n".join(
        [
            "   Tabelle 1: Wiederholerquote nach Zeitraum",
            " Zeitraum      Krefeld       Nordrhein-Westfalen     Median     Spanne",
            " 2023/24         2,6 %                 –               –          –",
            "",
            "                                  7",
            " Zeitraum      Krefeld       Nordrhein-Westfalen     Median     Spanne",
            " 2024/25           .                   –               –          –",
            "Abbildung 2: etwas anderes 2024/25   9,9 %   –   –   –",
        ]
    )
    (table,), missing = pdf_tables(pdf, [trend], "bericht.pdf")
    assert missing == []
    assert table.rows == TREND
    cells = table_cells(table, downloads, QUOTE)
    assert [c.text for c in cells] == ["2,6 %", "."]
    assert compare(cells, downloads) == []

    (leaky,), _ = pdf_tables(pdf.replace("  .  ", "2,9 %"), [trend], "bericht.pdf")
    (problem,) = compare(table_cells(leaky, downloads, QUOTE), downloads)
    assert (problem.where, problem.shown) == (
        "bericht.pdf: tbl-wiederholer-quote-zeitreihe",
        "2,9 %",
    )
    _, missing = pdf_tables(pdf.replace(" 2024/25", " 2099/00"), [trend], "bericht.pdf")
    assert missing == ["bericht.pdf: Tabelle 1: Wiederholerquote nach Zeitraum: 2024/25"]


COUNT = "schueler_anzahl"  # protected for Stadtbezirke and schools, people counted: schueler
COUNT_NAME = "Schülerinnen und Schüler"


def test_the_attacker_reads_what_the_pages_show(tmp_path):
    """A district's count the download hides but a page prints is a leak, and with it the
    hidden school of that district follows by difference; a district the downloads lack
    entirely counts as known from its page."""
    rows = [
        _row(COUNT, COUNT_NAME, "B1", "Bezirk 1", "Stadtbezirk", "2024/25", None, "Anzahl"),
        _row(COUNT, COUNT_NAME, "B3", "Bezirk 3", "Stadtbezirk", "2024/25", 50, "Anzahl"),
        _row(COUNT, COUNT_NAME, "S1", "Schule 1", "Schule", "2024/25", 30, "Anzahl"),
        _row(COUNT, COUNT_NAME, "S2", "Schule 2", "Schule", "2024/25", None, "Anzahl"),
        _row(COUNT, COUNT_NAME, "S3", "Schule 3", "Schule", "2024/25", None, "Anzahl"),
        _row(COUNT, COUNT_NAME, "B2", "Bezirk 2", "Stadtbezirk", "2023/24", 7, "Anzahl"),
    ]
    _write_csv(tmp_path / "indikatoren" / f"{COUNT}.csv", rows)
    districts = [["Bezirk 1", "34", "1"], ["Bezirk 2", "9", "1"], ["Bezirk 3", "50", "2"]]
    page = _table(["Stadtbezirk", COUNT_NAME, "Klasse in der Karte"], districts, "tbl-bezirke")
    (tmp_path / "karten.html").write_text(f"<html><body>{page}</body></html>", encoding="utf-8")
    parents = {"S1": "B1", "S2": "B1", "S3": "B2"}

    blind = read_site(tmp_path, parents, pages=False)
    assert by_difference(blind) == {}

    attack = read_site(tmp_path, parents)
    assert attack.unmapped == []
    b1 = ("schueler", "2024/25", "B1", "insgesamt", "insgesamt", "insgesamt", "insgesamt")
    assert attack.page_leaks == {b1: 34.0}
    s2 = ("schueler", "2024/25", "S2", *b1[3:])
    # Bezirk 2's latest row is of 2023/24: the table of 2024/25 shows a figure no download
    # has, and with it the one school of Bezirk 2 follows
    b2 = ("schueler", "2024/25", "B2", *b1[3:])
    assert attack.page_only == {b2: 9.0}
    s3 = ("schueler", "2024/25", "S3", *b1[3:])
    assert by_difference(attack) == {b1: 34.0, s2: 4.0, s3: 9.0}


# ------------------------------------------------------------------------ end to end


@pytest.fixture(scope="module")
def strict_site(tmp_path_factory, released_sample: Released) -> Path:
    """The real pipeline on the bundled sample with stricter thresholds, in a copy of the
    session's released sample (the repository's warehouse and site are not touched): the
    refresh protects and renders again what the thresholds change."""
    tmp = copy_workspace(released_sample.path, tmp_path_factory.mktemp("strict") / "w")
    result = subprocess.run(
        [str(CLI), "refresh"],
        env=workspace_env(tmp) | STRICT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Geheimhaltungs-Einstellungen" in result.stdout  # the thresholds made it run
    return tmp / "site"


def _every_page(site: Path) -> tuple[list[Shown], list[str]]:
    downloads = read_downloads(site)
    cells: list[Shown] = []
    unmapped: list[str] = []
    for page in sorted(site.rglob("*.html")):
        shown, tables = page_cells(page, site, downloads)
        cells += shown
        unmapped += tables
    return cells, unmapped


@pytest.mark.e2e
def test_stricter_thresholds_rebuild_only_what_the_protection_feeds(strict_site):
    """Issue 19: a changed threshold rebuilds the protection, the published tables that read
    it, the report and the release; no delivery is read again and no mart is rebuilt (asserted
    on the assets the run materialised, not on the plan)."""
    built = materialised_by_last_run(strict_site.parent / "dagster_home")
    assert {"intern/geheimhaltung", "published/indicator_values", "report_site"} <= built
    assert "release" in built
    upstream = ("inbox", "raw_", "reference/", "staging/", "intermediate/", "marts/")
    assert not {key for key in built if key.startswith(upstream)}
    # published tables that do not read the protection stay as they were
    assert not {"published/bezeichnungen", "published/schulwegweiser_schulen"} & built


@pytest.mark.e2e
def test_every_page_shows_the_suppression_of_the_downloads(strict_site):
    """All HTML pages: indicator pages, chapters, maps, start page, Kurzreport, report."""
    downloads = read_downloads(strict_site)
    cells, unmapped = _every_page(strict_site)
    problems = [p for p in compare(cells, downloads) if p.problem != DOT_NO_ROW]
    assert problems == []
    # the check saw suppressed cells on indicator pages, so it could have failed
    secret = [c for c in cells if c.text == "." and c.page.startswith("indikatoren/")]
    assert secret, "the strict thresholds should hide some Stadtbezirk totals on the pages"
    pages = {p.relative_to(strict_site).as_posix() for p in strict_site.glob("indikatoren/*.html")}
    assert pages <= {c.page for c in cells}, "every indicator page shows published cells"
    # tables of other tables than indicator values (Schulformwechsel, Schulsozialindex) only
    assert not [t for t in unmapped if "indikatoren/" in t], unmapped


@pytest.mark.e2e
def test_no_page_shows_a_dot_for_a_cell_no_download_has(strict_site):
    cells, _ = _every_page(strict_site)
    assert [p for p in compare(cells, read_downloads(strict_site)) if p.problem == DOT_NO_ROW] == []


@pytest.mark.e2e
def test_an_altered_copy_of_a_page_with_a_secret_cell_fails_the_check(strict_site, tmp_path):
    """The end-to-end check is not vacuous: print a number into one „.“ of a real page."""
    downloads = read_downloads(strict_site)
    page = next(
        p
        for p in sorted(strict_site.glob("indikatoren/*.html"))
        if any(c.text == "." for c in page_cells(p, strict_site, downloads)[0])
    )
    copy = tmp_path / "indikatoren" / page.name
    copy.parent.mkdir()
    html = page.read_text(encoding="utf-8")
    altered = re.sub(r'(<td style="text-align: right;">)\.(</td>)', r"\g<1>1,0 %\2", html, count=1)
    assert altered != html
    copy.write_text(altered, encoding="utf-8")
    cells, _ = page_cells(copy, tmp_path, downloads)
    problems = [p for p in compare(cells, downloads) if p.problem != DOT_NO_ROW]
    assert [p.problem for p in problems] == [LEAK]


@pytest.mark.e2e
def test_kurzreport_page_pdf_and_csv_show_the_same_suppression(strict_site, tmp_path):
    downloads = read_downloads(strict_site)
    page = strict_site / f"{KURZREPORT}.html"
    tables = page_tables(page, strict_site)
    page_shown, _ = page_cells(page, strict_site, downloads)
    assert [p for p in compare(page_shown, downloads) if p.problem != DOT_NO_ROW] == []
    pdf, missing = pdf_tables(pdf_text(strict_site / f"{KURZREPORT}.pdf"), tables, "pdf")
    assert missing == []
    pdf_shown = [c for t in pdf for c in table_cells(t, downloads) or []]
    assert len(pdf_shown) == len(page_shown) > 0
    assert [c.text for c in pdf_shown] == [c.text for c in page_shown]
    assert [p for p in compare(pdf_shown, downloads) if p.problem != DOT_NO_ROW] == []

    # a download that suppresses a cell the Kurzreport shows: page and PDF are both caught
    shown = next(c for c in page_shown if c.number)
    copy = tmp_path / "site"
    shutil.copytree(strict_site / "indikatoren", copy / "indikatoren", ignore=_only_csv)
    path = copy / "indikatoren" / f"{shown.cell[0]}.csv"
    rows = read_download(path)  # German headers and labels back to columns and codes
    for row in rows:
        if (row["region_key"], row["period"], *(row[d] for d in DIMS)) == shown.cell[1:]:
            row.update(numerator="", denominator="", value="", symbol=".")
    _write_csv(path, [{c: row.get(c, "") for c in COLUMNS} for row in rows])
    secret = read_downloads(copy)
    for cells in (page_shown, pdf_shown):
        assert shown.cell in {p.cell for p in compare(cells, secret)}


def _only_csv(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith(".csv")]
