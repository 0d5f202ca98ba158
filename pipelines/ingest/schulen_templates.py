"""The documented, versioned input templates of the city's school administration.

Schools deliver CSV or XLSX files whose layout the city defines here (there is no official
one). Each template lists its columns with German name, type, whether required, allowed
codes or range, a description and the names older deliveries used (aliases). The parser
(:mod:`pipelines.ingest.schulen`) and the user documentation (``docs/templates/``) are both
driven by this one specification, so they cannot drift apart.

A future ``v2`` adds a new :class:`Template` with the same ``name`` and ``version="v2"``;
the ``v1`` column names then go into the ``v2`` columns' ``aliases`` so old files still map.
The parser prefers the version whose canonical names match the header exactly.

Regenerate the documentation with ``python -m pipelines.ingest.schulen_templates``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path

LATEST_VERSION = "v1"
SOURCE = "schulen"

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "templates" / "schulen_v1.md"


class Kind(StrEnum):
    """Column types; each has one casting rule in the parser."""

    SCHULJAHR = "Schuljahr"
    SCHULNUMMER = "Schulnummer"
    CODE = "Code"
    INTEGER = "Ganzzahl"
    COUNT = "Anzahl"
    NUMBER = "Zahl"
    TEXT = "Text"
    DATE = "Datum"
    PLZ = "Postleitzahl"
    PSEUDONYM = "Pseudonym"


class Role(StrEnum):
    """What a column becomes in the tidy table."""

    KEY = "key"  # part of the unique key; a dimension column
    ATTRIBUTE = "attribute"  # a further dimension column, not part of the key
    MEASURE = "measure"  # a count: melted into ``value``
    PERIOD = "period"  # becomes the tidy ``period``


@dataclass(frozen=True)
class Column:
    """One column of a template."""

    name: str
    kind: Kind
    role: Role
    description: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    codes: Mapping[str, str] | None = None
    code_aliases: Mapping[str, str] = field(default_factory=dict)
    minimum: float | None = None
    maximum: float | None = None
    school_years_ahead: int = 0
    """For the period column: school years after the running one that it may name."""

    @cached_property
    def code_lookup(self) -> dict[str, str]:
        """Normalised spelling → code: the code, an alias or the code's label."""
        codes = self.codes or {}
        lookup = {normalise_label(label): code for code, label in codes.items()}
        lookup.update({normalise_label(a): c for a, c in self.code_aliases.items() if c in codes})
        lookup.update({normalise_label(code): code for code in codes})
        return lookup

    def expectation(self) -> str:
        """Short German statement of what the column must hold (for docs and errors)."""
        if self.codes is not None:
            return "einer von: " + ", ".join(f"{c} ({label})" for c, label in self.codes.items())
        if self.kind is Kind.SCHULJAHR:
            ahead = "; auch das kommende Schuljahr" if self.school_years_ahead else ""
            return _KIND_RULES[self.kind] + ahead
        if self.minimum is not None and self.maximum is not None:
            return f"{self.kind.value} von {_fmt(self.minimum)} bis {_fmt(self.maximum)}"
        if self.minimum is not None:
            return f"{self.kind.value} ≥ {_fmt(self.minimum)}"
        return _KIND_RULES[self.kind]


@dataclass(frozen=True)
class SumAtMost:
    """Consistency rule within a row: ``factor × sum(parts) ≤ limit``."""

    parts: tuple[str, ...]
    limit: str
    factor: int = 1

    def describe(self) -> str:
        left = " + ".join(self.parts)
        if len(self.parts) > 1:
            left = f"({left})"
        if self.factor != 1:
            left = f"{self.factor} × {left}"
        return f"{left} ≤ {self.limit}"


@dataclass(frozen=True)
class Differs:
    """Consistency rule within a row: two columns must not hold the same value."""

    first: str
    second: str

    def describe(self) -> str:
        return f"{self.first} ≠ {self.second}"


@dataclass(frozen=True)
class Template:
    """One delivery template in one version."""

    name: str
    version: str
    title: str
    description: str
    columns: tuple[Column, ...]
    checks: tuple[SumAtMost | Differs, ...] = ()
    per_case: bool = False
    """Each row is one case (value 1) rather than a row of counts."""
    region_column: str | None = None
    """Column holding the Stadtbezirk (tidy ``region_key``); else the city's Gemeinde key."""

    @property
    def table_code(self) -> str:
        return f"{SOURCE}-{self.name}-{self.version}"

    @property
    def parser(self) -> str:
        """The ``ParsedFile.parser`` name: one per template version."""
        return f"{SOURCE}-template-{self.version}"

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.role in (Role.KEY, Role.PERIOD))

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.role is Role.MEASURE)

    @property
    def period_column(self) -> str:
        return next(c.name for c in self.columns if c.role is Role.PERIOD)

    @property
    def melted(self) -> bool:
        """Several measures per row: the tidy table gets one row per measure (``merkmal``)."""
        return len(self.measures) > 1

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The tidy table's dimension columns, in order."""
        names = tuple(c.name for c in self.columns if c.role in (Role.KEY, Role.ATTRIBUTE))
        return (*names, "merkmal") if self.melted else names

    def value_description(self) -> str:
        """What the tidy ``value`` holds (German, for the documentation)."""
        if self.per_case:
            return "1 je Zeile (ein Fall)"
        if not self.measures:
            return "leer (Stammdaten ohne Messwert)"
        if not self.melted:
            return f"`{self.measures[0]}`"
        names = ", ".join(f"`{m}`" for m in self.measures)
        return f"der in `merkmal` genannte Messwert ({names})"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def normalise_label(text: object) -> str:
    """Fold a header label for matching: case, blanks, punctuation and umlauts ignored.

    ``"Schüler/innen "``, ``"SCHUELER_INNEN"`` and ``"Schuler-Innen"`` all give the same key:
    everything but letters and digits goes, umlauts become base vowel + e, then an ``e`` after
    ``a``/``o``/``u`` is dropped, so the spellings with umlaut, with ``ue`` and with a plain
    vowel meet.
    """
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        folded = folded.replace(umlaut, plain)
    folded = re.sub(r"[^0-9a-z]+", "", folded)
    return re.sub(r"([aou])e", r"\1", folded)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


