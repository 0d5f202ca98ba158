"""Generate the school guides' pages (issue 20, first slice): the pre-render step's second job.

One page per school of the guides and one overview per guide, written as plain Markdown from
``published.schulwegweiser_schulen`` / ``_anmeldungen`` and the label table, into
``reports/schulwegweiser/`` (a folder the generator owns, git-ignored). The pages carry no code
chunk: nothing is executed, so sixty schools cost sixty Pandoc runs (≈ 0.2 CPU-s each) and
the guides stay within their render budget; every figure on them comes from the published
models, none is typed. Contact details are text, not links (the site links to no outside
site); the map, the chart, search and filters come with the next slice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import pandas as pd

OUTPUT_DIR = "schulwegweiser"
SCHOOLS_DIR = "schulen"
HISTORY_YEARS = 5
"""School years of registrations against places shown per school."""
GUIDE_PAGES = {"grundschule": "grundschulen", "weiterfuehrend": "weiterfuehrende-schulen"}
GUIDE_TITLES = {
    "grundschule": "Grundschulwegweiser",
    "weiterfuehrend": "Wegweiser weiterführende Schulen",
}


def _date(value: object) -> str:
    return pd.Timestamp(value).strftime("%d.%m.%Y") if pd.notna(value) else "–"


def _count(value: object) -> str:
    return f"{int(value):,}".replace(",", ".") if pd.notna(value) else "–"


def _cell(text: object) -> str:
    """Text for a pipe-table cell or a list item (no pipe, no line break)."""
    return str(text).replace("|", "/").replace("\n", " ").strip() if pd.notna(text) else "–"


def school_page(school: Mapping, history: pd.DataFrame, labels: Mapping[str, Mapping]) -> str:
    """The Markdown of one school's page."""
    label = {m: dict(v) for m, v in labels.items()}
    ganztag = label["ganztag"].get(school["ganztag"], school["ganztag"])
    if pd.notna(school["ganztag_bis"]) and school["ganztag"] != "halbtag":
        ganztag += f", bis {school['ganztag_bis']} Uhr"
    facts = [
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
        facts += [
            ("Abschlüsse", school["abschluesse"]),
            ("Oberstufe", label["oberstufe"].get(school["oberstufe"])),
            ("Zweite Fremdsprache ab Klasse", school["zweite_fremdsprache_ab"]),
        ]
    rows = "\n".join(f"| {name} | {_cell(value)} |" for name, value in facts if pd.notna(value))
    lines = [
        "---",
        f'title: "{_cell(school["schulname"])}"',
        f'subtitle: "{GUIDE_TITLES[school["wegweiser"]]} {school["school_year"]}"',
        "---",
        "",
        "| Angabe | |",
        "|:--|:--|",
        rows,
        "",
        f"## Anmeldung für das Schuljahr {school['school_year']}",
        "",
        f"- Anmeldezeitraum: {_date(school['anmeldung_von'])} bis {_date(school['anmeldung_bis'])}",
        f"- Tag der offenen Tür: {_date(school['tag_der_offenen_tuer'])}",
    ]
    if pd.notna(school["hinweise"]):
        lines.append(f"- Hinweise der Schule: {_cell(school['hinweise'])}")
    if not history.empty:
        lines += [
            "",
            "## Anmeldungen und Plätze",
            "",
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
    return "\n".join(lines) + "\n"


def guide_page(kind: str, schools: pd.DataFrame, school_year: str) -> str:
    """The Markdown of one guide's overview: the schools by Stadtbezirk, linked."""
    lines = [
        "---",
        f'title: "{GUIDE_TITLES[kind]} {school_year}"',
        "---",
        "",
        f"{len(schools)} Schulen, nach Stadtbezirk. Anschrift, Kontakt, Ganztag, Sprachen und "
        "die Anmeldung stehen auf der Seite jeder Schule.",
    ]
    for district, group in schools.groupby("stadtbezirk_name", sort=True):
        lines += ["", f"## {district}", ""]
        lines += [
            f"- [{_cell(s.schulname)}]({SCHOOLS_DIR}/{s.schulnummer}.qmd): {_cell(s.strasse)}; "
            f"Anmeldung {_date(s.anmeldung_von)} bis {_date(s.anmeldung_bis)}"
            for s in group.sort_values("schulname").itertuples()
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


def generate_guides(project_dir: Path, warehouse: Path) -> list[Path]:
    """Write the guides' pages for the latest school year in the published table; remove pages
    of schools no longer in it. Returns the pages (none when no profile was delivered)."""
    out = Path(project_dir) / OUTPUT_DIR
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schools = con.sql("select * from published.schulwegweiser_schulen").df()
        registrations = con.sql("select * from published.schulwegweiser_anmeldungen").df()
        labels_frame = con.sql(
            "select merkmal, code, bezeichnung from published.bezeichnungen order by sortierung"
        ).df()
    labels = {
        m: list(zip(g["code"], g["bezeichnung"], strict=True))
        for m, g in labels_frame.groupby("merkmal")
    }
    written: list[Path] = []
    if not schools.empty:
        school_year = max(schools["school_year"])
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
            written.append(_write(page, school_page(school, history, labels)))
        for kind, name in GUIDE_PAGES.items():
            chosen = current[current["wegweiser"] == kind]
            if not chosen.empty:
                written.append(_write(out / f"{name}.qmd", guide_page(kind, chosen, school_year)))
    if out.is_dir():
        _remove_stale(out, written)
    return written
