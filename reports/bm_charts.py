"""Charts and maps of the report: static matplotlib figures (SVG), colour-blind safe, German.

Every figure works offline and in the PDF (no JavaScript, no map tiles). Colours come from
the Okabe–Ito palette (lines, bars) and a sequential blue scale (maps); lines also differ by
style and marker, bars by hatch, and map classes are labelled, so no information is carried
by colour alone. A page draws a figure with one call and ends the chunk with ``plt.show()``;
the numbers behind every figure are shown in a table next to it.

Rules every figure keeps: no text below :data:`MIN_FONT` points (the figures are scaled
down on phones); value axes end at a labelled tick above the largest value (headroom, so no
line or marker is clipped); counts get integer ticks; a legend names only what was drawn.
Maps classify the displayed (rounded) value and show counts as proportional circles.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import bm_report as bm
import matplotlib as mpl
import matplotlib.patheffects as path_effects
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

BLUE = "#0072B2"  # Krefeld
VERMILLION = "#D55E00"  # Nordrhein-Westfalen
GREY = "#5F6B73"  # comparison cities (median)
BAND = "#D9DEE3"  # comparison cities (range)
TEXT = "#1F2933"
BASE = "#EEF1F4"  # map areas under proportional circles
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "++")
SEQUENTIAL = ("#DEEBF7", "#9ECAE1", "#4292C6", "#2171B5", "#08306B")
"""Map classes, light (low values) to dark (high values); readable in greyscale too."""
MISSING_HATCH = "////"
WIDTH = 7.2  # inches: the text width of the PDF edition
MIN_FONT = 9.0
"""Points: the smallest text in any figure."""
HEADROOM = 0.06
"""Share of the value range kept free above the largest value (before rounding to a tick)."""

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
            "font.size": MIN_FONT,
            "axes.titlesize": 10,
            "axes.labelsize": MIN_FONT,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#52606D",
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
            "xtick.labelsize": MIN_FONT,
            "ytick.labelsize": MIN_FONT,
            "legend.fontsize": MIN_FONT,
            "legend.title_fontsize": MIN_FONT,
            "legend.frameon": False,
            "svg.hashsalt": "bildungsmonitor",  # stable element ids in the SVG
            "figure.dpi": 100,
        }
    )


setup()


def _tick_text(value: float, _position: int | None = None) -> str:
    """A tick label with as many decimals as the tick needs (``2,5``; ``0,25``; ``10``)."""
    digits = next((n for n in range(3) if abs(value * 10**n - round(value * 10**n)) < 1e-6), 2)
    return bm.format_number(value, digits)


def _locator(unit: str) -> MaxNLocator:
    """Round ticks; whole numbers only for counts (no "2,5 Schulen")."""
    return MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=unit == "Anzahl")


def _value_axis(ax: plt.Axes, unit: str, *, axis: str = "y", label: bool = True) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(_locator(unit))
    target.set_major_formatter(FuncFormatter(_tick_text))
    if label:
        target.set_label_text(bm.unit_label(unit))
    ax.grid(axis=axis, color=BAND, linewidth=0.8)
    ax.set_axisbelow(True)


def _finite(data: Iterable[Sequence[float]]) -> np.ndarray:
    arrays = [np.asarray(d, dtype=float).ravel() for d in data]
    numbers = np.concatenate(arrays) if arrays else np.array([], dtype=float)
    return numbers[np.isfinite(numbers)]


def _fit_value_axis(
    ax: plt.Axes,
    data: Iterable[Sequence[float]],
    unit: str,
    *,
    axis: str = "y",
    headroom: float = HEADROOM,
) -> None:
    """Limits of a value axis: from zero (unless values go below) to the first tick above
    the largest value plus ``headroom`` of the range, so the axis never ends exactly at
    the maximum and nothing drawn is cut off."""
    numbers = _finite(data)
    if numbers.size == 0:
        return
    low, high = float(numbers.min()), float(numbers.max())
    zero = low >= 0
    if zero:
        low = 0.0
    span = high - low or max(abs(high), 1.0)
    top = max(high + headroom * span, 1.0 if high == low == 0 else high + headroom * span)
    bottom = low if zero else low - headroom * span
    ticks = _locator(unit).tick_values(bottom, top)
    limits = (0.0 if zero else float(min(ticks[0], bottom)), float(max(ticks[-1], top)))
    if axis == "y":
        ax.set_ylim(*limits)
    else:
        ax.set_xlim(*limits)


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
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color=GREY, wrap=True)
    return fig


# --------------------------------------------------------------------------- lines

LOCAL_STYLE = {"color": BLUE, "linewidth": 2.2, "marker": "o"}
NRW_STYLE = {"color": VERMILLION, "linestyle": "--", "marker": "s"}
MEDIAN_STYLE = {"color": GREY, "linestyle": ":", "marker": "D"}
NRW_LABEL = "Nordrhein-Westfalen"
MEDIAN_LABEL = "Vergleichsstädte: Median"
BAND_LABEL = "Vergleichsstädte: Spanne"


def _plot_trend(
    ax: plt.Axes, series: bm.Trend, *, markers: bool = True, band: bool = True
) -> dict[str, np.ndarray]:
    """Draw one indicator's series on ``ax``: only columns that have values. Returns the
    values drawn by legend label (the band as min and max together)."""
    table = series.table
    x = np.arange(len(table))
    drawn: dict[str, np.ndarray] = {}
    size = 4 if markers else 0
    # counts of regions of different size are not comparable: Krefeld alone (tables: all)
    comparable = series.indicator.unit != "Anzahl" or series.local_key is None
    if band and comparable and series.has("min") and series.has("max"):
        low, high = table["min"].to_numpy(float), table["max"].to_numpy(float)
        ax.fill_between(x, low, high, color=BAND, label=BAND_LABEL, linewidth=0)
        drawn[BAND_LABEL] = np.concatenate([low, high])
    if band and comparable and series.has("median"):
        ax.plot(
            x, table["median"], markersize=size * 0.8, label=MEDIAN_LABEL, clip_on=False,
            **MEDIAN_STYLE,
        )  # fmt: skip
        drawn[MEDIAN_LABEL] = table["median"].to_numpy(float)
    if comparable and series.has("nrw"):
        ax.plot(x, table["nrw"], markersize=size, label=NRW_LABEL, clip_on=False, **NRW_STYLE)
        drawn[NRW_LABEL] = table["nrw"].to_numpy(float)
    if series.local_key and series.has("local"):
        ax.plot(
            x, table["local"], markersize=size, label=series.local_name, clip_on=False,
            **LOCAL_STYLE,
        )  # fmt: skip
        drawn[series.local_name] = table["local"].to_numpy(float)
    return drawn


def time_series(series: bm.Trend) -> Figure:
    """Line chart of one indicator: Krefeld, NRW, the comparison cities' median and range
    (each only where it has values; the legend names exactly what is drawn)."""
    if series.table.empty:
        return no_data()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.9))
    drawn = _plot_trend(ax, series)
    if not drawn:
        plt.close(fig)
        return no_data()
    _period_axis(ax, series.periods)
    _value_axis(ax, series.indicator.unit)
    _fit_value_axis(ax, drawn.values(), series.indicator.unit)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: _legend_rank(labels[i]))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.3),
        ncol=4,
    )
    fig.tight_layout()
    return fig


def _legend_rank(label: str) -> int:
    return {NRW_LABEL: 1, MEDIAN_LABEL: 2, BAND_LABEL: 3}.get(label, 0)


MAX_HEIGHT = 8.6
"""Inches: a figure must fit on one page of the PDF edition with its caption."""


def _grid(panels: int, ncols: int | None, row_height: float) -> tuple[int, int, float]:
    """Columns, rows and row height for small multiples that fit on a PDF page."""
    ncols = ncols or 3  # four columns leave no room for titles in 9-point type
    rows = math.ceil(panels / ncols)
    return ncols, rows, min(row_height, MAX_HEIGHT / rows)


def small_multiples(trends: Sequence[bm.Trend], ncols: int | None = None) -> Figure:
    """One small line chart per indicator (its own region and NRW), for a chapter's
    overview; the shared legend names only the kinds of line some panel draws."""
    trends = [t for t in trends if t.has("local")]
    if not trends:
        return no_data()
    ncols, rows, height = _grid(len(trends), ncols, 2.3)
    fig, axes = plt.subplots(rows, ncols, figsize=(WIDTH, height * rows + 0.5), squeeze=False)
    local_names: list[str] = []
    markers = False  # the legend shows markers only if some panel draws them
    nrw = False
    for ax, series in zip(axes.flat, trends, strict=False):
        markers |= len(series.periods) <= 8
        drawn = _plot_trend(ax, series, markers=len(series.periods) <= 8, band=False)
        nrw |= NRW_LABEL in drawn
        if series.local_name in drawn and series.local_name not in local_names:
            local_names.append(series.local_name)
        ax.set_title(
            "\n".join(textwrap.wrap(series.indicator.name, 36 if ncols < 3 else 21)),
            fontsize=MIN_FONT,
        )
        _value_axis(ax, series.indicator.unit)
        _fit_value_axis(ax, drawn.values(), series.indicator.unit)
        periods = series.periods
        ax.set_xticks(
            [0, len(periods) - 1] if len(periods) > 1 else [0],
            [bm.format_period(periods[0]), bm.format_period(periods[-1])][: len(periods)],
        )
        ax.set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
    for ax in list(axes.flat)[len(trends) :]:
        ax.axis("off")
    size = {"markersize": 4 if markers else 0}
    handles = [Line2D([], [], label=" bzw. ".join(local_names), **LOCAL_STYLE, **size)]
    if nrw:
        handles.append(Line2D([], [], label=NRW_LABEL, **NRW_STYLE, **size))
    fig.legend(handles=handles, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


# --------------------------------------------------------------------------- bars


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
    fig, ax = plt.subplots(figsize=(WIDTH, height or 0.3 * len(labels) + 0.9))
    y = np.arange(len(labels))[::-1]
    colours = [VERMILLION if label == highlight else colour for label in labels]
    numbers = np.asarray(values, float)
    bars = ax.barh(y, np.nan_to_num(numbers), color=colours, height=0.7)
    for bar, value in zip(bars, values, strict=True):
        text = bm.format_value(value, None, unit) if not pd.isna(value) else "."
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {text}", va="center")
    ax.set_yticks(y, labels)
    _value_axis(ax, unit, axis="x")
    _fit_value_axis(ax, [numbers, [0]], unit, axis="x", headroom=0.18)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
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
    """Vertical bars per category, one colour (and hatch) per group; stacked if asked.
    Groups without any value are left out (of the bars and of the legend)."""
    groups = {name: numbers for name, numbers in groups.items() if _finite([numbers]).size}
    if not len(categories) or not groups:
        return no_data()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
    x = np.arange(len(categories))
    width = 0.8 if stacked else 0.8 / len(groups)
    bottom = np.zeros(len(categories))
    tops = []
    for i, (name, numbers) in enumerate(groups.items()):
        heights = np.nan_to_num(np.asarray(numbers, float))
        offset = 0 if stacked else (i - (len(groups) - 1) / 2) * width
        ax.bar(
            x + offset, heights, width, bottom=bottom if stacked else None,
            color=OKABE_ITO[i % len(OKABE_ITO)], hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white", linewidth=0.5, label=name,
        )  # fmt: skip
        if stacked:
            bottom = bottom + heights
        tops.append(bottom.copy() if stacked else heights)
    ax.set_xticks(x, categories)
    if len(categories) > 8 and max(len(str(c)) for c in categories) > 3:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
    ax.set_xlabel(xlabel)
    _value_axis(ax, unit)
    _fit_value_axis(ax, [*tops, [0]], unit, headroom=0.22)  # room for the legend on top
    ax.legend(loc="upper left", ncol=min(len(groups), 4))
    fig.tight_layout()
    return fig


def diverging_bars(
    labels: Sequence[str], left: Sequence[float], right: Sequence[float], names: tuple[str, str]
) -> Figure:
    """Outflows to the left, inflows to the right of zero, per row (e.g. per school type)."""
    fig, ax = plt.subplots(figsize=(WIDTH, 0.55 * len(labels) + 1.3))
    y = np.arange(len(labels))[::-1]
    out = np.nan_to_num(np.asarray(left, float))
    inn = np.nan_to_num(np.asarray(right, float))
    ax.barh(y, -out, color=VERMILLION, hatch="//", edgecolor="white", label=names[0], height=0.6)
    ax.barh(y, inn, color=BLUE, label=names[1], height=0.6)
    for yi, a, b, a_raw, b_raw in zip(y, out, inn, left, right, strict=True):
        ax.text(-a, yi, f"{bm.format_value(a_raw, None, 'Anzahl')} ", ha="right", va="center")
        ax.text(b, yi, f" {bm.format_value(b_raw, None, 'Anzahl')}", ha="left", va="center")
    ax.set_yticks(y, labels)
    ax.axvline(0, color=TEXT, linewidth=0.8)
    limit = max(out.max(initial=0), inn.max(initial=0), 1) * 1.25
    ax.xaxis.set_major_locator(_locator("Anzahl"))
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: bm.format_number(abs(v))))
    ax.set_xlabel("Anzahl der Schülerinnen und Schüler")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=2)
    fig.tight_layout()
    return fig


SHARE_TOLERANCE = 0.5
"""Percentage points: categories whose values add up to 100 within this are shares of one
total and are stacked."""


def _adds_up_to_100(table: pd.DataFrame, unit: str) -> bool:
    """Whether every period's categories are complete shares of one total."""
    if unit != "%" or table.isna().any().any():
        return False
    return bool((table.sum(axis=1) - 100).abs().le(SHARE_TOLERANCE).all())


