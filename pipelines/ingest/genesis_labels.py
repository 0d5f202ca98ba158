"""Period rules, column keys and label mappings of the GENESIS tables the product reads.

The building blocks of the registry (:mod:`pipelines.ingest.genesis_tables`): each period rule
and label mapping is a named, unit-tested function, and :class:`TableSpec` says what a table
code means. The school and population tables' mappings are here, the social-context tables'
in :mod:`pipelines.ingest.genesis_tables_kontext`; the registry joins both.
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


ALTERSGRUPPEN_17: tuple[str, ...] = (
    "unter_3", "3_bis_unter_6", "6_bis_unter_10", "10_bis_unter_15", "15_bis_unter_18",
    "18_bis_unter_20", "20_bis_unter_25", "25_bis_unter_30", "30_bis_unter_35",
    "35_bis_unter_40", "40_bis_unter_45", "45_bis_unter_50", "50_bis_unter_55",
    "55_bis_unter_60", "60_bis_unter_65", "65_bis_unter_75", "75_und_mehr",
)  # fmt: skip
"""The 17 age groups of IT.NRW's population tables (``12411-02-03-4``, ``Altersgruppen (17)``)."""

ALTERSJAHRE: tuple[str, ...] = (*(str(n) for n in range(90)), "90_und_mehr")
"""Single years of age of ``12411-09i`` (``unter 1 Jahr`` … ``90 Jahre und mehr``)."""

_AGE_YEAR_UNDER_1 = re.compile(r"^unter 1 jahre?$")
_AGE_YEAR = re.compile(r"^(\d+) bis unter (\d+) jahre?$")


def altersjahr_code(label: str) -> str:
    """``unter 1 Jahr`` → ``0``, ``17 bis unter 18 Jahre`` → ``17``, ``90 Jahre und mehr`` →
    ``90_und_mehr``, ``Insgesamt`` → ``insgesamt``; a span wider than one year is refused."""
    text = re.sub(r"\s+", " ", label.strip().lower())
    if text in TOTAL_LABELS:
        return "insgesamt"
    if _AGE_YEAR_UNDER_1.match(text):
        return "0"
    if (match := _AGE_YEAR.match(text)) and int(match.group(2)) == int(match.group(1)) + 1:
        return match.group(1)
    if match := _AGE_OPEN.match(text):
        return f"{match.group(1) or match.group(2)}_und_mehr"
    raise LabelError(label, "unknown Altersjahr label")


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


def _map_bevoelkerung_altersjahre(key: ColumnKey) -> dict[str, str]:
    """Population by single year of age (``12411-09i``), classic or ffcsv.

    Classic (Landesdatenbank): columns ``Bevölkerungsstand (…) | Altersjahre (…) | <Alter>``
    (the unit row dropped), optionally a Geschlecht level; the file has no sex breakdown,
    then ``geschlecht`` is ``insgesamt``.
    """
    dims = {"altersjahr": "insgesamt", "geschlecht": "insgesamt"}
    if key.variables or key.value_variable:
        for variable in key.variables:
            if variable.code == "GES" or variable.label == "Geschlecht":
                dims["geschlecht"] = geschlecht_code(variable.attribute_label)
            elif _is_age_variable(variable):
                dims["altersjahr"] = altersjahr_code(variable.attribute_label)
            else:
                raise LabelError(variable.label, "unexpected variable for population")
        return dims
    parts = strip_unit(key.header)
    if not parts or key.row_labels or not parts[0].lower().startswith("bevölkerung"):
        raise LabelError(key.label, "expected 'Bevölkerungsstand | Altersjahre | <Alter>'")
    labels = [p for p in parts[1:] if not p.lower().startswith(("altersjahre", "geschlecht"))]
    for label in labels:
        if label.strip().lower() in _GESCHLECHT and not is_total(label):
            dims["geschlecht"] = geschlecht_code(label)
        else:
            dims["altersjahr"] = altersjahr_code(label)
    return dims


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
# What a table code means


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
