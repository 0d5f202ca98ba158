"""Stadtbezirk geometry: the schematic sample, the reader's key mapping and its checks."""

from __future__ import annotations

import copy
import json
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import geo
from pipelines.ingest.errors import IngestError
from pipelines.sample import city
from pipelines.sample import geo as sample

ALKIS = Path("geo") / "krefeld-stadtgebiet-alkis" / "ALKIS_ADV_SHAPE_Krefeld_VERWALT_EINH.json"


@pytest.fixture
def sample_file(tmp_path: Path) -> Path:
    return sample.write_sample(tmp_path)[0]


def _write(tmp_path: Path, data: object, name: str = "bezirke.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _centroid(feature: dict) -> tuple[float, float]:
    ring = feature["geometry"]["coordinates"][0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


# --------------------------------------------------------------------------------------------
# The schematic sample
# --------------------------------------------------------------------------------------------


def test_sample_reads_back(sample_file: Path) -> None:
    assert sample_file.name == "stadtbezirke.geojson" and sample_file.parent.name == "geo"
    districts = geo.read_districts(sample_file)
    props = [f["properties"] for f in districts["features"]]
    assert [p["bezirk_nr"] for p in props] == list(range(1, 10))
    assert [p["name"] for p in props] == [city.STADTBEZIRKE[n] for n in range(1, 10)]
    assert [p["region_key"] for p in props] == [f"05114000-{n}" for n in range(1, 10)]
    assert all(p["hinweis"] == sample.HINWEIS for p in props)
    assert districts["hinweis"] == sample.HINWEIS


def test_sample_is_labelled_schematic_in_the_file(sample_file: Path) -> None:
    raw = json.loads(sample_file.read_text(encoding="utf-8"))
    assert raw["hinweis"] == "Schematische Darstellung – keine amtliche Geometrie"
    assert all(f["properties"]["hinweis"] == raw["hinweis"] for f in raw["features"])
    assert "crs" not in raw  # RFC 7946: WGS84 implied


def test_sample_is_byte_identical(sample_file: Path, tmp_path: Path) -> None:
    again = sample.write_sample(tmp_path / "again")[0]
    assert again.read_bytes() == sample_file.read_bytes()


def test_bundled_sample_is_current(sample_file: Path, sample_dir: Path) -> None:
    bundled = sample_dir / "geo" / sample.FILE_NAME
    if not bundled.exists():
        pytest.skip("data/sample/geo has not been generated")
    assert bundled.read_bytes() == sample_file.read_bytes()


def test_sample_polygons_tile_without_overlap(sample_file: Path) -> None:
    features = geo.read_districts(sample_file)["features"]
    edges: Counter = Counter()
    for feature in features:
        ring = [tuple(p) for p in feature["geometry"]["coordinates"][0]]
        assert geo.ring_area(ring) > 0  # counter-clockwise, as RFC 7946 asks
        edges.update(frozenset(pair) for pair in pairwise(ring))
    assert max(edges.values()) == 2  # an edge is shared by at most two districts
    shared = sum(1 for n in edges.values() if n == 2)
    assert shared == 12  # the 12 inner edges of a 3 × 3 arrangement
    total = sum(
        geo.ring_area([tuple(p) for p in f["geometry"]["coordinates"][0]]) for f in features
    )
    lon, lat = sample._LON, sample._LAT
    box = (lon[-1] - lon[0]) * (lat[-1] - lat[0])
    assert 0.9 * box < total < box


def test_sample_arrangement_follows_the_city(sample_file: Path) -> None:
    by_name = {
        f["properties"]["name"]: _centroid(f) for f in geo.read_districts(sample_file)["features"]
    }
    mitte = by_name["Mitte"]
    assert by_name["Hüls"][0] < mitte[0] and by_name["Hüls"][1] > mitte[1]  # north-west
    assert by_name["Uerdingen"][0] > mitte[0]  # east, on the Rhine
    assert by_name["Fischeln"][1] < mitte[1]  # south
    assert by_name["West"][0] < mitte[0] < by_name["Ost"][0]
    assert by_name["Süd"][1] < mitte[1] < by_name["Nord"][1]


def test_sample_lies_within_the_real_city_extent(sample_file: Path, realdata: Path) -> None:
    outline = json.loads((realdata / ALKIS).read_text(encoding="utf-8"))
    ring = outline["features"][0]["geometry"]["coordinates"][0]
    real = (min(p[0] for p in ring), max(p[0] for p in ring))
    real_lat = (min(p[1] for p in ring), max(p[1] for p in ring))
    points = [
        p
        for f in geo.read_districts(sample_file)["features"]
        for p in f["geometry"]["coordinates"][0]
    ]
    margin = 0.02
    assert all(real[0] - margin <= p[0] <= real[1] + margin for p in points)
    assert all(real_lat[0] - margin <= p[1] <= real_lat[1] + margin for p in points)


# --------------------------------------------------------------------------------------------
# Real-world property names and the checks
# --------------------------------------------------------------------------------------------


def _renamed(sample_file: Path, rename) -> dict:
    data = json.loads(sample_file.read_text(encoding="utf-8"))
    for feature in data["features"]:
        nr = feature["properties"]["bezirk_nr"]
        feature["properties"] = rename(nr)
    data.pop("hinweis")
    return data


@pytest.mark.parametrize(
    "rename",
    [
        lambda nr: {"STB_NR": str(nr), "STB_NAME": city.STADTBEZIRKE[nr]},
        lambda nr: {"nummer": float(nr)},
        lambda nr: {"BEZIRK": f"Krefeld-{city.STADTBEZIRKE[nr]}"},
        lambda nr: {"Name": f"Stadtbezirk {city.STADTBEZIRKE[nr]}"},
        lambda nr: {"region_key": f"5114000-{nr}", "OBJECTID": 100 + nr},
        lambda nr: {"Bezirk_Nr": f"0{nr}"},
    ],
)
def test_city_property_names_are_mapped(sample_file: Path, tmp_path: Path, rename) -> None:
    districts = geo.read_districts(_write(tmp_path, _renamed(sample_file, rename)))
    assert [f["properties"]["bezirk_nr"] for f in districts["features"]] == list(range(1, 10))
    assert "hinweis" not in districts  # a real file is not marked schematic
    assert districts["features"][3]["properties"]["name"] == "Mitte"


def _broken(sample_file: Path, change) -> dict:
    data = json.loads(sample_file.read_text(encoding="utf-8"))
    change(data)
    return data


def _set_ring(data: dict, ring: list) -> None:
    data["features"][0]["geometry"]["coordinates"] = [ring]


def _utm(data: dict) -> None:
    _set_ring(data, [[330000, 5690000], [331000, 5690000], [331000, 5691000], [330000, 5690000]])


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: d["features"].pop(), "expected 9 Stadtbezirk features, found 8"),
        (
            lambda d: d["features"][1]["properties"].update(bezirk_nr=1, name="West"),
            "Stadtbezirk 1 also in feature 1",
        ),
        (lambda d: d["features"][0].update(properties={"OBJECTID": 7}), "no Stadtbezirk number"),
        (
            lambda d: d["features"][0]["properties"].update(name="Hüls"),
            "number 1 and name 'Hüls' disagree",
        ),
        (_utm, "projected coordinates"),
        (
            lambda d: _set_ring(d, [[51.3, 6.5], [51.31, 6.5], [51.31, 6.51], [51.3, 6.5]]),
            "outside Krefeld",
        ),
        (
            lambda d: _set_ring(d, [[6.5, 51.3], [6.51, 51.3], [6.51, 51.31], [6.5, 51.31]]),
            "not closed",
        ),
        (
            lambda d: _set_ring(
                d, [[6.5, 51.3], [6.51, 51.31], [6.51, 51.3], [6.5, 51.31], [6.5, 51.3]]
            ),
            "crosses itself",
        ),
        (
            lambda d: _set_ring(d, [[6.5, 51.3], [6.51, 51.3], [6.52, 51.3], [6.5, 51.3]]),
            "no area",
        ),
        (
            lambda d: d["features"][0].update(geometry={"type": "Point", "coordinates": [6.5, 51]}),
            "Polygon or MultiPolygon",
        ),
        (
            lambda d: d.update(crs={"type": "name", "properties": {"name": "EPSG:25832"}}),
            "WGS84",
        ),
        (lambda d: d.update(type="Feature"), "FeatureCollection"),
    ],
)
def test_bad_files_are_refused(sample_file: Path, tmp_path: Path, change, rule: str) -> None:
    path = _write(tmp_path, _broken(sample_file, change))
    with pytest.raises(IngestError) as info:
        geo.read_districts(path)
    assert rule in str(info.value)
    assert str(info.value).startswith("geo: bezirke.geojson")


