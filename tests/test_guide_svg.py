"""Inline SVG of the school guides: well-formed, self-contained, embeddable in a raw-HTML block,
and drawn where the data says (two synthetic districts in Krefeld's area; the real city outline
when shared/ has it)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipelines.report.guide_svg import city_map, registrations_chart, school_map

NS = "http://www.w3.org/2000/svg"
Q = f"{{{NS}}}"
WEST = {
    "type": "Polygon",
    "coordinates": [[[6.55, 51.30], [6.60, 51.30], [6.60, 51.38], [6.55, 51.38], [6.55, 51.30]]],
}
EAST = {  # a MultiPolygon with heights, which are ignored
    "type": "MultiPolygon",
    "coordinates": [
        [[[6.60, 51.30, 40], [6.65, 51.30, 40], [6.65, 51.38, 40], [6.60, 51.38, 40]]],
    ],
}
DISTRICTS = [("West", WEST), ("Ost", EAST)]
OUTLINE = Path("geo") / "krefeld-stadtgebiet-alkis"
ROWS = [
    {"school_year": "2022/23", "aufnahmekapazitaet": 54, "anmeldungen": 70, "aufnahmen": 54},
    {"school_year": "2023/24", "aufnahmekapazitaet": 56, "anmeldungen": 61, "aufnahmen": 56},
    {"school_year": "2024/25", "aufnahmekapazitaet": 56, "anmeldungen": None, "aufnahmen": 55},
]


def school(number: str, name: str, lon: float | None, lat: float | None, kind: str) -> dict:
    return {
        "schulnummer": number,
        "name": name,
        "lon": lon,
        "lat": lat,
        "href": f"schulen/{number}.html",
        "kind": kind,
    }


def parse(svg: str) -> ET.Element:
    """Parse, and check what every guide SVG needs to be embedded verbatim in a page."""
    root = ET.fromstring(svg)
    assert root.tag == Q + "svg"
    for line in svg.split("\n"):
        assert line.strip(), "a blank line ends a raw-HTML block"
        assert not line.startswith("    "), "an indented line becomes a code block"
    rest = svg.replace(NS, "")
    assert "http" not in rest.lower()
    assert "//" not in rest
    for forbidden in ("<script", "url(", "<image", "xlink", "<foreignobject"):
        assert forbidden not in svg.lower()
    for element in root.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert "style" not in element.attrib
        if "href" in element.attrib:
            assert ":" not in element.get("href")
            assert not element.get("href").startswith("/")
    return root


def viewbox(root: ET.Element) -> list[float]:
    return [float(v) for v in root.get("viewBox").split()]


def in_viewbox(root: ET.Element, x: float, y: float) -> bool:
    left, top, width, height = viewbox(root)
    return left <= x <= left + width and top <= y <= top + height


def path_bbox(d: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def in_bbox(bbox: tuple[float, float, float, float], x: float, y: float) -> bool:
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def points(root: ET.Element) -> list[ET.Element]:
    return [c for c in root.iter(Q + "circle") if c.get("class") == "bm-kartenpunkt"]


def centre(circle: ET.Element) -> tuple[float, float]:
    return float(circle.get("cx")), float(circle.get("cy"))


def district_bbox(root: ET.Element, name: str) -> tuple[float, float, float, float]:
    (path,) = [p for p in root.iter(Q + "path") if p.get("data-bezirk") == name]
    return path_bbox(path.get("d"))


def legend(root: ET.Element, css_class: str) -> list[str]:
    (group,) = [g for g in root.iter(Q + "g") if g.get("class") == css_class]
    return [text.text for text in group.iter(Q + "text")]


# --- city map -------------------------------------------------------------------------------


SCHOOLS = [
    school("100001", "GGS Am Park", 6.57, 51.37, "grundschule"),  # north-west
    school("100002", "GGS Süd", 6.58, 51.31, "grundschule"),  # south-west
    school("100003", "Gymnasium Ost", 6.63, 51.34, "weiterfuehrend"),
]


def test_city_map_has_one_linked_point_per_school_inside_the_viewbox() -> None:
    root = parse(city_map(DISTRICTS, SCHOOLS, title="Alle Schulen"))
    assert root.get("class") == "bm-karte"
    assert root.get("role") == "group"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    (title,) = root.findall(Q + "title")
    assert title.text == "Alle Schulen"
    assert root.get("aria-labelledby") == title.get("id") == "karte-titel"
    assert [p.get("data-schulnummer") for p in points(root)] == ["100001", "100002", "100003"]
    assert all(in_viewbox(root, *centre(p)) for p in points(root))
    links = list(root.iter(Q + "a"))
    assert [a.get("href") for a in links] == [f"schulen/10000{i}.html" for i in (1, 2, 3)]
    for link, expected in zip(links, SCHOOLS, strict=True):
        assert link.get("aria-label") == expected["name"]
        assert link.find(Q + "title").text == expected["name"]
        assert link.find(Q + "circle").get("data-schulnummer") == expected["schulnummer"]


def test_a_school_is_drawn_inside_its_district_north_up() -> None:
    root = parse(city_map(DISTRICTS, SCHOOLS, title="Karte"))
    west, east = district_bbox(root, "West"), district_bbox(root, "Ost")
    north, south, eastern = (centre(p) for p in points(root))
    assert in_bbox(west, *north) and not in_bbox(east, *north)
    assert in_bbox(west, *south) and not in_bbox(east, *south)
    assert in_bbox(east, *eastern) and not in_bbox(west, *eastern)
    assert north[1] < south[1]  # y flipped: north is up
    assert eastern[0] > north[0]
    assert all(in_viewbox(root, x, y) for bbox in (west, east) for x, y in (bbox[:2], bbox[2:]))
    names = {t.text: (float(t.get("x")), float(t.get("y"))) for t in root.iter(Q + "text")}
    assert in_bbox(west, *names["West"]) and in_bbox(east, *names["Ost"])


def test_the_districts_span_kilometres_in_utm_metres() -> None:
    root = parse(city_map(DISTRICTS, [], title="Karte"))
    width, height = viewbox(root)[2:]
    assert 7000 < width < 8500  # 0.1° of longitude at 51.3° N ≈ 7 km, plus margins
    assert 9000 < height < 10500  # 0.08° of latitude ≈ 8.9 km, plus margins
    assert not points(root)
    assert not [g for g in root.iter(Q + "g") if g.get("class") == "bm-karte-legende"]


def test_the_legend_lists_only_the_kinds_drawn() -> None:
    both = parse(city_map(DISTRICTS, SCHOOLS, title="Karte"))
    assert legend(both, "bm-karte-legende") == ["Grundschulen", "Weiterführende Schulen"]
    kinds = {p.get("data-art"): p.get("fill") for p in points(both)}
    assert kinds["grundschule"] != kinds["weiterfuehrend"]
    without_place = school("100004", "Realschule ohne Lage", None, None, "weiterfuehrend")
    primary = parse(city_map(DISTRICTS, [*SCHOOLS[:2], without_place], title="Karte"))
    assert legend(primary, "bm-karte-legende") == ["Grundschulen"]
    assert len(points(primary)) == 2


def test_names_are_escaped_and_kept_on_one_line() -> None:
    name = 'GGS "A & B" <Nord>\n\n    Zweig'
    svg = city_map(
        [("Bockum & <Verberg>", WEST)],
        [school("100005", name, 6.57, 51.33, "grundschule")],
        title="Schulen <& Karte>",
    )
    root = parse(svg)
    assert "&amp;" in svg and "&lt;" in svg
    (link,) = root.iter(Q + "a")
    assert link.get("aria-label") == 'GGS "A & B" <Nord> Zweig'
    assert root.find(Q + "title").text == "Schulen <& Karte>"
    assert "Bockum & <Verberg>" in [t.text for t in root.iter(Q + "text")]


@pytest.mark.parametrize(
    "href",
    ["https://example.org/s.html", "//example.org/s.html", "javascript:alert(1)", "/s.html", " s"],
)
def test_a_map_link_must_stay_on_the_site(href: str) -> None:
    with pytest.raises(ValueError, match="relative"):
        city_map(DISTRICTS, [{**SCHOOLS[0], "href": href}], title="Karte")


def test_ids_follow_the_prefix_and_nothing_to_draw_gives_no_map() -> None:
    root = parse(city_map(DISTRICTS, SCHOOLS, title="Karte", id_prefix="gs-karte"))
    assert root.find(Q + "title").get("id") == root.get("aria-labelledby") == "gs-karte-titel"
    assert city_map([], [], title="Karte") == ""
    with pytest.raises(ValueError, match="Polygon"):
        city_map([("Punkt", {"type": "Point", "coordinates": [6.6, 51.3]})], [], title="Karte")
    with pytest.raises(ValueError, match="kind"):
        city_map(DISTRICTS, [{**SCHOOLS[0], "kind": "foerderschule"}], title="Karte")


# --- locator map ----------------------------------------------------------------------------


def test_school_map_shows_exactly_one_point_inside_the_viewbox() -> None:
    root = parse(school_map(DISTRICTS, (6.63, 51.37), name="Gymnasium <Fabritianum>"))
    assert root.get("class") == "bm-karte bm-karte-klein"
    assert root.get("role") == "img"
    (title,) = root.findall(Q + "title")
    assert title.get("id") == root.get("aria-labelledby")
    assert title.text == "Lage der Schule Gymnasium <Fabritianum> im Stadtgebiet"
    (point,) = points(root)
    assert in_viewbox(root, *centre(point))
    assert in_bbox(district_bbox(root, "Ost"), *centre(point))
    assert not in_bbox(district_bbox(root, "West"), *centre(point))
    assert not list(root.iter(Q + "a"))
    assert school_map(DISTRICTS, (float("nan"), 51.3), name="X") == ""


# --- registrations chart --------------------------------------------------------------------


def ticks(root: ET.Element) -> list[int]:
    labels = [t for t in root.iter(Q + "text") if t.get("class") == "bm-achse-wert"]
    values = [int(t.text.replace(".", "")) for t in labels]
    assert values == [int(t.get("data-wert")) for t in labels]
    return values


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(Q + "rect") if r.get("class") == "bm-balken"]


def chart(rows: list[dict]) -> ET.Element:
    return parse(registrations_chart(rows, title="Anmeldungen"))


@pytest.mark.parametrize("highest", [0, 1, 4, 7, 49, 50, 56, 61, 70, 100, 999, 1234, 98765])
def test_the_axis_has_integer_ticks_and_room_above_the_highest_bar(highest: int) -> None:
    root = chart([{"school_year": "2024/25", "anmeldungen": highest}])
    values = ticks(root)
    step = values[1] - values[0]
    assert values[0] == 0
    assert values == list(range(0, values[-1] + 1, step))
    assert step in {1, 2, 5} or re.fullmatch(r"(10|20|25|50)0*", str(step))
    assert 2 <= len(values) <= 6
    assert values[-1] > highest
    assert values[-1] - highest >= 0.05 * values[-1]  # visible room, not 50 over 49
    top_y = min(float(t.get("y")) for t in root.iter(Q + "text") if t.get("data-wert"))
    (bar,) = bars(root)
    assert float(bar.get("y")) > top_y  # the tallest bar stays below the top tick


def test_a_missing_value_draws_no_bar_and_reads_as_a_dash() -> None:
    root = chart(ROWS)
    drawn = [(r.get("data-reihe"), r.get("data-wert")) for r in bars(root)]
    assert len(drawn) == 8
    assert ("anmeldungen", "70") in drawn and ("aufnahmen", "55") in drawn
    assert ticks(root)[-1] > 70
    desc = root.find(Q + "desc")
    assert root.get("aria-describedby") == desc.get("id")
    assert desc.text == (
        "2022/23: 54 Plätze, 70 Anmeldungen, 54 Aufnahmen; "
        "2023/24: 56 Plätze, 61 Anmeldungen, 56 Aufnahmen; "
        "2024/25: 56 Plätze, – Anmeldungen, 55 Aufnahmen (– = keine Angabe)."
    )
    assert [t.text for t in root.iter(Q + "text") if t.get("class") == "bm-fehlt"] == ["–"]
    assert legend(root, "bm-legende") == ["Plätze", "Anmeldungen", "Aufnahmen"]


def test_the_legend_omits_a_series_without_any_value() -> None:
    rows = [{**row, "aufnahmekapazitaet": None} for row in ROWS]
    root = chart(rows)
    assert legend(root, "bm-legende") == ["Anmeldungen", "Aufnahmen"]
    assert {r.get("data-reihe") for r in bars(root)} == {"anmeldungen", "aufnahmen"}
    assert "Plätze" not in root.find(Q + "desc").text


def test_counts_are_written_in_german_notation() -> None:
    root = chart([{"school_year": "2024/25", "anmeldungen": 1234, "aufnahmen": 1}])
    labels = [t.text for t in root.iter(Q + "text") if t.get("class") == "bm-achse-wert"]
    assert "1.000" in labels
    assert root.find(Q + "desc").text == "2024/25: 1.234 Anmeldungen, 1 Aufnahme."


def test_the_chart_is_readable_on_a_phone_and_its_colours_are_distinct() -> None:
    root = chart(ROWS)
    assert viewbox(root)[2] == 400
    assert root.get("role") == "img" and root.get("width") == "100%"
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
    assert root.get("font-size") and min(sizes) >= 12
    fills = {r.get("data-reihe"): r.get("fill") for r in bars(root)}
    assert len(set(fills.values())) == 3
    assert all(contrast(fill, "#FFFFFF") >= 3 for fill in fills.values())


def test_no_rows_or_no_values_give_no_chart() -> None:
    assert registrations_chart([], title="Anmeldungen") == ""
    empty = {"school_year": "2024/25", "aufnahmekapazitaet": None, "anmeldungen": float("nan")}
    assert registrations_chart([empty], title="Anmeldungen") == ""


def contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- the real city outline ------------------------------------------------------------------


def test_the_real_krefeld_outline_gives_a_map_of_about_15_km(realdata: Path) -> None:
    (source,) = (realdata / OUTLINE).glob("*.json")
    geometry = json.loads(source.read_text(encoding="utf-8"))["features"][0]["geometry"]
    city_hall = school("100006", "Rathaus", 6.5636, 51.3331, "weiterfuehrend")
    svg = city_map([("Krefeld", geometry)], [city_hall], title="Krefeld")
    root = parse(svg)
    width, height = viewbox(root)[2:]
    assert 10_000 < width < 20_000
    assert 10_000 < height < 20_000
    (point,) = points(root)
    assert in_bbox(district_bbox(root, "Krefeld"), *centre(point))
    assert len(svg) < 15_000  # 3,337 cadastral vertices (≈ 53 kB) simplified to the screen
    small_svg = school_map([("Krefeld", geometry)], (6.5636, 51.3331), name="Rathaus")
    small = parse(small_svg)
    assert 10_000 < viewbox(small)[2] < 20_000
    assert len(small_svg) < 10_000  # on every school page