_KIND_RULES: dict[Kind, str] = {
    Kind.SCHULJAHR: "Schuljahr wie 2016/17 (auch 2016/2017 oder 2016-17)",
    Kind.SCHULNUMMER: "6 Ziffern, führende Nullen zählen (012345)",
    Kind.CODE: "ein Code der Liste",
    Kind.INTEGER: "Ganzzahl",
    Kind.COUNT: "Ganzzahl ≥ 0",
    Kind.NUMBER: "Zahl",
    Kind.TEXT: "Text",
    Kind.DATE: "Datum TT.MM.JJJJ oder JJJJ-MM-TT",
    Kind.PLZ: "5 Ziffern",
    Kind.PSEUDONYM: "4–64 Zeichen aus Buchstaben, Ziffern, - und _ (kein Name, kein Geburtsdatum)",
}

# --- code lists --------------------------------------------------------------------------

SCHULFORMEN: dict[str, str] = {
    "02": "Grundschule",
    "04": "Hauptschule",
    "06": "Volksschule",
    "08": "Förderschule im Bereich Grund-/Hauptschule",
    "10": "Realschule",
    "13": "Schulversuch PRIMUS",
    "14": "Sekundarschule",
    "15": "Gesamtschule",
    "16": "Gemeinschaftsschule",
    "17": "Freie Waldorfschule",
    "18": "Hibernia",
    "19": "Freie Waldorfförderschule",
    "20": "Gymnasium",
    "25": "Weiterbildungskolleg",
    "30": "Berufskolleg",
    "83": "Klinikschule",
    "85": "Förderschule im Bereich Realschule",
    "87": "Förderschule im Bereich Gymnasium",
    "88": "Förderschule im Bereich Berufskolleg",
}
"""Official Schulform keys of the NRW school statistics (SVWS catalogue ``Schulform``)."""

SCHULFORM_KUERZEL: dict[str, str] = {
    "G": "02", "H": "04", "V": "06", "S": "08", "R": "10", "PS": "13", "SK": "14", "GE": "15",
    "GM": "16", "FW": "17", "HI": "18", "WF": "19", "GY": "20", "WB": "25", "BK": "30",
    "KS": "83", "SR": "85", "SG": "87", "SB": "88",
}  # fmt: skip
"""SVWS short names (``kuerzel``) accepted in place of the key."""

_SCHULFORM_ALIASES = {**SCHULFORM_KUERZEL, "Förderschule": "08"}

UEBERGANG_ZIELE: dict[str, str] = {
    **{code: SCHULFORMEN[code] for code in ("04", "08", "10", "13", "14", "15", "17", "20")},
    "sonstige": "Schule außerhalb der Stadt oder unbekannt",
}

STADTBEZIRKE: dict[str, str] = {
    "1": "West",
    "2": "Nord",
    "3": "Hüls",
    "4": "Mitte",
    "5": "Süd",
    "6": "Fischeln",
    "7": "Oppum-Linn",
    "8": "Ost",
    "9": "Uerdingen",
}

GESCHLECHT: dict[str, str] = {"m": "männlich", "w": "weiblich", "d": "divers", "x": "ohne Angabe"}

STAATSANGEHOERIGKEIT: dict[str, str] = {
    "deutsch": "deutsche Staatsangehörigkeit (auch doppelte)",
    "nichtdeutsch": "keine deutsche Staatsangehörigkeit",
}
_STAATSANGEHOERIGKEIT_ALIASES = {
    "D": "deutsch", "Deutschland": "deutsch", "nicht deutsch": "nichtdeutsch",
    "ausländisch": "nichtdeutsch", "Ausländer": "nichtdeutsch", "ND": "nichtdeutsch",
}  # fmt: skip

TRAEGER: dict[str, str] = {"oeffentlich": "öffentliche Schule", "privat": "Ersatzschule (privat)"}
_TRAEGER_ALIASES = {"öffentlich": "oeffentlich", "städtisch": "oeffentlich", "1": "oeffentlich",
                    "2": "privat"}  # fmt: skip

