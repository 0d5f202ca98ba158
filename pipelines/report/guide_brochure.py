"""The printable school guides (issue 20): one brochure page per guide, its PDF the brochure.

A brochure is an ordinary page of the site written as plain Markdown (no chunk, so nothing
is executed): a level-1 heading per Stadtbezirk, a level-2 heading per school with its facts
table and registration dates. Its front matter asks for a Typst edition laid out by the
partials in ``reports/_typst/wegweiser/`` (a new page per school, contents by district) on
the paper of the guide: A5 for the Grundschulwegweiser, A4 for the weiterführende Schulen.
The same page on the website is the whole brochure on one page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd
import yaml

TITLES = {
    "grundschule": "Grundschulwegweiser",
    "weiterfuehrend": "Wegweiser weiterführende Schulen",
}
SCHOOLS = {"grundschule": "Grundschulen", "weiterfuehrend": "weiterführenden Schulen"}
PAPER = {"grundschule": "a5", "weiterfuehrend": "a4"}
"""Paper of each printed guide (Quarto's ``papersize``)."""
PARTIALS_DIR = "../_typst/wegweiser"
"""The brochure's Typst partials, relative to a page in ``reports/schulwegweiser/``."""
NO_DISTRICT = "Ohne Stadtbezirk"
MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]{}<>#~^$])")
"""Characters Pandoc would read as markup in a name or a note (not ``@``: the page reader
takes ``\\@x`` for a cross-reference; an address's ``@`` follows a letter and stays text)."""
PHONE = re.compile(r"(?<!\w)(?:\+\d{2}|\(?0\d{2,5}\)?)(?:[ /-]{1,3}\d+)+")
"""A phone number in running text: 02151 31 16 61, (02151) 311661, +49 2151 311661."""
UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _text(value: object) -> str:
    """A value as Markdown text on one line: markup escaped, ``|`` kept out of table cells,
    phone numbers unbreakable (a number torn over two lines gets dialled wrong)."""
    if value is None or pd.isna(value):
        return "–"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an integer column with gaps comes as float: 3, not 3.0
    text = MARKDOWN_ACTIVE.sub(r"\\\1", " ".join(str(value).replace("|", "/").split()))
    return PHONE.sub(lambda m: m[0].replace(" ", "\u00a0"), text)


def _phone(value: object) -> str:
    """The phone field: all of it one unbreakable piece, whatever its format."""
    return _text(value).replace(" ", "\u00a0")


def date_text(value: object) -> str:
    """A date as the guides print it (03.11.2024); – when there is none."""
    return pd.Timestamp(value).strftime("%d.%m.%Y") if pd.notna(value) else "–"


def _sort_key(name: str) -> str:
    """German dictionary order (DIN 5007-1: Ä as A), not code points (Ü after Z)."""
    return name.casefold().translate(UMLAUTS)


def facts(school: Mapping, labels: Mapping[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The rows (Angabe, Markdown value) of a school's facts table; empty facts left out."""
    label = {m: dict(v) for m, v in labels.items()}
    ganztag = label["ganztag"].get(school["ganztag"], school["ganztag"])
    if pd.notna(school["ganztag_bis"]) and school["ganztag"] != "halbtag":
        ganztag = f"{ganztag}, bis {school['ganztag_bis']} Uhr"
    rows: list[tuple[str, object]] = [
        ("Schulform", school["schulform_name"]),
        ("Anschrift", f"{school['strasse']}, {school['plz']} {school['ort']}"),
        ("Stadtbezirk", school["stadtbezirk_name"]),
        ("Telefon", school["telefon"]),
        ("E-Mail", school["email"]),
        ("Internet", school["homepage"]),
        ("Ganztag", ganztag),
        ("Fremdsprachen", school["fremdsprachen"]),
        ("Profil", school["profil"]),
        (
            "Gemeinsames Lernen",
            "Schule des Gemeinsamen Lernens" if school["gemeinsames_lernen"] else "kein Angebot",
        ),
        ("Klassen je Jahrgang", school["zuege"]),
        ("Barrierefreiheit", label["barrierefrei"].get(school["barrierefrei"])),
    ]
    if school["wegweiser"] == "weiterfuehrend":
        rows += [
            ("Abschlüsse", school["abschluesse"]),
            ("Oberstufe", label["oberstufe"].get(school["oberstufe"])),
            ("Zweite Fremdsprache ab Klasse", school["zweite_fremdsprache_ab"]),
        ]
    return [
        (name, _phone(value) if name == "Telefon" else _text(value))
        for name, value in rows
        if value is not None and pd.notna(value)
    ]


def _school(school: Mapping, labels: Mapping[str, list[tuple[str, str]]]) -> list[str]:
    lines = [
        f"## {_text(school['schulname'])}",
        "",
        "| Merkmal | Angabe |",
        "|:--|:--|",
        *(f"| {name} | {value} |" for name, value in facts(school, labels)),
        "",
        f"**Anmeldung für das Schuljahr {_text(school['school_year'])}**",
        "",
        f"- Anmeldezeitraum: {date_text(school['anmeldung_von'])} "
        f"bis {date_text(school['anmeldung_bis'])}",
        f"- Tag der offenen Tür: {date_text(school['tag_der_offenen_tuer'])}",
    ]
    if pd.notna(school["hinweise"]):
        lines.append(f"- Hinweise der Schule: {_text(school['hinweise'])}")
    return [*lines, ""]


def brochure_page(
    kind: str,
    schools: pd.DataFrame,
    school_year: str,
    labels: Mapping[str, list[tuple[str, str]]],
    *,
    titelei: Mapping[str, str] | None = None,
    partials_dir: str = PARTIALS_DIR,
) -> str:
    """The ``.qmd`` text of one guide's brochure: the guide's schools of ``school_year``,
    each exactly once, grouped by Stadtbezirk (A–Z, schools without one last); ``titelei``
    is the title page's imprint (``generate_guides.titelei``)."""
    chosen = schools[(schools["wegweiser"] == kind) & (schools["school_year"] == school_year)]
    by_district: dict[str, list[dict]] = {}
    for school in chosen.drop_duplicates("schulnummer").to_dict("records"):
        name = school["stadtbezirk_name"]
        by_district.setdefault(name if pd.notna(name) else NO_DISTRICT, []).append(school)
    meta = {
        "title": f"{TITLES[kind]} {school_year}",
        "subtitle": f"Alle {SCHOOLS[kind]} nach Stadtbezirk: Anschrift, Kontakt, Angebote und "
        "Anmeldung",
        "toc": True,
        **({"titelei": dict(titelei)} if titelei else {}),
        "format": {
            "html": "default",
            "typst": {
                "toc": True,
                "papersize": PAPER[kind],
                "template-partials": [
                    f"{partials_dir}/typst-template.typ",
                    f"{partials_dir}/typst-show.typ",
                ],
            },
        },
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    lines = ["---", front.rstrip("\n"), "---", ""]
    for district in sorted(by_district, key=lambda d: (d == NO_DISTRICT, _sort_key(d))):
        lines += [f"# {_text(district)}", ""]
        group = by_district[district]
        for school in sorted(group, key=lambda s: (_sort_key(s["schulname"]), s["schulnummer"])):
            lines += _school(school, labels)
    return "\n".join(lines)
