"""Generate the school guides' pages: the pre-render step's second job.

From ``published.schulwegweiser_schulen`` / ``_anmeldungen``, the district geometry and the
label table it writes into ``reports/schulwegweiser/`` (a folder the generator owns,
git-ignored): one page per school (facts, contact, registration, a locator map, registrations
against places, schema.org/School JSON-LD), one overview per guide (filters and search), the
map of all schools, the page "Wie melde ich mein Kind an?" and one printable brochure per
guide. The pages carry no code chunk: nothing is executed, so sixty schools cost sixty Pandoc
runs (≈ 0.2 CPU-s each) and the guides stay within their render budget; every figure on them
comes from the published models, none is typed. Maps and charts are inline SVG written here
(``guide_svg``), filters and search run from the site's own files (``schulwegweiser.js``,
Pagefind's index written by the post-render step), so nothing is loaded from elsewhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml
from babel.dates import format_date

from pipelines.report import guide_svg
from pipelines.report.guide_brochure import TITLES, brochure_page, date_text, facts

OUTPUT_DIR = "schulwegweiser"
SCHOOLS_DIR = "schulen"
HISTORY_YEARS = 5
"""School years of registrations against places shown per school."""
GUIDE_PAGES = {"grundschule": "grundschulen", "weiterfuehrend": "weiterfuehrende-schulen"}
GUIDE_TITLES = TITLES
BROCHURES = {
    "grundschule": "grundschulwegweiser-broschuere",
    "weiterfuehrend": "wegweiser-weiterfuehrende-schulen-broschuere",
}
MAP_PAGE = "karte"
REGISTRATION_PAGE = "anmeldung"
SCRIPT = "../schulwegweiser.js"
"""The overview's filter and search script, a file of the project (copied as a resource)."""
PAGEFIND = "../pagefind"
"""Pagefind's UI and index, written into the site by the post-render step."""


def _count(value: object) -> str:
    return f"{int(value):,}".replace(",", ".") if pd.notna(value) else "–"


def _cell(text: object) -> str:
    """Text for a pipe-table cell or a list item (no pipe, no line break)."""
    return str(text).replace("|", "/").replace("\n", " ").strip() if pd.notna(text) else "–"


def slug(text: str) -> str:
    """A filter value: lower case ASCII, umlauts spelled out (Französisch → franzoesisch)."""
    text = text.strip().lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def languages(school: Mapping) -> list[str]:
    """The school's foreign languages as delivered (comma-separated in the profile)."""
    text = school.get("fremdsprachen")
    return [s.strip() for s in str(text).split(",") if s.strip()] if pd.notna(text) else []


def _url(homepage: object) -> str | None:
    if pd.isna(homepage) or not str(homepage).strip():
        return None
    text = str(homepage).strip()
    return text if re.match(r"https?://", text) else f"https://{text}"


