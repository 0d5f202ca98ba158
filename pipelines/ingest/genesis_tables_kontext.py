"""Registry entries for the social-context tables of IT.NRW and the Regionaldatenbank.

These are the tables that describe a Kreis's social situation beside the school figures
(issue 18): BA unemployment, minimum-income benefits, foreign population, youth-welfare
groups, employees by qualification and disposable income. They live in their own module so
that the school and population parts of :mod:`pipelines.ingest.genesis_tables` stay short;
importing that module registers the specs below in its ``TABLES`` (its last line imports
this module, which adds :data:`KONTEXT_TABLES` to ``TABLES``; either import order works).

Every mapping is strict like the others: a label not listed raises :class:`LabelError`.
"""

from __future__ import annotations

import re

from pipelines.ingest.genesis_labels import (
    STICHTAG_31_12,
    YEAR,
    ColumnKey,
    LabelError,
    TableSpec,
    altersgruppe_code,
    is_total,
    strip_unit,
)


def _norm(label: str) -> str:
    return re.sub(r"\s+", " ", label.strip().lower())


def _classic(key: ColumnKey, rule: str) -> tuple[str, ...]:
    """The header labels of a classic column without its unit; no ffcsv variables."""
    if key.variables or key.value_variable:
        raise LabelError(key.label, rule)
    parts = strip_unit(key.header)
    if not parts:
        raise LabelError(key.label, rule)
    return parts


# --------------------------------------------------------------------------------------
# 13211-02-05-4 (Regionaldatenbank): BA unemployed and unemployment rates, annual average

ARBEITSLOSE_PERSONENGRUPPEN: dict[str, str] = {
    "ausländisch": "auslaendisch",
    "schwerbehindert": "schwerbehindert",
    "langzeitarbeitslos": "langzeitarbeitslos",
    "männer": "maennlich",
    "frauen": "weiblich",
}


def _personengruppe(label: str) -> str:
    code = ARBEITSLOSE_PERSONENGRUPPEN.get(_norm(label))
    return code if code is not None else altersgruppe_code(label)


def _map_arbeitslose_kreise(key: ColumnKey) -> dict[str, str]:
    """``Arbeitslose [| Personengruppe]`` or ``Arbeitslosenquote bez. … [| Personengruppe]``.

    ``arbeitslosenquote`` is the rate on all civilian labour force (the BA's headline rate),
    ``arbeitslosenquote_abhaengige`` the rate on dependent civilian labour force only.
    Männer/Frauen become ``personengruppe`` ``maennlich``/``weiblich``.
    """
    parts = _classic(key, "expected 'Arbeitslose|Arbeitslosenquote … [| Personengruppe]'")
    if key.row_labels or len(parts) > 2:
        raise LabelError(key.label, "expected 'Arbeitslose|Arbeitslosenquote … [| Personengruppe]'")
    head = _norm(parts[0])
    if head == "arbeitslose":
        merkmal = "arbeitslose"
    elif head.startswith("arbeitslosenquote") and "abh" in head:
        merkmal = "arbeitslosenquote_abhaengige"
    elif head.startswith("arbeitslosenquote") and "alle" in head:
        merkmal = "arbeitslosenquote"
    else:
        raise LabelError(parts[0], "unknown value variable (expected Arbeitslose or a quota)")
    gruppe = "insgesamt" if len(parts) == 1 else _personengruppe(parts[1])
    return {"merkmal": merkmal, "personengruppe": gruppe}


# --------------------------------------------------------------------------------------
# 22811-01i / 22811-05i (Landesdatenbank): soziale Mindestsicherung, Gemeinden

MINDESTSICHERUNG_LEISTUNGEN: dict[str, str] = {
    "insgesamt": "insgesamt",
    "gesamtregelleistung (alg ii/sozialgeld) nach dem sgb ii": "sgb2",
    "hilfe zum lebensunterhalt außerhalb von einrichtungen nach dem sgb xii": "hlu_sgb12",
    "grundsicherung im alter und bei erwerbsminderung nach dem sgb xii": "grusi_sgb12",
    "regelleistungen nach dem asylbewerberleistungsgesetz": "asylblg",
}
_GRUSI_TEILE = {"insgesamt": "", "im alter": "_alter", "bei erwerbsminderung": "_erwerbsminderung"}


