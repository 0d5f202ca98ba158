"""Registry of the GENESIS tables the product knows: code → raw table, period rule, dimensions.

This is the ONE place that says what a table code means. The GENESIS parsers
(:mod:`pipelines.ingest.genesis`) read any table generically; for a code listed in
:data:`TABLES` they additionally turn the period into the mart's form with the table's
explicit :class:`PeriodRule` and map the column labels to named, harmonised dimensions.

Periods are the riskiest part: the time column means different things per table. For
leavers (``21111-02-06-4``) the year given is the year in which the school year ENDS
(``2023`` = school year 2022/23, the file's footnote says so); pupil counts
(``21111-01-03-4``) are taken at the START of the school year (``2023`` = 2023/24). Each rule
is a named function (in :mod:`pipelines.ingest.genesis_labels`) and unit-tested, so an
off-by-one school year cannot creep in.

Label mapping is strict on purpose: a label the registry does not know raises
:class:`LabelError` (the parser turns it into an ``IngestError``) instead of being passed
through, so a relabelled or re-cut table fails loudly rather than silently losing rows.
"""

from __future__ import annotations

from pipelines.ingest.genesis_labels import (  # noqa: F401  (re-exported: the registry's vocabulary)
    ALTERSGRUPPEN_17,
    ALTERSJAHRE,
    SCHOOL_YEAR_END,
    SCHOOL_YEAR_START,
    STICHTAG_01_03,
    STICHTAG_31_12,
    YEAR,
    ColumnKey,
    LabelError,
    PeriodError,
    PeriodRule,
    TableSpec,
    Variable,
    _map_abgaenger,
    _map_berufskolleg,
    _map_bevoelkerung,
    _map_bevoelkerung_altersjahre,
    _map_kindertagesbetreuung,
    _map_schueler_schulart,
    _spec,
    abschluss_code,
    altersgruppe_code,
    altersjahr_code,
    geschlecht_code,
    is_total,
    reference_date,
    school_year_end,
    school_year_start,
    slug,
    strip_unit,
)
from pipelines.ingest.genesis_tables_kontext import KONTEXT_TABLES

# --------------------------------------------------------------------------------------
# The registry


_ABGAENGER_DIMS = ("abschlussart", "abschluss_code", "geschlecht")
_BEV_DIMS = ("altersgruppe", "geschlecht")
_KITA_DIMS = ("betreuungsart", "altersgruppe")

TABLES: dict[str, TableSpec] = {
    spec.code: spec
    for spec in (
        _spec(
            "21111-02-06-4",
            "abgaenger",
            SCHOOL_YEAR_END,
            _ABGAENGER_DIMS,
            _map_abgaenger,
            "Leavers of allgemeinbildende schools by Abschlussart and sex, Kreise",
        ),
        _spec(
            "21111-02-06-4-B",
            "abgaenger",
            SCHOOL_YEAR_END,
            _ABGAENGER_DIMS,
            _map_abgaenger,
            "Same as 21111-02-06-4, all regional levels",
        ),
        _spec(
            "21111-01-03-4",
            "schueler_schulart",
            SCHOOL_YEAR_START,
            ("schulart", "merkmal", "geschlecht"),
            _map_schueler_schulart,
            "Schools and pupils by school type, start of school year, Kreise",
        ),
        _spec(
            "21121-02-02-4",
            "berufskolleg",
            YEAR,
            ("merkmal", "bildungsbereich", "abschluss_code", "geschlecht"),
            _map_berufskolleg,
            "Vocational schools: entrants by Bildungsbereich / leavers by Abschlussart",
        ),
        _spec(
            "12411-01-01-4",
            "bevoelkerung",
            STICHTAG_31_12,
            _BEV_DIMS,
            _map_bevoelkerung,
            "Population by sex, 31.12., Kreise",
        ),
        _spec(
            "12411-02-03-4",
            "bevoelkerung",
            STICHTAG_31_12,
            _BEV_DIMS,
            _map_bevoelkerung,
            "Population by sex and 17 age groups, 31.12., Kreise",
        ),
        _spec(
            "12411-09i",
            "bevoelkerung_altersjahre",
            STICHTAG_31_12,
            ("altersjahr", "geschlecht"),
            _map_bevoelkerung_altersjahre,
            "Population by single year of age (0 … 90 and over), 31.12., Gemeinden "
            "(Landesdatenbank)",
        ),
        _spec(
            "22543-01-02-4",
            "kindertagesbetreuung",
            STICHTAG_01_03,
            _KITA_DIMS,
            _map_kindertagesbetreuung,
            "Children in Kita or Kindertagespflege by age group, 1 March, Kreise",
        ),
        _spec(
            "22543-01-03-4",
            "kindertagesbetreuung",
            STICHTAG_01_03,
            _KITA_DIMS,
            _map_kindertagesbetreuung,
            "Children in day care by type of care, 1 March, Kreise (from 2022)",
        ),
    )
}
"""Known table codes (Regionaldatenbank numbering). Add Landesdatenbank codes here too."""


if overlap := {spec.code for spec in KONTEXT_TABLES} & set(TABLES):
    raise RuntimeError(f"table codes registered twice: {sorted(overlap)}")
TABLES.update({spec.code: spec for spec in KONTEXT_TABLES})


def lookup(code: str) -> TableSpec | None:
    """The spec of a known table code, or ``None`` for a table parsed only generically."""
    return TABLES.get(code.strip())


def generic_table_name(code: str) -> str:
    """Raw table name for an unknown code: ``22811-01i`` → ``genesis_22811_01i``."""
    return "genesis_" + slug(code)


def generic_dimensions(key: ColumnKey) -> dict[str, str]:
    """Dimension columns of an unknown table, named from its labels.

    Classic: ``merkmal`` is the column's header labels joined by `` | ``; extra row labels
    become ``zeile_1``, ``zeile_2``…. ffcsv: one column per variable named after the
    variable's label (``Geschlecht`` → ``geschlecht``) plus ``merkmal`` = value variable.
    """
    dims: dict[str, str] = {}
    if key.variables or key.value_variable:
        for variable in key.variables:
            name = slug(variable.label)
            while name in dims or name == "merkmal":
                name += "_2"
            total = not variable.attribute_code and is_total(variable.attribute_label)
            dims[name] = "insgesamt" if total else variable.attribute_label
        dims["merkmal"] = key.value_variable
        return dims
    dims["merkmal"] = " | ".join(key.header)
    for number, label in enumerate(key.row_labels, start=1):
        dims[f"zeile_{number}"] = "insgesamt" if is_total(label) else label
    return dims
