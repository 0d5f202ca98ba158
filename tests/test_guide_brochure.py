"""The printable school guides (pipelines/report/guide_brochure.py, issue 20): one brochure
page per guide whose PDF edition has one school per page on A5 (Grundschulen) or A4
(weiterführende Schulen), contents by Stadtbezirk, phone numbers that never wrap.

The fast tests read the generated page as the renderer does; the e2e tests turn it into a PDF
the way the built-in renderer does (Pandoc with the brochure's partials, then Typst) and read
the PDF back with poppler (``pdfinfo``, ``pdftotext``), as a parent's printout would show it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pypandoc
import pytest
import yaml

from pipelines.report import pandoc, render_site
from pipelines.report.assemble import to_markdown
from pipelines.report.guide_brochure import brochure_page
from pipelines.report.qmd import read_page
from pipelines.report.subset import FRONT_MATTER, problems

REPORTS = Path(__file__).resolve().parents[1] / "reports"
YEAR = "2026/27"
LABELS = {
    "ganztag": [
        ("ogs", "Offene Ganztagsschule (OGS)"),
        ("gebunden", "gebundener Ganztag"),
        ("halbtag", "kein Ganztag (Halbtagsschule, ggf. Betreuung)"),
    ],
    "barrierefrei": [("barrierefrei", "barrierefrei"), ("teilweise", "teilweise barrierefrei")],
    "oberstufe": [("eigene", "eigene gymnasiale Oberstufe"), ("keine", "keine Oberstufe")],
}
SCHOOLS = (  # fictional: name, Stadtbezirk, Schulnummer
    ("Gemeinschaftsgrundschule Am Lindenhof (fiktiv)", "Ürdingen", "900001"),
    ("Grundschule Birkenallee (fiktiv)", "West", "900002"),
    ("Astrid-Lindgren-Schule (fiktiv)", "West", "900003"),
    ("Grundschule Erlenbruch (fiktiv)", "Ürdingen", "900004"),
    ("Grundschule Zum Mühlbach (fiktiv)", "West", "900005"),
)

NOTES = (  # each school's note has them in another order: its numbers fall elsewhere
    "Termine für das Anmeldegespräch vergibt das Sekretariat",
    "Fragen zum Ganztag beantwortet der Träger",
    "Die Schulleitung erreichen Sie",
    "Zur Schuleingangsuntersuchung",
    "Für Rückfragen zur Sprachstandsfeststellung",
    "Der Förderverein",
    "Die Schulsozialarbeit",
    "Das Team der OGS",
    "Den Hausmeister erreichen Sie vormittags",
)


def phone(number: str) -> str:
    """A fictional number: subscriber numbers never start with 0, so no one can be rung."""
    return f"02151 0{number[-6:]}"


def email(number: str) -> str:
    return f"sekretariat.gemeinschaftsgrundschule{number}lindenhofkrefeldfischeln@schulen.example"


def school(name: str, district: str | None, number: str, kind: str) -> dict[str, object]:
    """One row of published.schulwegweiser_schulen; the note repeats the phone number at
    many places of its lines, so an ordinary space in it would wrap it somewhere."""
    return {
        "school_year": YEAR, "schulnummer": number, "wegweiser": kind, "schulname": name,
        "schulform_name": "Grundschule" if kind == "grundschule" else "Gesamtschule",
        "strasse": f"Lindenweg {number[-1]}", "plz": "47798", "ort": "Krefeld",
        "stadtbezirk_name": district, "telefon": phone(number),
        # long addresses without spaces or hyphens: they must break, not run off the page
        "email": email(number),
        "homepage": f"https://www.grundschule{number}lindenhofkrefeldfischeln.schulen.example/",
        "ganztag": "ogs", "ganztag_bis": "16:00", "fremdsprachen": "Englisch",
        "profil": None, "gemeinsames_lernen": True, "zuege": 3, "barrierefrei": "teilweise",
        "abschluesse": "ESA, EESA, MSA, FHR, AHR", "oberstufe": "eigene",
        "zweite_fremdsprache_ab": 6,
        "anmeldung_von": pd.Timestamp("2025-11-03"), "anmeldung_bis": pd.Timestamp("2025-11-14"),
        "tag_der_offenen_tuer": pd.Timestamp("2025-10-11"),
        "hinweise": " ".join(
            f"{topic} unter {phone(number)}."
            for topic in (*NOTES[int(number[-1]) :], *NOTES[: int(number[-1])])
        ),
    }  # fmt: skip


def schools(kind: str = "grundschule") -> pd.DataFrame:
    return pd.DataFrame([school(*s, kind=kind) for s in SCHOOLS])


def split(text: str) -> tuple[dict, str]:
    """Front matter and body of a page."""
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


# --------------------------------------------------------------------------- the page


def test_every_school_is_a_level_2_heading_exactly_once_under_its_sorted_district() -> None:
    other = school("Gesamtschule Am Hang (fiktiv)", "Mitte", "900009", "weiterfuehrend")
    last_year = school("Grundschule Früher (fiktiv)", "Mitte", "900010", "grundschule")
    last_year["school_year"] = "2025/26"
    frame = pd.concat([schools(), schools().iloc[:1], pd.DataFrame([other, last_year])])
    _, body = split(brochure_page("grundschule", frame, YEAR, LABELS))
    headings = re.findall(r"^(#{1,6}) (.+)$", body, re.M)
    assert [h for level, h in headings if level == "#"] == ["Ürdingen", "West"]  # Ü as U
    assert {level for level, _ in headings} == {"#", "##"}
    names = [h for level, h in headings if level == "##"]
    assert names == [  # each once, by name within its district
        "Gemeinschaftsgrundschule Am Lindenhof (fiktiv)",
        "Grundschule Erlenbruch (fiktiv)",
        "Astrid-Lindgren-Schule (fiktiv)",
        "Grundschule Birkenallee (fiktiv)",
        "Grundschule Zum Mühlbach (fiktiv)",
    ]


def test_a_school_without_district_is_listed_last_and_not_lost() -> None:
    frame = pd.DataFrame([*schools().to_dict("records"), school("Ohne (fiktiv)", None, "900008",
                          "grundschule")])  # fmt: skip
    _, body = split(brochure_page("grundschule", frame, YEAR, LABELS))
    assert re.findall(r"^# (.+)$", body, re.M) == ["Ürdingen", "West", "Ohne Stadtbezirk"]
    assert body.count("## Ohne (fiktiv)") == 1


def test_phone_numbers_are_written_with_non_breaking_spaces() -> None:
    _, body = split(brochure_page("grundschule", schools(), YEAR, LABELS))
    for _, _, number in SCHOOLS:
        unbreakable = phone(number).replace(" ", "\u00a0")
        assert f"| Telefon | {unbreakable} |" in body
        assert body.count(unbreakable) == 1 + len(NOTES) and phone(number) not in body  # notes too
    odd = school("Grundschule Eiche (fiktiv)", "Mitte", "900006", "grundschule")
    odd |= {"telefon": "02151 / 01 23 45", "hinweise": "Ruf (02151) 012345 oder +49 2151 012345, "
            "Raum 2025 14 Uhr, 47798 Krefeld"}  # fmt: skip
    _, body = split(brochure_page("grundschule", pd.DataFrame([odd]), YEAR, LABELS))
    assert "| Telefon | 02151\u00a0/\u00a001\u00a023\u00a045 |" in body
    assert (
        "Ruf (02151)\u00a0012345 oder +49\u00a02151\u00a0012345, Raum 2025 14 Uhr, 47798 Krefeld"
        in body
    )


def test_the_page_is_plain_markdown_the_renderer_reads_without_executing(tmp_path) -> None:
    text = brochure_page("grundschule", schools(), YEAR, LABELS)
    _, body = split(text)
    for construct in ("```", "{=", "![", ":::", "{{<"):  # chunk, raw, image, div, shortcode
        assert construct not in body, construct
    assert not re.search(r"(?<!\\)<", body)  # raw HTML, autolinks
    path = tmp_path / "schulwegweiser" / "grundschulwegweiser.qmd"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    page = read_page(path)  # the subset checks: front matter, shortcodes, images, references
    assert page.chunks == ()


@pytest.mark.parametrize(("kind", "paper"), [("grundschule", "a5"), ("weiterfuehrend", "a4")])
def test_front_matter_asks_for_the_guides_paper_within_the_subset(kind: str, paper: str) -> None:
    meta, _ = split(brochure_page(kind, schools(kind), YEAR, LABELS))
    assert problems(meta, FRONT_MATTER) == []
    assert meta["title"].endswith(YEAR)
    assert meta["format"]["html"] == "default"
    typst = meta["format"]["typst"]
    assert (typst["papersize"], typst["toc"]) == (paper, True)
    partials = [(REPORTS / "schulwegweiser" / p).resolve() for p in typst["template-partials"]]
    assert [p.name for p in partials if p.is_file()] == ["typst-template.typ", "typst-show.typ"]


def test_other_paper_sizes_are_outside_the_subset() -> None:
    meta = {"format": {"html": "default", "typst": {"papersize": "a3"}}}
    assert problems(meta, FRONT_MATTER) == [
        (("format", "typst", "papersize"), "format.typst.papersize: 'a3' is not supported "
         "(allowed: 'a4', 'a5')")
    ]  # fmt: skip


def test_the_title_page_imprint_is_front_matter_within_the_subset() -> None:
    imprint = {"datum": "7. Dezember 2026", "herausgeber": "Stadt", "lizenz": "dl-de/by-2-0"}
    meta, _ = split(brochure_page("grundschule", schools(), YEAR, LABELS, titelei=imprint))
    assert meta["titelei"] == imprint and problems(meta, FRONT_MATTER) == []
    assert problems({"titelei": {"auflage": "1"}}, FRONT_MATTER) == [
        (("titelei", "auflage"), "unsupported key 'titelei.auflage'")
    ]
    meta, _ = split(brochure_page("grundschule", schools(), YEAR, LABELS))
    assert "titelei" not in meta  # no imprint file: no empty title page block


def test_markup_in_names_and_notes_stays_text() -> None:
    odd = school("Schule *Sonnenschein* [fiktiv] {#1}", "Mitte", "900007", "grundschule")
    odd["hinweise"] = "Anmeldung | Sekretariat, Kosten 5 $ bis 7 $"
    _, body = split(brochure_page("grundschule", pd.DataFrame([odd]), YEAR, LABELS))
    plain = pypandoc.convert_text(body, "plain", format="markdown", extra_args=["--wrap=none"])
    assert "Schule *Sonnenschein* [fiktiv] {#1}" in plain.splitlines()  # the heading, as text
    assert "Hinweise der Schule: Anmeldung / Sekretariat, Kosten 5 $ bis 7 $" in plain


# --------------------------------------------------------------------------- the PDF (e2e)


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed: cannot read the PDF back")
    return subprocess.run([tool, *args], capture_output=True, text=True, check=True).stdout


def write_page(root: Path, text: str) -> Path:
    """The page where generate_guides puts it, next to a copy of the report's partials."""
    if not (root / "_typst").exists():
        shutil.copytree(REPORTS / "_typst", root / "_typst")
    path = root / "schulwegweiser" / "wegweiser.qmd"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def brochure_pdf(path: Path, work: Path) -> Path:
    """The PDF edition as the built-in renderer makes it (render._render_page): the page's
    Markdown, Pandoc to Typst with the page's partials, Typst to PDF. The metadata is
    render._conversion's (title, subtitle, ``papersize``; no title-page imprint)."""
    page = read_page(path)
    markdown = to_markdown(page, None, work / "figures")
    meta = {
        "lang": "de",
        "title": page.meta["title"],
        "pagetitle": page.meta["title"],
        "subtitle": page.meta["subtitle"],
        "toc": bool(page.typst.get("toc", False)),
        "papersize": page.typst["papersize"],
    }
    partials = {Path(p).name: path.parent / p for p in page.typst["template-partials"]}
    work.mkdir(parents=True, exist_ok=True)
    source = work / "wegweiser.typ"
    source.write_text(pandoc.to_typst(markdown, meta, work, partials), encoding="utf-8")
    pdf = work / "wegweiser.pdf"
    pandoc.compile_pdf(source, pdf)
    return pdf


