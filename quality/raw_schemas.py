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

from pipelines.ingest import schulen_templates
from pipelines.ingest.errors import Problem
from pipelines.ingest.periods import EARLIEST_YEAR, period_problem
from pipelines.ingest.symbols import SYMBOLS

MAX_PROBLEMS = 100
"""Problems listed per validation; a table with millions of bad cells still gives one screen."""

KNOWN_SYMBOLS = [*sorted(SYMBOLS), "p", "r", "s", "e"]
REGION_KEY = r"^(DG|\d{2}|\d{3}|\d{5}|\d{8}|\d{8}-[1-9]|\d{12}|AA\d+)$"
SCHOOL_YEAR = r"^\d{4}/\d{2}$"
YEAR = r"^\d{4}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
INSGESAMT = "insgesamt"
SCHULNUMMER = r"^\d{6}$"
SCHULFORMEN = tuple(schulen_templates.SCHULFORMEN)
SCHULEN_GESCHLECHT = tuple(schulen_templates.GESCHLECHT)
JAHRGAENGE = tuple(str(n) for n in range(1, 14))


def _codes(*values: str) -> pa.Column:
    return pa.Column(str, pa.Check.isin([*values]), nullable=False)


def _text() -> pa.Column:
    return pa.Column(str, nullable=False)


def _periods_in_range(periods: pd.Series) -> pd.Series:
    """Each period within the catalogue's range (each distinct value checked once)."""
    inside = {p: period_problem(p) is None for p in periods.dropna().unique()}
    return periods.map(inside).fillna(True).astype(bool)


PERIOD_IN_RANGE = pa.Check(
    _periods_in_range,
    name=f"period between {EARLIEST_YEAR} and today (no future school year, year, month or date)",
)


def _tidy_schema(
    name: str,
    source: str,
    period_pattern: str,
    dimensions: dict[str, pa.Column],
    *,
    key: list[str] | None = None,
    value_required: bool = True,
) -> pa.DataFrameSchema:
    columns = {
        "source": pa.Column(str, pa.Check.eq(source)),
        "table_code": pa.Column(str, nullable=False),
        "region_key": pa.Column(str, pa.Check.str_matches(REGION_KEY), nullable=False),
        "region_name": pa.Column(str, nullable=True),
        "period": pa.Column(
            str, [pa.Check.str_matches(period_pattern), PERIOD_IN_RANGE], nullable=False
        ),
        **dimensions,
        "value": pa.Column(float, pa.Check.ge(0), nullable=True),
        "symbol": pa.Column(None, pa.Check.isin(KNOWN_SYMBOLS), nullable=True),
    }
    checks = []
    if value_required:
        checks.append(
            pa.Check(
                lambda df: df["value"].notna() | df["symbol"].notna(),
                name="a missing value is explained by a symbol",
            )
        )
    return pa.DataFrameSchema(
        columns,
        name=name,
        strict=False,
        coerce=False,
        unique=key or ["region_key", "period", *dimensions],
        report_duplicates="all",
        checks=checks,
    )