def breakdown_bars(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    unit: str,
    *,
    periods: int = 3,
    stacked: bool | None = None,
) -> Figure:
    """Horizontal bars of every category of one breakdown over the last ``periods`` periods.

    ``frame`` holds one row per period and category with the columns ``period`` (as in the
    mart: ``2024/25``, ``2024`` …), ``category`` (the code, e.g. ``ohne_hsa``), ``value``
    and ``symbol`` (the disclosure symbol, shown for a missing value); other columns are
    ignored. ``labels`` maps every code to its German label (from the label table); its
    order is the order of the bars. The total category (``insgesamt``) is left out: a
    breakdown never shows a lone 100 % bar. Shares of one total that add up to 100 % in
    every period are stacked (one bar per period, oldest on top); anything else is grouped
    (one group per category, one bar per period). ``stacked`` overrides that choice.
    """
    rows = frame[frame["category"] != bm.TOTAL]
    unlabelled = sorted(set(rows["category"]) - set(labels))
    if unlabelled:
        raise ValueError(f"breakdown_bars: no label for categories {unlabelled}")
    shown = sorted(set(rows["period"]), key=bm.period_end)[-periods:]
    rows = rows[rows["period"].isin(shown)]
    order = [code for code in labels if code in set(rows["category"])]
    if len(order) < 2 or not shown:
        return no_data("Keine Aufgliederung nach mehreren Kategorien in dieser Ausgabe")
    table = rows.pivot_table(index="period", columns="category", values="value", aggfunc="first",
                             dropna=False).reindex(index=shown, columns=order)  # fmt: skip
    symbols = rows.set_index(["period", "category"])["symbol"]
    if stacked is None:
        stacked = _adds_up_to_100(table, unit)
    names = [labels[code] for code in order]
    if stacked:
        return _stacked_bars(table, names, unit)
    return _grouped_hbars(table, names, symbols, unit)