def wrapped_phones(text: str) -> list[str]:
    """Lines of a ``pdftotext -layout`` text that end in an area code: its number wrapped."""
    return [line.strip() for line in text.splitlines() if re.search(r"(^|\s)02151\s*$", line)]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("kind", "size", "margin"),  # margin: the partial's left and right margin (1.5 / 2.2 cm)
    [("grundschule", "419.528 x 595.276", 42.5), ("weiterfuehrend", "595.276 x 841.89", 62.4)],
)
def test_the_brochure_has_its_paper_one_school_a_page_and_unbroken_phones(
    tmp_path: Path, kind: str, size: str, margin: float
) -> None:
    text = brochure_page(kind, schools(kind), YEAR, LABELS)
    pdf = brochure_pdf(write_page(tmp_path, text), tmp_path / "work")

    info = poppler("pdfinfo", "-f", "1", "-l", "99", str(pdf))
    sizes = re.findall(r"^Page +\d+ size: +([\d.]+ x [\d.]+) pts", info, re.M)
    assert sizes and set(sizes) == {size}  # A5 = 420 x 595 pt, A4 = 595 x 842 pt

    pages = poppler("pdftotext", "-layout", str(pdf), "-").replace("\u00a0", " ").split("\f")
    pages = [p for p in pages if p.strip()]
    names = [name for name, _, _ in SCHOOLS]
    school_pages = [i for i, p in enumerate(pages) if "Angabe" in p]  # the facts table
    assert len(school_pages) == len(names), "one page per school"
    first = school_pages[0]
    assert school_pages == list(range(first, len(pages))), "nothing runs over to a next page"
    toc = pages[1:first]
    assert toc and "Inhalt" in toc[0]
    assert all(name in "".join(toc) for name in names)
    for name in names:  # once outside the contents: as its page's heading
        assert sum(p.count(name) for p in (pages[0], *pages[first:])) == 1, name
    for index in school_pages:
        assert sum(name in pages[index] for name in names) == 1  # one school a page
    for name, _, number in SCHOOLS:
        (own,) = (p for p in pages[first:] if name in p)
        assert re.search(rf"Telefon +{phone(number)}\s", own), name
        assert "Anmeldezeitraum: 03.11.2025 bis 14.11.2025" in own
    assert wrapped_phones("".join(pages)) == []

    # the text stays on the page: long e-mail and web addresses break, never overflow
    width = float(size.split(" x ")[0])
    boxes = poppler("pdftotext", "-bbox", str(pdf), "-")
    right = [
        float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', boxes)
    ]
    assert right and max(right) <= width - margin + 0.5  # within the right margin
    joined = "".join(poppler("pdftotext", str(pdf), "-").split())  # in reading order
    for _, _, number in SCHOOLS:  # broken, yet copied intact
        assert email(number) in joined

    # the check sees a wrap: with ordinary spaces the notes' numbers do wrap
    plain = write_page(tmp_path / "plain", text.replace("\u00a0", " "))
    wrapped = poppler("pdftotext", "-layout", str(brochure_pdf(plain, tmp_path / "w2")), "-")
    assert wrapped_phones(wrapped)


