"""Schulformwechsel for the Kurzreport: matrices, grades and series from the published table."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from bm_daten import SCHOOL_YEAR, Edition, Indicator, period_end, query, remembered
from bm_format import format_count
from bm_saetze import summary_points
from bm_tabellen import markdown_table

SFW_TYPES = ("04", "10", "20", "15")
"""Hauptschule, Realschule, Gymnasium, Gesamtschule: the matrix of the Kurzreport."""
LATE_GRADES = (8, 9, 10)


@remembered
def _schulformwechsel() -> pd.DataFrame:
    frame = query("SELECT * FROM published.schulformwechsel")
    return frame.astype({"anzahl": "float64", "jahrgang": "int64"})


def schulformwechsel(ausgabe: Edition) -> pd.DataFrame:
    """The published Schulformwechsel of the edition's school years."""
    frame = _schulformwechsel()
    return frame[frame["school_year"].map(ausgabe.includes)].reset_index(drop=True)


def school_type_names(frame: pd.DataFrame) -> dict[str, str]:
    """School type code → name, from the published table itself."""
    names = dict(zip(frame["von_schulform"], frame["von_schulform_name"], strict=True))
    names.update(zip(frame["nach_schulform"], frame["nach_schulform_name"], strict=True))
    return names


def _sum(cells: pd.DataFrame) -> float:
    """A total of published cells; NaN when a part is not published (the total would be
    a guess, and publishing it could reveal the hidden part)."""
    if cells["anzahl"].isna().any():
        return float("nan")
    return float(cells["anzahl"].sum())


