"""Imprint and licence: every page footer names publisher, contact, edition, publication date
and licence (Quarto's ``{{< var >}}`` from ``_variables.yml``, filled by both render paths),
and the Impressum page attributes the sources and suggests a citation.
"""

from __future__ import annotations

import importlib
import shutil
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
import yaml

from pipelines.report.errors import RenderError
from pipelines.report.project import load_project
from pipelines.report.render import _page_footer, render_site
from tests.test_report_data import REPORTS, build_warehouse
from tests.test_report_render import copy_project

FOOTER_VARS = ("herausgeber", "kontakt", "ausgabe", "veroeffentlicht", "lizenz", "datenhinweis")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("impressum") / "w.duckdb")


def fresh_texte(monkeypatch: pytest.MonkeyPatch, warehouse: Path) -> ModuleType:
    """bm_texte and bm_report loaded anew (caches empty) for ``warehouse``."""
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    monkeypatch.syspath_prepend(str(REPORTS))
    for loaded in [m for m in sys.modules if m.startswith("bm_")]:
        monkeypatch.delitem(sys.modules, loaded)
    return importlib.import_module("bm_texte")


def shipped_website() -> dict:
    return yaml.safe_load((REPORTS / "_quarto.yml").read_text("utf-8"))["website"]


def footer_project(root: Path, footer: dict, variables: dict | None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.qmd").write_text("---\ntitle: Start\n---\n\nText.\n", encoding="utf-8")
    config = {
        "project": {"type": "website", "render": ["index.qmd"]},
        "website": {"page-footer": footer},
    }
    (root / "_quarto.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    if variables is not None:
        (root / "_variables.yml").write_text(yaml.safe_dump(variables), encoding="utf-8")
    return root


def test_footer_vars_and_site_links_are_filled_for_every_folder(tmp_path: Path) -> None:
    footer = {"left": "{{< var herausgeber >}} · [Impressum](/impressum.qmd)", "right": "x"}
    project = load_project(footer_project(tmp_path, footer, {"herausgeber": "Stadt A"}))

    assert _page_footer(project, "index.qmd")["left"] == "Stadt A · [Impressum](impressum.qmd)"
    nested = _page_footer(project, "indikatoren/quote.qmd")["left"]
    assert nested == "Stadt A · [Impressum](../impressum.qmd)"


@pytest.mark.parametrize(
    ("footer", "variables", "message"),
    [
        ("{{< var ausgabe >}}", {"herausgeber": "Stadt A"}, "unknown var 'ausgabe'"),
        ("{{< var ausgabe >}}", None, "_variables.yml is missing"),
        ("{{< meta title >}}", {}, "only {{< var >}} allowed"),
    ],
)
def test_a_footer_that_cannot_be_filled_is_refused(
    tmp_path: Path, footer: str, variables: dict | None, message: str
) -> None:
    project = load_project(footer_project(tmp_path, {"center": footer}, variables))
    with pytest.raises(RenderError, match=message.replace("{", r"\{")):
        _page_footer(project, "index.qmd")


def test_the_shipped_footer_names_publisher_edition_date_contact_and_licence() -> None:
    website = shipped_website()
    text = " ".join(website["page-footer"].values())
    for key in FOOTER_VARS:
        assert f"{{{{< var {key} >}}}}" in text, key
    assert "(/impressum.qmd)" in text  # from every folder of the site
    links = [link for item in website["navbar"]["right"] for link in item.get("menu", [item])]
    assert {"href": "impressum.qmd", "text": "Impressum"} in links
    render = yaml.safe_load((REPORTS / "_quarto.yml").read_text("utf-8"))["project"]["render"]
    assert "impressum.qmd" in render


def test_the_variables_of_a_render(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texte = fresh_texte(monkeypatch, warehouse)
    angaben = texte.impressum()
    written = yaml.safe_load(texte.schreibe_variablen(tmp_path, heute=date(2026, 3, 5)).read_text())

    assert set(written) == set(FOOTER_VARS)
    assert written["ausgabe"] == texte.bm.edition(None).title
    assert written["veroeffentlicht"] == "5. März 2026"
    assert (written["herausgeber"], written["kontakt"]) == (angaben.herausgeber, angaben.email)
    assert written["lizenz"] == "dl-de/by-2-0"
    assert written["datenhinweis"] == texte.BEISPIELDATEN  # the fixture has the sample's map


def test_real_district_geometry_drops_the_sample_notice(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real.duckdb"
    shutil.copyfile(warehouse, real)
    with duckdb.connect(str(real)) as con:
        con.execute(
            "UPDATE published.geometrie_stadtbezirke SET geojson = replace(geojson, "
            "'keine amtliche Geometrie', 'Stadtbezirke der Stadt')"
        )
    texte = fresh_texte(monkeypatch, real)
    written = yaml.safe_load(texte.schreibe_variablen(tmp_path).read_text())
    assert written["datenhinweis"] == ""


PRE_RENDER = """import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bm_texte

bm_texte.schreibe_variablen(Path(__file__).resolve().parent)
"""


@pytest.mark.e2e
def test_impressum_page_with_its_footer(warehouse: Path, tmp_path: Path) -> None:
    """Render the Impressum alone, with the shipped footer and a pre-render step that writes
    the footer's variables, and read what a visitor reads."""
    project = copy_project(tmp_path / "reports", render=["impressum.qmd"])
    (project / "_variablen.py").write_text(PRE_RENDER, encoding="utf-8")
    config = yaml.safe_load((project / "_quarto.yml").read_text("utf-8"))
    config["project"]["pre-render"] = ["_variablen.py"]
    config["website"] = {
        "title": "Bildungsmonitor Krefeld",
        "navbar": {"right": [{"href": "impressum.qmd", "text": "Impressum"}]},
        "page-footer": shipped_website()["page-footer"],
    }
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")

    result = render_site(
        project,
        tmp_path / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    html = (result.output_dir / "impressum.html").read_text("utf-8")
    variables = yaml.safe_load((project / "_variables.yml").read_text("utf-8"))
    footer = html[html.index('<footer class="page-footer"') :]
    today = date.today()

    for key in FOOTER_VARS:
        assert variables[key] in footer, key
    assert variables["veroeffentlicht"].endswith(str(today.year))
    assert '<a href="impressum.html">' in footer
    body = html[html.index("<main") : html.index("</main>")]
    assert f"Datenquelle: IT.NRW, Düsseldorf, {today.year}; Datenlizenz Deutschland" in body
    assert "Quelle: Statistik der Bundesagentur für Arbeit" in body
    assert "Schulverwaltung" in body and "Synthetische Beispieldaten" in body
    citation = f"Bildungsbüro ({today.year}): Bildungsbericht Krefeld, {variables['ausgabe']}."
    assert citation in body
    assert "http" not in html  # the licence is named in words, nothing links outside
