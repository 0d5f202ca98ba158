"""Inline SVG for the school guides' web pages: the city map of all schools, the locator map of
one school and the chart of places, registrations and admissions per school year.

The guide pages are plain Markdown written without a Jupyter kernel (generate_guides.py), so
their figures cannot come from matplotlib chunks; a few kB of SVG text per page cost no image
files, stay sharp and carry titles, links and a text version of every value. The text is
embedded verbatim in Pandoc raw-HTML blocks, hence one line (no blank line, no indented line),
and nothing in it loads or links anything outside the site (no external href, no url(), no
<image>, no <script>, no event handler). Every text is escaped and put on one line.

Maps: WGS84 lon/lat projected to ETRS89 / UTM 32N (EPSG:25832, metres, as the city's cadastre).
The viewBox is in metres from the north-west corner (y points south), rounded to 0.1 m.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from pyproj import Transformer

_SVG_NS = "http://www.w3.org/2000/svg"
_TEXT = "#1F2933"
_AXIS = "#52606D"
_GRID = "#D9DEE3"
_AREA = "#EEF1F4"  # district fill of the city map
_AREA_SMALL = "#E4E7EB"  # district fill of the locator map
_BORDER = "#9AA5B1"
_BLUE = "#0072B2"  # Okabe–Ito, 5.2:1 against white, 4.5:1 against _AREA
_VERMILLION = "#D55E00"  # Okabe–Ito, 3.9:1 against white, 3.4:1 against _AREA
_KINDS = {"grundschule": "Grundschulen", "weiterfuehrend": "Weiterführende Schulen"}
# (row key, plural, singular, colour): grey, blue and vermillion differ in hue for every kind
# of colour blindness, and each has at least 3:1 contrast against the white background.
_SERIES = (
    ("aufnahmekapazitaet", "Plätze", "Platz", _AXIS),
    ("anmeldungen", "Anmeldungen", "Anmeldung", _BLUE),
    ("aufnahmen", "Aufnahmen", "Aufnahme", _VERMILLION),
)

Rings = list[np.ndarray]  # one polygon: outer ring, then holes; each an (n, 2) array in metres


def _text(value: object) -> str:
    """Escaped element text on one line: a line break in a name must not end the HTML block."""
    return escape(" ".join(str(value).split()))


def _attr(value: object) -> str:
    """A quoted, escaped attribute value on one line."""
    return quoteattr(" ".join(str(value).split()))


def _num(value: float) -> str:
    """A coordinate rounded to 0.1 without a trailing ".0" (smaller pages)."""
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _german(count: int) -> str:
    """A count in German notation: 1234 -> "1.234"."""
    return f"{count:,}".replace(",", ".")


def _local_href(href: str) -> str:
    """A map point's link: relative within the site (no scheme, host, leading slash or space),
    so it can lead neither to another host nor to a script URL."""
    if not re.fullmatch(r"[\w.~%-][\w./~%#?=&+-]*", href):
        raise ValueError(f"a map link must be relative within the site, got {href!r}")
    return href


def _known(lon: Any, lat: Any) -> bool:
    """Whether a point has both coordinates (a school without them is left off the map)."""
    return lon is not None and lat is not None and not (math.isnan(lon) or math.isnan(lat))


def _transformer() -> Transformer:
    """WGS84 lon/lat -> UTM 32N metres; built per call, so the module keeps no state."""
    return Transformer.from_crs(4326, 25832, always_xy=True)


def _project(transformer: Transformer, lonlat: Sequence[Sequence[float]]) -> np.ndarray:
    """(n, 2) easting/northing of lon/lat[/height] positions (a height is ignored)."""
    points = np.asarray([p[:2] for p in lonlat], dtype=float).reshape(-1, 2)
    east, north = transformer.transform(points[:, 0], points[:, 1])
    return np.column_stack([east, north])


def _polygons(geometry: Mapping[str, Any], transformer: Transformer) -> list[Rings]:
    """The projected polygons of a GeoJSON Polygon or MultiPolygon (as quality/geo_lage.py)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = list(geometry["coordinates"])
    else:
        raise ValueError(f"expected a Polygon or MultiPolygon, got {kind!r}")
    projected = [[_project(transformer, r) for r in rings if len(r) >= 3] for rings in polygons]
    return [rings for rings in projected if rings]


def _areas(
    districts: Sequence[tuple[str, Mapping[str, Any]]], transformer: Transformer
) -> tuple[list[tuple[str, list[Rings]]], list[np.ndarray]]:
    """The projected districts, and all their rings (for the map's frame)."""
    areas = [(str(name), _polygons(geometry, transformer)) for name, geometry in districts]
    return areas, [ring for _, polygons in areas for rings in polygons for ring in rings]


