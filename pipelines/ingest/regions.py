"""Region keys in their official AGS/ARS form.

Excel strips leading zeros (``05114`` → ``5114``); some tables give the Gemeinde key
(``05114000``), others the Kreis key (``05114``). Keys are normalised here and nowhere else.
"""

from __future__ import annotations

import re

KREFELD_KREIS = "05114"
KREFELD_GEMEINDE = "05114000"
NRW = "05"

# Official key lengths: Land 2, Regierungsbezirk 3, Kreis 5, Gemeinde 8, ARS 12.
_LENGTHS = (2, 3, 5, 8, 12)
_STADTBEZIRK = re.compile(r"^0?5114000-([1-9])$")


def normalise_region_key(raw: object) -> str:
    """Return the official key for ``raw`` with its leading zeros restored.

    Accepts ints and floats from Excel (``5114``, ``5114.0``), strings with stray blanks,
    the Stadtbezirk form ``05114000-4``, and the special keys ``DG`` (Germany).
    Raises ``ValueError`` when the key has no official length even after padding.
    """
    if raw is None:
        raise ValueError("empty region key")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"region key is not a whole number: {raw!r}")
        raw = int(raw)
    text = str(raw).strip()
    if text.upper() == "DG":
        return "DG"
    match = _STADTBEZIRK.match(text)
    if match:
        return f"{KREFELD_GEMEINDE}-{match.group(1)}"
    if not text.isdigit():
        raise ValueError(f"region key is not numeric: {raw!r}")
    if len(text) in _LENGTHS and text.startswith("0"):
        return text
    # Excel dropped exactly one leading zero (all NRW keys start with 0).
    padded = "0" + text
    if len(padded) in _LENGTHS:
        return padded
    if len(text) in _LENGTHS:
        return text
    raise ValueError(f"region key has no official length: {raw!r}")


def region_level(key: str) -> str:
    """The administrative level of a normalised key (as used in the mart)."""
    if key == "DG":
        return "Bund"
    if "-" in key:
        return "Stadtbezirk"
    return {2: "Land", 3: "Regierungsbezirk", 5: "Kreis", 8: "Gemeinde", 12: "Gemeinde"}[len(key)]
