"""Point in polygon for the school guides' location check."""

from __future__ import annotations

import json

import numpy as np

from quality.geo_lage import inside

SQUARE = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
HOLE = [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]]


def test_points_inside_and_outside_a_polygon_with_a_hole() -> None:
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE, HOLE]}}
    points = np.array([[0.5, 0.5], [2, 2], [5, 5], [np.nan, 1]])
    assert inside(points, [feature]).tolist() == [True, False, False, False]


def test_a_multipolygon_given_as_json_text() -> None:
    far = [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]
    geometry = json.dumps({"type": "MultiPolygon", "coordinates": [[SQUARE], far]})
    assert inside(np.array([[10.5, 10.5], [2, 2], [7, 7]]), [geometry]).tolist() == [
        True,
        True,
        False,
    ]


def test_the_union_of_several_districts() -> None:
    west = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    east = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    assert inside(np.array([[0.5, 0.5], [1.5, 0.5], [2.5, 0.5]]), [west, east]).tolist() == [
        True,
        True,
        False,
    ]
