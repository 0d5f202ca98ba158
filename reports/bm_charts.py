"""Charts and maps of the report: static matplotlib figures (SVG), colour-blind safe, German.

Every figure works offline and in the PDF (no JavaScript, no map tiles). Colours come from
the Okabe–Ito palette (lines, bars) and a sequential blue scale (maps); lines also differ by
style and marker and map classes are labelled, so no information is carried by colour
alone. A page draws a figure with one call and ends the chunk with ``plt.show()``; the
numbers behind every figure are shown in a table next to it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import bm_report as bm
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

BLUE = "#0072B2"  # Krefeld
VERMILLION = "#D55E00"  # Nordrhein-Westfalen
GREY = "#5F6B73"  # comparison cities (median)
BAND = "#D9DEE3"  # comparison cities (range)
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
SEQUENTIAL = ("#DEEBF7", "#9ECAE1", "#4292C6", "#2171B5", "#08306B")
"""Map classes, light (low values) to dark (high values); readable in greyscale too."""
MISSING_HATCH = "////"
WIDTH = 7.2  # inches: the text width of the PDF edition

# Schematic tile map: each kreisfreie Stadt of NRW as a square at (column, row), roughly
# where it lies (row 0 = north). Kfz-Kennzeichen as short labels.
TILES: Mapping[str, tuple[int, int, str]] = {
    "05515": (5, 0, "MS"),
    "05711": (7, 0, "BI"),
    "05512": (2, 1, "BOT"),
    "05513": (3, 1, "GE"),
    "05916": (4, 1, "HER"),
    "05915": (6, 1, "HAM"),
    "05112": (1, 2, "DU"),
    "05119": (2, 2, "OB"),
    "05113": (3, 2, "E"),
    "05911": (4, 2, "BO"),
    "05913": (5, 2, "DO"),
    "05114": (0, 3, "KR"),
    "05117": (2, 3, "MH"),
    "05914": (5, 3, "HA"),
    "05116": (0, 4, "MG"),
    "05111": (1, 4, "D"),
    "05124": (3, 4, "W"),
    "05122": (2, 5, "SG"),
    "05120": (3, 5, "RS"),
    "05316": (2, 6, "LEV"),
    "05315": (2, 7, "K"),
    "05314": (3, 8, "BN"),
}


def setup() -> None:
    """The report's chart style (called on import)."""
    mpl.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 8.5,
            "axes.titlesize": 9,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#52606D",
            "axes.labelcolor": "#1F2933",
            "xtick.color": "#1F2933",
            "ytick.color": "#1F2933",
            "legend.frameon": False,
            "svg.hashsalt": "bildungsmonitor",  # stable element ids in the SVG
            "figure.dpi": 100,
        }
    )


setup()


def _number_formatter(unit: str) -> FuncFormatter:
    def label(value: float, _position: int) -> str:
        digits = 0 if float(value).is_integer() else 1
        return bm.format_number(value, digits)

    return FuncFormatter(label)


def _value_axis(ax: plt.Axes, unit: str, *, axis: str = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    target.set_major_formatter(_number_formatter(unit))
    if axis == "y":
        ax.set_ylabel(bm.unit_label(unit))
        ax.grid(axis="y", color=BAND, linewidth=0.8)
    else:
        ax.set_xlabel(bm.unit_label(unit))
        ax.grid(axis="x", color=BAND, linewidth=0.8)
    ax.set_axisbelow(True)


def _period_axis(ax: plt.Axes, periods: Sequence[str], *, every: int | None = None) -> None:
    labels = [bm.format_period(p) for p in periods]
    step = every or max(1, math.ceil(len(labels) / 12))
    ticks = list(range(0, len(labels), step))
    if ticks and ticks[-1] != len(labels) - 1:
        ticks.append(len(labels) - 1)
    ax.set_xticks(ticks, [labels[i] for i in ticks])
    plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))


def no_data(message: str = "Keine Werte in dieser Ausgabe", height: float = 1.6) -> Figure:
    """A figure that says why there is nothing to show (a figure chunk draws one image)."""
    fig, ax = plt.subplots(figsize=(WIDTH, height))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color=GREY)
    return fig


