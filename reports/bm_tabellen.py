"""Markdown tables the pages show: key figures, series, cities, districts, breakdowns, catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from bm_bezeichnungen import code_label, code_order
from bm_daten import (
    BREAKDOWNS,
    KREFELD,
    TOTAL,
    Edition,
    Indicator,
    Trend,
    breakdown_columns,
    format_period,
    headline,
    latest,
    local_region,
    previous_period,
    published_overview,
    region_name,
    remembered,
    trend,
    values,
)
from bm_format import (
    JUDGEMENT,
    LEVEL_NAMES,
    SYMBOLS,
    assessment,
    format_change,
    format_value,
    sources,
    symbol_or_none,
)


def sources_of(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """The data sources of several indicators' published rows, for a 'Quelle:' line."""
    frames = [published_overview(e.id, ausgabe, totals=True) for e in entries]
    frames = [f for f in frames if not f.empty]
    return sources(pd.concat(frames)) if frames else "."


def catalogue_table(
    entries: Iterable[Indicator],
    *,
    link_folder: str | None = None,
    definitions: bool = False,
) -> str:
    """The catalogue as a table: name (linked to its page), unit, levels, source; with
    ``definitions`` the definition instead of the levels (for the PDF's appendix)."""
    rows = []
    for e in entries:
        name = f"[{e.name}]({link_folder}{e.id}.qmd)" if link_folder is not None else e.name
        levels = ", ".join(LEVEL_NAMES.get(level, level) for level in e.levels)
        rows.append([name, e.definition if definitions else levels, e.unit, e.source])
    middle = "Definition" if definitions else "Räumliche Ebenen"
    if not rows:
        rows = [["Keine Kennzahlen im Katalog", "", "", ""]]
    return markdown_table(["Kennzahl", middle, "Einheit", "Quelle"], rows, align="llll")


def indicator_links(entries: Iterable[Indicator], folder: str = "indikatoren/") -> str:
    """A markdown list linking the indicator pages (``<folder><id>.qmd``)."""
    lines = [f"- [{e.name}]({folder}{e.id}.qmd) ({e.unit})" for e in entries]
    return "\n".join(lines) or "- Keine Kennzahlen im Katalog."


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> str:
    """A pipe table; a table chunk shows it as ``Markdown(...)`` (IPython.display), the way
    Quarto documents computed tables. ``align`` per column: ``l`` or ``r``."""
    header = list(header)
    align = align.ljust(len(header), "l")
    body = [[str(c).replace("|", "\\|") for c in row] for row in rows]
    # Pandoc sizes the columns of a wide table by the dashes of this rule (PDF and HTML):
    # as many as the longest cell (or the longest word of the header), within 3–40.
    widths = [
        min(
            max(3, len(max(str(h).split() or [""], key=len)), *(len(r[i]) for r in body)),
            40,
        )
        for i, h in enumerate(header)
    ]
    rule = [
        "-" * (w - 1) + ":" if a == "r" else ":" + "-" * (w - 1)
        for w, a in zip(widths, align, strict=True)
    ]
    lines = [header, rule, *body]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def symbol_notes(*frames: pd.DataFrame) -> str:
    """A footnote explaining the symbols that occur in the frames ('.' is always explained)."""
    found = {"."}
    for frame in frames:
        if "symbol" in frame:
            found |= {s for s in frame["symbol"].dropna().unique() if s}
    parts = [f"„{s}“ = {SYMBOLS[s]}" for s in SYMBOLS if s in found]
    parts += [f"„{s}“ = siehe Quelle" for s in sorted(found - set(SYMBOLS))]
    return "Zeichenerklärung: " + "; ".join(parts) + "."


