"""One school's page of the guides: facts, contact, registration, a locator map,
registrations against places of the last school years, and schema.org/School JSON-LD for
search engines."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import pandas as pd

from pipelines.report import guide_svg
from pipelines.report.guide_brochure import date_text, facts
from pipelines.report.guide_markdown import (
    GUIDE_PAGES,
    GUIDE_TITLES,
    REGISTRATION_PAGE,
    cell,
    count_text,
    raw_html,
)

HISTORY_YEARS = 5
"""School years of registrations against places shown per school."""


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
        f'title: "{cell(school["schulname"])}"',
        f'subtitle: "{GUIDE_TITLES[school["wegweiser"]]} {school["school_year"]}"',
        "---",
        *raw_html(f'<script type="application/ld+json">{json_ld(school)}</script>'),
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
        lines += raw_html(
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
        lines.append(f"- Hinweise der Schule: {cell(school['hinweise'])}")
    lines.append(
        f"- Wie die Anmeldung abläuft: [Wie melde ich mein Kind an?](../{REGISTRATION_PAGE}.qmd)"
    )
    if not history.empty:
        title = f"Anmeldungen und Plätze der {cell(school['schulname'])}"
        chart = guide_svg.registrations_chart(history.to_dict("records"), title=title)
        lines += ["", "## Anmeldungen und Plätze", ""]
        if chart:
            lines += raw_html(
                f'<figure class="bm-diagramm">{chart}<figcaption>Plätze, Anmeldungen und '
                "Aufnahmen je Schuljahr; die Zahlen stehen in der Tabelle darunter.</figcaption>"
                "</figure>"
            )
        lines += [
            "| Schuljahr | Plätze | Anmeldungen | Aufnahmen |",
            "|:--|--:|--:|--:|",
            *(
                f"| {r.school_year} | {count_text(r.aufnahmekapazitaet)} "
                f"| {count_text(r.anmeldungen)} | {count_text(r.aufnahmen)} |"
                for r in history.itertuples()
            ),
            "",
            "Anmeldungen im Erstwunsch; Plätze in den Eingangsklassen. Quelle: Schulverwaltung "
            "der Stadt.",
        ]
    lines += [
        "",
        # where each fact comes from (dim_schulwegweiser): parents and the press ask
        "Quellen: Name, Anschrift, Kontakt, Schulform und Lage aus dem Schulverzeichnis des "
        "Landes NRW; Stadtbezirk aus dem Schulregister der Stadt; Angebote und Anmeldung aus "
        f"dem Schulprofil der Schule für das Schuljahr {school['school_year']}.",
        "",
        f"Zurück zum [{GUIDE_TITLES[school['wegweiser']]}](../{guide}.qmd)",
    ]
    return "\n".join(lines) + "\n"
