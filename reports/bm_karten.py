"""Map classes and the Stadtbezirk panels: what the maps colour and their legends say.

A map classifies the value a reader sees: ``9,96 %`` is shown as ``10,0 %`` and therefore
sits in the class ``10 bis unter 15 %``, not in ``5 bis unter 10 %``. The map colour and the
table's "Klasse in der Karte" column both go through :func:`classify` with the unit, so they
cannot disagree. Counts (unit ``Anzahl``) are not classified for colour: the maps draw them
as circles whose area is proportional to the count (:func:`proportional`).
"""

from __future__ import annotations

import decimal
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
from bm_format import decimals, format_number, format_value
from bm_tabellen import district_table, markdown_table

MIN_COMPARISON_REGIONS = 3
"""A comparison map needs values of at least this many comparison regions (besides Krefeld)."""


def proportional(unit: str) -> bool:
    """Whether a map shows the unit as proportional circles instead of coloured classes:
    counts depend on the size of the area, so colouring them like rates would mislead."""
    return unit == "Anzahl"


def shown_value(value: float | None, unit: str) -> float | None:
    """The value as :func:`bm_format.format_value` displays it: rounded half up to the
    unit's decimals (None if missing)."""
    if value is None or pd.isna(value):
        return None
    quantum = decimal.Decimal(1).scaleb(-decimals(unit))
    return float(decimal.Decimal(str(float(value))).quantize(quantum, decimal.ROUND_HALF_UP))


def class_breaks(values: Sequence[float], classes: int = 4, *, unit: str = "%") -> list[float]:
    """Class limits of equal width with a round step (1, 2, 2.5 or 5 × 10^k) covering the
    displayed values: ``[0, 2.5, 5, 7.5, 10]`` means 0 bis unter 2,5 … 7,5 bis 10. The step is
    never finer than the last displayed digit, so every limit can be written as shown."""
    finite = [shown_value(v, unit) for v in values]
    finite = [v for v in finite if v is not None]
    if not finite:
        return []
    resolution = 10.0 ** -decimals(unit)
    low, high = min(finite), max(finite)
    raw = (high - low) / classes if high > low else max(abs(high), 1) / classes
    raw = max(raw, resolution)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        m * magnitude
        for m in (1, 2, 2.5, 5, 10)
        if m * magnitude >= raw and _multiple(m * magnitude, resolution)
    )
    start = math.floor(round(low / step, 9)) * step
    breaks = [round(start + i * step, 10) for i in range(classes + 2)]
    while len(breaks) > 2 and breaks[-2] >= high and breaks[-2] > low:
        breaks.pop()
    return breaks


def _multiple(step: float, resolution: float) -> bool:
    ratio = step / resolution
    return abs(ratio - round(ratio)) < 1e-9


def classify(value: float | None, breaks: Sequence[float], unit: str | None = None) -> int | None:
    """The class index of a value (None for a missing value). With ``unit`` the value is
    classified as it is displayed (:func:`shown_value`): pass it wherever a reader sees the
    value next to its class."""
    if unit is not None:
        value = shown_value(value, unit)
    if value is None or pd.isna(value) or len(breaks) < 2:
        return None
    for i in range(len(breaks) - 1):
        if value < breaks[i + 1]:
            return i
    return len(breaks) - 2


def _label_digits(breaks: Sequence[float]) -> int:
    """The fewest decimals that write every limit exactly (at most three)."""
    return next(
        (n for n in range(3) if all(abs(b * 10**n - round(b * 10**n)) < 1e-6 for b in breaks)),
        3,
    )


def class_labels(breaks: Sequence[float], unit: str) -> list[str]:
    """Legend texts: ``2,5 bis unter 5,0 %`` (the last class includes its upper limit)."""
    digits = _label_digits(breaks)
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


PROPORTIONAL_SENTENCE = (
    "Die Karte zeigt jede Anzahl als Kreis, dessen Fläche proportional zum Wert ist; Anzahlen "
    "hängen von der Größe des Gebiets ab und werden deshalb nicht wie Anteile eingefärbt."
)


def breaks_sentence(breaks: Sequence[float], unit: str) -> str:
    """The class breaks in words, for the text next to a map."""
    if len(breaks) < 2:
        return "Für die Karte liegen keine Werte vor."
    if proportional(unit):
        return PROPORTIONAL_SENTENCE
    width = breaks[1] - breaks[0]
    step = format_number(width, _label_digits([width]))
    unit_text = " Prozentpunkten" if unit == "%" else ""
    return (
        f"Die Karte teilt die Werte in {len(breaks) - 1} "
        f"{'Klasse' if len(breaks) == 2 else 'Klassen'} gleicher Breite von je {step}"
        f"{unit_text}: " + "; ".join(class_labels(breaks, unit)) + "."
    )


def class_of(value: float | None, breaks: Sequence[float], unit: str) -> str:
    """The legend text of a value's class, from its displayed value ('keine Angabe' if
    missing)."""
    index = classify(value, breaks, unit)
    return "keine Angabe" if index is None else class_labels(breaks, unit)[index]


def district_map_table(entry: Indicator, rows: pd.DataFrame, breaks: Sequence[float]) -> str:
    """The table beside a map of the Stadtbezirke: value and the class the map colours it
    in (counts, drawn as circles, have no class column)."""
    if proportional(entry.unit):
        table = [
            [row["region_name"], format_value(row["value"], row["symbol"], entry.unit)]
            for _, row in rows.iterrows()
        ]
        return markdown_table(["Stadtbezirk", entry.name], table, "lr")
    classes = [class_of(v, breaks, entry.unit) for v in rows["value"]]
    return district_table(entry, rows, classes)


def comparison_regions(values: dict[str, float], highlight: str) -> int:
    """How many regions besides ``highlight`` have a value (a comparison map needs
    :data:`MIN_COMPARISON_REGIONS`)."""
    return sum(1 for k, v in values.items() if k != highlight and v is not None and not pd.isna(v))


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
            breaks = class_breaks(rows["value"], unit=entry.unit)
            panels.append(DistrictPanel(entry, period, rows, breaks))
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
        [
            p.indicator.name,
            "Kreisfläche proportional zur Anzahl"
            if proportional(p.indicator.unit)
            else "; ".join(class_labels(p.breaks, p.indicator.unit)) or "–",
        ]
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
