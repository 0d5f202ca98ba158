"""One pandera schema per raw table: types, required columns, allowed codes, ranges, unique keys.

The schemas check the tidy tables the parsers produce — per file in ``bildungsmonitor validate``
and per raw table in the blocking Dagster asset checks — and turn pandera's failure cases into
the project's :class:`~pipelines.ingest.errors.Problem` records (source, file, row, column,
value, rule), so a statistician reads one line per problem — at most :data:`MAX_PROBLEMS`
of them per call, the last saying how many there are in all.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipelines.ingest import schulen_templates, schulregister
from pipelines.ingest.errors import Problem
from quality.raw_schema_parts import (
    ALTERSGRUPPEN,
    ALTERSGRUPPEN_KITA,
    ALTERSJAHRE,
    DATE,
    GESCHLECHT,
    INSGESAMT,
    JAHRGAENGE,
    MAX_PROBLEMS,
    MONTH,
    SCHOOL_YEAR,
    SCHULEN_GESCHLECHT,
    SCHULFORMEN,
    SCHULNUMMER,
    YEAR,
    codes,
    counts_ge_0_only,
    text,
    tidy_schema,
)
from quality.raw_schemas_kontext import SCHEMAS_KONTEXT

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "itnrw__abgaenger": tidy_schema(
        "itnrw__abgaenger", "itnrw", SCHOOL_YEAR,
        {
            "abschlussart": text(),
            "abschluss_code": codes(INSGESAMT, "ohne_hsa", "hsa", "msa", "fhr_schulisch", "fhr",
                                     "ahr"),
            "geschlecht": codes(*GESCHLECHT),
        },
    ),
    "itnrw__schueler_schulart": tidy_schema(
        "itnrw__schueler_schulart", "itnrw", SCHOOL_YEAR,
        {"schulart": text(), "merkmal": text(), "geschlecht": codes(*GESCHLECHT)},
    ),
    "itnrw__berufskolleg": tidy_schema(
        "itnrw__berufskolleg", "itnrw", YEAR,
        {
            "merkmal": codes("anfaenger", "absolventen"),
            "bildungsbereich": codes(INSGESAMT, "duale_ausbildung", "schulberufssystem",
                                      "uebergangsbereich", "hochschulreife"),
            "abschluss_code": text(),
            "geschlecht": codes(*GESCHLECHT),
        },
    ),
    "itnrw__bevoelkerung": tidy_schema(
        "itnrw__bevoelkerung", "itnrw", DATE,
        {"altersgruppe": codes(*ALTERSGRUPPEN), "geschlecht": codes(*GESCHLECHT)},
    ),
    "itnrw__bevoelkerung_altersjahre": tidy_schema(
        "itnrw__bevoelkerung_altersjahre", "itnrw", DATE,
        {"altersjahr": codes(*ALTERSJAHRE), "geschlecht": codes(*GESCHLECHT)},
    ),
    "itnrw__kindertagesbetreuung": tidy_schema(
        "itnrw__kindertagesbetreuung", "itnrw", DATE,
        {
            "betreuungsart": codes(INSGESAMT, "kita", "kindertagespflege"),
            "altersgruppe": codes(*ALTERSGRUPPEN_KITA),
        },
    ),
    "ba__arbeitslose": tidy_schema(
        "ba__arbeitslose", "ba", MONTH,
        {
            "merkmal": codes("arbeitslose", "arbeitslosenquote"),
            "personengruppe": codes(INSGESAMT, "unter_25"),
            "rechtskreis": codes(INSGESAMT, "sgb2", "sgb3"),
        },
    ),
    # Counts (einheit "anzahl") are never negative; the BIBB's VR columns (einheit
    # "veraenderung_prozent", merkmal "<merkmal>_vr_prozent") are changes in %, may be negative.
    "ba__ausbildungsmarkt": counts_ge_0_only(
        tidy_schema(
            "ba__ausbildungsmarkt", "ba", YEAR,
            {
                "merkmal": text(),
                "einheit": codes("anzahl", "veraenderung_prozent"),
                "beruf": text(),
                "beruf_name": pa.Column(str, nullable=True),
            },
        ),
        "einheit", "anzahl",
    ),
    "ba__sgb2": tidy_schema(
        "ba__sgb2", "ba", YEAR,
        {"merkmal": codes("sgb2_quote_unter_15", "sgb2_quote_unter_18", "nef_unter_15",
                           "bevoelkerung_unter_15")},
    ),
    # The city's school administration (templates v1): one row per school × grade × ….
    "schulen__schulen": tidy_schema(
        "schulen__schulen", "schulen", DATE,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "name": text(),
            "schulform": codes(*SCHULFORMEN),
            "stadtbezirk": codes(*(str(n) for n in range(1, 10))),
            "traeger": codes("oeffentlich", "privat"),
        },
        value_required=False,
    ),
    "schulen__schueler": tidy_schema(
        "schulen__schueler", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "jahrgang": codes(*JAHRGAENGE),
            "geschlecht": codes(*SCHULEN_GESCHLECHT),
            "staatsangehoerigkeit": codes("deutsch", "nichtdeutsch"),
            "merkmal": codes("schueler", "nichtdeutsche_familiensprache", "zuzug_ausland",
                              "foerderbedarf_lernen", "foerderbedarf_sprache",
                              "foerderbedarf_emotionale_soziale_entwicklung",
                              "foerderbedarf_sonstige"),
        },
    ),
    "schulen__schulformwechsel": tidy_schema(
        "schulen__schulformwechsel", "schulen", SCHOOL_YEAR,
        {
            "datensatz_id": pa.Column(str, nullable=False),
            "von_schulform": pa.Column(str, pa.Check.isin(SCHULFORMEN), nullable=True),
            "nach_schulform": codes(*SCHULFORMEN),
            "jahrgang": codes("5", "6", "7", "8", "9", "10"),
        },
        key=["period", "datensatz_id"],
    ),
    "schulen__wiederholer": tidy_schema(
        "schulen__wiederholer", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "jahrgang": codes(*JAHRGAENGE),
            "merkmal": codes("wiederholer_nicht_versetzt", "wiederholer_freiwillig", "schueler"),
        },
    ),
    "schulen__fehlzeiten": tidy_schema(
        "schulen__fehlzeiten", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "jahrgang": codes(*JAHRGAENGE),
            "merkmal": codes("stunden_entschuldigt", "stunden_unentschuldigt", "schueler",
                              "schueler_ueber_schwellenwert"),
        },
    ),
    "schulen__abgaenger": tidy_schema(
        "schulen__abgaenger", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "abschlussart": codes("ohne_hsa", "foerderschule", "hsa", "esa_erweitert", "msa",
                                   "fhr", "ahr"),
            "geschlecht": codes(*SCHULEN_GESCHLECHT),
        },
    ),
    "schulen__uebergaenge": tidy_schema(
        "schulen__uebergaenge", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "schulform_ziel": codes(*SCHULFORMEN, "sonstige"),
        },
    ),
    "schulen__schulprofil": tidy_schema(
        "schulen__schulprofil", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "ganztag": codes(*schulen_templates.GANZTAG),
            "fremdsprachen": text(),
            "gemeinsames_lernen": codes(*schulen_templates.JA_NEIN),
            "zuege": pa.Column(str, pa.Check.str_matches(r"^\d{1,2}$")),
            "anmeldung_von": pa.Column(str, pa.Check.str_matches(DATE)),
            "anmeldung_bis": pa.Column(str, pa.Check.str_matches(DATE)),
            "barrierefrei": codes(*schulen_templates.BARRIEREFREI),
        },
        key=["period", "schulnummer"],
        value_required=False,
        next_school_year=True,
    ),
    "schulen__anmeldungen": tidy_schema(
        "schulen__anmeldungen", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "merkmal": codes("aufnahmekapazitaet", "anmeldungen", "aufnahmen"),
        },
        next_school_year=True,
    ),
    # The state's school register (MSB NRW open data schuldaten.csv): one row per school.
    "msb__schulverzeichnis": tidy_schema(
        "msb__schulverzeichnis", "msb", DATE,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "name": text(),
            "schulform": codes(*schulregister.SCHULFORMEN),
            "plz": pa.Column(str, pa.Check.str_matches(r"^\d{5}$"), nullable=True),
            "telefon": pa.Column(str, nullable=True),
            "email": pa.Column(str, nullable=True),
            "homepage": pa.Column(str, nullable=True),
            "rechtsform": codes("oeffentlich", "privat"),
            "gemeindeschluessel": pa.Column(str, pa.Check.str_matches(r"^05\d{6}$")),
            "schulbetriebsschluessel": pa.Column(str, pa.Check.str_matches(r"^\d{1,9}$")),
            "schulbetriebsdatum": pa.Column(str, pa.Check.str_matches(DATE), nullable=True),
            "lat": pa.Column(float, pa.Check.in_range(50.2, 52.6), nullable=True),
            "lon": pa.Column(float, pa.Check.in_range(5.8, 9.5), nullable=True),
        },
        key=["period", "schulnummer"],
        value_required=False,
    ),
}  # fmt: skip
SCHEMAS.update(SCHEMAS_KONTEXT)
"""With the social-context tables' schemas (:mod:`quality.raw_schemas_kontext`)."""