ABSCHLUSSARTEN: dict[str, str] = {
    "ohne_hsa": "ohne Hauptschulabschluss / Ersten Schulabschluss",
    "foerderschule": "Förderschulabschluss (Lernen / Geistige Entwicklung); zählt als ohne HSA",
    "hsa": "Hauptschulabschluss nach Klasse 9 / Erster Schulabschluss (ESA)",
    "esa_erweitert": "Hauptschulabschluss nach Klasse 10 / Erweiterter Erster Schulabschluss",
    "msa": "Mittlerer Schulabschluss (Fachoberschulreife)",
    "fhr": "Fachhochschulreife (auch schulischer Teil)",
    "ahr": "Allgemeine Hochschulreife (Abitur)",
}
"""Certificates; ``ohne_hsa`` + ``foerderschule`` form the key indicator's numerator."""

_ABSCHLUSS_ALIASES = {
    # labels
    "ohne Abschluss": "ohne_hsa", "ohne HSA": "ohne_hsa", "ohne ESA": "ohne_hsa",
    "Förderschulabschluss": "foerderschule", "Abschluss Förderschule": "foerderschule",
    "Hauptschulabschluss": "hsa", "Erster Schulabschluss": "hsa", "ESA": "hsa", "HSA 9": "hsa",
    "Hauptschulabschluss nach Klasse 10": "esa_erweitert", "HSA 10": "esa_erweitert",
    "Erweiterter Erster Schulabschluss": "esa_erweitert", "EESA": "esa_erweitert",
    "Mittlerer Schulabschluss": "msa", "Fachoberschulreife": "msa", "FOR": "msa",
    "Fachhochschulreife": "fhr", "FHR": "fhr",
    "Allgemeine Hochschulreife": "ahr", "Abitur": "ahr", "AHR": "ahr",
    # SVWS/SchILD letter keys of SchulabschlussAllgemeinbildend
    "A": "ohne_hsa", "R": "ohne_hsa", "B": "hsa", "C": "hsa", "S": "hsa", "O": "hsa",
    "D": "esa_erweitert", "U": "esa_erweitert", "F": "msa", "G": "msa", "I": "msa",
    "H": "fhr", "J": "fhr", "K": "ahr", "M": "foerderschule", "V": "foerderschule",
}  # fmt: skip

GANZTAG: dict[str, str] = {
    "ogs": "Offene Ganztagsschule (OGS)",
    "gebunden": "gebundener Ganztag",
    "teilgebunden": "teilgebundener Ganztag",
    "halbtag": "kein Ganztag (Halbtagsschule, ggf. Betreuung)",
}
_GANZTAG_ALIASES = {"OGS": "ogs", "offen": "ogs", "offener Ganztag": "ogs",
                    "gebundener Ganztag": "gebunden", "GGT": "gebunden",
                    "teilgebundener Ganztag": "teilgebunden", "kein": "halbtag",
                    "nein": "halbtag"}  # fmt: skip

JA_NEIN: dict[str, str] = {"ja": "ja", "nein": "nein"}
_JA_NEIN_ALIASES = {"j": "ja", "x": "ja", "1": "ja", "n": "nein", "0": "nein"}

BARRIEREFREI: dict[str, str] = {
    "barrierefrei": "barrierefrei",
    "teilweise": "teilweise barrierefrei",
    "nicht_barrierefrei": "nicht barrierefrei",
}
"""Codes that are no everyday word: a page showing ``ja`` is no code (release check)."""
_BARRIEREFREI_ALIASES = {"ja": "barrierefrei", "j": "barrierefrei", "teilw.": "teilweise",
                         "nein": "nicht_barrierefrei", "n": "nicht_barrierefrei"}  # fmt: skip

OBERSTUFE: dict[str, str] = {
    "eigene": "eigene gymnasiale Oberstufe",
    "kooperation": "Oberstufe in Kooperation mit einer anderen Schule",
    "keine": "keine Oberstufe",
}
_OBERSTUFE_ALIASES = {"ja": "eigene", "Kooperation": "kooperation", "nein": "keine"}

# --- reusable columns --------------------------------------------------------------------


def _schuljahr(description: str = "Schuljahr der Angabe", *, ahead: int = 0) -> Column:
    return Column(
        "schuljahr",
        Kind.SCHULJAHR,
        Role.PERIOD,
        description,
        aliases=("SJ", "Schul-Jahr"),
        minimum=2000,
        maximum=2099,
        school_years_ahead=ahead,
    )


def _schulnummer(description: str = "Schulnummer der meldenden Schule") -> Column:
    return Column(
        "schulnummer",
        Kind.SCHULNUMMER,
        Role.KEY,
        description,
        aliases=("Schulnr", "Schul-Nr.", "SchulNr", "Schulnummer (6-stellig)", "SNR"),
    )


def _jahrgang(low: int, high: int, description: str, role: Role = Role.KEY) -> Column:
    return Column(
        "jahrgang",
        Kind.INTEGER,
        role,
        description,
        aliases=("Jahrgangsstufe", "Jg", "Jg.", "Klassenstufe"),
        minimum=low,
        maximum=high,
    )


def _geschlecht() -> Column:
    return Column(
        "geschlecht",
        Kind.CODE,
        Role.KEY,
        "Geschlecht laut Schulverwaltungsprogramm",
        aliases=("Geschl", "Geschl."),
        codes=GESCHLECHT,
    )


