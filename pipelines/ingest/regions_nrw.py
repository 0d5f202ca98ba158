"""NRW region names as GENESIS prints them → official keys, for tables without a key column.

Some Landesdatenbank tables (e.g. ``13111-54i``) print only the indented region name. A name
is keyed only if it is listed here exactly (after stripping the indent): the Land, the five
Regierungsbezirke and the Kreise/kreisfreie Städte of NRW in the Landesdatenbank's wording
(``Krefeld, krfr. Stadt``) and the Regionaldatenbank's (``Krefeld, kreisfreie Stadt``). An
unlisted name stays without a key, and the raw schema refuses the row; no guessing.
"""

from __future__ import annotations

NRW_REGION_KEYS: dict[str, str] = {
    "Düsseldorf, Regierungsbezirk": "051",
    "Düsseldorf, krfr. Stadt": "05111",
    "Duisburg, krfr. Stadt": "05112",
    "Essen, krfr. Stadt": "05113",
    "Krefeld, krfr. Stadt": "05114",
    "Mönchengladbach, krfr. Stadt": "05116",
    "Mülheim an der Ruhr, krfr. Stadt": "05117",
    "Oberhausen, krfr. Stadt": "05119",
    "Remscheid, krfr. Stadt": "05120",
    "Solingen, krfr. Stadt": "05122",
    "Wuppertal, krfr. Stadt": "05124",
    "Kleve, Kreis": "05154",
    "Mettmann, Kreis": "05158",
    "Rhein-Kreis Neuss": "05162",
    "Viersen, Kreis": "05166",
    "Wesel, Kreis": "05170",
    "Köln, Regierungsbezirk": "053",
    "Aachen, krfr. Stadt": "05313",
    "Bonn, krfr. Stadt": "05314",
    "Köln, krfr. Stadt": "05315",
    "Leverkusen, krfr. Stadt": "05316",
    "Städteregion Aachen (einschl. Stadt Aachen)": "05334",
    "Aachen, Kreis": "05354",
    "Düren, Kreis": "05358",
    "Rhein-Erft-Kreis": "05362",
    "Euskirchen, Kreis": "05366",
    "Heinsberg, Kreis": "05370",
    "Oberbergischer Kreis": "05374",
    "Rheinisch-Bergischer Kreis": "05378",
    "Rhein-Sieg-Kreis": "05382",
    "Münster, Regierungsbezirk": "055",
    "Bottrop, krfr. Stadt": "05512",
    "Gelsenkirchen, krfr. Stadt": "05513",
    "Münster, krfr. Stadt": "05515",
    "Borken, Kreis": "05554",
    "Coesfeld, Kreis": "05558",
    "Recklinghausen, Kreis": "05562",
    "Steinfurt, Kreis": "05566",
    "Warendorf, Kreis": "05570",
    "Detmold, Regierungsbezirk": "057",
    "Bielefeld, krfr. Stadt": "05711",
    "Gütersloh, Kreis": "05754",
    "Herford, Kreis": "05758",
    "Höxter, Kreis": "05762",
    "Lippe, Kreis": "05766",
    "Minden-Lübbecke, Kreis": "05770",
    "Paderborn, Kreis": "05774",
    "Arnsberg, Regierungsbezirk": "059",
    "Bochum, krfr. Stadt": "05911",
    "Dortmund, krfr. Stadt": "05913",
    "Hagen, krfr. Stadt": "05914",
    "Hamm, krfr. Stadt": "05915",
    "Herne, krfr. Stadt": "05916",
    "Ennepe-Ruhr-Kreis": "05954",
    "Hochsauerlandkreis": "05958",
    "Märkischer Kreis": "05962",
    "Olpe, Kreis": "05966",
    "Siegen-Wittgenstein, Kreis": "05970",
    "Soest, Kreis": "05974",
    "Unna, Kreis": "05978",
}
"""Landesdatenbank wording; the Städteregion Aachen (``05334``) replaced Kreis and Stadt Aachen
(``05354``, ``05313``) in 2009; both are still printed."""

_LDB_SUFFIX = ", krfr. Stadt"
_RDB_SUFFIX = ", kreisfreie Stadt"

NAME_KEYS: dict[str, str] = {
    **NRW_REGION_KEYS,
    **{
        name.removesuffix(_LDB_SUFFIX) + _RDB_SUFFIX: key
        for name, key in NRW_REGION_KEYS.items()
        if name.endswith(_LDB_SUFFIX)
    },
    "Nordrhein-Westfalen": "05",
}


def key_of_name(name: str | None) -> str | None:
    """The key of an NRW region name as printed (indent ignored), or ``None``."""
    if name is None:
        return None
    return NAME_KEYS.get(" ".join(name.split()))