def _map_mindestsicherungsquote(key: ColumnKey) -> dict[str, str]:
    """``22811-01i``: one column ``Jahr`` (the year itself is a header row) holding the
    Mindestsicherungsquote in percent of the population; no further dimension."""
    parts = _classic(key, "expected one column 'Jahr' (Mindestsicherungsquote)")
    if (
        key.row_labels
        or len(parts) != 1
        or _norm(parts[0]) not in ("jahr", "mindestsicherungsquote")
    ):
        raise LabelError(key.label, "expected one column 'Jahr' (Mindestsicherungsquote)")
    return {}


def _map_mindestsicherung_empfaenger(key: ColumnKey) -> dict[str, str]:
    """``22811-05i``: recipients by benefit → ``leistung``.

    The table prints the SGB II column twice (first and inside the breakdown) with identical
    figures: both map to the same row key; the raw schema accepts such exact duplicates only
    (``quality.raw_schemas_kontext``) and the staging model keeps one.

    The quota (``22811-01i``) is a raw table of its own: both tables cover the same years, and
    the raw layer lets one delivery supply each period of a raw table, so sharing one table
    would let one cut silently replace the other.
    """
    parts = _classic(key, "expected 'Empfänger … | Leistung'")
    if key.row_labels or len(parts) not in (2, 3) or not _norm(parts[0]).startswith("empfänger"):
        raise LabelError(key.label, "expected 'Empfänger/innen … | Leistung [| Teil]'")
    leistung = MINDESTSICHERUNG_LEISTUNGEN.get(_norm(parts[1]))
    if leistung is None:
        raise LabelError(parts[1], "unknown Mindestsicherungsleistung label")
    if len(parts) == 3:
        teil = _GRUSI_TEILE.get(_norm(parts[2]))
        if leistung != "grusi_sgb12" or teil is None:
            raise LabelError(parts[2], "unknown breakdown of the Mindestsicherungsleistung")
        leistung += teil
    return {"leistung": leistung}


MINDESTSICHERUNG_CODES = (
    "insgesamt", "sgb2", "hlu_sgb12", "grusi_sgb12", "grusi_sgb12_alter",
    "grusi_sgb12_erwerbsminderung", "asylblg",
)  # fmt: skip


# --------------------------------------------------------------------------------------
# 12521-03i (Landesdatenbank): foreign population by citizenship and sex, 31.12.

_STAAT_CODE = re.compile(r"^\d{1,3}$")


def _map_auslaender(key: ColumnKey) -> dict[str, str]:
    """Rows: citizenship code and label (1 digit = continent or ``9 Sonstige``, 3 digits = a
    state, ``997``–``999`` staatenlos/ungeklärt/ohne Angabe); columns: ``Insgesamt`` and sex.

    The file has no all-citizenships total: the total is the sum of the ``kontinent`` rows.
    """
    parts = _classic(key, "expected 'Ausländische Bevölkerung | Geschlecht'")
    if len(parts) != 2 or not _norm(parts[0]).startswith("ausländische bevölkerung"):
        raise LabelError(key.label, "expected 'Ausländische Bevölkerung | Geschlecht'")
    if len(key.row_labels) != 2 or not _STAAT_CODE.match(key.row_labels[0]):
        raise LabelError(key.label, "expected row labels 'Code; Staatsangehörigkeit'")
    code, label = key.row_labels
    geschlecht = {"insgesamt": "insgesamt", "männlich": "maennlich", "weiblich": "weiblich"}
    sex = geschlecht.get(_norm(parts[1]))
    if sex is None:
        raise LabelError(parts[1], "unknown Geschlecht label")
    return {
        "staatsangehoerigkeit_code": code,
        "staatsangehoerigkeit": label,
        "ebene": "kontinent" if len(code) == 1 else "staat",
        "geschlecht": sex,
    }


