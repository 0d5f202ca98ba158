"""German number, change and symbol formatting: one place, so every page writes a value alike."""

from __future__ import annotations

import decimal
import textwrap
from collections.abc import Iterable, Sequence

import pandas as pd
from babel.numbers import format_decimal
from bm_daten import LOCALE, Indicator

SYMBOLS = {
    "-": "genau null",
    "0": "weniger als die Hälfte von 1 in der letzten besetzten Stelle, jedoch mehr als nichts",
    ".": "gesperrt: Zahlenwert unbekannt oder zum Schutz einzelner Personen geheim gehalten",
    "x": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    "...": "Angabe fällt später an",
    "/": "keine Angabe, da Zahlenwert nicht sicher genug",
    "()": "Aussagewert eingeschränkt, da der Zahlenwert statistisch relativ unsicher ist",
    "p": "vorläufige Zahl",
    "r": "berichtigte Zahl",
    "s": "geschätzte Zahl",
    "*": "anonymisiert (Wert unter 10, Statistik der Bundesagentur für Arbeit)",
}
"""The special symbols of official statistics, as the report explains them."""

SOURCE_NAMES = {
    "itnrw": "IT.NRW",
    "schulen": "Schulverwaltung der Stadt Krefeld",
    "ba": "Statistik der Bundesagentur für Arbeit",
}


def format_number(value: float | None, decimals: int = 0) -> str:
    """``2160`` → ``2.160``; ``8.0555`` with 1 decimal → ``8,1``. Rounds half up (as the
    official tables do), not half to even."""
    if value is None or pd.isna(value):
        return "."
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        return format_decimal(value, format=pattern, locale=LOCALE)


def format_percent(value: float | None, decimals: int = 1) -> str:
    """A value already in percent: ``8.0555`` → ``8,1 %``."""
    if value is None or pd.isna(value):
        return "."
    return f"{format_number(value, decimals)} %"


def decimals(unit: str) -> int:
    """Decimals shown for a unit: counts and euro amounts without, weights with two, everything
    else one."""
    return {"Anzahl": 0, "EUR": 0, "Gewicht": 2}.get(unit, 1)


def symbol_or_none(symbol: object) -> str | None:
    return symbol if isinstance(symbol, str) and symbol else None  # NaN/None from pandas


def format_value(value: float | None, symbol: str | None = None, unit: str = "%") -> str:
    """A mart value as shown in tables: the number (with ``%``), or the disclosure symbol.

    A missing value shows its symbol (``.`` secret/unknown, ``x`` blocked, ``-`` zero …); a
    symbol next to a number (``p`` provisional, ``r`` revised) follows the number.
    """
    symbol = symbol_or_none(symbol)
    if value is None or pd.isna(value):
        return symbol or "."
    text = format_percent(value) if unit == "%" else format_number(value, decimals(unit))
    return f"{text} {symbol}" if symbol else text


def unit_label(unit: str) -> str:
    """An axis or column label for a unit."""
    return {"%": "Anteil in %", "Anzahl": "Anzahl"}.get(unit, unit)


def format_change(new: float | None, old: float | None, unit: str) -> str:
    """Change to the previous year: percentage points for shares, else the difference (and,
    for counts, the relative change)."""
    if new is None or old is None or pd.isna(new) or pd.isna(old):
        return "–"
    delta = new - old
    digits = decimals(unit)
    if round(delta, digits) == 0:
        return "±0"
    sign = "+" if delta > 0 else "−"
    text = sign + format_number(abs(delta), digits)
    if unit == "%":
        return text + " %-Pkt."
    if unit == "Anzahl" and old:
        return f"{text} ({sign}{format_number(abs(100 * delta / old), 1)} %)"
    return text


def assessment(new: float | None, old: float | None, entry: Indicator) -> str:
    """Whether the change is favourable, by the catalogue's ``higher_is_better``."""
    if entry.higher_is_better is None or new is None or old is None or pd.isna(new) or pd.isna(old):
        return "–"
    if round(new - old, decimals(entry.unit)) == 0:
        return "unverändert"
    return "günstiger" if (new > old) == entry.higher_is_better else "ungünstiger"


def sources(frame: pd.DataFrame) -> str:
    """The data sources of a frame in words, for a 'Quelle:' line."""
    names = [SOURCE_NAMES.get(s, s) for s in sorted(frame["source"].dropna().unique())]
    return ", ".join(names) or "."


def wrap_labels(labels: Iterable[str], width: int) -> list[str]:
    """Axis labels broken into lines of at most ``width`` characters."""
    return ["\n".join(textwrap.wrap(str(label), width)) for label in labels]


JUDGEMENT = {
    True: "höhere Werte sind günstiger",
    False: "niedrigere Werte sind günstiger",
}
LEVEL_NAMES = {
    "Land": "Nordrhein-Westfalen",
    "Stadt": "kreisfreie Städte",
    "Agenturbezirk": "Agenturbezirk",
    "Stadtbezirk": "Stadtbezirke",
    "Schule": "Schulen",
}


def format_count(value: float) -> str:
    """A count as tables show it: ``1.234``, or the symbol when missing."""
    return format_value(value, None, "Anzahl")


def aufzaehlung(items: Sequence[str]) -> str:
    """Names as a German enumeration: ``A``, ``A und B``, ``A, B und C``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " und " + items[-1]