def _plot_trend(ax: plt.Axes, series: bm.Trend, *, markers: bool = True, band: bool = True) -> int:
    """Draw one indicator's series on ``ax``; returns the number of lines drawn."""
    table = series.table
    x = np.arange(len(table))
    drawn = 0
    size = 4 if markers else 0
    # counts of regions of different size are not comparable: Krefeld alone (tables: all)
    comparable = series.indicator.unit != "Anzahl" or series.local_key is None
    if band and comparable and series.has("min"):
        ax.fill_between(
            x,
            table["min"].to_numpy(float),
            table["max"].to_numpy(float),
            color=BAND,
            label="Vergleichsstädte: Spanne",
            linewidth=0,
        )
        ax.plot(
            x, table["median"], color=GREY, linestyle=":", marker="D", markersize=size * 0.8,
            label="Vergleichsstädte: Median",
        )  # fmt: skip
        drawn += 1
    if comparable and series.has("nrw"):
        ax.plot(
            x, table["nrw"], color=VERMILLION, linestyle="--", marker="s", markersize=size,
            label="Nordrhein-Westfalen",
        )  # fmt: skip
        drawn += 1
    if series.local_key and series.has("local"):
        ax.plot(
            x, table["local"], color=BLUE, linewidth=2.2, marker="o", markersize=size,
            label=series.local_name,
        )  # fmt: skip
        drawn += 1
    return drawn


def time_series(series: bm.Trend) -> Figure:
    """Line chart of one indicator: Krefeld, NRW, the comparison cities' median and range."""
    if series.table.empty:
        return no_data()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.9))
    if not _plot_trend(ax, series):
        plt.close(fig)
        return no_data()
    _period_axis(ax, series.periods)
    _value_axis(ax, series.indicator.unit)
    if _non_negative(series):
        ax.set_ylim(bottom=0)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: _legend_rank(labels[i]))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.28),
        ncol=4,
    )
    fig.tight_layout()
    return fig


def _non_negative(series: bm.Trend) -> bool:
    """Whether the value axis should start at zero (it does unless values go below)."""
    shown = series.table[["local", "nrw", "min"]].to_numpy(dtype=float)
    return bool((shown[~pd.isna(shown)] >= 0).all())


def _legend_rank(label: str) -> int:
    return {"Nordrhein-Westfalen": 1, "Vergleichsstädte: Median": 2}.get(
        label, 3 if label.startswith("Vergleichsstädte") else 0
    )


MAX_HEIGHT = 8.6
"""Inches: a figure must fit on one page of the PDF edition with its caption."""


def _grid(panels: int, ncols: int | None, row_height: float) -> tuple[int, int, float]:
    """Columns, rows and row height for small multiples that fit on a PDF page."""
    ncols = ncols or (3 if panels <= 9 else 4)
    rows = math.ceil(panels / ncols)
    return ncols, rows, min(row_height, MAX_HEIGHT / rows)