def _count(name: str, description: str, *aliases: str) -> Column:
    return Column(name, Kind.COUNT, Role.MEASURE, description, aliases=aliases, minimum=0)


def _schulform(name: str, description: str, *aliases: str, role: Role = Role.ATTRIBUTE) -> Column:
    return Column(
        name,
        Kind.CODE,
        role,
        description,
        aliases=aliases,
        codes=SCHULFORMEN,
        code_aliases=_SCHULFORM_ALIASES,
    )


# --- the templates -----------------------------------------------------------------------

SCHULEN = Template(
    name="schulen",
    version="v1",
    title="Schulstammdaten",
    description=(
        "Verzeichnis aller Schulen in städtischer und privater Trägerschaft mit Stand-Datum. "
        "Geschlossene Schulen bleiben mit `betrieb_bis` im Verzeichnis, damit ältere "
        "Lieferungen ihrer Schulnummer zugeordnet werden können. Keine Messwerte: die "
        "Tabelle liefert die Attribute (Stadtbezirk, Schulform, Lage) für alle anderen."
    ),
    columns=(
        _schulnummer("Schulnummer der Schule (amtlich, 6-stellig)"),
        Column("name", Kind.TEXT, Role.ATTRIBUTE, "Bezeichnung der Schule",
               aliases=("Schulname", "Schulbezeichnung", "Bezeichnung")),
        _schulform("schulform", "Schulform (Schlüssel der amtlichen Schulstatistik)",
                   "SF", "Schulart", "Schulformschlüssel"),
        Column("stadtbezirk", Kind.CODE, Role.ATTRIBUTE, "Stadtbezirk des Schulstandorts (1–9)",
               aliases=("Bezirk", "Stadtbezirk Nr", "SBZ"), codes=STADTBEZIRKE),
        Column("traeger", Kind.CODE, Role.ATTRIBUTE, "Trägerschaft (Rechtsform 1/2 wird erkannt)",
               aliases=("Träger", "Trägerschaft", "Rechtsform", "öffentlich/privat"),
               codes=TRAEGER, code_aliases=_TRAEGER_ALIASES),
        Column("strasse", Kind.TEXT, Role.ATTRIBUTE, "Straße und Hausnummer",
               aliases=("Straße", "Anschrift", "Adresse")),
        Column("plz", Kind.PLZ, Role.ATTRIBUTE, "Postleitzahl", aliases=("Postleitzahl",)),
        Column("ort", Kind.TEXT, Role.ATTRIBUTE, "Ort", required=False, aliases=("Ortsname",)),
        Column("utm_ost", Kind.NUMBER, Role.ATTRIBUTE,
               "Rechtswert in UTM Zone 32 (EPSG:25832), Meter", required=False,
               aliases=("UTMRechtswert", "Rechtswert", "KoRe", "UTM East"),
               minimum=280000, maximum=540000),
        Column("utm_nord", Kind.NUMBER, Role.ATTRIBUTE,
               "Hochwert in UTM Zone 32 (EPSG:25832), Meter", required=False,
               aliases=("UTMHochwert", "Hochwert", "KoHo", "UTM North"),
               minimum=5560000, maximum=5830000),
        Column("betrieb_ab", Kind.SCHULJAHR, Role.ATTRIBUTE,
               "erstes Schuljahr im Betrieb (leer: vor 2000)", required=False,
               aliases=("in Betrieb seit", "Gründung"), minimum=2000, maximum=2099),
        Column("betrieb_bis", Kind.SCHULJAHR, Role.ATTRIBUTE,
               "letztes Schuljahr im Betrieb (leer: besteht)", required=False,
               aliases=("geschlossen", "ausgelaufen", "Schließung"), minimum=2000, maximum=2099),
        Column("stand", Kind.DATE, Role.PERIOD, "Stand des Verzeichnisses (Datum)",
               aliases=("Stichtag", "Stand Datum")),
    ),
    region_column="stadtbezirk",
)  # fmt: skip

