"""Do points lie inside an area given as GeoJSON polygons? (the school guides' map check)

The guides put every school on the city map; a school whose register coordinates fall outside
the city outline is a wrong coordinate (or a school of another town) and must not be drawn in
the sea of a neighbouring Kreis. The outline is the union of the Stadtbezirk polygons of the
data directory (``geo/*.geojson``, published as ``published.geometrie_stadtbezirke``).
Point in polygon with matplotlib's ``Path`` (already a dependency for the maps): even-odd over
every ring, so a hole in a polygon counts as outside.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from matplotlib.path import Path as Polygon


def _polygons(geometry: Mapping[str, Any]) -> list[list[list[list[float]]]]:
    """The polygons (each a list of rings) of a Polygon or MultiPolygon geometry."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"expected a Polygon or MultiPolygon, got {kind!r}")


def inside(points: np.ndarray, features: Iterable[str | Mapping[str, Any]]) -> np.ndarray:
    """For each (lon, lat) row of ``points``, whether it lies inside any of the GeoJSON
    features (or bare geometries, as dicts or JSON text). NaN coordinates are outside."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    result = np.zeros(len(points), dtype=bool)
    known = ~np.isnan(points).any(axis=1)
    for feature in features:
        data = json.loads(feature) if isinstance(feature, str) else feature
        geometry = data.get("geometry", data)
        for rings in _polygons(geometry):
            within = np.zeros(len(points), dtype=bool)
            for ring in rings:  # even-odd: inside the outer ring and not in a hole
                within ^= Polygon(np.asarray(ring, dtype=float)[:, :2]).contains_points(points)
            result |= within & known
    return result
