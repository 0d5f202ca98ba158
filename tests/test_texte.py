"""Editorial texts (``reports/bm_texte.py``): placeholders read the mart, typed figures fail.

The figures a text prints must be the ones the start page's key-figure table shows for the
same indicator; a text that types a number, names an unknown indicator or placeholder, or
leaves the documented Markdown fails with its file and line.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.test_report_data import REPORTS, build_warehouse

EXAMPLE = "abgang_ohne_abschluss_quote"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("texte") / "w.duckdb")


@pytest.fixture
def texte(warehouse: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> ModuleType:
    """A fresh bm_texte (and bm_report, caches empty) on the fixture warehouse, reading
    its texts from an empty folder of this test."""
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    monkeypatch.syspath_prepend(str(REPORTS))
    for loaded in [m for m in sys.modules if m.startswith("bm_")]:
        monkeypatch.delitem(sys.modules, loaded)
    module = importlib.import_module("bm_texte")
    monkeypatch.setattr(module, "TEXT_DIR", tmp_path / "texte")
    return module


def write_text(texte: ModuleType, kapitel: str, body: str) -> Path:
    ausgabe = texte.bm.edition(None)
    path = texte.TEXT_DIR / texte.ausgabe_ordner(ausgabe) / f"{kapitel}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def test_placeholders_print_the_key_figures_of_the_start_page(texte: ModuleType) -> None:
    bm = texte.bm
    ausgabe = bm.edition(None)
    figure = bm.key_figure(bm.indicator(EXAMPLE), ausgabe)
    name, period, value, change = figure.cells()[:4]
    write_text(
        texte,
        "allgemeinbildende-schule",
        "### Kernaussagen\n\n"
        f"- Ohne Abschluss gingen {{{{wert {EXAMPLE}}}}} im Schuljahr\n"
        f"  {{{{ zeitraum {EXAMPLE} }}}} ({{{{veraenderung {EXAMPLE}}}}}), NRW "
        f"{{{{nrw {EXAMPLE}}}}}; Ausgabe {{{{ausgabe}}}}.\n",
    )

    text = texte.kapiteltext("allgemeinbildende-schule", ausgabe)

    assert f"Ohne Abschluss gingen {value} im Schuljahr" in text
    assert f"{period} ({change}), NRW {figure.cells()[5]}; Ausgabe {ausgabe.label}." in text
    assert "{{" not in text and name  # every placeholder replaced


def test_digits_are_allowed_in_link_targets_and_list_numbers_only(texte: ModuleType) -> None:
    write_text(
        texte,
        "rahmenbedingungen",
        "### Handlungsempfehlungen\n\n"
        "1. Kinderarmut senken: siehe [SGB-II-Quote](indikatoren/sgb2_quote_unter_15.qmd).\n"
        "2. Angebote ausbauen.\n",
    )
    text = texte.kapiteltext("rahmenbedingungen", texte.bm.edition(None))
    assert "indikatoren/sgb2_quote_unter_15.qmd" in text and "2. Angebote ausbauen." in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Die Quote sank auf 8,1 %.", "typed number '8'"),
        ("Im Jahr 2023 stieg sie.", "typed number '2023'"),
        ("Wert: {{wert gibt_es_nicht}}.", "unknown indicator"),
        ("Wert: {{betrag abgang_ohne_abschluss_quote}}.", "unknown placeholder 'betrag'"),
        ("Wert: {{wert}}.", "needs an indicator id"),
        ("Wert: {wert abgang_ohne_abschluss_quote}}.", "a placeholder is written"),
        ("## Kernaussagen", "headings start at level 3"),
        ("Eine <b>fette</b> Aussage.", "raw HTML"),
    ],
)
def test_a_bad_text_fails_with_its_file_and_line(
    texte: ModuleType, line: str, message: str
) -> None:
    path = write_text(texte, "weiterbildung", f"### Kernaussagen\n\nEinleitung.\n{line}\n")
    with pytest.raises(texte.TextError) as failure:
        texte.kapiteltext("weiterbildung", texte.bm.edition(None))
    assert f"{path}, line 4: " in str(failure.value)
    assert message in str(failure.value)


def test_a_value_the_edition_lacks_is_refused(texte: ModuleType) -> None:
    bm = texte.bm
    ausgabe = bm.edition(None)
    missing = next(e.id for e in bm.indicators() if bm.trend(e, ausgabe).table["nrw"].isna().all())
    write_text(texte, "weiterbildung", f"### Kernaussagen\n\nNRW: {{{{nrw {missing}}}}}.\n")
    with pytest.raises(texte.TextError, match=f"line 3: '{missing}' has no value for Nord"):
        texte.kapiteltext("weiterbildung", ausgabe)


def test_without_a_text_the_chapter_shows_the_generated_summary(texte: ModuleType) -> None:
    bm = texte.bm
    ausgabe = bm.edition(None)
    for feld in bm.HANDLUNGSFELDER:
        kapitel = texte.kapitel_name(feld)
        expected = bm.summary_points(bm.indicators(feld), ausgabe)
        assert texte.kapiteltext(kapitel, ausgabe) == expected
    with pytest.raises(texte.TextError, match="unknown chapter 'schule'"):
        texte.kapiteltext("schule", ausgabe)


def test_chapter_names_are_the_names_of_the_chapter_pages(texte: ModuleType) -> None:
    for feld in texte.bm.HANDLUNGSFELDER:
        assert (REPORTS / f"{texte.kapitel_name(feld)}.qmd").is_file()


def test_every_shipped_text_fills_and_is_marked_as_an_example(
    texte: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(texte, "TEXT_DIR", REPORTS / "texte")
    shipped = sorted((REPORTS / "texte").glob("*/*.md"))
    assert shipped, "the project ships an example text"
    for path in shipped:
        try:  # the edition the folder names; the fixture's newest if it has no such year
            ausgabe = texte.bm.edition(path.parent.name.replace("-", "/"))
        except LookupError:
            ausgabe = texte.bm.edition(None)
        texte.handlungsfeld(path.stem)  # a known chapter
        text = texte.fuelle(path.read_text(encoding="utf-8"), ausgabe, str(path))
        assert "Beispieltext" in text and "{{" not in text