SCHUELER = Template(
    name="schueler",
    version="v1",
    title="Schülerinnen und Schüler",
    description=(
        "Schülerinnen und Schüler am Stichtag 15. Oktober je Schule, Jahrgang, Geschlecht und "
        "Staatsangehörigkeit, mit den Merkmalen des Schulsozialindex (Familiensprache, eigene "
        "Zuwanderung, sonderpädagogischer Förderbedarf nach Förderschwerpunkt). Die "
        "Teilmengen sind Anzahlen derselben Gruppe; ein Kind zählt höchstens in einem "
        "Förderschwerpunkt (dem vorrangigen)."
    ),
    columns=(
        _schuljahr("Schuljahr (Stichtag 15. Oktober des ersten Kalenderjahres)"),
        _schulnummer(),
        _jahrgang(1, 13, "Jahrgangsstufe 1–13 (Berufskolleg: 11–13 für die Bildungsgänge)"),
        _geschlecht(),
        Column("staatsangehoerigkeit", Kind.CODE, Role.KEY, "Staatsangehörigkeit",
               aliases=("Nationalität", "Staatsang", "Staatsang."), codes=STAATSANGEHOERIGKEIT,
               code_aliases=_STAATSANGEHOERIGKEIT_ALIASES),
        _count("schueler", "Schülerinnen und Schüler",
               "Schüler/innen", "Schülerinnen und Schüler", "Anzahl Schüler", "SuS"),
        _count("nichtdeutsche_familiensprache",
               "darunter: in der Familie vorwiegend nicht Deutsch gesprochen",
               "Familiensprache nicht Deutsch", "nichtdeutsche Verkehrssprache",
               "Verkehrssprache in der Familie nicht deutsch"),
        _count("zuzug_ausland", "darunter: selbst aus dem Ausland zugezogen",
               "Zuzug aus dem Ausland", "selbst zugewandert"),
        _count("foerderbedarf_lernen", "darunter: Förderbedarf Förderschwerpunkt Lernen",
               "SPF Lernen", "Förderschwerpunkt Lernen"),
        _count("foerderbedarf_sprache", "darunter: Förderbedarf Förderschwerpunkt Sprache",
               "SPF Sprache", "Förderschwerpunkt Sprache"),
        _count("foerderbedarf_emotionale_soziale_entwicklung",
               "darunter: Förderbedarf Förderschwerpunkt Emotionale und soziale Entwicklung",
               "SPF ESE", "SPF emotionale und soziale Entwicklung",
               "Förderschwerpunkt Emotionale und soziale Entwicklung"),
        _count("foerderbedarf_sonstige",
               "darunter: Förderbedarf in einem anderen Förderschwerpunkt "
               "(Geistige, Körperliche und motorische Entwicklung, Hören, Sehen)",
               "SPF sonstige", "sonstige Förderschwerpunkte"),
    ),
    checks=(
        SumAtMost(("nichtdeutsche_familiensprache",), "schueler"),
        SumAtMost(("zuzug_ausland",), "schueler"),
        SumAtMost(
            (
                "foerderbedarf_lernen",
                "foerderbedarf_sprache",
                "foerderbedarf_emotionale_soziale_entwicklung",
                "foerderbedarf_sonstige",
            ),
            "schueler",
        ),
    ),
)  # fmt: skip

SCHULFORMWECHSEL = Template(
    name="schulformwechsel",
    version="v1",
    title="Schulformwechsel (Einzeldatensätze)",
    description=(
        "Eine Zeile je Wechsel der Schulform in der Sekundarstufe I, gemeldet von der "
        "aufnehmenden Schule. Personenbezogene Einzeldaten: nur mit Pseudonym, ohne Namen "
        "oder Geburtsdaten; sie verlassen das Data Warehouse nie — veröffentlicht werden nur "
        "Summen mit Geheimhaltung."
    ),
    columns=(
        _schuljahr("Schuljahr, in dem der Wechsel wirksam wurde"),
        Column("datensatz_id", Kind.PSEUDONYM, Role.KEY,
               "pseudonyme Kennung des Datensatzes (je Schuljahr eindeutig)",
               aliases=("Pseudonym", "Fall-ID", "Datensatz", "ID")),
        Column("von_schulnummer", Kind.SCHULNUMMER, Role.ATTRIBUTE,
               "Schulnummer der abgebenden Schule (leer: Schule außerhalb der Stadt)",
               required=False, aliases=("abgebende Schule", "Herkunftsschule", "von Schulnr")),
        Column("nach_schulnummer", Kind.SCHULNUMMER, Role.ATTRIBUTE,
               "Schulnummer der aufnehmenden Schule",
               aliases=("aufnehmende Schule", "Zielschule", "nach Schulnr")),
        _schulform("von_schulform", "Schulform der abgebenden Schule",
                   "bisherige Schulform", "Herkunftsschulform", "abgebende Schulform"),
        _schulform("nach_schulform", "Schulform der aufnehmenden Schule",
                   "neue Schulform", "Zielschulform", "aufnehmende Schulform"),
        _jahrgang(5, 10, "Jahrgangsstufe, in die aufgenommen wurde (5–10)", Role.ATTRIBUTE),
    ),
    checks=(Differs("von_schulform", "nach_schulform"),
            Differs("von_schulnummer", "nach_schulnummer")),
    per_case=True,
)  # fmt: skip

WIEDERHOLER = Template(
    name="wiederholer",
    version="v1",
    title="Wiederholerinnen und Wiederholer",
    description=(
        "Wiederholungen je Schule und Jahrgang am Stichtag 15. Oktober des Schuljahres, in "
        "dem wiederholt wird: nicht versetzt und freiwillig, dazu alle Schülerinnen und "
        "Schüler dieses Jahrgangs (Nenner der Wiederholerquote; Wiederholer zählen mit)."
    ),
    columns=(
        _schuljahr("Schuljahr, in dem wiederholt wird (Stichtag 15. Oktober)"),
        _schulnummer(),
        _jahrgang(1, 13, "Jahrgangsstufe, die wiederholt wird"),
        _count("wiederholer_nicht_versetzt", "Wiederholungen wegen Nichtversetzung",
               "nicht versetzt", "Nichtversetzte", "Wiederholer nicht versetzt"),
        _count("wiederholer_freiwillig", "freiwillige Wiederholungen",
               "freiwillig", "freiwillige Wiederholer", "freiwillig wiederholt"),
        _count("schueler", "alle Schülerinnen und Schüler des Jahrgangs",
               "Schüler/innen", "Schüler im Jahrgang", "SuS Jahrgang", "SuS"),
    ),
    checks=(SumAtMost(("wiederholer_nicht_versetzt", "wiederholer_freiwillig"), "schueler"),),
)  # fmt: skip

