"""Charts and maps say what they show: the figure objects of ``bm_charts`` inspected.

No pixel comparisons: each test draws a figure from the fixture warehouse (or a small
frame) with matplotlib's Agg backend and reads its axes limits, ticks, legend texts and
artists.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Text

from tests.test_report_data import build_warehouse, fresh_report_helpers


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("w") / "w.duckdb")


@pytest.fixture
def bm(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    return fresh_report_helpers(monkeypatch, "bm_report")


@pytest.fixture
def charts(bm: ModuleType) -> ModuleType:
    return importlib.import_module("bm_charts")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def legend_texts(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def drawn_lines(ax) -> list:
    return [line for line in ax.get_lines() if np.isfinite(line.get_ydata()).any()]


def visible_texts(fig: Figure) -> list[Text]:
    fig.canvas.draw()  # tick labels exist after a draw
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.get_figure() is not None
    ]


def trend(bm: ModuleType, indicator_id: str):
    return bm.trend(bm.indicator(indicator_id), bm.edition())


# --------------------------------------------------------------------------- axes


def assert_headroom(ax, data_max: float) -> None:
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low - 1e-9 <= t <= high + 1e-9]
    assert high > data_max, (high, data_max)
    assert high == pytest.approx(max(ticks)), "the axis ends at a labelled tick"


def test_time_series_leaves_room_above_the_largest_value(bm, charts) -> None:
    series = trend(bm, "abgang_ohne_abschluss_quote")
    fig = charts.time_series(series)
    ax = fig.axes[0]
    data_max = max(np.nanmax(line.get_ydata()) for line in drawn_lines(ax))
    data_max = max(data_max, np.nanmax(series.table["max"].to_numpy(float)))
    assert_headroom(ax, data_max)
    assert ax.get_ylim()[0] == 0
    # a maximum exactly on a round tick still gets room above it
    table = series.table.copy()
    table[["min", "max", "median", "nrw"]] = float("nan")
    table["local"] = np.linspace(12, 20, len(table))
    fig = charts.time_series(replace(series, table=table))
    assert_headroom(fig.axes[0], 20.0)


def test_counts_have_integer_ticks_and_only_the_drawn_series_in_the_legend(bm, charts) -> None:
    series = trend(bm, "schueler_anzahl")  # NRW has values, but a count is not comparable
    assert series.has("nrw")
    fig = charts.time_series(series)
    ax = fig.axes[0]
    assert legend_texts(fig) == ["Krefeld"]
    assert len(drawn_lines(ax)) == 1
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert all(float(t).is_integer() for t in ticks)
    # a small count: no tick between whole numbers
    table = series.table.copy()
    table["local"] = [3, 5, 4, 2, 6, 5, 7, 3, 4, 5, 6, 4][: len(table)]
    ax = charts.time_series(replace(series, table=table)).axes[0]
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert all(float(t).is_integer() for t in ticks), ticks


def test_the_legend_names_no_median_band_or_nrw_that_is_not_drawn(bm, charts) -> None:
    series = trend(bm, "abgang_ohne_abschluss_quote")
    full = legend_texts(charts.time_series(series))
    assert {"Nordrhein-Westfalen", "Vergleichsstädte: Median", "Vergleichsstädte: Spanne"} <= set(
        full
    )
    table = series.table.copy()
    table[["median", "min", "max", "nrw"]] = float("nan")
    fig = charts.time_series(replace(series, table=table))
    assert legend_texts(fig) == ["Krefeld"]
    assert not fig.axes[0].collections  # no band


def test_small_multiples_legend_lists_nrw_only_when_a_panel_draws_it(bm, charts) -> None:
    local_only = [trend(bm, i) for i in ("wiederholer_quote", "inklusionsanteil")]
    assert not any(t.has("nrw") for t in local_only)
    fig = charts.small_multiples(local_only, ncols=2)
    assert legend_texts(fig) == ["Krefeld"]
    with_nrw = [*local_only, trend(bm, "abgang_ohne_abschluss_quote")]
    fig = charts.small_multiples(with_nrw)
    assert legend_texts(fig) == ["Krefeld", "Nordrhein-Westfalen"]
    for ax, series in zip(fig.axes, with_nrw, strict=False):
        assert_headroom(ax, np.nanmax(series.table["local"].to_numpy(float)))


def test_school_counts_per_level_are_counted_in_whole_numbers(charts) -> None:
    fig = charts.grouped_bars(
        [str(s) for s in range(1, 10)],
        {
            "Grundschulen": [0, 5, 2, 6, 8, 2, 1, 2, 10],
            "Weiterführende": [2, 1, 2, 3, 1, 2, 1, 0, 3],
        },
        "Anzahl",
    )
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if low <= t <= high]
    assert all(float(t).is_integer() for t in ticks), ticks
    assert high > 10
    # a group without any value is neither drawn nor listed
    fig = charts.grouped_bars(["a", "b"], {"x": [1, 2], "leer": [np.nan, np.nan]}, "%")
    assert legend_texts(fig) == ["x"]


def test_no_text_is_smaller_than_nine_points(bm, charts) -> None:
    features, _ = bm.district_geometry()
    rate = bm.indicator("abgang_ohne_abschluss_quote")
    _, rows = bm.latest_by_region(rate, bm.edition(), list(bm.districts().index))
    breaks = bm.class_breaks(rows["value"])
    _, cities = bm.latest_by_region(rate, bm.edition(), [bm.KREFELD, *bm.comparison_cities()])
    figures = [
        charts.time_series(trend(bm, "abgang_ohne_abschluss_quote")),
        charts.small_multiples([trend(bm, i.id) for i in bm.indicators("Rahmenbedingungen")]),
        charts.district_figure(features, rows["value"].to_dict(), "%", breaks),
        charts.district_figures(
            features, [p.panel for p in bm.district_panels(bm.indicators(), bm.edition())]
        ),
        charts.tile_map(cities["value"].to_dict(), "%", bm.class_breaks(cities["value"])),
        charts.hbars(["a", "b"], [1.0, 2.0], "%"),
    ]
    for fig in figures:
        sizes = {t.get_text(): t.get_fontsize() for t in visible_texts(fig)}
        assert sizes and min(sizes.values()) >= charts.MIN_FONT, sizes


# --------------------------------------------------------------------------- maps


def test_district_map_colours_the_class_of_the_displayed_value(bm, charts) -> None:
    features, _ = bm.district_geometry()
    keys = [f["properties"]["region_key"] for f in features]
    values = {key: 3.0 for key in keys}
    values[keys[0]] = 9.96  # shown as 10,0 %
    values[keys[1]] = float("nan")
    breaks = [0, 5, 10, 15]
    fig = charts.district_figure(features, values, "%", breaks)
    ax = fig.axes[0]
    polygons = [p for p in ax.patches if isinstance(p, Polygon)]
    colours = charts._colours(3)
    assert matplotlib.colors.to_hex(polygons[0].get_facecolor()) == colours[2].lower()
    assert polygons[1].get_hatch() == charts.MISSING_HATCH
    assert legend_texts(fig)[-1] == "keine Angabe"
    texts = [t.get_text() for t in ax.texts]
    names = [f["properties"]["region_name"] for f in features]
    assert texts[0] == f"{names[0]}\n10,0 %"
    assert texts[1] == names[1]  # no value: the name alone
    assert all(t.split("\n")[0] in names for t in texts)


def test_counts_are_circles_with_area_proportional_to_the_value(bm, charts) -> None:
    features, _ = bm.district_geometry()
    keys = [f["properties"]["region_key"] for f in features]
    values = {key: 1000.0 * (i + 1) for i, key in enumerate(keys)}
    fig = charts.district_figure(features, values, "Anzahl", bm.class_breaks(values.values()))
    ax = fig.axes[0]
    circles = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(circles) == len(keys)
    sizes = np.array([c.get_sizes()[0] for c in circles])
    assert sizes / sizes.max() == pytest.approx(
        np.array(list(values.values())) / max(values.values())
    )
    faces = {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}
    assert faces == {charts.BASE.lower()}  # the areas are not coloured by value
    assert "Klassen" not in [ax.get_legend().get_title().get_text()]
    names = {f["properties"]["region_name"] for f in features}
    assert names <= {t.get_text() for t in ax.texts}  # name above, value below the circle


def test_tile_map_draws_every_tile_and_only_compares_three_or_more_cities(bm, charts) -> None:
    everyone = {key: 5.0 + i for i, key in enumerate(charts.TILES)}
    fig = charts.tile_map(everyone, "%", bm.class_breaks(everyone.values()))
    tiles = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(tiles) == len(charts.TILES) == 22
    three = {bm.KREFELD: 5.0, "05111": 6.0, "05112": 7.0, "05113": 8.0}
    fig = charts.tile_map(three, "%", bm.class_breaks(three.values()))
    tiles = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert len(tiles) == 22
    assert sum(p.get_hatch() == charts.MISSING_HATCH for p in tiles) == 22 - 4
    two = {bm.KREFELD: 5.0, "05111": 6.0, "05112": 7.0, "05113": float("nan")}
    fig = charts.tile_map(two, "%", bm.class_breaks(two.values()))
    assert not [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
    assert "weniger als drei" in " ".join(t.get_text() for t in fig.axes[0].texts)
    fig = charts.tile_map(everyone, "Anzahl", bm.class_breaks(everyone.values(), unit="Anzahl"))
    assert not [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


# --------------------------------------------------------------------------- breakdowns

LABELS = {
    "ohne_hsa": "ohne Hauptschulabschluss",
    "hsa": "Hauptschulabschluss",
    "msa": "Mittlerer Schulabschluss",
    "ahr": "Allgemeine Hochschulreife",
}


def breakdown(shares: dict[str, list[float]], total: float = 100.0) -> pd.DataFrame:
    rows = []
    for period, values in shares.items():
        for code, value in zip(LABELS, values, strict=True):
            rows.append({"period": period, "category": code, "value": value, "symbol": None})
        rows.append({"period": period, "category": "insgesamt", "value": total, "symbol": None})
    return pd.DataFrame(rows)


SHARES = {
    "2021/22": [6.0, 15.0, 44.0, 35.0],
    "2022/23": [7.0, 14.0, 43.0, 36.0],
    "2023/24": [6.5, 13.5, 44.0, 36.0],
    "2024/25": [5.0, 13.0, 45.0, 37.0],
}


def test_breakdown_shares_are_stacked_without_the_total(charts) -> None:
    fig = charts.breakdown_bars(breakdown(SHARES), LABELS, "%")
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 3 * len(LABELS)  # the last three periods, no total bar
    assert legend_texts(fig) == list(LABELS.values())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2022/23", "2023/24", "2024/25"]
    assert ax.get_xlim() == (0, 100)
    ends = {}
    for bar in bars:
        ends[bar.get_y()] = max(ends.get(bar.get_y(), 0), bar.get_x() + bar.get_width())
    assert all(end == pytest.approx(100) for end in ends.values())
    assert max(bar.get_width() for bar in bars) < 99  # never one 100 % bar


def test_other_breakdowns_are_grouped_and_show_symbols(charts) -> None:
    frame = breakdown(SHARES)
    frame.loc[
        (frame["period"] == "2024/25") & (frame["category"] == "hsa"), ["value", "symbol"]
    ] = [
        np.nan,
        ".",
    ]
    fig = charts.breakdown_bars(frame, LABELS, "%")
    ax = fig.axes[0]
    assert legend_texts(fig) == ["2022/23", "2023/24", "2024/25"]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(LABELS.values())
    assert " ." in [t.get_text() for t in ax.texts]
    counts = breakdown({p: [v * 31 for v in s] for p, s in SHARES.items()}, total=3100)
    ax = charts.breakdown_bars(counts, LABELS, "Anzahl", periods=2).axes[0]
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 2 * len(LABELS)
    low, high = ax.get_xlim()
    assert high > 45 * 31
    assert all(float(t).is_integer() for t in ax.get_xticks() if low <= t <= high)


def test_breakdown_needs_labels_and_more_than_one_category(charts) -> None:
    with pytest.raises(ValueError, match="ohne_hsa"):
        charts.breakdown_bars(
            breakdown(SHARES), {k: v for k, v in LABELS.items() if k != "ohne_hsa"}, "%"
        )
    only_total = breakdown(SHARES)
    only_total = only_total[only_total["category"].isin(["insgesamt", "msa"])]
    fig = charts.breakdown_bars(only_total, LABELS, "%")
    assert not [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
