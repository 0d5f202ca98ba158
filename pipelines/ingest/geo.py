"""Read the geometry of Krefeld's nine Stadtbezirke from a GeoJSON file.

The city keeps the official district geometry; its export names the district number
differently from edition to edition (``bezirk_nr``, ``STB_NR``, ``nummer``, ``BEZIRK`` …), so
the key is looked up among known property names (or, failing that, by the district's name).
The file must be WGS84 (RFC 7946): a file still in the city's UTM zone (EPSG:25832) is refused
with that hint instead of drawing a map somewhere off Africa. Only the standard library is used,
so reading and checking the file needs no GIS stack.
"""

from __future__ import annotations

import json
import math
import re
from itertools import pairwise
from pathlib import Path

from pipelines.ingest.errors import IngestError
from pipelines.ingest.limits import check_file
from pipelines.sample.city import KREFELD, STADTBEZIRKE

SOURCE = "geo"
N_DISTRICTS = len(STADTBEZIRKE)

KEY_PROPERTIES = (
    "bezirk_nr",
    "stb_nr",
    "stbz_nr",
    "stadtbezirk_nr",
    "stadtbezirksnummer",
    "bezirksnummer",
    "bez_nr",
    "sbz_nr",
    "nummer",
    "nr",
    "bezirk",
    "stadtbezirk",
    "stb",
    "region_key",
    "schluessel",
)
"""Property names (compared case-insensitively) that may hold the district number."""
NAME_PROPERTIES = (
    "name",
    "bezirk_name",
    "stb_name",
    "stadtbezirk_name",
    "bezirksname",
    "bezeichnung",
)

_ENVELOPE = ((6.2, 7.0), (51.1, 51.6))
"""Generous lon/lat window around Krefeld: catches swapped axes and other cities' files."""
_WGS84_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}
_KEY_TEXT = re.compile(r"^0*([1-9])$")


def _error(
    path: Path, rule: str, *, column: str | None = None, value: object = None
) -> IngestError:
    return IngestError.single(SOURCE, path, rule, column=column, value=value)


