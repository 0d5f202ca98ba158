"""All 53 Kreise and kreisfreie Städte of NRW, for the state-sized scale data.

Keys and names are the official ones (as the Regionaldatenbank prints them); the sizes are
rounded figures of the right order and the burden factors are design inputs, so every value
generated from them is synthetic. The bundled city sample lists only the kreisfreie Städte.
"""

from __future__ import annotations

from pipelines.sample import city
from pipelines.sample.genesis import BASE_POPULATION, NEED, Design

LANDKREISE: dict[str, str] = {
    "05154": "Kleve, Kreis",
    "05158": "Mettmann, Kreis",
    "05162": "Rhein-Kreis Neuss",
    "05166": "Viersen, Kreis",
    "05170": "Wesel, Kreis",
    "05334": "Städteregion Aachen, Kreis",
    "05358": "Düren, Kreis",
    "05362": "Rhein-Erft-Kreis",
    "05366": "Euskirchen, Kreis",
    "05370": "Heinsberg, Kreis",
    "05374": "Oberbergischer Kreis",
    "05378": "Rheinisch-Bergischer Kreis",
    "05382": "Rhein-Sieg-Kreis",
    "05554": "Borken, Kreis",
    "05558": "Coesfeld, Kreis",
    "05562": "Recklinghausen, Kreis",
    "05566": "Steinfurt, Kreis",
    "05570": "Warendorf, Kreis",
    "05754": "Gütersloh, Kreis",
    "05758": "Herford, Kreis",
    "05762": "Höxter, Kreis",
    "05766": "Lippe, Kreis",
    "05770": "Minden-Lübbecke, Kreis",
    "05774": "Paderborn, Kreis",
    "05954": "Ennepe-Ruhr-Kreis",
    "05958": "Hochsauerlandkreis",
    "05962": "Märkischer Kreis",
    "05966": "Olpe, Kreis",
    "05970": "Siegen-Wittgenstein, Kreis",
    "05974": "Soest, Kreis",
    "05978": "Unna, Kreis",
}
"""The 31 Kreise (Landkreise and the Städteregion Aachen), official keys."""

LANDKREIS_POPULATION: dict[str, int] = {
    "05154": 317_000, "05158": 485_000, "05162": 452_000, "05166": 300_000,
    "05170": 460_000, "05334": 560_000, "05358": 266_000, "05362": 470_000,
    "05366": 193_000, "05370": 256_000, "05374": 272_000, "05378": 285_000,
    "05382": 600_000, "05554": 373_000, "05558": 221_000, "05562": 615_000,
    "05566": 450_000, "05570": 278_000, "05754": 370_000, "05758": 250_000,
    "05762": 141_000, "05766": 348_000, "05770": 312_000, "05774": 310_000,
    "05954": 325_000, "05958": 260_000, "05962": 410_000, "05966": 134_000,
    "05970": 276_000, "05974": 302_000, "05978": 395_000,
}  # fmt: skip
"""Rough sizes around 2024 (design inputs, like ``genesis.BASE_POPULATION``)."""

LANDKREIS_NEED: dict[str, float] = {
    "05562": 1.1, "05978": 1.0, "05954": 0.95, "05962": 1.0, "05334": 1.0,
    "05558": 0.7, "05554": 0.75, "05566": 0.8, "05570": 0.8, "05762": 0.8,
    "05966": 0.7, "05958": 0.8, "05754": 0.85,
}  # fmt: skip
"""Social burden factors (1 = NRW average); Kreise not listed are average."""

ALL_KREISE: dict[str, str] = dict(
    sorted(
        {**{k: f"{n}, kreisfreie Stadt" for k, n in city.KREISFREIE_STAEDTE_NRW.items()},
         **LANDKREISE}.items()
    )
)  # fmt: skip
"""All 53 Kreise and kreisfreie Städte: key → name as printed."""


def state_design(krefeld_leavers: dict[str, tuple[int, int]]) -> Design:
    """The IT.NRW design of the scale data: every Kreis, Krefeld's leavers as given."""
    return Design(
        kreise=ALL_KREISE,
        base_population={**BASE_POPULATION, **LANDKREIS_POPULATION},
        krefeld_leavers=krefeld_leavers,
        need={**NEED, **LANDKREIS_NEED},
    )