@dataclass(frozen=True)
class _Frame:
    """Projected metres -> SVG user units: metres from the north-west corner, y down."""

    west: float
    north: float
    width: float
    height: float

    @classmethod
    def around(cls, points: np.ndarray, margin: float) -> _Frame:
        low, high = points.min(axis=0), points.max(axis=0)
        size = np.maximum(high - low, 1000.0)  # a lone point still gets 1 km around it
        half = size / 2 + margin * size.max()
        centre = (low + high) / 2
        return cls(centre[0] - half[0], centre[1] + half[1], 2 * half[0], 2 * half[1])

    @property
    def unit(self) -> float:
        """One unit of a 400 units wide drawing: sizes of marks and text scale with the map."""
        return self.width / 400

    def xy(self, points: np.ndarray) -> np.ndarray:
        return np.column_stack([points[:, 0] - self.west, self.north - points[:, 1]])


def _simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker: drop vertices that deviate less than ``tolerance`` from the simplified
    outline (cadastral detail far below a screen pixel), and the closing duplicate; a ring that
    would collapse stays as it was."""
    keep = np.zeros(len(ring), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        (dx, dy), rel = ring[last] - ring[first], ring[first + 1 : last] - ring[first]
        length = math.hypot(dx, dy)
        off = np.abs(dx * rel[:, 1] - dy * rel[:, 0]) / length if length else np.hypot(*rel.T)
        if off.max() > tolerance:
            middle = first + 1 + int(off.argmax())
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    kept = ring[keep]
    if np.array_equal(kept[0], kept[-1]):
        kept = kept[:-1]
    return kept if len(kept) >= 3 else ring


def _path_data(polygons: list[Rings], frame: _Frame, tolerance: float) -> str:
    """SVG path data of all rings (holes via fill-rule evenodd)."""
    parts = []
    for rings in polygons:
        for ring in rings:
            xy = frame.xy(_simplify(ring, tolerance))
            parts.append("M" + " ".join(f"{_num(x)} {_num(y)}" for x, y in xy) + "Z")
    return "".join(parts)


def _label_point(ring: np.ndarray) -> tuple[float, float]:
    """A point inside a ring for its name: the middle of the widest interior run on the
    horizontal through the centroid (the centroid of a concave district may lie outside)."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    cx, cy = ((x + x1) * cross).sum() / (6 * area), ((y + y1) * cross).sum() / (6 * area)
    crossing = (y <= cy) != (y1 <= cy)
    xs = np.sort(
        x[crossing]
        + (cy - y[crossing]) * (x1[crossing] - x[crossing]) / (y1[crossing] - y[crossing])
    )
    if len(xs) < 2:
        return float(cx), float(cy)
    starts, ends = xs[0 : len(xs) // 2 * 2 : 2], xs[1 : len(xs) // 2 * 2 : 2]
    widest = int(np.argmax(ends - starts))
    return float((starts[widest] + ends[widest]) / 2), float(cy)


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum())) / 2


def _districts(
    areas: list[tuple[str, list[Rings]]], frame: _Frame, *, fill: str, pixels: int
) -> str:
    """The district areas as one group of paths (decoration for screen readers), simplified to
    what a map ``pixels`` wide can show."""
    paths = "".join(
        f'<path class="bm-karte-bezirk" data-bezirk={_attr(name)}'
        f" d={_attr(_path_data(polygons, frame, frame.width / pixels / 2))}"
        ' vector-effect="non-scaling-stroke"/>'
        for name, polygons in areas
        if polygons
    )
    return (
        f'<g class="bm-karte-bezirke" aria-hidden="true" fill="{fill}" stroke="{_BORDER}"'
        f' stroke-width="1" stroke-linejoin="round" fill-rule="evenodd">{paths}</g>'
    )


def _district_names(areas: list[tuple[str, list[Rings]]], frame: _Frame) -> str:
    """District names inside their largest part, with a white halo over the borders."""
    u, texts = frame.unit, []
    for name, polygons in areas:
        if polygons and name.strip():
            outer = max((rings[0] for rings in polygons), key=_ring_area)
            x, y = frame.xy(np.array([_label_point(outer)]))[0]
            texts.append(
                f'<text x="{_num(x)}" y="{_num(y)}" dominant-baseline="central">'
                f"{_text(name)}</text>"
            )
    return (
        f'<g class="bm-karte-namen" aria-hidden="true" text-anchor="middle" fill="#3E4C59"'
        f' stroke="#FFFFFF" stroke-width="{_num(3 * u)}" stroke-linejoin="round"'
        f' paint-order="stroke">{"".join(texts)}</g>'
    )


def _marker(kind: str, unit: float) -> str:
    """Marker attributes that differ in shape, not only colour: a dot for primary schools, a
    ring for secondary schools (both at least 3:1 against the district fill)."""
    fill, stroke, width = (
        (_VERMILLION, "#FFFFFF", unit) if kind == "grundschule" else ("#FFFFFF", _BLUE, 2.5 * unit)
    )
    return f'r="{_num(5 * unit)}" fill="{fill}" stroke="{stroke}" stroke-width="{_num(width)}"'