FEHLZEITEN = Template(
    name="fehlzeiten",
    version="v1",
    title="Fehlzeiten",
    description=(
        "Versäumte Unterrichtsstunden je Schule und Jahrgang im ganzen Schuljahr, entschuldigt "
        "und unentschuldigt, dazu die Schülerzahl und die Zahl der Schülerinnen und Schüler "
        "mit mehr als 20 unentschuldigten Stunden (Schwellenwert der Stadt)."
    ),
    columns=(
        _schuljahr("Schuljahr, über das die Fehlzeiten summiert sind"),
        _schulnummer(),
        _jahrgang(1, 13, "Jahrgangsstufe"),
        _count("stunden_entschuldigt", "entschuldigte Fehlstunden (Summe aller Kinder)",
               "Fehlstunden entschuldigt", "entschuldigte Fehlstunden", "FS entschuldigt"),
        _count("stunden_unentschuldigt", "unentschuldigte Fehlstunden (Summe aller Kinder)",
               "Fehlstunden unentschuldigt", "unentschuldigte Fehlstunden",
               "FS unentschuldigt"),
        _count("schueler", "Schülerinnen und Schüler des Jahrgangs",
               "Schüler/innen", "SuS", "Anzahl Schüler"),
        _count("schueler_ueber_schwellenwert",
               "darunter: mit mehr als 20 unentschuldigten Stunden",
               "Schüler über Schwellenwert", "SuS über 20 Std unentschuldigt",
               "mehr als 20 Std unentschuldigt"),
    ),
    checks=(
        SumAtMost(("schueler_ueber_schwellenwert",), "schueler"),
        SumAtMost(("schueler_ueber_schwellenwert",), "stunden_unentschuldigt", factor=21),
    ),
)  # fmt: skip

ABGAENGER = Template(
    name="abgaenger",
    version="v1",
    title="Abgängerinnen und Abgänger nach Abschluss",
    description=(
        "Abgängerinnen und Abgänger allgemeinbildender Schulen am Ende des Schuljahres nach "
        "höchstem erreichten Abschluss und Geschlecht (Schulort). Das Schuljahr 2016/17 "
        "entspricht dem Abgangsjahr 2017 der amtlichen Statistik. Ohne Hauptschulabschluss "
        "zählen `ohne_hsa` und `foerderschule`."
    ),
    columns=(
        _schuljahr("Schuljahr, an dessen Ende die Schule verlassen wurde"),
        _schulnummer(),
        Column("abschlussart", Kind.CODE, Role.KEY, "höchster erreichter Abschluss",
               aliases=("Abschluss", "Art des Abschlusses", "Abschlussart (Code)"),
               codes=ABSCHLUSSARTEN, code_aliases=_ABSCHLUSS_ALIASES),
        _geschlecht(),
        _count("abgaenger", "Abgängerinnen und Abgänger",
               "Abgänger/innen", "Schulabgänger", "Anzahl Abgänger", "Anzahl"),
    ),
)  # fmt: skip

UEBERGAENGE = Template(
    name="uebergaenge",
    version="v1",
    title="Übergänge Grundschule → Sekundarstufe I",
    description=(
        "Kinder der Klasse 4 je abgebender Grundschule nach der Schulform, an der sie im "
        "folgenden Schuljahr in Klasse 5 aufgenommen wurden. Das Schuljahr ist das der "
        "Aufnahme in Klasse 5."
    ),
    columns=(
        _schuljahr("Schuljahr der Aufnahme in Klasse 5"),
        _schulnummer("Schulnummer der abgebenden Grundschule"),
        Column("schulform_ziel", Kind.CODE, Role.KEY, "Schulform der aufnehmenden Schule",
               aliases=("Zielschulform", "aufnehmende Schulform", "Schulform Sek I"),
               codes=UEBERGANG_ZIELE, code_aliases=_SCHULFORM_ALIASES),
        _count("schueler", "Kinder, die auf diese Schulform übergegangen sind",
               "Übergänge", "Anzahl", "Schüler/innen", "Anzahl Übergänge"),
    ),
)  # fmt: skip

