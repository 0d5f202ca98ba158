"""Header vocabulary of the BA workbooks: each table's labels, their rewordings, its layout.

Deliveries reword labels between editions ("Arbeitslosenquote bezogen auf alle zivilen
Erwerbspersonen" / "Arbeitslosenquote (alle zivilen Erwerbspersonen)"), add footnote marks
("UVB ohne Alternative1)") or hyphenate differently ("SGB II-Quote" / "SGB-II-Quote"). Labels are
compared after :func:`norm_label`; a new rewording is one more synonym here, not new code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

PARSER = "ba-xlsx"
PARSER_BIBB = "ba-xlsx-bibb"

_SUPERSCRIPTS = str.maketrans("", "", "¹²³⁴⁵⁶⁷⁸⁹⁰")
_FOOTNOTE = re.compile(r"(?<!\d)\s*\d{1,2}\)\s*$|\s*\*+\s*$")


@cache
def norm_label(text: str) -> str:
    """Compare labels ignoring case, footnote marks, punctuation, hyphens and line breaks."""
    s = unicodedata.normalize("NFC", text.translate(_SUPERSCRIPTS)).replace("\u00a0", " ")
    s = s.strip()
    while (stripped := _FOOTNOTE.sub("", s)) != s:
        s = stripped
    s = s.lower()
    s = re.sub(r"[‐‑–—-]", " ", s)
    s = re.sub(r"[():,;]", " ", s)
    s = re.sub(r"\s+in\s*%$", "", re.sub(r"\s+", " ", s).strip())
    return s.strip()


def cell_text(raw: object) -> str:
    """A cell as trimmed text; whole floats lose their ".0" (Excel stores 2022 as 2022.0)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


@dataclass(frozen=True)
class Label:
    """A header label: the spelling shown in messages plus the rewordings seen in deliveries."""

    display: str
    synonyms: tuple[str, ...] = ()

    @cached_property
    def normed(self) -> frozenset[str]:
        return _normed_set((self.display, *self.synonyms))

    def matches(self, parts: Sequence[str]) -> bool:
        return not self.normed.isdisjoint(parts)


@cache
def _normed_set(spellings: tuple[str, ...]) -> frozenset[str]:
    return frozenset(norm_label(s) for s in spellings)


@dataclass(frozen=True)
class ValueColumn:
    """A value column: upper header level ``group``, lower level ``sub``.

    ``sub=None`` means one column per year below the group (plus ``VR``, the change on the
    previous year in %), as in the BIBB layout.
    """

    group: Label
    sub: Label | None
    dims: tuple[tuple[str, str], ...]
    required: bool = True

    @property
    def display(self) -> str:
        return f"{self.group.display} › {self.sub.display if self.sub else '<Jahr>'}"


@dataclass(frozen=True)
class Layout:
    """One table's header: the row-label columns (by role) and the value columns."""

    name: str
    table: str
    table_code: str
    parser: str
    row_labels: tuple[tuple[str, Label], ...]
    values: tuple[ValueColumn, ...]
    period_from: str  # "row" | "berichtsjahr" | "dezember" | "column"
    title_words: tuple[str, ...]
    dimensions: tuple[str, ...]

    def expected(self) -> list[str]:
        labels = [label.display for _, label in self.row_labels]
        return labels + [v.display for v in self.values if v.required]


_REGION = Label(
    "Region",
    (
        "Regionale Gliederung",
        "Gebiet",
        "Regionaleinheit",
        "Region (Schlüssel und Name)",
        "Kreise und kreisfreie Städte",
        "Agenturbezirk",
        "Agentur für Arbeit",
        "Jobcenter",
        "Stadtbezirk",
        "Regionalschlüssel und Name",
    ),
)
_MONAT = Label("Berichtsmonat", ("Monat", "Berichtszeitraum", "Zeitraum", "Stichtag"))
_BERUF = Label(
    "Berufshauptgruppe (KldB 2010)",
    (
        "Berufshauptgruppe",
        "Berufshauptgruppen",
        "Beruf",
        "Berufe",
        "Berufe nach KldB 2010",
        "Berufshauptgruppe (ohne die Berufe für Menschen mit Behinderung)",
    ),
)