def city_map(
    districts: Sequence[tuple[str, Mapping[str, Any]]],
    schools: Sequence[Mapping[str, Any]],
    *,
    title: str,
    id_prefix: str = "karte",
) -> str:
    """The map of all schools of a guide: districts with their names, one linked point per
    school (to its page) and a legend of the school kinds drawn. Schools without coordinates
    are left off; "" when there is nothing to draw."""
    transformer = _transformer()
    areas, corners = _areas(districts, transformer)
    places = []
    for school in schools:
        if school["kind"] not in _KINDS:
            raise ValueError(f"unknown school kind {school['kind']!r}")
        if _known(school["lon"], school["lat"]):
            places.append((school, _project(transformer, [(school["lon"], school["lat"])])))
    corners += [point for _, point in places]
    if not corners:
        return ""
    frame = _Frame.around(np.vstack(corners), margin=0.03)
    u = frame.unit
    kinds = [kind for kind in _KINDS if any(s["kind"] == kind for s, _ in places)]
    height = frame.height + (28 * u if kinds else 0)
    title_id = f"{id_prefix}-titel"
    parts = [
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {_num(frame.width)} {_num(height)}" width="100%"'
        f' class="bm-karte" role="group" aria-labelledby={_attr(title_id)}'
        f' font-size="{_num(14 * u)}">',
        f"<title id={_attr(title_id)}>{_text(title)}</title>",
        _districts(areas, frame, fill=_AREA, pixels=1000),
        _district_names(areas, frame),
    ]
    for school, point in places:
        x, y = frame.xy(point)[0]
        parts.append(
            f"<a href={_attr(_local_href(str(school['href'])))} aria-label={_attr(school['name'])}>"
            f'<title>{_text(school["name"])}</title><circle class="bm-kartenpunkt"'
            f" data-schulnummer={_attr(school['schulnummer'])} data-art={_attr(school['kind'])}"
            f' cx="{_num(x)}" cy="{_num(y)}" {_marker(school["kind"], u)}/></a>'
        )
    if kinds:
        x, y, items = 8 * u, frame.height + 14 * u, []
        for kind in kinds:
            items.append(
                f'<circle cx="{_num(x + 6 * u)}" cy="{_num(y)}" {_marker(kind, u)}/>'
                f'<text x="{_num(x + 16 * u)}" y="{_num(y)}" dominant-baseline="central">'
                f"{_text(_KINDS[kind])}</text>"
            )
            x += (16 + 8.4 * len(_KINDS[kind]) + 18) * u
        parts.append(f'<g class="bm-karte-legende" fill="{_TEXT}">{"".join(items)}</g>')
    return "".join([*parts, "</svg>"])


def school_map(
    districts: Sequence[tuple[str, Mapping[str, Any]]],
    point: tuple[float, float],
    *,
    name: str,
    id_prefix: str = "lage",
) -> str:
    """The small locator map of one school's page: the city's districts and the school as a
    highlighted point. "" for a school without coordinates (the page then shows no map)."""
    lon, lat = point
    if not _known(lon, lat):
        return ""
    transformer = _transformer()
    areas, rings = _areas(districts, transformer)
    spot = _project(transformer, [(lon, lat)])
    frame = _Frame.around(np.vstack([*rings, spot]), margin=0.08)  # room for the ring
    u, (x, y) = frame.unit, frame.xy(spot)[0]
    title_id, title = f"{id_prefix}-titel", f"Lage der Schule {name} im Stadtgebiet"
    return "".join(
        [
            f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {_num(frame.width)} {_num(frame.height)}"'
            f' width="100%" class="bm-karte bm-karte-klein" role="img"'
            f" aria-labelledby={_attr(title_id)}>",
            f"<title id={_attr(title_id)}>{_text(title)}</title>",
            _districts(areas, frame, fill=_AREA_SMALL, pixels=400),
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(22 * u)}" fill="none"'
            f' stroke="{_VERMILLION}" stroke-width="{_num(3 * u)}"/>',
            f'<circle class="bm-kartenpunkt" cx="{_num(x)}" cy="{_num(y)}" r="{_num(11 * u)}"'
            f' fill="{_VERMILLION}" stroke="#FFFFFF" stroke-width="{_num(3 * u)}"/>',
            "</svg>",
        ]
    )


def _count(value: Any) -> int | None:
    """A count, or None when missing (None, NaN, pandas.NA)."""
    if value is None:
        return None
    try:
        number = float(value)
    except TypeError:  # pandas.NA and similar markers of a missing value
        return None
    return None if math.isnan(number) else round(number)