# --------------------------------------------------------------------------------------
# 22542-06i (Landesdatenbank): groups in youth-welfare facilities by legal basis

RECHTSGRUNDLAGEN: tuple[tuple[str, str], ...] = (
    ("§13 abs. 2", "sgb8_13_2"),
    ("§19 ", "sgb8_19"),
    ("§27 abs. 2", "sgb8_27_2"),
    ("§32 ", "sgb8_32"),
    ("§34 ", "sgb8_34"),
    ("§35 ", "sgb8_35"),
    ("§35a ", "sgb8_35a"),
    ("§41 ", "sgb8_41"),
    ("§42 ", "sgb8_42"),
    ("§42a ", "sgb8_42a"),
    ("sgb ix eingliederungshilfe", "sgb9_eingliederungshilfe"),
    ("einstweilige unterbringung", "jgg_71_72"),
    ("gesicherte/geschlossene unterbringung", "bgb_1631b"),
)
"""Label prefix (lower case) → code. The file's title: 'Anzahl der Gruppen/Betreuungsformen
in betriebserlaubnispflichtigen Einrichtungen der Kinder- und Jugendhilfe nach
Rechtsgrundlage' — residential and day groups of youth welfare (HzE etc.), NOT Kita groups."""


def _map_jugendhilfe_gruppen(key: ColumnKey) -> dict[str, str]:
    parts = _classic(key, "expected one column label (Rechtsgrundlage)")
    if len(parts) != 1 or key.row_labels:
        raise LabelError(key.label, "expected one column label (Rechtsgrundlage)")
    text = _norm(parts[0]) + " "
    for prefix, code in RECHTSGRUNDLAGEN:
        if text.startswith(prefix):
            return {"rechtsgrundlage": code, "rechtsgrundlage_label": parts[0].strip()}
    raise LabelError(parts[0], "unknown Rechtsgrundlage label")


# --------------------------------------------------------------------------------------
# 13111-54i (Landesdatenbank): employees (place of work) by WZ section and qualification

SCHULABSCHLUESSE: dict[str, str] = {
    "ohne schulabschluss": "ohne",
    "mit volks-/haupschulabschluss": "hsa",  # sic: the publisher's spelling
    "mit volks-/hauptschulabschluss": "hsa",
    "mit mittlerer reife/gleichwertigem abschluss": "msa",
    "mit abitur/fachabitur": "abitur",
    "abschluss unbekannt": "unbekannt",
}
BERUFSABSCHLUESSE: dict[str, str] = {
    "ohne beruflichen ausbildungsabschluss": "ohne",
    "mit anerkanntem berufsabschluss": "anerkannt",
    "mit akademischem abschluss": "akademisch",
    "ausbildung unbekannt": "unbekannt",
}
_WZ_CODE = re.compile(r"^[A-U](-[A-U])?$")


def _map_beschaeftigte_qualifikation(key: ColumnKey) -> dict[str, str]:
    """Rows: WZ 2008 section code and label (``;Insgesamt`` without code = all sections);
    columns: ``Insgesamt``, five school-leaving and four vocational qualifications. A column of
    one breakdown has the other one at ``insgesamt``. The file has no region key column: the
    parser keys the region names (:mod:`pipelines.ingest.regions_nrw`)."""
    parts = _classic(key, "expected one column label (Schul- or Berufsabschluss)")
    if len(parts) != 1 or len(key.row_labels) != 2:
        raise LabelError(key.label, "expected rows 'WZ code; WZ label' × one column label")
    code, label = key.row_labels
    if not code and is_total(label):
        wz = "insgesamt"
    elif _WZ_CODE.match(code):
        wz = code
    else:
        raise LabelError(code or label, "unknown Wirtschaftsabschnitt")
    column = _norm(parts[0])
    schule = beruf = "insgesamt"
    if column in SCHULABSCHLUESSE:
        schule = SCHULABSCHLUESSE[column]
    elif column in BERUFSABSCHLUESSE:
        beruf = BERUFSABSCHLUESSE[column]
    elif not is_total(column):
        raise LabelError(parts[0], "unknown Schul-/Berufsabschluss label")
    return {
        "wirtschaftsabschnitt": wz,
        "wirtschaftsabschnitt_label": "insgesamt" if wz == "insgesamt" else label,
        "schulabschluss": schule,
        "berufsabschluss": beruf,
    }