# --------------------------------------------------------------------------- on the site (e2e)


class Headings(HTMLParser):
    """The text of every h1/h2 of a page and its outside links."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.outside: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2"):
            self._open = tag
            self.headings.append((tag, ""))
        href = dict(attrs).get("href") or ""
        if re.match(r"^(https?:)?//", href):
            self.outside.append(href)

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-page site with the Grundschul brochure, rendered by the built-in renderer."""
    root = tmp_path_factory.mktemp("site")
    write_page(root, brochure_page("grundschule", schools(), YEAR, LABELS))
    (root / "_quarto.yml").write_text(
        "project:\n  type: website\n  render:\n    - schulwegweiser/wegweiser.qmd\n"
        "lang: de\nexecute:\n  echo: false\n",
        encoding="utf-8",
    )
    render_site(root, root / "_site", renderer="builtin")
    return root / "_site" / "schulwegweiser"


@pytest.mark.e2e
def test_the_web_edition_is_the_whole_brochure_on_one_page(site: Path) -> None:
    parser = Headings()
    html = (site / "wegweiser.html").read_text("utf-8")
    parser.feed(html)
    names = [name for name, _, _ in SCHOOLS]
    h2 = [text.strip() for tag, text in parser.headings if tag == "h2"]
    assert sorted(h for h in h2 if h in names) == sorted(names)  # besides "Andere Formate"
    assert [text for tag, text in parser.headings if tag == "h1"][-2:] == ["Ürdingen", "West"]
    assert parser.outside == []  # addresses are text, the site links to no outside site
    assert (site / "wegweiser.pdf").is_file()


@pytest.mark.e2e
def test_the_built_in_renderer_prints_on_the_pages_paper(site: Path) -> None:
    info = poppler("pdfinfo", str(site / "wegweiser.pdf"))
    assert re.search(r"^Page size: +419.528 x 595.276 pts", info, re.M)  # A5
