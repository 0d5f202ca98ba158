"""The guides' pages above the schools: one overview per guide (filters, search, the schools
by Stadtbezirk), the map of all schools and "Wie melde ich mein Kind an?"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from html import escape

import pandas as pd

from pipelines.report import guide_svg
from pipelines.report.guide_brochure import date_text
from pipelines.report.guide_markdown import (
    BROCHURES,
    GUIDE_PAGES,
    GUIDE_TITLES,
    MAP_PAGE,
    REGISTRATION_PAGE,
    SCHOOLS_DIR,
    cell,
    raw_html,
)

SCRIPT = "../schulwegweiser.js"
"""The overview's filter and search script, a file of the project (copied as a resource)."""
PAGEFIND = "../pagefind"
"""Pagefind's UI and index, written into the site by the post-render step."""


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
                f"{escape(s['schulname'])}</a>: {escape(cell(s['strasse']))}; Anmeldung "
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
        *raw_html(*form),
        *raw_html(*listing),
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
        *raw_html(
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
                f"| [{cell(s.schulname)}]({SCHOOLS_DIR}/{s.schulnummer}.qmd) | "
                f"{date_text(s.anmeldung_von)} | {date_text(s.anmeldung_bis)} | "
                f"{date_text(s.tag_der_offenen_tuer)} |"
                for s in chosen.itertuples()
            ),
            "",
        ]
    return "\n".join(lines) + "\n"