def _stacked_bars(table: pd.DataFrame, names: list[str], unit: str) -> Figure:
    ncol = min(len(names), 3)
    legend_rows = math.ceil(len(names) / ncol)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.5 * len(table) + 0.35 * legend_rows + 1.2))
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    for i, (code, name) in enumerate(zip(table.columns, names, strict=True)):
        widths = table[code].to_numpy(float)
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        ax.barh(
            y, widths, 0.65, left=left, color=colour, hatch=HATCHES[i % len(HATCHES)],
            edgecolor="white", linewidth=0.5, label="\n".join(textwrap.wrap(name, 34)),
        )  # fmt: skip
        for yi, start, width in zip(y, left, widths, strict=True):
            if width >= 7:  # a label fits inside the segment
                ax.text(
                    start + width / 2, yi, bm.format_value(width, None, unit), ha="center",
                    va="center", color=TEXT, fontsize=MIN_FONT,
                    path_effects=[path_effects.withStroke(linewidth=2.5, foreground="white")],
                )  # fmt: skip
        left = left + widths
    ax.set_yticks(y, [bm.format_period(p) for p in table.index])
    _value_axis(ax, unit, axis="x")
    ax.set_xlim(0, 100)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(table) > 2 else -0.4),
              ncol=ncol)  # fmt: skip
    fig.tight_layout()
    return fig


