"""The Schulsozialindex page: distribution, district means and weights as published."""

from __future__ import annotations

import pandas as pd
from bm_daten import Edition, districts, period_end, query
from bm_format import aufzaehlung, format_count, format_percent, format_value
from bm_tabellen import markdown_table


def _latest_school_year(frame: pd.DataFrame, ausgabe: Edition) -> pd.DataFrame:
    frame = frame[frame["school_year"].map(ausgabe.includes)]
    if frame.empty:
        return frame
    return frame[frame["school_year"] == max(frame["school_year"], key=period_end)]


def sozialindex_stufen(ausgabe: Edition) -> pd.DataFrame:
    """Schools per level city-wide, latest school year of the edition (the published table
    has no districts: their level counts would show single schools' levels)."""
    frame = query("SELECT * FROM published.sozialindex_stufen")
    frame = frame.astype({"stufe": "int64", "anzahl_schulen": "int64"})
    return _latest_school_year(frame, ausgabe).reset_index(drop=True)


def sozialindex_stadtbezirke(ausgabe: Edition) -> pd.DataFrame:
    """Schools and mean level per Stadtbezirk, latest school year of the edition; the mean is
    NULL with symbol '.' where the pipeline withheld it (fewer than three schools behind it)."""
    frame = query("SELECT * FROM published.sozialindex_stadtbezirke")
    frame = frame.astype({"anzahl_schulen": "int64", "mittlere_stufe": "float64"})
    return _latest_school_year(frame, ausgabe).reset_index(drop=True)


def sozialindex_gewichte(ausgabe: Edition) -> pd.DataFrame:
    """The weights of the index inputs, latest school year of the edition."""
    frame = query("SELECT * FROM published.sozialindex_gewichte")
    return _latest_school_year(frame.astype({"gewicht": "float64"}), ausgabe).reset_index(drop=True)


def sozialindex_distribution(stufen: pd.DataFrame) -> pd.DataFrame:
    """Schools per level (rows 1–9) and school group (columns)."""
    if stufen.empty:
        return pd.DataFrame()
    table = stufen.pivot_table(
        index="stufe", columns="schulgruppe", values="anzahl_schulen", aggfunc="sum"
    )
    return table.reindex(range(1, 10)).fillna(0).astype("int64")


def sozialindex_means(bezirke: pd.DataFrame) -> pd.DataFrame:
    """The published mean level per Stadtbezirk (rows, all districts) and school group
    (columns, also a group whose means are all withheld); NaN where withheld or no school.
    Read, never computed here: only the pipeline knows what may be shown."""
    keys = districts().index
    if bezirke.empty:
        return pd.DataFrame(index=keys)
    means = bezirke.pivot(index="region_key", columns="schulgruppe", values="mittlere_stufe")
    return means.reindex(keys)


def sozialindex_weights_table(gewichte: pd.DataFrame) -> str:
    """Weights of the index inputs: one row per input, one column per school group."""
    if gewichte.empty:
        return markdown_table(["Merkmal", "Gewicht"], [["Keine Gewichte veröffentlicht", ""]])
    table = gewichte.pivot_table(
        index="merkmal_name", columns="schulgruppe", values="gewicht", sort=False
    )
    header = ["Merkmal", *table.columns]
    rows = [
        [name, *(format_value(v, None, "Gewicht") for v in row)] for name, row in table.iterrows()
    ]
    return markdown_table(header, rows, align="l" + "r" * len(table.columns))


def sozialindex_distribution_table(verteilung: pd.DataFrame) -> str:
    """Schools per level and group, with totals."""
    if verteilung.empty:
        return markdown_table(["Stufe", "Schulen"], [["Keine Werte", ""]])
    header = ["Stufe", *verteilung.columns]
    rows = [[str(stufe), *(format_count(v) for v in row)] for stufe, row in verteilung.iterrows()]
    rows.append(["**insgesamt**", *(format_count(v) for v in verteilung.sum())])
    return markdown_table(header, rows, align="l" + "r" * len(verteilung.columns))


def sozialindex_district_table(bezirke: pd.DataFrame) -> str:
    """Per Stadtbezirk and group: number of schools and the published mean level ('.' where
    withheld, '–' where the district has no school of the group)."""
    names = districts()
    groups = sorted(bezirke["schulgruppe"].unique()) if not bezirke.empty else []
    header = ["Stadtbezirk"]
    for group in groups:
        header += [f"{group}: Schulen", f"{group}: mittlere Stufe"]
    cells = bezirke.set_index(["region_key", "schulgruppe"]) if not bezirke.empty else None
    rows = []
    for key, name in names.items():
        row = [name]
        for group in groups:
            if (key, group) in cells.index:
                cell = cells.loc[(key, group)]
                row += [
                    format_count(cell["anzahl_schulen"]),
                    format_value(cell["mittlere_stufe"], cell["symbol"], "Stufe"),
                ]
            else:
                row += [format_count(0), "–"]
        rows.append(row)
    return markdown_table(header, rows, align="l" + "r" * (len(header) - 1))


def sozialindex_district_note(bezirke: pd.DataFrame) -> str:
    """The footnote of the district table: what '.' (and, if it occurs, '–') means."""
    note = "„.“ = gesperrt: Mittelwerte werden nur für mindestens drei Schulen veröffentlicht."
    present = set(zip(bezirke["region_key"], bezirke["schulgruppe"], strict=True))
    groups = set(bezirke["schulgruppe"])
    if any((key, group) not in present for key in districts().index for group in groups):
        note += " „–“ = keine Schule dieser Gruppe im Stadtbezirk."
    return note


def sozialindex_sentence(verteilung: pd.DataFrame, year: str | None) -> str:
    """How many schools have a level, and how many are on the three highest levels."""
    if verteilung.empty:
        return "Für diese Ausgabe liegen keine Stufen des Schulsozialindex vor."
    total = int(verteilung.to_numpy().sum())
    high = int(verteilung.loc[7:9].to_numpy().sum())
    return (
        f"Im Schuljahr {year} hatten {format_count(total)} Krefelder Schulen eine Stufe des "
        f"Schulsozialindex; {format_count(high)} davon ({format_percent(100 * high / total)}) "
        "standen auf den Stufen 7 bis 9 mit der größten Belastung."
    )


def sozialindex_points(verteilung: pd.DataFrame, mittel: pd.DataFrame, year: str | None) -> str:
    """The Schulsozialindex page's summary; the highest mean only among the published ones
    (and said so when some districts have none)."""
    if verteilung.empty:
        return "- Für diese Ausgabe liegen keine Stufen des Schulsozialindex vor."
    points = [f"- {sozialindex_sentence(verteilung, year)}"]
    names = districts()
    for group in mittel.columns:
        column = mittel[group].dropna()
        if column.empty:
            continue
        shown = {key: format_value(value, None, "Stufe") for key, value in column.items()}
        top = [key for key in column.index if shown[key] == shown[column.idxmax()]]  # ties
        among = (
            " unter den Stadtbezirken mit veröffentlichtem Mittelwert"
            if len(column) < len(mittel)
            else ""
        )
        where = (
            f"im Stadtbezirk {names[top[0]]} ({shown[top[0]]})"
            if len(top) == 1
            else f"in den Stadtbezirken {aufzaehlung([names[k] for k in top])} (je {shown[top[0]]})"
        )
        points.append(
            f"- **{group}:** Die höchste durchschnittliche Stufe{among} haben die Schulen {where}."
        )
    return "\n".join(points)
