"""The published tables the Bildungsbericht reads: names and columns, checked before rendering.

The report reads nothing but these tables of schema ``published`` (written by the pipeline
after disclosure control). Keeping the list in one place lets the pre-render step fail with a
precise message ("published.regions lacks is_comparison_city") instead of a KeyError deep in
a page, and lets the pipeline check its output against what the report needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

SCHEMA = "published"

TABLES: Mapping[str, tuple[str, ...]] = {
    "indicator_values": (
        "indicator_id",
        "indicator_name",
        "handlungsfeld",
        "region_key",
        "region_name",
        "region_level",
        "period",
        "geschlecht",
        "staatsangehoerigkeit",
        "schulform",
        "numerator",
        "denominator",
        "value",
        "unit",
        "symbol",
        "suppression_reason",
        "source",
    ),
    "indicator_catalogue": (
        "indicator_id",
        "name_de",
        "definition_de",
        "numerator_de",
        "denominator_de",
        "unit",
        "handlungsfeld",
        "source",
        "higher_is_better",
        "levels",
        "notes_de",
    ),
    "regions": ("region_key", "region_name", "region_level", "parent_key", "is_comparison_city"),
    "schulformwechsel": (
        "school_year",
        "von_schulform",
        "von_schulform_name",
        "nach_schulform",
        "nach_schulform_name",
        "jahrgang",
        "anzahl",
        "symbol",
        "suppression_reason",
    ),
    "sozialindex_stufen": ("school_year", "schulgruppe", "stufe", "anzahl_schulen"),
    "sozialindex_stadtbezirke": (
        "school_year",
        "schulgruppe",
        "region_key",
        "region_name",
        "anzahl_schulen",
        "mittlere_stufe",
        "symbol",
        "suppression_reason",
    ),
    "sozialindex_gewichte": ("schulgruppe", "school_year", "merkmal", "merkmal_name", "gewicht"),
    "geometrie_stadtbezirke": ("region_key", "region_name", "geojson"),
    "geheimhaltung_regeln": ("schwelle_fallzahl", "schwelle_nenner", "schutzintervall"),
    "geheimhaltung_ausnahmen": ("ausnahme", "gegenstand", "begruendung", "beschluss"),
    # the label table (seed bezeichnungen): German name and order of every code, and the
    # downloads' column headers (merkmal 'spalte')
    "bezeichnungen": ("merkmal", "code", "bezeichnung", "sortierung"),
    "vergleichsstaedte": (
        "indicator_id",
        "period",
        "geschlecht",
        "staatsangehoerigkeit",
        "schulform",
        "median",
        "min",
        "max",
        "n",
    ),
    "schulformwechsel_reihe": (
        "school_year",
        "insgesamt",
        "vier_schulformen",
        "aus_gymnasium",
        "spaet",
    ),
    # the school guides (issue 20): one row per school and school year registered for, and
    # registrations against places per school and school year of admission
    "schulwegweiser_schulen": (
        "school_year", "schulnummer", "wegweiser", "schulname", "schulform", "schulform_name",
        "strasse", "plz", "ort", "telefon", "email", "homepage", "stadtbezirk_key",
        "stadtbezirk_name", "lat", "lon", "ganztag", "ganztag_bis", "fremdsprachen", "profil",
        "gemeinsames_lernen", "zuege", "anmeldung_von", "anmeldung_bis", "tag_der_offenen_tuer",
        "barrierefrei", "abschluesse", "oberstufe", "zweite_fremdsprache_ab", "hinweise",
    ),
    "schulwegweiser_anmeldungen": (
        "school_year", "schulnummer", "aufnahmekapazitaet", "anmeldungen", "aufnahmen",
    ),
    "schulwegweiser_anmeldefristen": (
        "school_year", "wegweiser", "schulen", "anmeldung_ab", "anmeldung_bis",
    ),
}  # fmt: skip
"""Required tables and the columns the pages read."""

OPTIONAL_COLUMNS: Mapping[str, tuple[str, ...]] = {
    # a fourth breakdown (Abschlussart, Altersgruppe, …; total 'insgesamt') and its label
    "indicator_values": ("kategorie",),
    "vergleichsstaedte": ("kategorie",),
    "indicator_catalogue": ("kategorie_de", "leit_merkmal", "leit_code", "leit_name_de"),
}
"""Columns used when present; the pages work without them."""


class ContractError(RuntimeError):
    """The warehouse lacks a table or column the report reads."""


def missing(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every required ``published`` table or column that the connected warehouse lacks."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = ?",
        [SCHEMA],
    ).fetchall()
    present: dict[str, set[str]] = {}
    for table, column in rows:
        present.setdefault(table, set()).add(column)
    problems = []
    for table, columns in TABLES.items():
        if table not in present:
            problems.append(f"{SCHEMA}.{table} (table)")
            continue
        problems += [f"{SCHEMA}.{table}.{c}" for c in columns if c not in present[table]]
    return problems


def check_warehouse(path: Path) -> None:
    """Raise ContractError naming everything the report needs and the warehouse lacks."""
    if not Path(path).is_file():
        raise ContractError(
            f"warehouse {path} not found: build it first (bildungsmonitor refresh) "
            "or set BILDUNGSMONITOR_WAREHOUSE"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        problems = missing(con)
    if problems:
        raise ContractError(f"warehouse {path} lacks what the report reads: " + ", ".join(problems))
