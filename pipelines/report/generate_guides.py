"""Generate the school guides' pages: the pre-render step's second job.

From ``published.schulwegweiser_schulen`` / ``_anmeldungen``, the district geometry and the
label table it writes into ``reports/schulwegweiser/`` (a folder the generator owns,
git-ignored): one page per school (facts, contact, registration, a locator map, registrations
against places, schema.org/School JSON-LD), one overview per guide (filters and search), the
map of all schools, the page "Wie melde ich mein Kind an?" and one printable brochure per
guide. The pages carry no code chunk: nothing is executed, so sixty schools cost sixty Pandoc
runs (≈ 0.2 CPU-s each) and the guides stay within their render budget; every figure on them
comes from the published models, none is typed. Maps and charts are inline SVG
(``guide_svg``), filters and search run from the site's own files (``schulwegweiser.js``,
Pagefind's index written by the post-render step), so nothing is loaded from elsewhere.

This module reads the published tables and writes the files; the pages' text comes from
``guide_school_page``, ``guide_overview_pages`` (overviews, map, registration) and
``guide_brochure``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb
import yaml
from babel.dates import format_date

from pipelines.report.guide_brochure import brochure_page
from pipelines.report.guide_markdown import (
    BROCHURES,
    GUIDE_PAGES,
    MAP_PAGE,
    REGISTRATION_PAGE,
    SCHOOLS_DIR,
)
from pipelines.report.guide_overview_pages import guide_page, map_page, registration_page
from pipelines.report.guide_school_page import HISTORY_YEARS, school_page

OUTPUT_DIR = "schulwegweiser"


def _write(target: Path, text: str) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text("utf-8") != text:
        target.write_text(text, encoding="utf-8")  # unchanged pages keep their mtime
    return target


def _remove_stale(folder: Path, keep: Iterable[Path]) -> None:
    kept = set(keep)
    for page in folder.rglob("*.qmd"):
        if page not in kept:
            page.unlink()


def _districts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, dict]]:
    rows = con.sql(
        "select region_name, geojson from published.geometrie_stadtbezirke order by region_key"
    ).fetchall()
    shapes = []
    for name, text in rows:
        data = json.loads(text)
        shapes.append((name, data.get("geometry", data)))
    return shapes


IMPRESSUM = "_impressum.yml"
"""Publisher, contact and licence: the project file the report's PDFs read them from too."""
SAMPLE_NOTICE = "Synthetische Beispieldaten – keine amtlichen Werte"
"""The sample notice of the site's footer (``reports/bm_texte.py``: ``BEISPIELDATEN``)."""
SAMPLE_GEOMETRY = "keine amtliche"
"""How the sample's districts say they are schematic (``bm_texte.SCHEMATISCH``): the
published layer has no sample flag, and a printed guide of fictional schools must say so."""


def titelei(project_dir: Path, districts_note: str, today: date) -> dict[str, str]:
    """The brochure title page's imprint: publisher, contact and licence from
    ``_impressum.yml``, the date of this render, the sample notice for the sample's
    warehouse. Empty without an imprint file (a project that has none)."""
    source = Path(project_dir) / IMPRESSUM
    if not source.is_file():
        return {}
    angaben = yaml.safe_load(source.read_text(encoding="utf-8"))
    kontakt = angaben["kontakt"]
    values = {
        "datum": format_date(today, "d. MMMM y", locale="de_DE"),
        "herausgeber": angaben["herausgeber"],
        "kontakt": f"{kontakt['e-mail']} · {kontakt['anschrift']}",
        "lizenz": f"{angaben['lizenz_name']} ({angaben['lizenz_kurz']})",
    }
    if SAMPLE_GEOMETRY in districts_note:
        values["hinweis"] = SAMPLE_NOTICE
    return values


def generate_guides(
    project_dir: Path, warehouse: Path, school_year: str | None = None
) -> list[Path]:
    """Write the guides' pages for ``school_year`` (``-P schuljahr:``; default the latest in
    the published table); remove pages of schools no longer in it. Returns the pages (none
    when no profile was delivered)."""
    out = Path(project_dir) / OUTPUT_DIR
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schools = con.sql("select * from published.schulwegweiser_schulen").df()
        registrations = con.sql("select * from published.schulwegweiser_anmeldungen").df()
        spans = con.sql("select * from published.schulwegweiser_anmeldefristen").df()
        labels_frame = con.sql(
            "select merkmal, code, bezeichnung from published.bezeichnungen order by sortierung"
        ).df()
        districts = _districts(con)
        notes = con.execute(
            "select string_agg(distinct json_extract_string(geojson, '$.properties.hinweis'), '; ')"
            " from published.geometrie_stadtbezirke"
        ).fetchone()[0]
    labels = {
        m: list(zip(g["code"], g["bezeichnung"], strict=True))
        for m, g in labels_frame.groupby("merkmal")
    }
    written: list[Path] = []
    if school_year is not None and school_year not in set(schools["school_year"]):
        known = ", ".join(sorted(set(schools["school_year"]))) or "keine"
        raise ValueError(
            f"-P schuljahr:{school_year}: no school profile for this school year in "
            f"published.schulwegweiser_schulen (school years: {known})"
        )
    if not schools.empty:
        school_year = school_year or max(schools["school_year"])
        imprint = titelei(project_dir, notes or "", date.today())
        current = schools[schools["school_year"] == school_year]
        for school in current.to_dict("records"):
            history = (
                registrations[
                    (registrations["schulnummer"] == school["schulnummer"])
                    & (registrations["school_year"] < school_year)
                ]
                .sort_values("school_year")
                .tail(HISTORY_YEARS)
            )
            page = out / SCHOOLS_DIR / f"{school['schulnummer']}.qmd"
            written.append(_write(page, school_page(school, history, labels, districts)))
        for kind, name in GUIDE_PAGES.items():
            chosen = current[current["wegweiser"] == kind]
            if chosen.empty:
                continue
            written.append(
                _write(out / f"{name}.qmd", guide_page(kind, chosen, school_year, labels))
            )
            written.append(
                _write(
                    out / f"{BROCHURES[kind]}.qmd",
                    brochure_page(kind, chosen, school_year, labels, titelei=imprint),
                )
            )
        written.append(_write(out / f"{MAP_PAGE}.qmd", map_page(current, districts, school_year)))
        written.append(
            _write(out / f"{REGISTRATION_PAGE}.qmd", registration_page(current, spans, school_year))
        )
    if out.is_dir():
        _remove_stale(out, written)
    return written
