"""Registry of the GENESIS tables the product knows: code → raw table, period rule, dimensions.

This is the ONE place that says what a table code means. The GENESIS parsers
(:mod:`pipelines.ingest.genesis`) read any table generically; for a code listed in
:data:`TABLES` they additionally turn the period into the mart's form with the table's
explicit :class:`PeriodRule` and map the column labels to named, harmonised dimensions.

Periods are the riskiest part: the time column means different things per table. For
leavers (``21111-02-06-4``) the year given is the year in which the school year ENDS
(``2023`` = school year 2022/23, the file's footnote says so); pupil counts
(``21111-01-03-4``) are taken at the START of the school year (``2023`` = 2023/24). Each rule
is a named function below and unit-tested, so an off-by-one school year cannot creep in.

Label mapping is strict on purpose: a label the registry does not know raises
:class:`LabelError` (the parser turns it into an ``IngestError``) instead of being passed
through, so a relabelled or re-cut table fails loudly rather than silently losing rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# --------------------------------------------------------------------------------------
# Periods


class PeriodError(ValueError):
    """A raw period that does not fit the table's period rule."""


_YEAR = re.compile(r"^(\d{4})$")
_DATE_DE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _year(raw: str) -> int:
    match = _YEAR.match(raw.strip())
    if not match:
        raise PeriodError(f"expected a four-digit year, got {raw!r}")
    return int(match.group(1))


def school_year_end(raw: str) -> str:
    """``2023`` → ``2022/23``: the year given is the year in which the school year ends."""
    year = _year(raw)
    return f"{year - 1}/{year % 100:02d}"


def school_year_start(raw: str) -> str:
    """``2023`` → ``2023/24``: counted at the start of the school year (15 October)."""
    year = _year(raw)
    return f"{year}/{(year + 1) % 100:02d}"


def calendar_year(raw: str) -> str:
    """``2016`` → ``2016``."""
    return str(_year(raw))


def reference_date(default_day_month: str) -> Callable[[str], str]:
    """A Stichtag: ``31.12.2024`` or ``2024-12-31`` → ``2024-12-31``.

    A bare year (some downloads label the Stichtag by its year only) gets the table's fixed
    reference day, e.g. ``"03-01"`` for child day care (1 March).
    """

    def convert(raw: str) -> str:
        text = raw.strip()
        if match := _DATE_DE.match(text):
            day, month, year = match.groups()
            return f"{year}-{month}-{day}"
        if _DATE_ISO.match(text):
            return text
        if _YEAR.match(text):
            return f"{text}-{default_day_month}"
        raise PeriodError(f"expected a date dd.mm.yyyy or yyyy-mm-dd, got {raw!r}")

    return convert


@dataclass(frozen=True)
class PeriodRule:
    """How a table's raw time value becomes the mart's period."""

    name: str
    convert: Callable[[str], str]

    def __call__(self, raw: str) -> str:
        return self.convert(raw)


SCHOOL_YEAR_END = PeriodRule("school_year_end", school_year_end)
SCHOOL_YEAR_START = PeriodRule("school_year_start", school_year_start)
YEAR = PeriodRule("year", calendar_year)
STICHTAG_31_12 = PeriodRule("reference_date_31_12", reference_date("12-31"))
STICHTAG_01_03 = PeriodRule("reference_date_01_03", reference_date("03-01"))


# --------------------------------------------------------------------------------------
# Column keys and label mapping


class LabelError(ValueError):
    """A column or row label the table's mapping does not know."""

    def __init__(self, label: str, rule: str):
        self.label = label
        self.rule = rule
        super().__init__(f"{rule}: {label!r}")


@dataclass(frozen=True)
class Variable:
    """One classifying variable of an ffcsv row: code, label, attribute code and label."""

    code: str
    label: str
    attribute_code: str
    attribute_label: str