def sfw_matrix(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    """Changes from row type to column type among the four types, with totals."""
    part = frame[
        (frame["school_year"] == year)
        & frame["von_schulform"].isin(SFW_TYPES)
        & frame["nach_schulform"].isin(SFW_TYPES)
    ]
    matrix = pd.DataFrame(index=list(SFW_TYPES), columns=[*SFW_TYPES, "summe"], dtype="float64")
    for von in SFW_TYPES:
        for nach in SFW_TYPES:
            if von != nach:
                cells = part[(part["von_schulform"] == von) & (part["nach_schulform"] == nach)]
                matrix.loc[von, nach] = _sum(cells)
        matrix.loc[von, "summe"] = _sum(part[part["von_schulform"] == von])
    matrix.loc["summe"] = [_sum(part[part["nach_schulform"] == n]) for n in SFW_TYPES] + [
        _sum(part)
    ]
    return matrix


def target_types(frame: pd.DataFrame) -> list[str]:
    """Every receiving school type of the table: the four of the matrix first, then the
    others (Sekundarschule, Förderschule …) in code order."""
    others = sorted(set(frame["nach_schulform"]) - set(SFW_TYPES))
    return [*SFW_TYPES, *others]


def sfw_by_grade(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    """Changes by target type (rows: every receiving type, so the table counts the same
    population as the indicator "Schulformwechsel in der Sekundarstufe I") and grade entered
    (columns), all origins."""
    part = frame[frame["school_year"] == year]
    grades = list(range(5, 11))
    types = target_types(frame)
    table = pd.DataFrame(index=types, columns=[*grades, "summe"], dtype="float64")
    for nach in types:
        rows = part[part["nach_schulform"] == nach]
        for grade in grades:
            cells = rows[rows["jahrgang"] == grade]
            table.loc[nach, grade] = _sum(cells) if len(cells) else 0.0
        table.loc[nach, "summe"] = _sum(rows)
    return table


SERIES_COLUMNS = ["school_year", "insgesamt", "vier_schulformen", "aus_gymnasium", "spaet"]


@remembered
def _sfw_series() -> pd.DataFrame:
    frame = query(f"SELECT {', '.join(SERIES_COLUMNS)} FROM published.schulformwechsel_reihe")
    return frame.astype({c: "float64" for c in SERIES_COLUMNS[1:]})


def sfw_series(frame: pd.DataFrame) -> pd.DataFrame:
    """Per school year of ``frame`` (``published.schulformwechsel_reihe``): all changes (the
    indicator "Schulformwechsel in der Sekundarstufe I"), of these the changes among the four
    types and out of the Gymnasium, and late changes (into grades 8–10, all origins and
    targets: the indicator of the late changes); NaN where a part is not published."""
    series = _sfw_series()
    series = series[series["school_year"].isin(set(frame["school_year"]))]
    return series.sort_values("school_year").reset_index(drop=True)[SERIES_COLUMNS]


def latest_school_year(years: Iterable[str]) -> str | None:
    """The latest school year of some school years (None if there are none)."""
    years = [y for y in years if SCHOOL_YEAR.match(str(y))]
    return max(years, key=period_end) if years else None


def sfw_matrix_table(matrix: pd.DataFrame | None, names: dict[str, str], year: str | None) -> str:
    """The Schulformwechsel matrix with row and column totals ('.' where a part is secret)."""
    header = [f"von ↓ nach → ({year or '–'})", *(names.get(t, t) for t in SFW_TYPES)]
    header.append("Abgänge insgesamt")
    if matrix is None:
        return markdown_table(header, [["Keine Werte", *[""] * (len(header) - 1)]])
    rows = []
    for von in (*SFW_TYPES, "summe"):
        label = "Zugänge insgesamt" if von == "summe" else names.get(von, von)
        cells = ["–" if von == nach else format_count(matrix.loc[von, nach]) for nach in SFW_TYPES]
        rows.append([label, *cells, format_count(matrix.loc[von, "summe"])])
    rows[-1][0] = "**Zugänge insgesamt**"
    return markdown_table(header, rows, align="l" + "r" * (len(header) - 1))


def sfw_grade_table(table: pd.DataFrame | None, names: dict[str, str], year: str | None) -> str:
    """Changes by target type and grade entered, with the late changes (grades 8–10)."""
    grades = list(range(5, 11))
    header = [
        f"nach ↓ Klasse → ({year or '–'})",
        *map(str, grades),
        "insgesamt",
        "davon 8–10",
    ]
    if table is None:
        return markdown_table(header, [["Keine Werte", *[""] * (len(header) - 1)]])
    rows = []
    for nach in table.index:
        late = table.loc[nach, list(LATE_GRADES)]
        cells = [format_count(v) if v else "–" for v in table.loc[nach, grades]]
        rows.append(
            [
                names.get(nach, nach),
                *cells,
                format_count(table.loc[nach, "summe"]),
                format_count(late.sum()),
            ]
        )
    totals = [table[g].sum() for g in grades]
    late_total = table[list(LATE_GRADES)].to_numpy().sum()
    rows.append(
        ["**insgesamt**", *(format_count(v) for v in totals), format_count(table["summe"].sum()),
         format_count(late_total)]
    )  # fmt: skip
    return markdown_table(header, rows, align="l" + "r" * (len(header) - 1))


def sfw_series_table(series: pd.DataFrame) -> str:
    """Changes per school year: all, among the four types, out of the Gymnasium, late."""
    header = [
        "Schuljahr",
        "Schulformwechsel insgesamt",
        "davon zwischen den vier Schulformen",
        "davon aus dem Gymnasium",
        "späte Wechsel (Klassen 8–10)",
    ]
    columns = ("insgesamt", "vier_schulformen", "aus_gymnasium", "spaet")
    rows = [
        [r["school_year"], *(format_count(r[c]) for c in columns)] for _, r in series.iterrows()
    ]
    return markdown_table(header, rows or [["Keine Werte", "", "", "", ""]], align="lrrrr")


def kurzreport_points(
    series: pd.DataFrame,
    year: str | None,
    matrix: pd.DataFrame | None,
    entries: Iterable[Indicator],
    ausgabe: Edition,
) -> str:
    """The Kurzreport's summary: Schulformwechsel first, then the indicators."""
    points = []
    if year and matrix is not None:
        row = series.set_index("school_year").loc[year]
        points.append(
            f"- **Schulformwechsel {year}:** {format_count(row['insgesamt'])} Wechsel in der "
            f"Sekundarstufe I, davon {format_count(matrix.loc['summe', 'summe'])} zwischen "
            "Hauptschule, Realschule, Gymnasium und Gesamtschule (darunter "
            f"{format_count(matrix.loc['20', 'summe'])} aus dem Gymnasium); "
            f"{format_count(row['spaet'])} späte Wechsel in die Klassen 8 bis 10."
        )
    points.append(summary_points(entries, ausgabe))
    return "\n".join(points)