def test_multipolygon_is_accepted(sample_file: Path, tmp_path: Path) -> None:
    def to_multi(data: dict) -> None:
        geometry = data["features"][4]["geometry"]
        geometry.update(type="MultiPolygon", coordinates=[geometry["coordinates"]])

    districts = geo.read_districts(_write(tmp_path, _broken(sample_file, to_multi)))
    assert districts["features"][4]["geometry"]["type"] == "MultiPolygon"


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "bezirke.geojson"
    path.write_text("<kml>", encoding="utf-8")
    with pytest.raises(IngestError, match="not a readable JSON file"):
        geo.read_districts(path)


def test_real_city_outline_is_not_a_district_file(realdata: Path) -> None:
    with pytest.raises(IngestError, match="expected 9 Stadtbezirk features, found 1"):
        geo.read_districts(realdata / ALKIS)


def test_real_cadastral_ring_passes_the_polygon_checks(realdata: Path, tmp_path: Path) -> None:
    """3,337 real vertices: the validity checks must not reject real city geometry."""
    outline = json.loads((realdata / ALKIS).read_text(encoding="utf-8"))
    geometry = outline["features"][0]["geometry"]
    features = [
        {"type": "Feature", "properties": {"STB_NR": nr}, "geometry": geometry}
        for nr in range(1, 10)
    ]
    path = _write(tmp_path, {"type": "FeatureCollection", "features": features})
    assert len(geo.read_districts(path)["features"]) == 9


# --------------------------------------------------------------------------------------------
# Property: arbitrary JSON never raises anything but IngestError
# --------------------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    junk=_JSON,
    target=st.sampled_from(["properties", "geometry", "coordinates", "features", "crs", "ring"]),
    index=st.integers(0, 8),
)
def test_junk_parses_or_raises_ingest_error(
    tmp_path: Path, junk: object, target: str, index: int
) -> None:
    data = sample.feature_collection()
    data = copy.deepcopy(data)
    feature = data["features"][index]
    if target in ("properties", "geometry"):
        feature[target] = junk
    elif target == "coordinates":
        feature["geometry"]["coordinates"] = junk
    elif target == "ring":
        feature["geometry"]["coordinates"][0][index % 4] = junk
    elif target == "features":
        data["features"] = junk
    else:
        data["crs"] = junk
    path = _write(tmp_path, data)
    try:
        result = geo.read_districts(path)
    except IngestError:
        return
    assert len(result["features"]) == 9