def symbol_notes_of(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """The symbol footnote for the published rows of several indicators in an edition."""
    return symbol_notes(*(published_overview(e.id, ausgabe, totals=True) for e in entries))


@dataclass(frozen=True)
class KeyFigure:
    """The latest value of an indicator in an edition, with its context."""

    indicator: Indicator
    region: str
    period: str
    value: float
    symbol: str | None
    previous: float
    nrw: float
    nrw_symbol: str | None
    median: float

    def cells(self) -> list[str]:
        unit = self.indicator.unit
        return [
            self.indicator.name,
            format_period(self.period),
            format_value(self.value, self.symbol, unit),
            format_change(self.value, self.previous, unit),
            assessment(self.value, self.previous, self.indicator),
            format_value(self.nrw, self.nrw_symbol, unit) if not pd.isna(self.nrw) else "–",
            format_value(self.median, None, unit) if _comparable(unit, self.median) else "–",
        ]


def _comparable(unit: str, value: float) -> bool:
    """Whether a value of other cities can stand next to Krefeld's (not for counts)."""
    return unit != "Anzahl" and not pd.isna(value)


KEY_FIGURE_HEADER = (
    "Kennzahl",
    "Stand",
    "Krefeld",
    "Veränderung zum Vorjahr",
    "Entwicklung",
    "NRW",
    "Vergleichsstädte (Median)",
)


@remembered
def key_figure(entry: Indicator, ausgabe: Edition) -> KeyFigure | None:
    """The indicator's latest local value in the edition (None if it has none)."""
    series = trend(entry, ausgabe)
    table = series.table[series.table["local"].notna() | series.table["local_symbol"].notna()]
    if series.local_key is None or table.empty:
        return None
    period = table.index[-1]
    previous = previous_period(period)
    row = series.table.loc[period]
    return KeyFigure(
        indicator=entry,
        region=series.local_name,
        period=period,
        value=row["local"],
        symbol=symbol_or_none(row["local_symbol"]),
        previous=series.table["local"].get(previous, float("nan")),
        nrw=row["nrw"],
        nrw_symbol=symbol_or_none(row["nrw_symbol"]),
        median=row["median"],
    )


def key_figure_table(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """The key figures of some indicators as a pipe table (rows without data left out)."""
    rows = []
    for entry in entries:
        figure = key_figure(entry, ausgabe)
        if figure is not None:
            cells = figure.cells()
            if figure.region != "Krefeld":
                cells[0] += f" ({figure.region})"
            rows.append(cells)
    if not rows:
        rows = [["Keine Kennzahl mit Daten in dieser Ausgabe", "", "", "", "", "", ""]]
    return markdown_table(KEY_FIGURE_HEADER, rows, align="llrrlrr")


def trend_table(series: Trend) -> str:
    """The values behind a time-series chart."""
    unit = series.indicator.unit
    header = [
        "Zeitraum",
        series.local_name,
        "Nordrhein-Westfalen",
        "Vergleichsstädte: Median",
    ]
    header.append("Vergleichsstädte: Spanne")
    rows = []
    for period, row in series.table.iterrows():
        spread = (
            f"{format_value(row['min'], None, unit)} bis {format_value(row['max'], None, unit)}"
            if _comparable(unit, row["min"])
            else "–"
        )
        rows.append(
            [
                format_period(str(period)),
                format_value(row["local"], row["local_symbol"], unit) if series.local_key else "–",
                format_value(row["nrw"], row["nrw_symbol"], unit) if series.has("nrw") else "–",
                format_value(row["median"], None, unit)
                if _comparable(unit, row["median"])
                else "–",
                spread,
            ]
        )
    if not rows:
        rows = [["Keine Werte in dieser Ausgabe", "", "", "", ""]]
    return markdown_table(header, rows, align="lrrrr")


def trends_table(series: Iterable[Trend]) -> str:
    """The values behind a small-multiples chart: one block of rows per indicator."""
    rows = []
    for item in series:
        unit = item.indicator.unit
        for period, row in item.table.iterrows():
            rows.append(
                [
                    item.indicator.name,
                    format_period(str(period)),
                    format_value(row["local"], row["local_symbol"], unit),
                    format_value(row["nrw"], row["nrw_symbol"], unit) if item.has("nrw") else "–",
                ]
            )
    if not rows:
        rows = [["Keine Werte in dieser Ausgabe", "", "", ""]]
    return markdown_table(["Kennzahl", "Zeitraum", "Krefeld", "Nordrhein-Westfalen"], rows, "llrr")


def city_table(entry: Indicator, rows: pd.DataFrame) -> str:
    """Krefeld and the comparison cities, highest value first (Krefeld in bold). A city
    without any row for the period is left out: "." would say "gesperrt" where nothing was
    ever published."""
    ordered = rows.sort_values("value", ascending=False, na_position="last")
    table = []
    for key, row in ordered.iterrows():
        if pd.isna(row["period"]):  # reindexed: the city has no row
            continue
        name = f"**{row['region_name']}**" if key == KREFELD else row["region_name"]
        table.append([name, format_value(row["value"], row["symbol"], entry.unit)])
    return markdown_table(["Stadt", entry.name], table, align="lr")


def district_table(entry: Indicator, rows: pd.DataFrame, classes: Sequence[str]) -> str:
    """The Stadtbezirke with value and map class."""
    table = [
        [
            row["region_name"],
            format_value(row["value"], row["symbol"], entry.unit),
            klass,
        ]
        for (_, row), klass in zip(rows.iterrows(), classes, strict=True)
    ]
    return markdown_table(["Stadtbezirk", entry.name, "Klasse in der Karte"], table, "lrl")


def breakdown_tables(entry: Indicator, ausgabe: Edition) -> str:
    """Markdown: the local region's latest values by each breakdown that has rows, the codes
    named and ordered by the label table."""
    own = local_region(entry)
    if own is None:
        return "Für diese Kennzahl gibt es keine Aufgliederung für Krefeld."
    frame = values(entry.id, ausgabe, region_keys=[own], totals=False)
    period = latest(frame)
    frame = frame[frame["period"] == period]
    columns = breakdown_columns()
    codes = headline(entry.id)  # the other breakdowns at the headline series' codes
    parts = []
    for column in columns:
        keep = frame[column] != TOTAL
        for other in columns:
            if other != column:
                keep &= frame[other] == codes[other]
        rows = frame[keep]
        if rows.empty:
            continue
        # labels and natural order from the label table (age groups by age, not alphabet)
        order = [code_order(column, code) for code in rows[column]]
        rows = rows.iloc[sorted(range(len(rows)), key=order.__getitem__)]
        label = entry.kategorie if column == "kategorie" and entry.kategorie else BREAKDOWNS[column]
        table = markdown_table(
            [label, entry.name],
            [
                [code_label(column, r[column]), format_value(r["value"], r["symbol"], entry.unit)]
                for _, r in rows.iterrows()
            ],
            align="lr",
        )
        parts.append(f"**Nach {label}** ({region_name(own)}, {format_period(period)})\n\n{table}")
    if not parts:
        return "Für diese Kennzahl sind keine Aufgliederungen veröffentlicht."
    return "\n\n".join(parts)


def leit_text(entry: Indicator) -> str:
    """What the headline series of a category indicator shows, in words and with the
    category's label: "Anteil ohne Hauptschulabschluss (Abschlussart: ohne …)"; '' without."""
    if entry.leit is None:
        return ""
    column, code = entry.leit
    merkmal = entry.kategorie if column == "kategorie" and entry.kategorie else BREAKDOWNS[column]
    return f"{entry.leit_name or code_label(column, code)} ({merkmal}: {code_label(column, code)})"


def indicator_facts(entry: Indicator) -> str:
    """The catalogue's facts about an indicator as a two-column table."""
    levels = ", ".join(LEVEL_NAMES.get(level, level) for level in entry.levels)
    facts = [
        ("Zähler", entry.numerator),
        ("Nenner", entry.denominator),
        ("Einheit", entry.unit),
        ("Quelle", entry.source),
        ("Räumliche Ebenen", levels),
        ("Wertung", JUDGEMENT.get(entry.higher_is_better, "keine Wertung")),
        ("Leitwert", leit_text(entry)),
        ("Hinweise", entry.notes),
    ]
    return markdown_table(["Merkmal", "Angabe"], [[k, v] for k, v in facts if v], align="ll")


def breakdown_series_table(
    frame: pd.DataFrame, labels: dict[str, str], unit: str, merkmal: str
) -> str:
    """The values behind ``bm_charts.breakdown_bars``: one row per category (label, in the
    label table's order; first column headed by the breakdown's name ``merkmal``), one column
    per period (``breakdown_series`` gives the frame)."""
    periods = list(dict.fromkeys(frame["period"]))
    cells = {(r.period, r.category): (r.value, r.symbol) for r in frame.itertuples()}
    order = [code for code in labels if code in set(frame["category"])]
    order += sorted(set(frame["category"]) - set(order))
    rows = [
        [labels.get(code, code)]
        + [format_value(*cells.get((p, code), (None, None)), unit) for p in periods]
        for code in order
    ]
    if not rows:
        return markdown_table([merkmal, "Wert"], [["Keine Aufgliederung", ""]], align="ll")
    header = [merkmal, *(format_period(p) for p in periods)]
    return markdown_table(header, rows, align="l" + "r" * len(periods))
