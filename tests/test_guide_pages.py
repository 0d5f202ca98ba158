"""The school guides' generated pages (pipelines.report.generate_guides) from the fixture
warehouse's three fictional schools: what parents and search engines read on them."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from babel.dates import format_date

from pipelines.report.generate_guides import SAMPLE_NOTICE, generate_guides, titelei
from pipelines.report.guide_overview_pages import slug
from pipelines.report.guide_school_page import json_ld
from pipelines.report.qmd import read_page
from tests.test_report_data import REPORTS, build_warehouse


@pytest.fixture(scope="module")
def guides(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("guides")
    warehouse = build_warehouse(root / "w.duckdb")
    generate_guides(root, warehouse)
    return root / "schulwegweiser"


def raw_blocks(text: str) -> list[str]:
    return re.findall(r"```\{=html\}\n(.*?)\n```", text, re.S)


def test_the_guides_are_pages_inside_the_subset(guides: Path) -> None:
    names = sorted(p.relative_to(guides).as_posix() for p in guides.rglob("*.qmd"))
    assert names == [
        "anmeldung.qmd", "grundschulen.qmd", "grundschulwegweiser-broschuere.qmd", "karte.qmd",
        "schulen/100001.qmd", "schulen/100002.qmd", "schulen/100003.qmd",
        "wegweiser-weiterfuehrende-schulen-broschuere.qmd", "weiterfuehrende-schulen.qmd",
    ]  # fmt: skip
    for page in guides.rglob("*.qmd"):
        parsed = read_page(page)
        assert not parsed.chunks, f"{page.name} runs code: the guides are plain pages"


def test_a_school_page_has_its_facts_map_point_chart_and_json_ld(guides: Path) -> None:
    text = (guides / "schulen" / "100002.qmd").read_text("utf-8")
    assert "| Telefon | 02151\u00a0000002 |" in text  # a phone number never wraps
    assert "Latein" in text and "17.02.2025 bis 21.02.2025" in text
    blocks = raw_blocks(text)
    ld = json.loads(re.search(r"ld\+json\">(.*)</script>", blocks[0])[1])
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "School"
    assert ld["name"] == "Beispiel-Gymnasium Am Hang (fiktiv)"
    assert ld["address"]["postalCode"] == "47799" and ld["geo"]["latitude"] == 51.34
    assert ld["url"] == "https://100002.schulen.example/"
    assert sum(b.count('class="bm-kartenpunkt"') for b in blocks) == 1
    chart = next(b for b in blocks if "bm-diagramm" in b)
    assert "2024/25" in chart and "131" in chart  # registrations above places: both shown
    assert "| 2024/25 | 112 | 131 | 112 |" in text  # and as a table
    assert "Schulprofil der Schule für das Schuljahr 2025/26." in text  # where the facts come from


def test_the_overview_lists_every_school_once_with_its_filter_values(guides: Path) -> None:
    text = (guides / "weiterfuehrende-schulen.qmd").read_text("utf-8")
    form, listing = raw_blocks(text)
    assert 'hidden aria-label="Schulen filtern"' in form  # shown by the script only
    for value in ("franzoesisch", "latein", "englisch", "gebunden", "mitte"):
        assert f'<option value="{value}">' in form
    items = re.findall(r"<li ([^>]*)><a href=\"([^\"]+)\"", listing)
    assert items == [
        ('data-bezirk="mitte" data-schulform="gymnasium" data-ganztag="gebunden" '
         'data-sprache="englisch franzoesisch latein"', "schulen/100002.html"),
    ]  # fmt: skip
    assert '<script src="../schulwegweiser.js" defer>' in form
    assert '<script src="../pagefind/pagefind-ui.js" defer>' in form


def test_map_and_registration_pages_name_every_school_once(guides: Path) -> None:
    karte = (guides / "karte.qmd").read_text("utf-8")
    assert re.findall(r'data-schulnummer="(\d+)"', karte) == ["100001", "100002", "100003"]
    anmeldung = (guides / "anmeldung.qmd").read_text("utf-8")
    assert anmeldung.count("(schulen/100001.qmd)") == 1
    assert anmeldung.count("(schulen/100002.qmd)") == 1
    assert (
        "Die 2 Schulen nehmen Anmeldungen zwischen dem 04.11.2024 und dem 15.11.2024" in anmeldung
    )
    assert "30. September" in anmeldung


def test_the_registration_span_is_the_published_one_not_computed_by_the_page(tmp_path) -> None:
    """The page prints ``published.schulwegweiser_anmeldefristen`` as it stands (pages read
    figures); without a row for a guide it stops, naming the table, rather than guess."""
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE published.schulwegweiser_anmeldefristen SET schulen = 7, "
            "anmeldung_bis = DATE '2024-11-30' WHERE wegweiser = 'grundschule'"
        )
    generate_guides(tmp_path, warehouse)
    anmeldung = (tmp_path / "schulwegweiser" / "anmeldung.qmd").read_text("utf-8")
    assert "Die 7 Schulen nehmen Anmeldungen zwischen dem 04.11.2024 und dem 30.11.2024" in (
        anmeldung
    )
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "DELETE FROM published.schulwegweiser_anmeldefristen WHERE wegweiser = 'grundschule'"
        )
    with pytest.raises(ValueError, match="schulwegweiser_anmeldefristen: 0 rows for grundschule"):
        generate_guides(tmp_path, warehouse)


def test_brochures_hold_each_school_of_their_guide_once(guides: Path) -> None:
    grund = (guides / "grundschulwegweiser-broschuere.qmd").read_text("utf-8")
    weiter = (guides / "wegweiser-weiterfuehrende-schulen-broschuere.qmd").read_text("utf-8")
    assert grund.count("## Beispiel-Grundschule Am Bach (fiktiv)") == 1
    assert "Gymnasium Am Hang" not in grund
    assert weiter.count("## Beispiel-Gymnasium Am Hang (fiktiv)") == 1
    assert "papersize: a5" in grund and "papersize: a4" in weiter


def test_filter_values_and_json_ld_are_safe() -> None:
    assert slug("Französisch") == "franzoesisch" and slug(" Türkisch (Herkunft) ") == (
        "tuerkisch-herkunft"
    )
    school = {
        "schulname": "A</script><b>", "strasse": "S 1", "plz": "47798", "ort": "Krefeld",
        "lat": None, "lon": None, "homepage": "www.a.schulen.example", "telefon": None,
        "email": None,
    }  # fmt: skip
    text = json_ld(school)
    assert "</script>" not in text and json.loads(text)["name"] == "A</script><b>"
    assert json.loads(text)["url"] == "https://www.a.schulen.example" and "geo" not in text


def test_the_school_year_parameter_chooses_the_guides(tmp_path: Path) -> None:
    """``-P schuljahr:`` (BILDUNGSMONITOR_PARAM_SCHULJAHR in the pre-render step) picks the
    guides' school year; one without profiles stops the render naming the years there are."""
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    pages = generate_guides(tmp_path, warehouse, "2025/26")
    assert len(pages) == 9
    assert "Grundschulwegweiser 2025/26" in (
        tmp_path / "schulwegweiser" / "grundschulen.qmd"
    ).read_text("utf-8")
    with pytest.raises(ValueError, match=r"schuljahr:2030/31.*\(school years: 2025/26\)"):
        generate_guides(tmp_path, warehouse, "2030/31")
    assert len(list((tmp_path / "schulwegweiser").rglob("*.qmd"))) == 9  # left as they were