def _grouped_hbars(table: pd.DataFrame, names: list[str], symbols: pd.Series, unit: str) -> Figure:
    periods = list(table.index)
    bar = 0.8 / len(periods)
    fig, ax = plt.subplots(figsize=(WIDTH, len(names) * (0.24 * len(periods) + 0.25) + 1.0))
    y = np.arange(len(names))[::-1]
    colours = _colours(len(periods) + 1)[1:]  # the latest period darkest
    for j, period in enumerate(periods):
        numbers = table.loc[period].to_numpy(float)
        positions = y + (len(periods) - 1) / 2 * bar - j * bar  # oldest on top in each group
        ax.barh(
            positions, np.nan_to_num(numbers), bar * 0.92, color=colours[j],
            hatch=HATCHES[j % len(HATCHES)], edgecolor="white", linewidth=0.5,
            label=bm.format_period(period),
        )  # fmt: skip
        for yi, code, value in zip(positions, table.columns, numbers, strict=True):
            text = bm.format_value(value, symbols.get((period, code)), unit)
            ax.text(np.nan_to_num(value), yi, f" {text}", va="center", fontsize=MIN_FONT)
    ax.set_yticks(y, bm.wrap_labels(names, 30))
    _value_axis(ax, unit, axis="x")
    _fit_value_axis(ax, [table.to_numpy(float), [0]], unit, axis="x", headroom=0.2)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(periods))
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