def read_districts(path: str | Path) -> dict:
    """Return the districts as a GeoJSON FeatureCollection with normalised properties.

    Each feature gets ``bezirk_nr`` (1–9), ``name`` (the project's spelling), ``region_key``
    (``05114000-<n>``) and, where the file carries one, ``hinweis`` (e.g. that the geometry is
    schematic); features are sorted by number. Raises :class:`IngestError` unless the file
    holds exactly the nine districts, each once, as valid WGS84 polygons.
    """
    path = Path(path)
    check_file(path, SOURCE)  # size limit; an unreadable file in one line
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _error(path, f"not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _error(path, "expected a GeoJSON FeatureCollection", value=_short(data))
    _check_crs(path, data.get("crs"))
    features = data.get("features")
    if not isinstance(features, list) or len(features) != N_DISTRICTS:
        count = len(features) if isinstance(features, list) else None
        raise _error(
            path,
            f"expected {N_DISTRICTS} Stadtbezirk features, found {count}",
            value=_short(features),
        )
    hinweis = data.get("hinweis") if isinstance(data.get("hinweis"), str) else None
    seen: dict[int, int] = {}
    out = []
    for index, feature in enumerate(features, start=1):
        where = f"feature {index}"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise _error(path, f"{where}: not a GeoJSON Feature", value=_short(feature))
        props = feature.get("properties")
        props = props if isinstance(props, dict) else {}
        nr = _district_number(path, where, props)
        if nr in seen:
            raise _error(path, f"{where}: Stadtbezirk {nr} also in feature {seen[nr]}", value=nr)
        seen[nr] = index
        geometry = _check_geometry(path, f"{where} (Stadtbezirk {nr})", feature.get("geometry"))
        properties = {
            "bezirk_nr": nr,
            "name": STADTBEZIRKE[nr],
            "region_key": f"{KREFELD}000-{nr}",
        }
        note = props.get("hinweis", hinweis)
        if isinstance(note, str):
            properties["hinweis"] = note
        out.append({"type": "Feature", "properties": properties, "geometry": geometry})
    result: dict = {"type": "FeatureCollection", "features": sorted(out, key=_nr)}
    if hinweis:
        result["hinweis"] = hinweis
    return result


def _nr(feature: dict) -> int:
    return feature["properties"]["bezirk_nr"]


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if value is not None else "null"
    return text if len(text) <= 80 else text[:77] + "..."


def _check_crs(path: Path, crs: object) -> None:
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if name not in _WGS84_CRS:
        raise _error(
            path,
            "coordinates must be WGS84 (EPSG:4326); reproject the file (e.g. from EPSG:25832)",
            column="crs",
            value=name or _short(crs),
        )


def _district_number(path: Path, where: str, props: dict) -> int:
    lowered = {str(k).lower(): (k, v) for k, v in props.items()}
    name_nr = _number_from_name(lowered)
    for prop in KEY_PROPERTIES:
        if prop not in lowered:
            continue
        original, value = lowered[prop]
        nr = _number_from_value(value)
        if nr is None:
            continue
        if name_nr is not None and name_nr != nr:
            raise _error(
                path,
                f"{where}: number {nr} and name {STADTBEZIRKE[name_nr]!r} disagree",
                column=original,
                value=value,
            )
        return nr
    if name_nr is not None:
        return name_nr
    raise _error(
        path,
        f"{where}: no Stadtbezirk number 1–{N_DISTRICTS} in the properties "
        f"(looked for {', '.join(KEY_PROPERTIES)} or a district name)",
        value=_short(props),
    )


def _number_from_value(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        nr = int(value)
        return nr if nr in STADTBEZIRKE else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _KEY_TEXT.match(text) or re.match(rf"^0?{KREFELD[1:]}000-?([1-9])$", text)
    if match:
        return int(match.group(1))
    return _number_from_name_text(text)


def _number_from_name(lowered: dict[str, tuple[str, object]]) -> int | None:
    for prop in NAME_PROPERTIES:
        if prop in lowered and isinstance(lowered[prop][1], str):
            nr = _number_from_name_text(lowered[prop][1])
            if nr is not None:
                return nr
    return None


def _number_from_name_text(text: str) -> int | None:
    clean = re.sub(r"^(krefeld[- ]|stadtbezirk\s+)", "", text.strip(), flags=re.IGNORECASE)
    clean = re.sub(r"^\d+\s*[-–:]?\s*", "", clean).strip().lower()
    for nr, name in STADTBEZIRKE.items():
        if clean == name.lower():
            return nr
    return None


def _check_geometry(path: Path, where: str, geometry: object) -> dict:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise _error(path, f"{where}: geometry must be a Polygon or MultiPolygon", value=kind)
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise _error(path, f"{where}: no coordinates", value=_short(coords))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise _error(path, f"{where}: a polygon without rings", value=_short(polygon))
        for ring in polygon:
            _check_ring(path, where, ring)
    return {"type": geometry["type"], "coordinates": coords}


def _check_ring(path: Path, where: str, ring: object) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise _error(path, f"{where}: a ring needs at least 4 positions", value=_short(ring))
    points: list[tuple[float, float]] = []
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
            or not all(math.isfinite(v) for v in position)
        ):
            raise _error(path, f"{where}: a position is not [lon, lat]", value=_short(position))
        points.append((float(position[0]), float(position[1])))
    lon, lat = points[0]
    if abs(lon) > 180 or abs(lat) > 90:
        raise _error(
            path,
            f"{where}: projected coordinates (EPSG:25832?); the file must be WGS84 lon/lat",
            value=[lon, lat],
        )
    for lon, lat in points:
        if not (
            _ENVELOPE[0][0] <= lon <= _ENVELOPE[0][1] and _ENVELOPE[1][0] <= lat <= _ENVELOPE[1][1]
        ):
            raise _error(
                path,
                f"{where}: position outside Krefeld's area (lon/lat swapped or another city?)",
                value=[lon, lat],
            )
    if points[0] != points[-1]:
        raise _error(
            path, f"{where}: ring is not closed", value=[list(points[0]), list(points[-1])]
        )
    distinct = [p for k, p in enumerate(points[:-1]) if k == 0 or p != points[k - 1]]
    while len(distinct) > 1 and distinct[-1] == distinct[0]:
        distinct.pop()
    if len(set(distinct)) >= 3 and _self_intersects(distinct):
        raise _error(path, f"{where}: ring crosses itself", value=_short(ring))
    if len(set(distinct)) < 3 or ring_area(points) == 0.0:
        raise _error(path, f"{where}: ring has no area", value=_short(ring))


def ring_area(points: list[tuple[float, float]]) -> float:
    """Signed shoelace area in square degrees (positive = counter-clockwise)."""
    return 0.5 * sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(points))


def _orient(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> int:
    value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (value > 0) - (value < 0)


def _on_segment(a: tuple[float, float], b: tuple[float, float], p: tuple[float, float]) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_cross(s: tuple, t: tuple) -> bool:
    (a, b), (c, d) = s, t
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if o1 != o2 and o3 != o4:
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def _self_intersects(points: list[tuple[float, float]]) -> bool:
    """Do two non-adjacent edges of the closed ring ``points`` touch? (sweep over x)."""
    n = len(points)
    segments = [(points[i], points[(i + 1) % n]) for i in range(n)]
    order = sorted(range(n), key=lambda i: min(segments[i][0][0], segments[i][1][0]))
    for pos, i in enumerate(order):
        right = max(segments[i][0][0], segments[i][1][0])
        for j in order[pos + 1 :]:
            if min(segments[j][0][0], segments[j][1][0]) > right:
                break
            if abs(i - j) in (1, n - 1):
                continue
            if _segments_cross(segments[i], segments[j]):
                return True
    return False