_INSGESAMT = Label("Insgesamt", ("Gesamt", "Zusammen"))
_UNTER_25 = Label(
    "unter 25 Jahre",
    ("unter 25 Jahren", "15 bis unter 25 Jahre", "15 bis unter 25 Jahren", "jünger als 25 Jahre"),
)
_SGB3 = Label(
    "Rechtskreis SGB III",
    ("SGB III", "SGB 3", "Rechtskreis SGB 3", "SGB III (Arbeitslosenversicherung)"),
)
_SGB2 = Label(
    "Rechtskreis SGB II",
    ("SGB II", "SGB 2", "Rechtskreis SGB 2", "SGB II (Grundsicherung)", "SGB II (Bürgergeld)"),
)
_ARBEITSLOSE = Label("Arbeitslose", ("Bestand an Arbeitslosen", "Arbeitslose (Bestand)"))
_ALO_QUOTE = Label(
    "Arbeitslosenquote bezogen auf alle zivilen Erwerbspersonen",
    (
        "Arbeitslosenquote",
        "Arbeitslosenquoten",
        "Arbeitslosenquote (alle zivilen Erwerbspersonen)",
        "Arbeitslosenquote in % aller zivilen Erwerbspersonen",
        "Arbeitslosenquote auf Basis aller zivilen Erwerbspersonen",
        "Arbeitslosenquoten bezogen auf alle zivilen Erwerbspersonen",
    ),
)


def _alo_columns() -> tuple[ValueColumn, ...]:
    subs = (
        (_INSGESAMT, "insgesamt", "insgesamt"),
        (_SGB3, "insgesamt", "sgb3"),
        (_SGB2, "insgesamt", "sgb2"),
        (_UNTER_25, "unter_25", "insgesamt"),
    )
    return tuple(
        ValueColumn(
            group,
            sub,
            (("merkmal", merkmal), ("personengruppe", gruppe), ("rechtskreis", kreis)),
        )
        for group, merkmal in ((_ARBEITSLOSE, "arbeitslose"), (_ALO_QUOTE, "arbeitslosenquote"))
        for sub, gruppe, kreis in subs
    )


ARBEITSLOSE = Layout(
    name="ba-arbeitslose",
    table="arbeitslose",
    table_code="ba-arbeitslose-rechtskreise-monat",
    parser=PARSER,
    row_labels=(("region", _REGION), ("monat", _MONAT)),
    values=_alo_columns(),
    period_from="row",
    title_words=("arbeitslose",),
    dimensions=("merkmal", "personengruppe", "rechtskreis"),
)

_BEWERBER = Label(
    "Bewerber für Berufsausbildungsstellen",
    (
        "Bewerber",
        "Gemeldete Bewerber",
        "Gemeldete Bewerber für Berufsausbildungsstellen",
        "Bewerberinnen und Bewerber",
        "Bewerberinnen und Bewerber für Berufsausbildungsstellen",
    ),
)
_STELLEN = Label(
    "Berufsausbildungsstellen",
    (
        "Gemeldete Berufsausbildungsstellen",
        "Ausbildungsstellen",
        "Gemeldete Ausbildungsstellen",
        "Berufsausbildungsstellen (gemeldet)",
    ),
)
_NAA_BA = Label(
    "Neu abgeschlossene Ausbildungsverträge",
    ("Neue Ausbildungsverträge", "Neu abgeschlossene Ausbildungsverträge (BIBB)"),
)
_UNVERSORGT = Label("darunter: unversorgt", ("unversorgt", "darunter unversorgte Bewerber"))
_MIT_ALTERNATIVE = Label(
    "darunter: mit Alternative zum 30.09.",
    ("mit Alternative zum 30.09.", "darunter: mit Alternative", "mit Alternative"),
)
_UNBESETZT = Label("darunter: unbesetzt", ("unbesetzt", "darunter unbesetzte Stellen"))

EINHEIT_ANZAHL = "anzahl"
EINHEIT_VR = "veraenderung_prozent"
"""``einheit`` of the training market: counts (persons, contracts, places; never negative) and
the BIBB's ``VR`` columns, the change on the previous year in per cent (may be negative)."""
_ANZAHL = ("einheit", EINHEIT_ANZAHL)

AUSBILDUNGSMARKT = Layout(
    name="ba-ausbildungsmarkt",
    table="ausbildungsmarkt",
    table_code="ba-ausbildungsmarkt-berufe",
    parser=PARSER,
    row_labels=(("region", _REGION), ("beruf", _BERUF)),
    values=(
        ValueColumn(_BEWERBER, _INSGESAMT, (("merkmal", "bewerber"), _ANZAHL)),
        ValueColumn(_BEWERBER, _UNVERSORGT, (("merkmal", "unversorgte_bewerber"), _ANZAHL)),
        ValueColumn(
            _BEWERBER, _MIT_ALTERNATIVE, (("merkmal", "bewerber_mit_alternative"), _ANZAHL), False
        ),
        ValueColumn(_STELLEN, _INSGESAMT, (("merkmal", "stellen"), _ANZAHL)),
        ValueColumn(_STELLEN, _UNBESETZT, (("merkmal", "unbesetzte_stellen"), _ANZAHL)),
        ValueColumn(_NAA_BA, _INSGESAMT, (("merkmal", "neue_vertraege"), _ANZAHL), False),
    ),
    period_from="berichtsjahr",
    title_words=("ausbildung", "bewerber"),
    dimensions=("merkmal", "einheit", "beruf", "beruf_name"),
)