def _ring_area_centroid(points: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Area and centroid of a ring (shoelace); the vertex mean for a degenerate ring."""
    x, y = points[:, 0], points[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2
    if abs(area) < 1e-15:
        return 0.0, (float(x.mean()), float(y.mean()))
    return abs(area), (
        float(((x + x1) * cross).sum() / (6 * area)),
        float(((y + y1) * cross).sum() / (6 * area)),
    )


def centroid(geometry: Mapping) -> tuple[float, float]:
    """Where a district's label and circle go: the centroid of its largest ring."""
    rings = [_ring_area_centroid(np.asarray(ring, float)) for ring in _rings(geometry)]
    return max(rings, key=lambda item: item[0])[1]


def _luminance(colour: str) -> float:
    channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


def _text_on(face: str) -> str:
    """White or dark text, whichever contrasts more with the fill (WCAG contrast ratio)."""
    background = _luminance(face)
    on_white = 1.05 / (background + 0.05)
    on_dark = (background + 0.05) / (_luminance(TEXT) + 0.05)
    return "white" if on_white > on_dark else TEXT


HALO = [path_effects.withStroke(linewidth=3, foreground="white")]
"""A white outline that keeps dark text readable on every class colour."""


COMPACT_LEGEND = {"handlelength": 1.2, "handletextpad": 0.4, "labelspacing": 0.25,
                  "borderaxespad": 0.3, "borderpad": 0.2}  # fmt: skip
"""Legend spacing of the small maps of :func:`district_figures`."""


def _legend(
    ax: plt.Axes, breaks: Sequence[float], unit: str, missing: bool, *, short: bool = False,
    **kwargs,
) -> None:  # fmt: skip
    """The class legend; ``short`` writes ``10 bis u. 20`` and puts the unit in the title."""
    colours = _colours(len(breaks) - 1)
    labels = bm.class_labels(breaks, unit)
    if short:
        labels = [label.replace(" bis unter ", " bis u. ").removesuffix(" %") for label in labels]
    handles = [
        Patch(facecolor=c, edgecolor="#52606D", label=label)
        for c, label in zip(colours, labels, strict=True)
    ]
    if missing:
        handles.append(
            Patch(facecolor="white", edgecolor="#52606D", hatch=MISSING_HATCH, label="keine Angabe")
        )
    ax.legend(handles=handles, **kwargs)


def _size_steps(largest: float) -> list[float]:
    """Two or three round counts for the legend of circle sizes, the largest first."""
    ticks = [t for t in _locator("Anzahl").tick_values(0, largest) if 0 < t <= largest]
    if not ticks:
        return [largest]
    steps = [ticks[-1]]
    for share in (0.5, 0.2):
        candidate = [t for t in ticks if t <= ticks[-1] * share]
        if candidate and candidate[-1] not in steps:
            steps.append(candidate[-1])
    return steps


def _size_legend(
    ax: plt.Axes, largest: float, area: float, unit: str, missing: bool, **kwargs
) -> None:
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=math.sqrt(area * step / largest),
            markerfacecolor=BLUE,
            markeredgecolor=TEXT,
            alpha=0.75,
            label=bm.format_value(step, None, unit),
        )
        for step in _size_steps(largest)
    ]
    if missing:
        handles.append(
            Patch(facecolor="white", edgecolor="#52606D", hatch=MISSING_HATCH, label="keine Angabe")
        )
    kwargs["labelspacing"] = 0.4 + math.sqrt(area) / 40  # room for the largest circle
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
    circle_area: float = 900.0,
    compact_anchor: tuple[float, float] | None = None,
) -> None:
    """Map of the Stadtbezirke on ``ax`` (values by region key): a choropleth of the classes
    of the displayed values, or, for counts, circles whose area (up to ``circle_area``
    square points) is proportional to the value. ``labels`` writes each district's name
    with its value underneath. ``compact_anchor`` (figure coordinates) places the compact
    legend of a small map."""
    compact = compact_anchor is not None
    circles = bm.proportional(unit)
    colours = _colours(len(breaks) - 1)
    finite = [v for v in values.values() if v is not None and not pd.isna(v)]
    largest = max(finite, default=0.0)
    lats: list[float] = []
    missing = False
    for feature in features:
        key = feature["properties"]["region_key"]
        value = values.get(key)
        index = bm.classify(value, breaks, unit)
        absent = value is None or pd.isna(value) or (not circles and index is None)
        missing |= absent
        face = "white" if absent else (BASE if circles else colours[index])
        for ring in _rings(feature["geometry"]):
            points = np.asarray(ring, float)
            lats.extend(points[:, 1])
            ax.add_patch(
                Polygon(
                    points,
                    closed=True,
                    facecolor=face,
                    hatch=MISSING_HATCH if absent else None,
                    edgecolor="#52606D" if absent or circles else "white",
                    linewidth=1.2,
                )
            )
        x, y = centroid(feature["geometry"])
        if circles and not absent and largest > 0 and value > 0:
            ax.scatter([x], [y], s=circle_area * value / largest, color=BLUE, alpha=0.75,
                       edgecolors=TEXT, linewidths=0.8, zorder=3)  # fmt: skip
        if labels:
            name = feature["properties"]["region_name"]
            shown = None if absent else bm.format_value(value, None, unit)
            if circles:  # name above the circle, value below it
                radius = math.sqrt(circle_area * max(value, 0) / largest) / 2 if shown else 0
                for text, dy, va in ((name, radius + 2, "bottom"), (shown, -radius - 2, "top")):
                    if text:
                        ax.annotate(
                            text, (x, y), xytext=(0, dy), textcoords="offset points",
                            ha="center", va=va, fontsize=MIN_FONT, color=TEXT,
                            path_effects=HALO, zorder=4,
                        )  # fmt: skip
            else:
                ax.text(
                    x, y, name if shown is None else f"{name}\n{shown}", ha="center",
                    va="center", fontsize=MIN_FONT, linespacing=1.2, zorder=4,
                    color=_text_on(face),
                )  # fmt: skip
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(float(np.mean(lats)) if lats else 51.3)))
    ax.axis("off")
    if not legend:
        return
    if compact:  # below the panel's title, right of the map's cell (see district_figures)
        place = {"loc": "upper left", "bbox_to_anchor": compact_anchor,
                 "bbox_transform": ax.figure.transFigure, **COMPACT_LEGEND}  # fmt: skip
    else:
        place = {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}
    if circles and largest > 0:
        _size_legend(ax, largest, circle_area, unit, missing, title="Anzahl", **place)
    elif len(breaks) > 1:
        title = "Klassen in %" if compact and unit == "%" else "Klassen"
        _legend(ax, breaks, unit, missing, short=compact, title=title, **place)