ALTERSGRUPPEN = (
    INSGESAMT, "unter_3", "3_bis_unter_6", "6_bis_unter_10", "10_bis_unter_15",
    "15_bis_unter_18", "18_bis_unter_25", "25_bis_unter_65", "65_und_mehr",
)  # fmt: skip
GESCHLECHT = (INSGESAMT, "weiblich", "maennlich")

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "itnrw__abgaenger": _tidy_schema(
        "itnrw__abgaenger", "itnrw", SCHOOL_YEAR,
        {
            "abschlussart": _text(),
            "abschluss_code": _codes(INSGESAMT, "ohne_hsa", "hsa", "msa", "fhr_schulisch", "fhr",
                                     "ahr"),
            "geschlecht": _codes(*GESCHLECHT),
        },
    ),
    "itnrw__schueler_schulart": _tidy_schema(
        "itnrw__schueler_schulart", "itnrw", SCHOOL_YEAR,
        {"schulart": _text(), "merkmal": _text(), "geschlecht": _codes(*GESCHLECHT)},
    ),
    "itnrw__berufskolleg": _tidy_schema(
        "itnrw__berufskolleg", "itnrw", YEAR,
        {
            "merkmal": _codes("anfaenger", "absolventen"),
            "bildungsbereich": _codes(INSGESAMT, "duale_ausbildung", "schulberufssystem",
                                      "uebergangsbereich", "hochschulreife"),
            "abschluss_code": _text(),
            "geschlecht": _codes(*GESCHLECHT),
        },
    ),
    "itnrw__bevoelkerung": _tidy_schema(
        "itnrw__bevoelkerung", "itnrw", DATE,
        {"altersgruppe": _codes(*ALTERSGRUPPEN), "geschlecht": _codes(*GESCHLECHT)},
    ),
    "itnrw__kindertagesbetreuung": _tidy_schema(
        "itnrw__kindertagesbetreuung", "itnrw", DATE,
        {
            "betreuungsart": _codes(INSGESAMT, "kita", "kindertagespflege"),
            "altersgruppe": _codes(*ALTERSGRUPPEN),
        },
    ),
    "ba__arbeitslose": _tidy_schema(
        "ba__arbeitslose", "ba", MONTH,
        {
            "merkmal": _codes("arbeitslose", "arbeitslosenquote"),
            "personengruppe": _codes(INSGESAMT, "unter_25"),
            "rechtskreis": _codes(INSGESAMT, "sgb2", "sgb3"),
        },
    ),
    "ba__ausbildungsmarkt": _tidy_schema(
        "ba__ausbildungsmarkt", "ba", YEAR,
        {"merkmal": _text(), "beruf": _text(), "beruf_name": pa.Column(str, nullable=True)},
    ),
    "ba__sgb2": _tidy_schema(
        "ba__sgb2", "ba", YEAR,
        {"merkmal": _codes("sgb2_quote_unter_15", "sgb2_quote_unter_18", "nef_unter_15",
                           "bevoelkerung_unter_15")},
    ),
    # The city's school administration (templates v1): one row per school × grade × ….
    "schulen__schulen": _tidy_schema(
        "schulen__schulen", "schulen", DATE,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "name": _text(),
            "schulform": _codes(*SCHULFORMEN),
            "stadtbezirk": _codes(*(str(n) for n in range(1, 10))),
            "traeger": _codes("oeffentlich", "privat"),
        },
        value_required=False,
    ),
    "schulen__schueler": _tidy_schema(
        "schulen__schueler", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "jahrgang": _codes(*JAHRGAENGE),
            "geschlecht": _codes(*SCHULEN_GESCHLECHT),
            "staatsangehoerigkeit": _codes("deutsch", "nichtdeutsch"),
            "merkmal": _codes("schueler", "nichtdeutsche_familiensprache", "zuzug_ausland",
                              "foerderbedarf_lernen", "foerderbedarf_sprache",
                              "foerderbedarf_emotionale_soziale_entwicklung",
                              "foerderbedarf_sonstige"),
        },
    ),
    "schulen__schulformwechsel": _tidy_schema(
        "schulen__schulformwechsel", "schulen", SCHOOL_YEAR,
        {
            "datensatz_id": pa.Column(str, nullable=False),
            "von_schulform": pa.Column(str, pa.Check.isin(SCHULFORMEN), nullable=True),
            "nach_schulform": _codes(*SCHULFORMEN),
            "jahrgang": _codes("5", "6", "7", "8", "9", "10"),
        },
        key=["period", "datensatz_id"],
    ),
    "schulen__wiederholer": _tidy_schema(
        "schulen__wiederholer", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "jahrgang": _codes(*JAHRGAENGE),
            "merkmal": _codes("wiederholer_nicht_versetzt", "wiederholer_freiwillig", "schueler"),
        },
    ),
    "schulen__fehlzeiten": _tidy_schema(
        "schulen__fehlzeiten", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "jahrgang": _codes(*JAHRGAENGE),
            "merkmal": _codes("stunden_entschuldigt", "stunden_unentschuldigt", "schueler",
                              "schueler_ueber_schwellenwert"),
        },
    ),
    "schulen__abgaenger": _tidy_schema(
        "schulen__abgaenger", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "abschlussart": _codes("ohne_hsa", "foerderschule", "hsa", "esa_erweitert", "msa",
                                   "fhr", "ahr"),
            "geschlecht": _codes(*SCHULEN_GESCHLECHT),
        },
    ),
    "schulen__uebergaenge": _tidy_schema(
        "schulen__uebergaenge", "schulen", SCHOOL_YEAR,
        {
            "schulnummer": pa.Column(str, pa.Check.str_matches(SCHULNUMMER)),
            "schulform_ziel": _codes(*SCHULFORMEN, "sonstige"),
        },
    ),
}  # fmt: skip


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