def _scale(highest: int) -> tuple[int, int]:
    """Step and top of a count axis: integer steps 1, 2, 5, 10, 20, 25, 50, …, at most 6 ticks
    (0 included) and room above the tallest bar (at least 5 % of the axis)."""
    steps = (1, 2, 5, *(int(f * 10**e) for e in range(1, 16) for f in (1, 2, 2.5, 5)))
    for step in steps:
        top = (highest // step + 1) * step
        if top - highest < 0.05 * top:
            top += step
        if top // step <= 5:
            return step, top
    raise ValueError(f"count too large for an axis: {highest}")


def _amount(value: int | None, series: int) -> str:
    _, plural, singular, _ = _SERIES[series]
    if value is None:
        return f"– {plural}"
    return f"{_german(value)} {singular if value == 1 else plural}"


def registrations_chart(
    rows: Sequence[Mapping[str, Any]], *, title: str, id_prefix: str = "anmeldungen"
) -> str:
    """Grouped bars of places, registrations and admissions per school year, readable on a
    phone (400 units wide, text ≥ 12), with every value in the description. A missing value
    draws no bar ("–" at its place); "" when there is no value at all (no chart then)."""
    table = [(str(row["school_year"]), [_count(row.get(s[0])) for s in _SERIES]) for row in rows]
    shown = [i for i in range(len(_SERIES)) if any(v[i] is not None for _, v in table)]
    if not shown:
        return ""
    counts = [v[i] for _, v in table for i in shown if v[i] is not None]
    if min(counts) < 0:
        raise ValueError(f"counts cannot be negative: {min(counts)}")
    highest = max(counts)
    step, top = _scale(highest)
    left, right, upper, bottom = 52, 392, 44, 226

    def y_of(value: float) -> float:
        return bottom - (bottom - upper) * value / top

    missing = any(v[i] is None for _, v in table for i in shown)
    desc = "; ".join(f"{year}: " + ", ".join(_amount(v[i], i) for i in shown) for year, v in table)
    desc += " (– = keine Angabe)." if missing else "."
    ids = f"{id_prefix}-titel", f"{id_prefix}-beschreibung"
    parts = [
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 400 260" width="100%" class="bm-diagramm"'
        f' role="img" aria-labelledby={_attr(ids[0])} aria-describedby={_attr(ids[1])}'
        f' font-size="13" fill="{_TEXT}">',
        f"<title id={_attr(ids[0])}>{_text(title)}</title>",
        f"<desc id={_attr(ids[1])}>{_text(desc)}</desc>",
    ]
    x, legend = left, []
    for i in shown:
        _, label, _, colour = _SERIES[i]
        legend.append(
            f'<rect x="{_num(x)}" y="12" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_num(x + 17)}" y="22">{_text(label)}</text>'
        )
        x += 17 + 7.8 * len(label) + 18
    parts.append(f'<g class="bm-legende">{"".join(legend)}</g>')
    ticks = []
    for value in range(0, top + 1, step):
        y = _num(y_of(value))
        if value:
            ticks.append(f'<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="{_GRID}"/>')
        ticks.append(
            f'<text class="bm-achse-wert" data-wert="{value}" x="{left - 6}" y="{y}"'
            f' dy="4" text-anchor="end" font-size="12">{_german(value)}</text>'
        )
    parts.append(f'<g class="bm-achse">{"".join(ticks)}</g>')
    group = (right - left) / len(table)
    bar = min(group * 0.8 / len(shown), 36)  # one or two years: no slabs
    label_every = math.ceil(len(table) * 56 / (right - left))  # "2023/24" ≈ 46 units wide
    for j, (year, values) in enumerate(table):
        start = left + j * group + (group - bar * len(shown)) / 2
        for k, i in enumerate(shown):
            x, value = start + k * bar, values[i]
            if value is None:
                parts.append(
                    f'<text class="bm-fehlt" x="{_num(x + bar / 2)}" y="{_num(bottom - 5)}"'
                    f' text-anchor="middle" font-size="12">–</text>'
                )
                continue
            height = max(bottom - y_of(value), 1.0)  # a hairline: 0 differs from missing
            parts.append(
                f'<rect class="bm-balken" data-reihe="{_SERIES[i][0]}" data-wert="{value}"'
                f' x="{_num(x)}" y="{_num(bottom - height)}" width="{_num(max(bar - 1, 1))}"'
                f' height="{_num(height)}" fill="{_SERIES[i][3]}">'
                f"<title>{_text(year)}: {_amount(value, i)}</title></rect>"
            )
        if j % label_every == 0:
            parts.append(
                f'<text x="{_num(left + (j + 0.5) * group)}" y="{_num(bottom + 20)}"'
                f' text-anchor="middle">{_text(year)}</text>'
            )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{_AXIS}"/>')
    return "".join([*parts, "</svg>"])