SCHULPROFIL = Template(
    name="schulprofil",
    version="v1",
    title="Schulprofil für die Schulwegweiser",
    description=(
        "Was Eltern vor der Anmeldung wissen wollen, je Schule für das Schuljahr, für das "
        "angemeldet wird: Ganztag, Sprachen, Profil, Gemeinsames Lernen, Zügigkeit, "
        "Anmeldezeitraum, Tag der offenen Tür, Barrierefreiheit; für weiterführende Schulen "
        "auch Abschlüsse, Oberstufe und zweite Fremdsprache. Name, Anschrift, Kontakt und Lage "
        "kommen aus dem Schulverzeichnis des Ministeriums, nicht aus dieser Vorlage. Keine "
        "Messwerte."
    ),
    columns=(
        _schuljahr("Schuljahr, für das angemeldet wird (Einschulung bzw. Klasse 5)", ahead=1),
        _schulnummer("Schulnummer der Schule (amtlich, 6-stellig)"),
        Column("ganztag", Kind.CODE, Role.ATTRIBUTE, "Ganztagsangebot",
               aliases=("Ganztagsangebot", "Ganztag/OGS", "Betreuung"),
               codes=GANZTAG, code_aliases=_GANZTAG_ALIASES),
        Column("ganztag_bis", Kind.TEXT, Role.ATTRIBUTE,
               "Ende des Ganztags an Schultagen (Uhrzeit wie 16:00)", required=False,
               aliases=("Ganztag bis", "Betreuung bis", "Ende Ganztag")),
        Column("fremdsprachen", Kind.TEXT, Role.ATTRIBUTE,
               "Fremdsprachen im Unterricht, durch Komma getrennt (z. B. Englisch, Französisch)",
               aliases=("Sprachen", "Fremdsprachenangebot")),
        Column("profil", Kind.TEXT, Role.ATTRIBUTE,
               "Profil und Schwerpunkte (z. B. MINT, Musik, bilingual), kurz", required=False,
               aliases=("Schwerpunkte", "Schulprofil", "Profil/Schwerpunkt")),
        Column("gemeinsames_lernen", Kind.CODE, Role.ATTRIBUTE,
               "Schule des Gemeinsamen Lernens (Inklusion)",
               aliases=("Gemeinsames Lernen", "GL", "Inklusion"),
               codes=JA_NEIN, code_aliases=_JA_NEIN_ALIASES),
        Column("zuege", Kind.INTEGER, Role.ATTRIBUTE,
               "Zügigkeit: Klassen je Jahrgang (Eingangsklassen)",
               aliases=("Zügigkeit", "Klassen je Jahrgang", "Eingangsklassen"),
               minimum=1, maximum=12),
        Column("anmeldung_von", Kind.DATE, Role.ATTRIBUTE, "erster Tag der Anmeldung",
               aliases=("Anmeldung ab", "Anmeldezeitraum von", "Anmeldebeginn")),
        Column("anmeldung_bis", Kind.DATE, Role.ATTRIBUTE, "letzter Tag der Anmeldung",
               aliases=("Anmeldung bis", "Anmeldezeitraum bis", "Anmeldeschluss")),
        Column("tag_der_offenen_tuer", Kind.DATE, Role.ATTRIBUTE, "Tag der offenen Tür",
               required=False, aliases=("Tag der offenen Tür", "Infotag", "offene Tür")),
        Column("barrierefrei", Kind.CODE, Role.ATTRIBUTE, "Barrierefreiheit des Gebäudes",
               aliases=("Barrierefreiheit", "barrierefreies Gebäude"),
               codes=BARRIEREFREI, code_aliases=_BARRIEREFREI_ALIASES),
        Column("abschluesse", Kind.TEXT, Role.ATTRIBUTE,
               "weiterführende Schulen: mögliche Abschlüsse, durch Komma getrennt",
               required=False, aliases=("Abschlüsse", "Schulabschlüsse")),
        Column("oberstufe", Kind.CODE, Role.ATTRIBUTE,
               "weiterführende Schulen: gymnasiale Oberstufe", required=False,
               aliases=("Sekundarstufe II", "gymnasiale Oberstufe"),
               codes=OBERSTUFE, code_aliases=_OBERSTUFE_ALIASES),
        Column("zweite_fremdsprache_ab", Kind.INTEGER, Role.ATTRIBUTE,
               "weiterführende Schulen: zweite Fremdsprache ab Klasse", required=False,
               aliases=("2. Fremdsprache ab", "zweite Fremdsprache ab Klasse"),
               minimum=5, maximum=11),
        Column("hinweise", Kind.TEXT, Role.ATTRIBUTE,
               "Hinweise für Eltern: Unterlagen zur Anmeldung, Einzugsbereich, Besonderes",
               required=False, aliases=("Hinweise für Eltern", "Bemerkungen", "Unterlagen")),
    ),
    checks=(Differs("anmeldung_von", "tag_der_offenen_tuer"),),
)  # fmt: skip

ANMELDUNGEN = Template(
    name="anmeldungen",
    version="v1",
    title="Anmeldungen und Aufnahmekapazität",
    description=(
        "Anmeldungen, Aufnahmekapazität (Plätze in den Eingangsklassen) und Aufnahmen je "
        "Schule und Schuljahr der Aufnahme: Einschulungen an Grundschulen, Klasse 5 an "
        "weiterführenden Schulen. Zahlen von Anmeldungen, keine Schülerdaten; veröffentlicht "
        "wird je Schule und Jahr."
    ),
    columns=(
        _schuljahr("Schuljahr der Aufnahme", ahead=1),
        _schulnummer("Schulnummer der aufnehmenden Schule"),
        _count("aufnahmekapazitaet", "Plätze in den Eingangsklassen",
               "Aufnahmekapazität", "Kapazität", "Plätze"),
        _count("anmeldungen", "Anmeldungen (Erstwunsch)", "Anmeldungen Erstwunsch",
               "Anzahl Anmeldungen"),
        _count("aufnahmen", "aufgenommene Kinder", "Aufnahmen", "aufgenommen"),
    ),
    checks=(SumAtMost(("aufnahmen",), "anmeldungen"),),
)  # fmt: skip