# --------------------------------------------------------------------------------------
# 82411-01-03-4 (Regionaldatenbank): disposable income of private households


def _map_einkommen(key: ColumnKey) -> dict[str, str]:
    """Two columns: the total in Tsd. EUR and the amount per inhabitant in EUR (``einheit``
    keeps the unit, so the total cannot be read as euros)."""
    if key.variables or key.value_variable or key.row_labels or len(key.header) != 2:
        raise LabelError(key.label, "expected 'verfügbares Einkommen … | unit'")
    label, unit = _norm(key.header[0]), key.header[1].strip()
    if not (label.startswith("verfügbares einkommen") or label.startswith("verfüg. einkommen")):
        raise LabelError(key.header[0], "unknown value variable (expected verfügbares Einkommen)")
    if "je einwohner" in label and unit == "EUR":
        return {"merkmal": "verfuegbares_einkommen_je_einwohner", "einheit": "eur"}
    if "je einwohner" not in label and unit == "Tsd. EUR":
        return {"merkmal": "verfuegbares_einkommen", "einheit": "tsd_eur"}
    raise LabelError(key.label, "unexpected unit for verfügbares Einkommen")


# --------------------------------------------------------------------------------------
# The specs

_AUSLAENDER_DIMS = ("staatsangehoerigkeit_code", "staatsangehoerigkeit", "ebene", "geschlecht")
_BESCHAEFTIGTE_DIMS = (
    "wirtschaftsabschnitt", "wirtschaftsabschnitt_label", "schulabschluss", "berufsabschluss",
)  # fmt: skip

KONTEXT_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "13211-02-05-4",
        "arbeitslose_kreise",
        YEAR,
        ("merkmal", "personengruppe"),
        _map_arbeitslose_kreise,
        "BA unemployed by group and unemployment rates, annual average, Kreise",
    ),
    TableSpec(
        "22811-01i",
        "mindestsicherungsquote",
        YEAR,
        (),
        _map_mindestsicherungsquote,
        "Mindestsicherungsquote (percent of the population), Gemeinden, year",
    ),
    TableSpec(
        "22811-05i",
        "mindestsicherung_empfaenger",
        YEAR,
        ("leistung",),
        _map_mindestsicherung_empfaenger,
        "Recipients of minimum-income benefits by benefit, Gemeinden, year",
    ),
    TableSpec(
        "12521-03i",
        "auslaender",
        STICHTAG_31_12,
        _AUSLAENDER_DIMS,
        _map_auslaender,
        "Foreign population by citizenship and sex (AZR), 31.12., Kreise",
    ),
    TableSpec(
        "22542-06i",
        "jugendhilfe_gruppen",
        YEAR,
        ("rechtsgrundlage", "rechtsgrundlage_label"),
        _map_jugendhilfe_gruppen,
        "Groups in licensed youth-welfare facilities by legal basis, Kreise, year",
    ),
    TableSpec(
        "13111-54i",
        "beschaeftigte_qualifikation",
        STICHTAG_31_12,
        _BESCHAEFTIGTE_DIMS,
        _map_beschaeftigte_qualifikation,
        "Employees (workplace) by WZ section and school/vocational qualification, 31.12., Kreise",
    ),
    TableSpec(
        "82411-01-03-4",
        "einkommen",
        YEAR,
        ("merkmal", "einheit"),
        _map_einkommen,
        "Disposable income of private households, total and per inhabitant, Kreise, year",
    ),
)
"""The social-context tables (issue 18); ``genesis_tables`` adds them to its ``TABLES``."""