def json_ld(school: Mapping) -> str:
    """schema.org/School of one school (name, address, geo, url, contact) for search
    engines, as the text of a ``<script type="application/ld+json">``."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "School",
        "name": school["schulname"],
        "address": {
            "@type": "PostalAddress",
            "streetAddress": school["strasse"],
            "postalCode": str(school["plz"]),
            "addressLocality": school["ort"],
            "addressCountry": "DE",
        },
    }
    if pd.notna(school.get("lat")) and pd.notna(school.get("lon")):
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": round(float(school["lat"]), 6),
            "longitude": round(float(school["lon"]), 6),
        }
    if url := _url(school.get("homepage")):
        data["url"] = url
    for key, column in (("telephone", "telefon"), ("email", "email")):
        if pd.notna(school.get(column)):
            data[key] = str(school[column])
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/")  # never closes the script element


def _raw_html(*lines: str) -> list[str]:
    return ["", "```{=html}", *lines, "```", ""]


def school_page(
    school: Mapping,
    history: pd.DataFrame,
    labels: Mapping[str, Sequence[tuple[str, str]]],
    districts: Sequence[tuple[str, dict]] = (),
) -> str:
    """The Markdown of one school's page."""
    rows = "\n".join(f"| {name} | {value} |" for name, value in facts(school, labels))
    guide = GUIDE_PAGES[school["wegweiser"]]
    lines = [
        "---",
        f'title: "{_cell(school["schulname"])}"',
        f'subtitle: "{GUIDE_TITLES[school["wegweiser"]]} {school["school_year"]}"',
        "---",
        *_raw_html(f'<script type="application/ld+json">{json_ld(school)}</script>'),
        "| Merkmal | Angabe |",
        "|:--|:--|",
        rows,
        "",
    ]
    if districts and pd.notna(school.get("lon")) and pd.notna(school.get("lat")):
        svg = guide_svg.school_map(
            districts, (float(school["lon"]), float(school["lat"])), name=school["schulname"]
        )
        caption = f"Lage der Schule im Stadtbezirk {escape(str(school['stadtbezirk_name']))}"
        lines += _raw_html(
            f'<figure class="bm-kartenausschnitt">{svg}<figcaption>{caption}</figcaption></figure>'
        )
    lines += [
        f"## Anmeldung für das Schuljahr {school['school_year']}",
        "",
        f"- Anmeldezeitraum: {date_text(school['anmeldung_von'])} "
        f"bis {date_text(school['anmeldung_bis'])}",
        f"- Tag der offenen Tür: {date_text(school['tag_der_offenen_tuer'])}",
    ]
    if pd.notna(school["hinweise"]):
        lines.append(f"- Hinweise der Schule: {_cell(school['hinweise'])}")
    lines.append(
        f"- Wie die Anmeldung abläuft: [Wie melde ich mein Kind an?](../{REGISTRATION_PAGE}.qmd)"
    )
    if not history.empty:
        title = f"Anmeldungen und Plätze der {_cell(school['schulname'])}"
        chart = guide_svg.registrations_chart(history.to_dict("records"), title=title)
        lines += ["", "## Anmeldungen und Plätze", ""]
        if chart:
            lines += _raw_html(
                f'<figure class="bm-diagramm">{chart}<figcaption>Plätze, Anmeldungen und '
                "Aufnahmen je Schuljahr; die Zahlen stehen in der Tabelle darunter.</figcaption>"
                "</figure>"
            )
        lines += [
            "| Schuljahr | Plätze | Anmeldungen | Aufnahmen |",
            "|:--|--:|--:|--:|",
            *(
                f"| {r.school_year} | {_count(r.aufnahmekapazitaet)} | {_count(r.anmeldungen)} "
                f"| {_count(r.aufnahmen)} |"
                for r in history.itertuples()
            ),
            "",
            "Anmeldungen im Erstwunsch; Plätze in den Eingangsklassen. Quelle: Schulverwaltung "
            "der Stadt.",
        ]
    lines += ["", f"Zurück zum [{GUIDE_TITLES[school['wegweiser']]}](../{guide}.qmd)"]
    return "\n".join(lines) + "\n"


def _options(name: str, label: str, choices: Iterable[tuple[str, str]]) -> str:
    options = "".join(
        f'<option value="{escape(value)}">{escape(text)}</option>' for value, text in choices
    )
    return (
        f'<label>{escape(label)} <select name="{name}"><option value="">alle</option>'
        f"{options}</select></label>"
    )


