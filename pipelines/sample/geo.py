"""A schematic GeoJSON of Krefeld's nine Stadtbezirke for the bundled sample.

No public geometry of the Stadtbezirke exists (the city keeps it), so the sample ships nine
simple polygons that tile an approximate bounding box of the city in roughly the real
arrangement — Hüls in the north-west, Uerdingen in the north-east on the Rhine, Fischeln in
the south, Mitte in the centre. Every feature and the collection itself carry the note
"Schematische Darstellung – keine amtliche Geometrie", so a map drawn from it says what it is.
The product reads the city's real file with :func:`pipelines.ingest.geo.read_districts`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.sample import city

HINWEIS = "Schematische Darstellung – keine amtliche Geometrie"
FILE_NAME = "stadtbezirke.geojson"

# Approximate extent of Krefeld in WGS84 (the ALKIS outline spans about 6.48–6.71 E,
# 51.29–51.41 N); hard-coded so that the product needs no reference files.
_LON = (6.490, 6.562, 6.628, 6.700)
_LAT = (51.290, 51.327, 51.364, 51.402)
# Interior lattice points moved a little, so that the districts are not a plain grid.
_NUDGE = {
    (1, 1): (0.006, -0.004),
    (2, 1): (-0.008, 0.005),
    (1, 2): (-0.004, 0.006),
    (2, 2): (0.007, -0.003),
}
_CHAMFER = (0.022, 0.014)  # the outer corners are cut: the city is no rectangle

# Stadtbezirk → (column west→east, row south→north) in the 3 × 3 arrangement.
_CELLS: dict[int, tuple[int, int]] = {
    3: (0, 2),  # Hüls
    2: (1, 2),  # Nord
    9: (2, 2),  # Uerdingen
    1: (0, 1),  # West
    4: (1, 1),  # Mitte
    8: (2, 1),  # Ost
    6: (0, 0),  # Fischeln
    5: (1, 0),  # Süd
    7: (2, 0),  # Oppum-Linn
}


def _point(i: int, j: int) -> tuple[float, float]:
    dx, dy = _NUDGE.get((i, j), (0.0, 0.0))
    return round(_LON[i] + dx, 5), round(_LAT[j] + dy, 5)


def _outer_corner(i: int, j: int) -> bool:
    return i in (0, 3) and j in (0, 3)


def _ring(col: int, row: int) -> list[list[float]]:
    """Counter-clockwise ring (RFC 7946) of one cell, with outer city corners cut off."""
    corners = [(col, row), (col + 1, row), (col + 1, row + 1), (col, row + 1)]
    ring: list[tuple[float, float]] = []
    for k, (i, j) in enumerate(corners):
        x, y = _point(i, j)
        if not _outer_corner(i, j):
            ring.append((x, y))
            continue
        prev_i, prev_j = corners[k - 1]
        next_i, next_j = corners[(k + 1) % 4]
        for ni, nj in ((prev_i, prev_j), (next_i, next_j)):
            sx = _CHAMFER[0] * (1 if ni > i else -1 if ni < i else 0)
            sy = _CHAMFER[1] * (1 if nj > j else -1 if nj < j else 0)
            ring.append((round(x + sx, 5), round(y + sy, 5)))
    ring.append(ring[0])
    return [list(p) for p in ring]


def feature_collection() -> dict:
    features = []
    for nr in sorted(city.STADTBEZIRKE):
        col, row = _CELLS[nr]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "bezirk_nr": nr,
                    "name": city.STADTBEZIRKE[nr],
                    "region_key": f"{city.KREFELD}000-{nr}",
                    "hinweis": HINWEIS,
                },
                "geometry": {"type": "Polygon", "coordinates": [_ring(col, row)]},
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "krefeld_stadtbezirke_schematisch",
        "hinweis": HINWEIS,
        "features": features,
    }


def write_sample(out_dir: Path) -> list[Path]:
    """Write ``out_dir/geo/stadtbezirke.geojson`` (WGS84) and return its path."""
    path = Path(out_dir) / "geo" / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(feature_collection(), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")
    return [path]
