"""Special symbols of official statistics (Zeichenerklärung) and how cells carry them.

A cell holds either a number or a symbol (``-`` zero, ``.`` secret/unknown, ``x`` not
meaningful, ``/`` unreliable, ``...`` not yet available, ``*`` BA anonymised), possibly a
number followed by a flag (``p`` provisional, ``r`` revised, ``s`` estimated). Symbols are
kept in their own column — never lost and never silently turned into 0.
"""

from __future__ import annotations

import math
import re

SYMBOLS: dict[str, str] = {
    "-": "genau null",
    "0": "weniger als die Hälfte von 1 in der letzten besetzten Stelle",
    ".": "Zahlenwert unbekannt oder geheim zu halten",
    "x": "Tabellenfach gesperrt, weil Aussage nicht sinnvoll",
    "/": "keine Angaben, da Zahlenwert nicht sicher genug",
    "...": "Angabe fällt später an",
    "*": "anonymisiert (Werte kleiner 3 bzw. 10)",
    "()": "Aussagewert eingeschränkt",
}
"""Symbol → German meaning, as printed in the report's legend."""

TRAILING_FLAGS = ("p", "r", "s")

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_NUMBER_POINT = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


class CellError(ValueError):
    """A cell that is neither a number nor a known symbol."""


def parse_cell(raw: object, *, decimal: str = ",") -> tuple[float | None, str | None]:
    """Split a raw cell into ``(value, symbol)``.

    ``-`` means exactly zero, so it yields ``(0.0, "-")``: the value is known and the symbol
    records how it was written; a lone ``0`` likewise yields ``(0.0, "0")``. Every other
    symbol yields ``(None, symbol)``. A trailing ``p``/``r``/``s`` flag is kept as the symbol.
    ``decimal`` is ``","`` for German CSV (``1.234,5``) and ``"."`` for ffcsv and XLSX cells
    written as text.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        raise CellError(f"not a number: {raw!r}")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and math.isnan(raw):
            return None, None
        return float(raw), None
    text = str(raw).strip()
    if text == "":
        return None, None
    if text in ("-", "0"):
        # "-" is exactly zero; a lone "0" in official tables is "less than half the unit":
        # both are known (near-)zero values whose symbol records how they were written.
        return 0.0, text
    if text in SYMBOLS:
        return None, text
    if text in ("( )", "(-)"):
        return None, "()"
    flag = None
    if text[-1] in TRAILING_FLAGS and len(text) > 1:
        flag, text = text[-1], text[:-1].strip()
    if text.startswith("(") and text.endswith(")"):
        flag, text = "()", text[1:-1].strip()
    value = _to_float(text, decimal)
    if value is None:
        raise CellError(f"neither a number nor a known symbol: {raw!r}")
    return value, flag


def _to_float(text: str, decimal: str) -> float | None:
    if decimal == ",":
        if _NUMBER.match(text):
            return float(text.replace(".", "").replace(",", "."))
        if _NUMBER_POINT.match(text) and "." not in text:
            return float(text)
        return None
    if _NUMBER_POINT.match(text):
        return float(text)
    return None