def test_the_brochure_title_page_names_publisher_date_licence_and_the_sample(tmp_path) -> None:
    """The imprint comes from ``_impressum.yml`` (as the report's PDFs); the sample notice
    only where the districts say they are schematic, in the footer's wording."""
    shutil.copyfile(REPORTS / "_impressum.yml", tmp_path / "_impressum.yml")
    real = titelei(tmp_path, "", date(2026, 12, 7))
    assert real == {
        "datum": "7. Dezember 2026",
        "herausgeber": "Stadt Krefeld – Regionales Bildungsbüro",
        "kontakt": "bildungsbuero@stadt.example · Stadt Krefeld, Regionales Bildungsbüro, "
        "47792 Krefeld",
        "lizenz": "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)",
    }
    sample = titelei(tmp_path, "Schematische Darstellung – keine amtliche Geometrie", date.today())
    assert sample["hinweis"] == SAMPLE_NOTICE
    assert titelei(tmp_path / "ohne", "", date.today()) == {}
    texte = (REPORTS / "bm_texte.py").read_text(encoding="utf-8")
    assert f'BEISPIELDATEN = "{SAMPLE_NOTICE}"' in texte  # one wording for site and print


def test_generated_brochures_carry_the_imprint(tmp_path) -> None:
    shutil.copyfile(REPORTS / "_impressum.yml", tmp_path / "_impressum.yml")
    generate_guides(tmp_path, build_warehouse(tmp_path / "w.duckdb"))
    brochure = (tmp_path / "schulwegweiser" / "grundschulwegweiser-broschuere.qmd").read_text(
        "utf-8"
    )
    front = yaml.safe_load(brochure.split("---\n")[1])
    assert front["titelei"]["herausgeber"] == "Stadt Krefeld – Regionales Bildungsbüro"
    assert front["titelei"]["datum"] == format_date(date.today(), "d. MMMM y", locale="de_DE")