def _bibb_group(merkmal: str, display: str, *synonyms: str) -> ValueColumn:
    """Counts of one measure per year; its ``VR`` column gets ``einheit`` = ``veraenderung_prozent``
    and ``merkmal`` = ``<merkmal>_vr_prozent`` (see ``ba._year_columns``)."""
    return ValueColumn(Label(display, synonyms), None, (("merkmal", merkmal), _ANZAHL))


AUSBILDUNGSMARKT_BIBB = Layout(
    name="bibb-ausbildungsmarkt",
    table="ausbildungsmarkt",
    table_code="bibb-ba-ausbildungsmarkt-30-09",
    parser=PARSER_BIBB,
    row_labels=(("beruf", _BERUF),),
    values=(
        _bibb_group("neue_vertraege", "NAA", "Neu abgeschlossene Ausbildungsverträge"),
        _bibb_group(
            "unversorgte_bewerber",
            "UVB ohne Alternative",
            "Unvermittelte Bewerber ohne Alternative",
            "Unversorgte Bewerber",
        ),
        _bibb_group(
            "bewerber_mit_alternative",
            "UVB mit Alternative",
            "Unvermittelte Bewerber mit Alternative",
        ),
        _bibb_group(
            "unbesetzte_stellen",
            "UBA",
            "Unbesetzte Ausbildungsplätze",
            "Unbesetzte Ausbildungsstellen",
        ),
        _bibb_group("angebot", "Angebot", "Ausbildungsplatzangebot"),
        _bibb_group(
            "nachfrage",
            "Nachfrage nach alter Definition",
            "Nachfrage nach alter Definiton",
            "Nachfrage (alte Definition)",
        ),
        _bibb_group(
            "nachfrage_erweitert",
            "Nachfrage nach erweiterter Definition",
            "Nachfrage (erweiterte Definition)",
        ),
    ),
    period_from="column",
    title_words=("ausbildungsverträge", "ausbildungsplätze"),
    dimensions=("merkmal", "einheit", "beruf", "beruf_name"),
)

_UNTER_15 = Label("unter 15 Jahre", ("unter 15 Jahren", "0 bis unter 15 Jahre"))
_UNTER_18 = Label("unter 18 Jahre", ("unter 18 Jahren", "0 bis unter 18 Jahre"))
_NEF = Label(
    "Nicht erwerbsfähige Leistungsberechtigte (NEF)",
    ("Nicht erwerbsfähige Leistungsberechtigte", "NEF", "nicht erwerbsfähige LB"),
)
_BEVOELKERUNG = Label(
    "Bevölkerung", ("Einwohner", "Bevölkerung am 31.12.", "Einwohnerinnen und Einwohner")
)
_SGB2_QUOTE = Label(
    "SGB II-Quote", ("SGB-II-Quote", "SGB II Quote", "Quote SGB II", "SGB II-Quoten")
)

SGB2 = Layout(
    name="ba-sgb2",
    table="sgb2",
    table_code="ba-grusi-sgb2-quoten-kleinraeumig",
    parser=PARSER,
    row_labels=(("region", _REGION),),
    values=(
        ValueColumn(_SGB2_QUOTE, _UNTER_15, (("merkmal", "sgb2_quote_unter_15"),)),
        ValueColumn(_SGB2_QUOTE, _UNTER_18, (("merkmal", "sgb2_quote_unter_18"),), False),
        ValueColumn(_NEF, _UNTER_15, (("merkmal", "nef_unter_15"),), False),
        ValueColumn(_BEVOELKERUNG, _UNTER_15, (("merkmal", "bevoelkerung_unter_15"),), False),
    ),
    period_from="dezember",
    title_words=("sgb ii-quote", "leistungsberechtigte", "grundsicherung"),
    dimensions=("merkmal",),
)

LAYOUTS: tuple[Layout, ...] = (ARBEITSLOSE, AUSBILDUNGSMARKT, AUSBILDUNGSMARKT_BIBB, SGB2)