def small_multiples(trends: Sequence[bm.Trend], ncols: int | None = None) -> Figure:
    """One small line chart per indicator (Krefeld and NRW), for a chapter's overview."""
    trends = [t for t in trends if t.has("local")]
    if not trends:
        return no_data()
    ncols, rows, height = _grid(len(trends), ncols, 2.25)
    fig, axes = plt.subplots(rows, ncols, figsize=(WIDTH, height * rows + 0.5), squeeze=False)
    for ax, series in zip(axes.flat, trends, strict=False):
        _plot_trend(ax, series, markers=len(series.periods) <= 8, band=False)
        ax.set_title(
            "\n".join(textwrap.wrap(series.indicator.name, 30 if ncols < 4 else 22)), fontsize=7.5
        )
        _value_axis(ax, series.indicator.unit)
        ax.set_ylabel(bm.unit_label(series.indicator.unit), fontsize=7)
        periods = series.periods
        ax.set_xticks(
            [0, len(periods) - 1] if len(periods) > 1 else [0],
            [bm.format_period(periods[0]), bm.format_period(periods[-1])][: len(periods)],
            fontsize=7,
        )
        ax.set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
        if _non_negative(series):
            ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(trends) :]:
        ax.axis("off")
    fig.legend(
        handles=[
            plt.Line2D([], [], color=BLUE, linewidth=2.2, marker="o", label="Krefeld"),
            plt.Line2D(
                [], [], color=VERMILLION, linestyle="--", marker="s", label="Nordrhein-Westfalen"
            ),
        ],
        loc="lower center",
        ncol=2,
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def hbars(
    labels: Sequence[str],
    values: Sequence[float],
    unit: str,
    *,
    highlight: str | None = None,
    colour: str = BLUE,
    height: float | None = None,
) -> Figure:
    """Horizontal bars, first label on top; ``highlight`` (e.g. Krefeld) in a second colour."""
    if not len(labels):
        return no_data()
    fig, ax = plt.subplots(figsize=(WIDTH, height or 0.28 * len(labels) + 0.9))
    y = np.arange(len(labels))[::-1]
    colours = [VERMILLION if label == highlight else colour for label in labels]
    bars = ax.barh(y, np.nan_to_num(np.asarray(values, float)), color=colours, height=0.7)
    for bar, value in zip(bars, values, strict=True):
        text = bm.format_value(value, None, unit) if not pd.isna(value) else "."
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {text}", va="center")
    ax.set_yticks(y, labels)
    _value_axis(ax, unit, axis="x")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.margins(x=0.12)
    fig.tight_layout()
    return fig


def grouped_bars(
    categories: Sequence[str],
    groups: Mapping[str, Sequence[float]],
    unit: str,
    *,
    xlabel: str = "",
    stacked: bool = False,
) -> Figure:
    """Vertical bars per category, one colour (and hatch) per group; stacked if asked."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    x = np.arange(len(categories))
    width = 0.8 if stacked else 0.8 / max(len(groups), 1)
    bottom = np.zeros(len(categories))
    hatches = ("", "//", "..", "xx", "\\\\", "--", "++")
    for i, (name, numbers) in enumerate(groups.items()):
        heights = np.nan_to_num(np.asarray(numbers, float))
        offset = 0 if stacked else (i - (len(groups) - 1) / 2) * width
        ax.bar(
            x + offset, heights, width, bottom=bottom if stacked else None,
            color=OKABE_ITO[i % len(OKABE_ITO)], hatch=hatches[i % len(hatches)],
            edgecolor="white", linewidth=0.5, label=name,
        )  # fmt: skip
        if stacked:
            bottom = bottom + heights
    ax.set_xticks(x, categories)
    if len(categories) > 8 and max(len(str(c)) for c in categories) > 3:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel(xlabel)
    _value_axis(ax, unit)
    ax.legend(loc="upper left", ncol=min(len(groups), 4))
    ax.margins(y=0.15)
    fig.tight_layout()
    return fig


def diverging_bars(
    labels: Sequence[str], left: Sequence[float], right: Sequence[float], names: tuple[str, str]
) -> Figure:
    """Outflows to the left, inflows to the right of zero, per row (e.g. per school type)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.55 * len(labels) + 1.2))
    y = np.arange(len(labels))[::-1]
    out = np.nan_to_num(np.asarray(left, float))
    inn = np.nan_to_num(np.asarray(right, float))
    ax.barh(y, -out, color=VERMILLION, hatch="//", edgecolor="white", label=names[0], height=0.6)
    ax.barh(y, inn, color=BLUE, label=names[1], height=0.6)
    for yi, a, b, a_raw, b_raw in zip(y, out, inn, left, right, strict=True):
        ax.text(-a, yi, f"{bm.format_value(a_raw, None, 'Anzahl')} ", ha="right", va="center")
        ax.text(b, yi, f" {bm.format_value(b_raw, None, 'Anzahl')}", ha="left", va="center")
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#1F2933", linewidth=0.8)
    limit = max(out.max(initial=0), inn.max(initial=0), 1) * 1.25
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: bm.format_number(abs(v))))
    ax.set_xlabel("Anzahl der Schülerinnen und Schüler")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- maps


def _colours(classes: int) -> list[str]:
    if classes <= 1:
        return [SEQUENTIAL[2]]
    return [SEQUENTIAL[round(i * (len(SEQUENTIAL) - 1) / (classes - 1))] for i in range(classes)]


def _rings(geometry: Mapping) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    raise ValueError(f"unsupported geometry type {geometry['type']!r}")


def _legend(ax: plt.Axes, breaks: Sequence[float], unit: str, missing: bool, **kwargs) -> None:
    colours = _colours(len(breaks) - 1)
    handles = [
        Patch(facecolor=c, edgecolor="#52606D", label=label)
        for c, label in zip(colours, bm.class_labels(breaks, unit), strict=True)
    ]
    if missing:
        handles.append(
            Patch(facecolor="white", edgecolor="#52606D", hatch=MISSING_HATCH, label="keine Angabe")
        )
    ax.legend(handles=handles, **kwargs)


