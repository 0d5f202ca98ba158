"""Map classes and the Stadtbezirk panels: what the maps colour and their legends say."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from bm_daten import (
    Edition,
    Indicator,
    districts,
    format_period,
    latest_by_region,
    query,
    remembered,
)
from bm_format import format_number, format_value
from bm_tabellen import markdown_table


def class_breaks(values: Sequence[float], classes: int = 4) -> list[float]:
    """Class limits of equal width with a round step (1, 2, 2.5 or 5 × 10^k) covering the
    values: ``[0, 2.5, 5, 7.5, 10]`` means 0 bis unter 2,5 … 7,5 bis 10."""
    finite = [float(v) for v in values if v is not None and not pd.isna(v)]
    if not finite:
        return []
    low, high = min(finite), max(finite)
    raw = (high - low) / classes if high > low else max(abs(high), 1) / classes
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    breaks = [round(start + i * step, 10) for i in range(classes + 2)]
    while len(breaks) > 2 and breaks[-2] >= high and breaks[-2] > low:
        breaks.pop()
    return breaks


def classify(value: float | None, breaks: Sequence[float]) -> int | None:
    """The class index of a value (None for a missing value)."""
    if value is None or pd.isna(value) or len(breaks) < 2:
        return None
    for i in range(len(breaks) - 1):
        if value < breaks[i + 1]:
            return i
    return len(breaks) - 2


def class_labels(breaks: Sequence[float], unit: str) -> list[str]:
    """Legend texts: ``2,5 bis unter 5,0 %`` (the last class includes its upper limit)."""
    digits = 0 if all(float(b).is_integer() for b in breaks) else 1
    suffix = " %" if unit == "%" else ""
    labels = []
    for i in range(len(breaks) - 1):
        low, high = (
            format_number(breaks[i], digits),
            format_number(breaks[i + 1], digits),
        )
        last = i == len(breaks) - 2
        labels.append(f"{low} bis {'' if last else 'unter '}{high}{suffix}")
    return labels


def breaks_sentence(breaks: Sequence[float], unit: str) -> str:
    """The class breaks in words, for the text next to a map."""
    if len(breaks) < 2:
        return "Für die Karte liegen keine Werte vor."
    step = format_number(
        breaks[1] - breaks[0], 0 if float(breaks[1] - breaks[0]).is_integer() else 1
    )
    unit_text = " Prozentpunkten" if unit == "%" else ""
    return (
        f"Die Karte teilt die Werte in {len(breaks) - 1} Klassen gleicher Breite von je {step}"
        f"{unit_text}: " + "; ".join(class_labels(breaks, unit)) + "."
    )


def class_of(value: float | None, breaks: Sequence[float], unit: str) -> str:
    """The legend text of a value's class ('keine Angabe' if missing)."""
    index = classify(value, breaks)
    return "keine Angabe" if index is None else class_labels(breaks, unit)[index]


@dataclass(frozen=True)
class DistrictPanel:
    """One small-area indicator for a map of the Stadtbezirke: latest values and classes."""

    indicator: Indicator
    period: str
    rows: pd.DataFrame  # by district key: region_name, value, symbol
    breaks: list[float]

    @property
    def panel(self) -> tuple[str, dict[str, float], str, list[float]]:
        """(title, values by key, unit, breaks) as the map functions take them."""
        title = f"{self.indicator.name} ({format_period(self.period)})"
        return title, self.rows["value"].to_dict(), self.indicator.unit, self.breaks


def district_panels(entries: Iterable[Indicator], ausgabe: Edition) -> list[DistrictPanel]:
    """The indicators with Stadtbezirk values in the edition, ready to map."""
    keys = list(districts().index)
    panels = []
    for entry in entries:
        if "Stadtbezirk" not in entry.levels:
            continue
        period, rows = latest_by_region(entry, ausgabe, keys)
        if period is not None:
            panels.append(DistrictPanel(entry, period, rows, class_breaks(rows["value"])))
    return panels


def district_panels_table(panels: Sequence[DistrictPanel]) -> str:
    """Stadtbezirke (rows) × small-area indicators (columns)."""
    names = districts()
    header = ["Kennzahl (Stand)", *names.tolist()]
    rows = [
        [f"{p.indicator.name} ({format_period(p.period)})"]
        + [format_value(p.rows.loc[k, "value"], p.rows.loc[k, "symbol"], p.indicator.unit)
           for k in names.index]
        for p in panels
    ]  # fmt: skip
    if not rows:
        rows = [["Keine kleinräumigen Werte", *[""] * len(names)]]
    return markdown_table(header, rows, align="l" + "r" * len(names))


def district_breaks_table(panels: Sequence[DistrictPanel]) -> str:
    """The class limits of each map of the Stadtbezirke."""
    rows = [
        [p.indicator.name, "; ".join(class_labels(p.breaks, p.indicator.unit)) or "–"]
        for p in panels
    ]
    return markdown_table(["Kennzahl", "Klassen der Karte"], rows or [["–", "–"]], align="ll")


@remembered
def district_geometry() -> tuple[tuple[dict, ...], str | None]:
    """The Stadtbezirke as GeoJSON features (key in ``properties.region_key``) and the
    geometry's own note (``hinweis``, e.g. that the sample geometry is schematic)."""
    frame = query("SELECT * FROM published.geometrie_stadtbezirke ORDER BY region_key")
    features = []
    for _, row in frame.iterrows():
        feature = json.loads(row["geojson"])
        if feature.get("type") != "Feature":
            raise ValueError(f"geometrie_stadtbezirke {row['region_key']}: not a GeoJSON Feature")
        feature.setdefault("properties", {})["region_key"] = row["region_key"]
        feature["properties"]["region_name"] = row["region_name"]
        features.append(feature)
    notes = {f["properties"].get("hinweis") for f in features} - {None, ""}
    return tuple(features), "; ".join(sorted(notes)) or None