def district_figure(
    features: Sequence[Mapping], values: Mapping[str, float], unit: str, breaks: Sequence[float]
) -> Figure:
    """One map of the Stadtbezirke with names, values and its legend."""
    if not features:
        return no_data("Keine Geometrie der Stadtbezirke veröffentlicht")
    fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
    district_map(ax, features, values, unit, breaks)
    fig.tight_layout()
    return fig


def district_figures(
    features: Sequence[Mapping],
    panels: Sequence[tuple[str, Mapping[str, float], str, Sequence[float]]],
    ncols: int = 2,
) -> Figure:
    """Small multiples of Stadtbezirk maps: (title, values, unit, breaks) per panel. The
    panels are too small for names; the values stand in the table beside the figure."""
    if not features or not panels:
        return no_data("Keine kleinräumigen Werte in dieser Ausgabe")
    ncols, rows, height = _grid(len(panels), ncols if len(panels) <= 8 else 3, 2.7)
    fig = plt.figure(figsize=(WIDTH, height * rows))
    cell_w, cell_h = 1 / ncols, 1 / rows
    wrap = 40 if ncols <= 2 else 30
    title_lines = max(len(textwrap.wrap(title, wrap)) for title, *_ in panels)
    title_h = min((title_lines * 0.17 + 0.08) / (height * rows), cell_h * 0.45)
    for i, (title, values, unit, breaks) in enumerate(panels):
        col, row = i % ncols, i // ncols
        left, bottom = col * cell_w, 1 - (row + 1) * cell_h
        # the map in the left part of its cell, its legend to the right of it
        ax = fig.add_axes((left + 0.01, bottom + 0.02 * cell_h, cell_w * 0.52,
                           cell_h * 0.96 - title_h))  # fmt: skip
        anchor = (left + cell_w * 0.55, bottom + cell_h * 0.98 - title_h)
        district_map(ax, features, values, unit, breaks, labels=False, circle_area=220.0,
                     compact_anchor=anchor)  # fmt: skip
        heading = "\n".join(textwrap.wrap(title, wrap))
        fig.text(left + 0.01, bottom + 0.99 * cell_h, heading, va="top", ha="left",
                 fontsize=MIN_FONT, fontweight="bold")  # fmt: skip
    return fig