TEMPLATES: tuple[Template, ...] = (
    SCHULEN,
    SCHUELER,
    SCHULFORMWECHSEL,
    WIEDERHOLER,
    FEHLZEITEN,
    ABGAENGER,
    UEBERGAENGE,
    SCHULPROFIL,
    ANMELDUNGEN,
)
"""Every template in every version the parser accepts."""


def template(name: str, version: str = LATEST_VERSION) -> Template:
    """Look a template up by name and version."""
    for candidate in TEMPLATES:
        if candidate.name == name and candidate.version == version:
            return candidate
    raise KeyError(f"no template {name!r} in version {version!r}")


# --- documentation -----------------------------------------------------------------------

_GENERAL_RULES = """\
## Allgemeine Regeln

- **Formate**: CSV mit Semikolon `;` als Trennzeichen (UTF-8, auch mit BOM, oder Windows-1252)
  oder Excel-Arbeitsmappe `.xlsx` (das erste Tabellenblatt mit erkannter Kopfzeile zählt).
- **Kopfzeile**: eine Zeile mit den Spaltennamen unten; Titelzeilen darüber werden übergangen.
  Groß-/Kleinschreibung, Leerzeichen, Satzzeichen und Umlaute (ü/ue/u) spielen keine Rolle.
  Frühere Spaltennamen (Spalte „frühere Namen“) werden zugeordnet und im Protokoll vermerkt.
  Fehlt eine Pflichtspalte, wird die Datei mit dem Namen der Spalte abgelehnt. Unbekannte
  Spalten werden ignoriert und im Protokoll vermerkt.
- **Schulnummern** haben 6 Ziffern. Hat Excel die führende Null entfernt (`12345`), wird sie
  ergänzt und vermerkt. Schulnummern bitte als Text formatieren.
- **Leerzeilen** und **Summenzeilen** (`Summe`, `Gesamt`, `insgesamt` in einer Schlüsselspalte
  oder eine Zeile am Ende ohne Schlüssel) werden übersprungen und vermerkt.
- **Codes** dürfen auch mit ihrer Bezeichnung geschrieben werden (`Gymnasium` statt `20`,
  `weiblich` statt `w`); weitere angenommene Schreibweisen stehen unter jeder Tabelle.
- **Anzahlen** sind ganze Zahlen ≥ 0; `-` bedeutet genau null, `.` unbekannt.
- **Doppelte Schlüssel** (gleiche Werte in allen Schlüsselspalten) sind ein Fehler.
- **Fehlermeldungen** nennen Datei, Zeile (wie in Excel: die Kopfzeile mitgezählt), Spalte,
  Wert und verletzte Regel.
- **Geheimhaltung**: die Dateien bleiben im Data Warehouse; veröffentlicht werden nur
  Kennzahlen, kleine Zahlen werden gesperrt.
"""


def render_markdown(version: str = LATEST_VERSION) -> str:
    """The template documentation for one version, as Markdown."""
    lines = [
        f"# Liefervorlagen der Schulverwaltung — Version {version}",
        "",
        "<!-- Generated from pipelines/ingest/schulen_templates.py by "
        "`python -m pipelines.ingest.schulen_templates`; do not edit by hand. -->",
        "",
        "Die Schulen und die Schulverwaltung liefern ihre Daten in diesen Vorlagen. Der Parser "
        "`pipelines/ingest/schulen.py` erkennt die Vorlage an der Kopfzeile und prüft jede "
        "Zeile nach den Regeln unten.",
        "",
        _GENERAL_RULES,
    ]
    for tpl in (t for t in TEMPLATES if t.version == version):
        lines += _render_template(tpl)
    return "\n".join(lines).rstrip() + "\n"


def _render_template(tpl: Template) -> list[str]:
    key = ", ".join(f"`{name}`" for name in tpl.key)
    lines = [
        f"## `{tpl.name}` — {tpl.title}",
        "",
        tpl.description,
        "",
        f"- Tabellencode: `{tpl.table_code}`; eindeutiger Schlüssel: {key}",
        f"- Tidy-Tabelle: `period` = `{tpl.period_column}`; Dimensionen "
        + ", ".join(f"`{d}`" for d in tpl.dimensions)
        + f"; `value` = {tpl.value_description()}",
        "",
        "| Spalte | Typ | Pflicht | erlaubte Werte | Beschreibung | frühere Namen |",
        "|---|---|---|---|---|---|",
    ]
    for col in tpl.columns:
        aliases = ", ".join(f"`{a}`" for a in col.aliases) or "–"
        required = "ja" if col.required else "nein"
        lines.append(
            f"| `{col.name}` | {col.kind.value} | {required} | {_cell(col.expectation())} "
            f"| {_cell(col.description)} | {aliases} |"
        )
    code_columns = [c for c in tpl.columns if c.code_aliases]
    for col in code_columns:
        accepted = ", ".join(
            f"`{a}` → `{c}`" for a, c in col.code_aliases.items() if c in (col.codes or {})
        )
        lines += ["", f"Auch angenommen in `{col.name}`: {accepted}."]
    if tpl.checks:
        lines += ["", "Prüfregeln je Zeile:", ""]
        lines += [f"- {check.describe()}" for check in tpl.checks]
    lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DOC_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote {target}")