def district_map(
    ax: plt.Axes,
    features: Sequence[Mapping],
    values: Mapping[str, float],
    unit: str,
    breaks: Sequence[float],
    *,
    labels: bool = True,
    legend: bool = True,
) -> None:
    """Choropleth of the Stadtbezirke on ``ax`` (values by region key)."""
    colours = _colours(len(breaks) - 1)
    lats = []
    missing = False
    for feature in features:
        key = feature["properties"]["region_key"]
        value = values.get(key)
        index = bm.classify(value, breaks)
        missing |= index is None
        for ring in _rings(feature["geometry"]):
            points = np.asarray(ring, float)
            lats.extend(points[:, 1])
            ax.add_patch(
                Polygon(
                    points,
                    closed=True,
                    facecolor="white" if index is None else colours[index],
                    hatch=MISSING_HATCH if index is None else None,
                    edgecolor="white" if index is not None else "#52606D",
                    linewidth=1.2,
                )
            )
        if labels:
            ring = np.asarray(_rings(feature["geometry"])[0], float)[:-1]
            x, y = ring.mean(axis=0)
            dark = index is not None and index >= max(len(colours) - 2, 1)
            text = feature["properties"]["region_name"]
            if value is not None and not pd.isna(value):
                text += "\n" + bm.format_value(value, None, unit)
            ax.text(
                x, y, text, ha="center", va="center", fontsize=6.5,
                color="white" if dark else "#1F2933",
            )  # fmt: skip
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(float(np.mean(lats)) if lats else 51.3)))
    ax.axis("off")
    if legend and len(breaks) > 1:
        _legend(ax, breaks, unit, missing, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                title="Klassen")  # fmt: skip


def district_figure(
    features: Sequence[Mapping], values: Mapping[str, float], unit: str, breaks: Sequence[float]
) -> Figure:
    """One choropleth of the Stadtbezirke with its legend."""
    if not features:
        return no_data("Keine Geometrie der Stadtbezirke veröffentlicht")
    fig, ax = plt.subplots(figsize=(WIDTH, 4.4))
    district_map(ax, features, values, unit, breaks)
    fig.tight_layout()
    return fig


def district_figures(
    features: Sequence[Mapping],
    panels: Sequence[tuple[str, Mapping[str, float], str, Sequence[float]]],
    ncols: int = 2,
) -> Figure:
    """Small multiples of Stadtbezirk choropleths: (title, values, unit, breaks) per panel."""
    if not features or not panels:
        return no_data("Keine kleinräumigen Werte in dieser Ausgabe")
    ncols, rows, height = _grid(len(panels), ncols if len(panels) <= 8 else 3, 2.5)
    fig, axes = plt.subplots(rows, ncols, figsize=(WIDTH, height * rows), squeeze=False)
    for ax, (title, values, unit, breaks) in zip(axes.flat, panels, strict=False):
        district_map(ax, features, values, unit, breaks, labels=False, legend=False)
        ax.set_title("\n".join(textwrap.wrap(title, 38 if ncols == 2 else 26)), fontsize=7.5)
        missing = any(bm.classify(values.get(f["properties"]["region_key"]), breaks) is None
                      for f in features)  # fmt: skip
        if len(breaks) > 1:
            _legend(ax, breaks, unit, missing, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                    fontsize=6 if ncols == 2 else 5.5)  # fmt: skip
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def tile_map(
    values: Mapping[str, float], unit: str, breaks: Sequence[float], *, highlight: str = bm.KREFELD
) -> Figure:
    """Schematic tile map of the kreisfreie Städte of NRW: one square per city, roughly where
    it lies, coloured by class, labelled with its Kfz-Kennzeichen and value."""
    colours = _colours(len(breaks) - 1)
    positions = dict(TILES)
    extra = [k for k in values if k not in positions]
    for i, key in enumerate(sorted(extra)):  # cities the layout does not know: a bottom row
        positions[key] = (i, 10, bm.region_name(key)[:3].upper())
    fig, ax = plt.subplots(figsize=(WIDTH, 5.6))
    missing = False
    for key, (col, row, short) in positions.items():
        if key not in values:
            continue
        value = values[key]
        index = bm.classify(value, breaks)
        missing |= index is None
        ax.add_patch(
            Rectangle(
                (col, -row), 0.92, 0.92,
                facecolor="white" if index is None else colours[index],
                hatch=MISSING_HATCH if index is None else None,
                edgecolor="#1F2933" if key == highlight else "#9AA5B1",
                linewidth=2.4 if key == highlight else 0.6,
            )
        )  # fmt: skip
        dark = index is not None and index >= max(len(colours) - 2, 1)
        ax.text(
            col + 0.46, -row + 0.46,
            f"{short}\n{bm.format_value(value, None, unit) if not pd.isna(value) else '.'}",
            ha="center", va="center", fontsize=7, color="white" if dark else "#1F2933",
            fontweight="bold" if key == highlight else "normal",
        )  # fmt: skip
    ax.set_xlim(-0.2, 8.2)
    ax.set_ylim(-max(r for _, r, _ in positions.values()) - 0.15, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if len(breaks) > 1:
        _legend(ax, breaks, unit, missing, loc="lower right", title="Klassen")
    fig.tight_layout()
    return fig