def problems_from(
    error: pa.errors.SchemaErrors,
    source: str,
    file_of_row: dict[int, str] | None = None,
    *,
    file: str | None = None,
    limit: int = MAX_PROBLEMS,
) -> list[Problem]:
    """Translate pandera's failure cases into one :class:`Problem` per bad cell or row.

    At most ``limit`` problems: the first ones, then one that gives the total count.
    ``file`` names the file of every row when ``file_of_row`` is not given.
    """
    problems = []
    cases = error.failure_cases
    total = len(cases)
    for case in cases.head(limit).itertuples(index=False):
        index = getattr(case, "index", None)
        row = int(index) + 1 if index is not None and pd.notna(index) else None
        default = file or "?"
        name = (file_of_row or {}).get(int(index), default) if row is not None else default
        column = case.column if isinstance(case.column, str) else None
        problems.append(
            Problem(
                source=source,
                file=name,
                rule=f"{case.check} (pandera schema {case.schema_context})",
                row=row,
                column=column,
                value=case.failure_case,
            )
        )
    if total > len(problems):
        shown = problems[: limit - 1]
        rule = f"insgesamt {total} Verstöße gegen das Schema, die ersten {len(shown)} stehen oben"
        problems = [*shown, Problem(source, file or "?", rule)]
    return problems


def validate_tidy(
    frame: pd.DataFrame,
    table: str,
    file_of_row: dict[int, str] | None = None,
    *,
    file: str | None = None,
) -> list[Problem]:
    """Validate a tidy table against its schema; an empty list means it is valid.

    ``table`` is ``<source>__<table>``; tables without a schema are reported as a problem so
    that no raw table escapes validation. Rows are numbered from 1 by the frame's integer
    index (a part of a table keeps its rows' positions in the whole table). ``file`` names
    the file of all rows (one file validated on its own) instead of ``file_of_row``.
    """
    source = table.split("__", 1)[0]
    schema = SCHEMAS.get(table)
    if schema is None:
        return [Problem(source, file or "?", f"no pandera schema for raw table {table!r}")]
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        return problems_from(error, source, file_of_row, file=file)
    return []