def guide_page(
    kind: str,
    schools: pd.DataFrame,
    school_year: str,
    labels: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> str:
    """The Markdown of one guide's overview: filters (Stadtbezirk, Schulform, Ganztag,
    Sprache), the search, and the schools by Stadtbezirk, linked. Without JavaScript the
    whole list shows and the filters stay hidden."""
    ganztag = dict((labels or {}).get("ganztag", ()))
    records = schools.sort_values(["stadtbezirk_name", "schulname"]).to_dict("records")
    choices = {
        "bezirk": sorted({(slug(s["stadtbezirk_name"]), s["stadtbezirk_name"]) for s in records},
                         key=lambda c: c[1]),
        "schulform": sorted({(slug(s["schulform_name"]), s["schulform_name"]) for s in records},
                            key=lambda c: c[1]),
        "ganztag": [(code, text) for code, text in ganztag.items()
                    if any(s["ganztag"] == code for s in records)],
        "sprache": sorted({(slug(lang), lang) for s in records for lang in languages(s)},
                          key=lambda c: c[1]),
    }  # fmt: skip
    form = [
        '<form id="bm-filter" class="bm-filter" hidden aria-label="Schulen filtern">',
        _options("bezirk", "Stadtbezirk", choices["bezirk"]),
    ]
    if len(choices["schulform"]) > 1:
        form.append(_options("schulform", "Schulform", choices["schulform"]))
    form += [
        _options("ganztag", "Ganztag", choices["ganztag"]),
        _options("sprache", "Fremdsprache", choices["sprache"]),
        '<p class="bm-treffer" role="status" aria-live="polite"></p>',
        "</form>",
        '<div id="bm-suchbereich" class="bm-suche" hidden>',
        '<label for="bm-suchfeld">Schule suchen (Name, Straße, Angebot)</label>',
        '<div id="bm-suche"></div>',
        "</div>",
        f'<link rel="stylesheet" href="{PAGEFIND}/pagefind-ui.css">',
        f'<script src="{PAGEFIND}/pagefind-ui.js" defer></script>',
        f'<script src="{SCRIPT}" defer></script>',
    ]
    listing = ['<div class="bm-schulliste">']
    for district, group in pd.DataFrame(records).groupby("stadtbezirk_name", sort=True):
        listing += [
            '<section class="bm-bezirk">',
            f"<h2>{escape(district)}</h2>",
            "<ul>",
        ]
        for s in group.to_dict("records"):
            data = {
                "bezirk": slug(s["stadtbezirk_name"]),
                "schulform": slug(s["schulform_name"]),
                "ganztag": s["ganztag"],
                "sprache": " ".join(slug(lang) for lang in languages(s)),
            }
            attrs = " ".join(f'data-{k}="{escape(str(v))}"' for k, v in data.items())
            listing.append(
                f'<li {attrs}><a href="{SCHOOLS_DIR}/{s["schulnummer"]}.html">'
                f"{escape(s['schulname'])}</a>: {escape(_cell(s['strasse']))}; Anmeldung "
                f"{date_text(s['anmeldung_von'])} bis {date_text(s['anmeldung_bis'])}</li>"
            )
        listing += ["</ul>", "</section>"]
    listing.append("</div>")
    lines = [
        "---",
        f'title: "{GUIDE_TITLES[kind]} {school_year}"',
        "---",
        "",
        f"{len(schools)} Schulen, nach Stadtbezirk. Anschrift, Kontakt, Ganztag, Sprachen und "
        "die Anmeldung stehen auf der Seite jeder Schule; wo die Schulen liegen, zeigt die "
        f"[Karte]({MAP_PAGE}.qmd), wie die Anmeldung abläuft, die Seite "
        f"[Wie melde ich mein Kind an?]({REGISTRATION_PAGE}.qmd). Zum Ausdrucken: die "
        f"[Broschüre als PDF]({BROCHURES[kind]}.pdf).",
        *_raw_html(*form),
        *_raw_html(*listing),
    ]
    return "\n".join(lines) + "\n"


def map_page(schools: pd.DataFrame, districts: Sequence[tuple[str, dict]], school_year: str) -> str:
    """The map of all guide schools: points on the Stadtbezirke, each linked to its page."""
    points = [
        {
            "schulnummer": s["schulnummer"],
            "name": s["schulname"],
            "lon": float(s["lon"]),
            "lat": float(s["lat"]),
            "href": f"{SCHOOLS_DIR}/{s['schulnummer']}.html",
            "kind": s["wegweiser"],
        }
        for s in schools.to_dict("records")
        if pd.notna(s["lon"]) and pd.notna(s["lat"])
    ]
    title = f"Lage der {len(points)} Schulen der Schulwegweiser {school_year} in den Stadtbezirken"
    svg = guide_svg.city_map(districts, points, title=title)
    guides = ", ".join(
        f"[{GUIDE_TITLES[k]}]({name}.qmd)" for k, name in GUIDE_PAGES.items()
        if (schools["wegweiser"] == k).any()
    )  # fmt: skip
    return "\n".join([
        "---",
        f'title: "Karte der Schulen {school_year}"',
        "---",
        "",
        "Jeder Punkt ist eine Schule; ein Klick öffnet ihre Seite. Dieselben Schulen, nach "
        f"Stadtbezirk geordnet, stehen in den Wegweisern: {guides}.",
        *_raw_html(
            f'<figure class="bm-karte-gross">{svg}<figcaption>Schulen der Schulwegweiser '
            f"{school_year} in den Stadtbezirken. Kartengrundlage: Stadtbezirke der Stadt; Lage "
            "der Schulen aus dem Schulverzeichnis des Landes NRW.</figcaption></figure>"
        ),
    ]) + "\n"  # fmt: skip


def registration_page(schools: pd.DataFrame, spans: pd.DataFrame, school_year: str) -> str:
    """ "Wie melde ich mein Kind an?": the steps per guide, with the dates of the schools and
    each guide's registration span (``published.schulwegweiser_anmeldefristen``)."""
    lines = ["---", 'title: "Wie melde ich mein Kind an?"',
             f'subtitle: "Anmeldung für das Schuljahr {school_year}"', "---", ""]  # fmt: skip
    steps = {
        "grundschule": [
            "Schulpflichtig werden in Nordrhein-Westfalen alle Kinder, die bis zum 30. September "
            "sechs Jahre alt werden. Die Eltern erhalten vorher ein Schreiben der Stadt.",
            "Sie melden Ihr Kind an einer Grundschule Ihrer Wahl an, persönlich und im "
            "Anmeldezeitraum der Schule. Bringen Sie das Schreiben der Stadt, die Geburtsurkunde "
            "oder das Familienstammbuch und Ihren Ausweis mit; was eine Schule darüber hinaus "
            "braucht, steht auf ihrer Seite.",
            "Hat eine Schule mehr Anmeldungen als Plätze, entscheidet sie nach den Kriterien der "
            "Ausbildungsordnung Grundschule (etwa Geschwisterkinder, Schulweg).",
        ],
        "weiterfuehrend": [
            "Mit dem Halbjahreszeugnis der Klasse 4 erhalten Sie die begründete Empfehlung der "
            "Grundschule für die weitere Schullaufbahn.",
            "Sie melden Ihr Kind im Anmeldezeitraum an einer weiterführenden Schule an: mit "
            "dem Halbjahreszeugnis, der Empfehlung, der Geburtsurkunde und Ihrem Ausweis.",
            "Hat eine Schule mehr Anmeldungen als Plätze, entscheidet sie nach den Kriterien der "
            "Ausbildungs- und Prüfungsordnung; Sie erfahren dann rechtzeitig, welche Schulen "
            "noch Plätze haben.",
        ],
    }
    for kind, name in GUIDE_PAGES.items():
        chosen = schools[schools["wegweiser"] == kind].sort_values(
            ["anmeldung_von", "anmeldung_bis", "schulname"]
        )
        if chosen.empty:
            continue
        span = spans[(spans["wegweiser"] == kind) & (spans["school_year"] == school_year)]
        if len(span) != 1:
            raise ValueError(
                f"published.schulwegweiser_anmeldefristen: {len(span)} rows for {kind} "
                f"{school_year}, expected 1"
            )
        count, first, last = (
            int(span["schulen"].iloc[0]),
            date_text(span["anmeldung_ab"].iloc[0]),
            date_text(span["anmeldung_bis"].iloc[0]),
        )
        lines += [f"## {GUIDE_TITLES[kind]}", ""]
        lines += [f"{n}. {text}" for n, text in enumerate(steps[kind], 1)]
        lines += [
            "",
            f"Die {count} Schulen nehmen Anmeldungen zwischen dem {first} und dem {last} "
            f"entgegen, jede in ihrem eigenen Zeitraum (alle Schulen im [{GUIDE_TITLES[kind]}]"
            f"({name}.qmd)):",
            "",
            "| Schule | Anmeldung ab | Anmeldung bis | Tag der offenen Tür |",
            "|:--|:--|:--|:--|",
            *(
                f"| [{_cell(s.schulname)}]({SCHOOLS_DIR}/{s.schulnummer}.qmd) | "
                f"{date_text(s.anmeldung_von)} | {date_text(s.anmeldung_bis)} | "
                f"{date_text(s.tag_der_offenen_tuer)} |"
                for s in chosen.itertuples()
            ),
            "",
        ]
    return "\n".join(lines) + "\n"


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