def tile_map(
    values: Mapping[str, float], unit: str, breaks: Sequence[float], *, highlight: str = bm.KREFELD
) -> Figure:
    """Schematic tile map of the kreisfreie Städte of NRW: one square per city of
    :data:`TILES` (always all of them, a city without a value hatched), roughly where it
    lies, coloured by the class of its displayed value, labelled with its Kfz-Kennzeichen
    and value. A comparison needs values of at least three other cities; counts are not
    compared on a map (they measure the size of a city)."""
    if bm.proportional(unit):
        return no_data("Anzahlen hängen von der Größe der Städte ab und werden nicht als Karte "
                       "verglichen; die Werte stehen in der Tabelle.")  # fmt: skip
    known = {k: v for k, v in values.items() if k in TILES}
    if bm.comparison_regions(known, highlight) < bm.MIN_COMPARISON_REGIONS:
        return no_data("Für weniger als drei Vergleichsstädte liegen Werte vor: keine Karte; "
                       "die Werte stehen in der Tabelle.")  # fmt: skip
    colours = _colours(len(breaks) - 1)
    fig, ax = plt.subplots(figsize=(WIDTH, 5.6))
    missing = False
    for key, (col, row, short) in TILES.items():
        value = known.get(key)
        index = bm.classify(value, breaks, unit)
        missing |= index is None
        ax.add_patch(
            Rectangle(
                (col, -row), 0.92, 0.92,
                facecolor="white" if index is None else colours[index],
                hatch=MISSING_HATCH if index is None else None,
                edgecolor=TEXT if key == highlight else "#9AA5B1",
                linewidth=2.4 if key == highlight else 0.6,
            )
        )  # fmt: skip
        shown = bm.format_value(value, None, unit) if index is not None else "."
        ax.text(
            col + 0.46, -row + 0.46, f"{short}\n{shown}", ha="center", va="center",
            fontsize=MIN_FONT, fontweight="bold" if key == highlight else "normal",
            color=_text_on("white" if index is None else colours[index]),
        )  # fmt: skip
    ax.set_xlim(-0.2, 8.2)
    ax.set_ylim(-max(r for _, r, _ in TILES.values()) - 0.15, 1.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if len(breaks) > 1:
        _legend(ax, breaks, unit, missing, loc="lower right", title="Klassen")
    fig.tight_layout()
    return fig