@dataclass(frozen=True)
class ColumnKey:
    """Everything that identifies what one value means, apart from region and period.

    Classic CSV: ``header`` holds the non-empty header cells above the value's column (top to
    bottom) and ``row_labels`` the extra row-label cells left of the values (e.g. the
    Schulart in ``21111-01-03-4``). ffcsv: ``variables`` holds the non-regional variables and
    ``value_variable`` the label of the value variable (``Bevölkerungsstand``).
    """

    header: tuple[str, ...] = ()
    row_labels: tuple[str, ...] = ()
    variables: tuple[Variable, ...] = ()
    value_variable: str = ""

    @property
    def label(self) -> str:
        """A readable label for error messages."""
        parts = list(self.header) + list(self.row_labels)
        parts += [f"{v.label}={v.attribute_label}" for v in self.variables]
        if self.value_variable:
            parts.append(self.value_variable)
        return " | ".join(parts)


UNITS = frozenset(
    {"Anzahl", "Prozent", "%", "EUR", "Tsd. EUR", "Mill. EUR", "qkm", "EW pro qkm", "1000", "ha"}
)
"""Unit labels that end a classic header column (the last header row is often the unit)."""

TOTAL_LABELS = frozenset({"insgesamt", "total", "zusammen"})


def strip_unit(header: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a trailing unit label (``Anzahl``) from a header column."""
    if header and header[-1] in UNITS:
        return header[:-1]
    return header


def is_total(label: str) -> bool:
    return label.strip().lower() in TOTAL_LABELS


def slug(label: str) -> str:
    """``Alter (10er-Jahresgruppen)`` → ``alter_10er_jahresgruppen`` (snake_case, ASCII)."""
    text = label.strip().lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, ascii_)
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text or "merkmal"


_GESCHLECHT = {
    "insgesamt": "insgesamt",
    "total": "insgesamt",
    "weiblich": "weiblich",
    "female": "weiblich",
    "männlich": "maennlich",
    "male": "maennlich",
}


def geschlecht_code(label: str) -> str:
    """``Insgesamt``/``weiblich``/``männlich`` → ``insgesamt``/``weiblich``/``maennlich``."""
    code = _GESCHLECHT.get(label.strip().lower())
    if code is None:
        raise LabelError(label, "unknown Geschlecht label")
    return code


_AGE_UNDER = re.compile(r"^unter (\d+) jahre?n?$")
_AGE_RANGE = re.compile(r"^(\d+) bis unter (\d+) jahre?n?$")
_AGE_OPEN = re.compile(r"^(\d+) jahre? und (?:mehr|älter)$|^(\d+) und mehr jahre?$")


def altersgruppe_code(label: str) -> str:
    """``unter 3 Jahre`` → ``unter_3``, ``3 bis unter 6 Jahre`` → ``3_bis_unter_6``,
    ``65 Jahre und mehr`` → ``65_und_mehr``, ``Insgesamt`` → ``insgesamt``."""
    text = re.sub(r"\s+", " ", label.strip().lower())
    if text in TOTAL_LABELS:
        return "insgesamt"
    if match := _AGE_UNDER.match(text):
        return f"unter_{match.group(1)}"
    if match := _AGE_RANGE.match(text):
        return f"{match.group(1)}_bis_unter_{match.group(2)}"
    if match := _AGE_OPEN.match(text):
        return f"{match.group(1) or match.group(2)}_und_mehr"
    raise LabelError(label, "unknown Altersgruppe label")


# Leavers of allgemeinbildende schools: the labels of both editions (relabelled in 2022:
# Hauptschulabschluss → Erster Schulabschluss) map to one harmonised code.
ABSCHLUSS_CODES: dict[str, str] = {
    "insgesamt": "insgesamt",
    "ohne hauptschulabschluss": "ohne_hsa",
    "ohne ersten schulabschluss": "ohne_hsa",
    "mit hauptschulabschluss": "hsa",
    "mit erstem schulabschluss": "hsa",
    "mit mittlerem abschluss": "msa",
    "mit mittlerem schulabschluss": "msa",
    "dar. schulischer teil der fachhochschulreife": "fhr_schulisch",
    "dar. mit schulischem teil der fachhochschulreife": "fhr_schulisch",
    "mit fachhochschulreife": "fhr",
    "mit allgemeiner hochschulreife": "ahr",
    "mit allgemeiner und fachgebundener hochschulreife": "ahr",
}


def abschluss_code(label: str) -> str:
    code = ABSCHLUSS_CODES.get(re.sub(r"\s+", " ", label.strip().lower()))
    if code is None:
        raise LabelError(label, "unknown Abschlussart label")
    return code


# --------------------------------------------------------------------------------------
# Per-table column mappings


def _map_abgaenger(key: ColumnKey) -> dict[str, str]:
    """``[value variable, Abschlussart, Geschlecht]`` → abschlussart, abschluss_code, geschlecht."""
    parts = strip_unit(key.header)
    if len(parts) < 2 or key.row_labels or key.variables:
        raise LabelError(key.label, "expected columns 'Abschlussart × Geschlecht'")
    label = parts[-2]
    return {
        "abschlussart": "insgesamt" if is_total(label) else label,
        "abschluss_code": abschluss_code(label),
        "geschlecht": geschlecht_code(parts[-1]),
    }


def _map_schueler_schulart(key: ColumnKey) -> dict[str, str]:
    """Row label = Schulart; columns = schools, pupils (by sex, nationality, grade)."""
    if len(key.row_labels) != 1:
        raise LabelError(key.label, "expected one row label (Schulart)")
    schulart = key.row_labels[0]
    dims = {"schulart": "insgesamt" if is_total(schulart) else schulart}
    parts = strip_unit(key.header)
    if not parts:
        raise LabelError(key.label, "column without a label")
    head = parts[0].lower()
    if head.startswith(("allgemeinbildende schulen", "schulen")) and len(parts) == 1:
        return dims | {"merkmal": "schulen", "geschlecht": "insgesamt"}
    if not head.startswith("schüler"):
        raise LabelError(parts[0], "unknown value variable (expected Schulen or Schüler)")
    if len(parts) == 1:
        return dims | {"merkmal": "schueler", "geschlecht": "insgesamt"}
    if len(parts) != 3:
        raise LabelError(key.label, "expected 'Schüler | <variable> | <attribute>'")
    variable, attribute = parts[1], parts[2]
    if variable == "Geschlecht":
        return dims | {"merkmal": "schueler", "geschlecht": geschlecht_code(attribute)}
    return dims | {"merkmal": f"schueler_{slug(attribute)}", "geschlecht": "insgesamt"}


BILDUNGSBEREICHE: dict[str, str] = {
    "insgesamt": "insgesamt",
    "berufsausbildung im dualen system": "duale_ausbildung",
    "schulberufssystem": "schulberufssystem",
    "übergangsbereich": "uebergangsbereich",
    "erwerb der hochschulzugangsberechtigung": "hochschulreife",
}

_BERUFLICHE_ABSCHLUESSE: dict[str, str] = {
    "mit hauptschulabschluss": "hsa",
    "mit erstem schulabschluss": "hsa",
    "mit mittlerem abschluss": "msa",
    "mit mittlerem schulabschluss": "msa",
    "fachhochschulreife": "fhr",
    "mit fachhochschulreife": "fhr",
    "allg. hochschulreife-einschl.fachge.hochschulreife": "ahr",
    "mit allgemeiner hochschulreife": "ahr",
}


def _map_berufskolleg(key: ColumnKey) -> dict[str, str]:
    """Vocational schools: entrants by Bildungsbereich (iABE) or leavers by Abschlussart.

    The same code carries two cuts: the sample's entrants file (``Anfänger/-innen`` ×
    Bildungsbereich × Geschlecht) and the Regionaldatenbank's leavers table
    (``Absolvierende/Abgehende`` × Abschlussart × Geschlecht, nested headers).
    """
    parts = strip_unit(key.header)
    if len(parts) < 2 or key.row_labels or key.variables:
        raise LabelError(key.label, "expected columns '<Merkmal> … × Geschlecht'")
    head = parts[0].lower()
    dims = {"geschlecht": geschlecht_code(parts[-1])}
    inner = [p for p in parts[1:-1] if p not in ("Geschlecht", "davon mit", "Bildungsbereich")]
    if head.startswith("anfänger"):
        if len(inner) != 1:
            raise LabelError(key.label, "expected 'Anfänger | Bildungsbereich | Geschlecht'")
        bereich = BILDUNGSBEREICHE.get(inner[0].lower())
        if bereich is None:
            raise LabelError(inner[0], "unknown Bildungsbereich label")
        return dims | {
            "merkmal": "anfaenger",
            "bildungsbereich": bereich,
            "abschluss_code": "insgesamt",
        }
    if head.startswith("absolvierende") or head.startswith("absolventen"):
        if not inner:
            code = "insgesamt"
        elif len(inner) == 1 and inner[0].lower() in _BERUFLICHE_ABSCHLUESSE:
            code = _BERUFLICHE_ABSCHLUESSE[inner[0].lower()]
        else:
            raise LabelError(" | ".join(inner), "unknown Abschlussart label")
        return dims | {
            "merkmal": "absolventen",
            "bildungsbereich": "insgesamt",
            "abschluss_code": code,
        }
    if head.startswith("nachrichtl") and "fachhochs" in head and not inner:
        return dims | {
            "merkmal": "absolventen",
            "bildungsbereich": "insgesamt",
            "abschluss_code": "fhr_schulisch_zusaetzlich",
        }
    raise LabelError(parts[0], "unknown value variable (expected Anfänger or Absolvierende)")


def _is_age_variable(variable: Variable) -> bool:
    return variable.code.startswith("ALT") or "alter" in variable.label.lower()


def _map_bevoelkerung(key: ColumnKey) -> dict[str, str]:
    """Population by sex and (optionally) age group, classic or ffcsv."""
    if key.variables or key.value_variable:
        dims = {"altersgruppe": "insgesamt", "geschlecht": "insgesamt"}
        for variable in key.variables:
            if variable.code == "GES" or variable.label == "Geschlecht":
                dims["geschlecht"] = geschlecht_code(variable.attribute_label)
            elif _is_age_variable(variable):
                dims["altersgruppe"] = altersgruppe_code(variable.attribute_label)
            else:
                raise LabelError(variable.label, "unexpected variable for population")
        return dims
    parts = strip_unit(key.header)
    if not parts or len(key.row_labels) > 1:
        raise LabelError(key.label, "expected 'Altersgruppe' rows × 'Geschlecht' columns")
    age = key.row_labels[0] if key.row_labels else "Insgesamt"
    return {"altersgruppe": altersgruppe_code(age), "geschlecht": geschlecht_code(parts[-1])}


BETREUUNGSARTEN: dict[str, str] = {
    "insgesamt": "insgesamt",
    "kindertageseinrichtungen": "kita",
    "kindertagespflege (ohne doppelzählung)": "kindertagespflege",
    "kindertagespflege": "kindertagespflege",
}


def _map_kindertagesbetreuung(key: ColumnKey) -> dict[str, str]:
    """Children in care: ``Betreute Kinder | Betreuungsart | Altersgruppe``."""
    parts = strip_unit(key.header)
    if len(parts) != 3 or key.row_labels or key.variables:
        raise LabelError(key.label, "expected 'Betreute Kinder | Betreuungsart | Altersgruppe'")
    art = BETREUUNGSARTEN.get(parts[1].lower())
    if art is None:
        raise LabelError(parts[1], "unknown Betreuungsart label")
    return {"betreuungsart": art, "altersgruppe": altersgruppe_code(parts[2])}


# --------------------------------------------------------------------------------------
# The registry


@dataclass(frozen=True)
class TableSpec:
    """What a known table code means for the product."""

    code: str
    table: str
    period_rule: PeriodRule
    dimensions: tuple[str, ...]
    map_column: Callable[[ColumnKey], dict[str, str]]
    description: str


def _spec(code, table, rule, dims, mapper, description) -> TableSpec:
    return TableSpec(code, table, rule, tuple(dims), mapper, description)


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
            "Population by sex and age group, 31.12., Kreise",
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
