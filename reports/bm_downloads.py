"""The downloads: one CSV file per indicator page and one XLSX workbook of all indicators.

Both hold the same cells, as the pages show them: German column headers and labels from the
label table (``published.bezeichnungen``), values rounded as displayed (counts without
decimals, shares with one), numerators and denominators as whole numbers. The disclosure audit
reads the CSV files back (``quality.sdc.downloads`` maps headers and labels to codes), and the
workbook's cells equal theirs (tested), so auditing the CSV files covers the workbook.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from bm_bezeichnungen import code_labels, column_headers
from bm_daten import (
    HANDLUNGSFELDER,
    Edition,
    Indicator,
    edition_periods,
    indicators,
    published_columns,
    query,
    read_values,
)
from bm_format import LEVEL_NAMES, SYMBOLS, decimals
from bm_xlsx import INTEGER, KEY, MAX_ROWS, NUMBER_STYLES, TEXT, Workbook

CSV_BATCH_ROWS = 200_000
"""Rows written to a download at once: whole periods, at least one."""

LABELLED_COLUMNS = (
    "geschlecht",
    "staatsangehoerigkeit",
    "schulform",
    "kategorie",
    "suppression_reason",
)
"""Columns whose codes a download shows as labels (the region key stays a key)."""
KEY_COLUMNS = ("indicator_id", "region_key", "period")
"""Keys: text cells in the text format (``05114`` keeps its zero, ``2024/25`` stays text)."""
COUNT_COLUMNS = ("numerator", "denominator")
"""Counts: whole numbers in a download."""
VALUE_COLUMN = "value"


def round_half_up(values: pd.Series, digits: int) -> pd.Series:
    """Round as the pages do (``bm_format.format_number``: half up, not half to even, on the
    decimal the value is written as, ``8.05`` → ``8.1``); with no digits as integers.
    Vectorised; the few values next to a tie are rounded exactly with ``decimal``."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    scaled = numbers.to_numpy() * 10.0**digits
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
    fraction = np.abs(scaled) - np.floor(np.abs(scaled))
    near_tie = np.flatnonzero(np.abs(fraction - 0.5) < 1e-6)
    step = decimal.Decimal(1).scaleb(-digits)
    for i in near_tie:
        exact = decimal.Decimal(repr(float(numbers.iloc[i])))
        rounded[i] = float(exact.quantize(step, rounding=decimal.ROUND_HALF_UP).scaleb(digits))
    out = pd.Series(rounded / 10.0**digits, index=numbers.index) + 0.0  # no -0.0
    return out.round().astype("Int64") if digits == 0 else out


def displayed(frame: pd.DataFrame) -> pd.DataFrame:
    """Published rows as a download shows them: labels for codes, values rounded as the
    pages show them (by the unit), counts as whole numbers."""
    out = frame.copy()
    for column in LABELLED_COLUMNS:
        if column in out:
            out[column] = out[column].map(code_labels(column)).fillna(out[column])
    for column in COUNT_COLUMNS:
        if column in out:
            out[column] = round_half_up(out[column], 0)
    if VALUE_COLUMN in out:
        units = out["unit"].dropna().unique() if "unit" in out else []
        digits = {decimals(str(u)) for u in units} or {1}
        # one indicator, one unit: mixed units keep the finest precision among them
        out[VALUE_COLUMN] = round_half_up(out[VALUE_COLUMN], max(digits))
    return out


def download_frame(indicator_id: str, periods: Sequence[str]) -> pd.DataFrame:
    """The indicator's published rows of some periods exactly as its download holds them:
    German headers, labels, rounded values, formula-like text neutralised."""
    from pipelines.report.downloads_safety import neutralise_frame

    columns = list(published_columns("indicator_values"))
    frame = neutralise_frame(displayed(read_values(indicator_id, periods)[columns]))
    frame.columns = column_headers(columns)
    return frame


def _batches(indicator_id: str, ausgabe: Edition) -> Iterator[list[str]]:
    """The edition's periods of an indicator in batches of about CSV_BATCH_ROWS rows."""
    counts = dict(
        query(
            "SELECT period, count(*) AS n FROM published.indicator_values "
            "WHERE indicator_id = ? GROUP BY period",
            [indicator_id],
        ).itertuples(index=False, name=None)
    )
    batch: list[str] = []
    size = 0
    for period in edition_periods(indicator_id, ausgabe):
        if batch and size + counts.get(period, 0) > CSV_BATCH_ROWS:
            yield batch
            batch, size = [], 0
        batch.append(period)
        size += counts.get(period, 0)
    if batch:
        yield batch


def write_csv(indicator_id: str, ausgabe: Edition, path: Path | str) -> int:
    """Write the indicator's published rows as CSV for download; returns the row count.

    German spreadsheet conventions: UTF-8 with BOM, ``;`` between fields, decimal comma, no
    thousands separator. Empty ``Wert`` with a ``Zeichen`` means: not published (see the
    page's footnotes). Text a spreadsheet would run as a formula (a school name from the
    register starting with ``=``) is written with a leading ``'``
    (``pipelines.report.downloads_safety``), numbers as they are. Written in batches of whole
    periods, so a state-sized indicator never sits in memory.
    """
    written = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        for index, batch in enumerate(_batches(indicator_id, ausgabe)):
            frame = download_frame(indicator_id, batch)
            frame.to_csv(
                handle,
                sep=";",
                decimal=",",
                index=False,
                header=index == 0,
                float_format=f"%.{_digits(frame)}f",
            )
            written += len(frame)
        if written == 0:  # an indicator without rows in the edition: the header only
            columns = list(published_columns("indicator_values"))
            pd.DataFrame(columns=column_headers(columns)).to_csv(handle, sep=";", index=False)
    return written


def _digits(frame: pd.DataFrame) -> int:
    """Decimals of the value column of a download frame (0 for counts)."""
    value, unit = column_headers([VALUE_COLUMN, "unit"])
    if pd.api.types.is_integer_dtype(frame[value]):
        return 0
    units = frame[unit].dropna().unique() if unit in frame else []
    return max((decimals(str(u)) for u in units), default=1)


# --------------------------------------------------------------------------- the workbook


def write_xlsx(ausgabe: Edition, path: Path | str, *, max_rows: int = MAX_ROWS) -> int:
    """One workbook of all indicators' published rows in the edition; returns the row count.

    Sheets: ``Hinweise`` (symbols, rounding, keys, licence), ``Katalog`` (definitions,
    sources, licence), then one sheet per Handlungsfeld — the report's chapters, each a table
    a spreadsheet filters quickly; one that outgrows Excel's row limit continues on a sheet
    "… (2)" — with exactly the rows and columns of the CSV downloads. Keys are text cells
    (``05114`` keeps its zero), numbers are numbers in the displayed format (``0`` for
    counts, ``0.0`` for shares); no cell can be a formula (``bm_xlsx``).
    """
    from bm_texte import impressum

    angaben = impressum()
    licence = f"{angaben.lizenz_name} ({angaben.lizenz_kurz}), {angaben.lizenz_url}"
    columns = list(published_columns("indicator_values"))
    header = column_headers(columns)
    widths = [max(10, min(40, len(h) + 4)) for h in header]
    written = 0
    with Workbook(path) as book:
        notes = _notes(ausgabe, angaben.herausgeber, angaben.lizenz_kurz, licence)
        book.add_sheet("Hinweise", NOTES_HEADER, [_text_block(notes)], widths=(16, 120))
        catalogue = [_catalogue_row(e, licence) for e in indicators()]
        book.add_sheet(
            "Katalog", CATALOGUE_HEADER, [_text_block(catalogue)], widths=CATALOGUE_WIDTHS
        )
        for feld in HANDLUNGSFELDER:
            blocks = _blocks_of(feld, ausgabe, columns)
            written += book.add_sheet(feld, header, blocks, widths=widths, max_rows=max_rows)
    return written


def _blocks_of(
    feld: str, ausgabe: Edition, columns: Sequence[str]
) -> Iterator[tuple[pd.DataFrame, list[int]]]:
    """The download rows of a Handlungsfeld's indicators, batch by batch, with the style of
    each column (the value's precision is the indicator's)."""
    for entry in indicators(feld):
        for batch in _batches(entry.id, ausgabe):
            frame = download_frame(entry.id, batch)
            digits = _digits(frame)
            value_style = NUMBER_STYLES["0." + "0" * digits if digits else "0"]
            styles = [
                value_style
                if c == VALUE_COLUMN
                else INTEGER
                if c in COUNT_COLUMNS
                else KEY
                if c in KEY_COLUMNS
                else TEXT
                for c in columns
            ]
            yield frame, styles


def _text_block(rows: Sequence[Sequence[object]]) -> tuple[pd.DataFrame, list[int]]:
    frame = pd.DataFrame([list(r) for r in rows], dtype=object)
    return frame, [TEXT] * frame.shape[1]


NOTES_HEADER = ("Zeichen", "Bedeutung")


def _notes(
    ausgabe: Edition, publisher: str, licence_short: str, licence: str
) -> list[tuple[str, str]]:
    """The ``Hinweise`` sheet: the symbols, then what a reader must know about the data."""
    rows: list[tuple[str, str]] = list(SYMBOLS.items())
    rows += [
        ("Ausgabe", f"{ausgabe.title}: alle Werte bis zum Stichtag {ausgabe.cutoff_text}."),
        ("Herausgeber", publisher),
        ("Lizenz", licence),
        (
            "Quellenangabe",
            "Bei Weiterverwendung sind die Quellen zu nennen, z. B. „Datenquelle: IT.NRW, "
            f"{licence_short}; {publisher}“; die Quelle jeder Kennzahl steht im Blatt "
            "„Katalog“ und in der Spalte „Quelle“.",
        ),
        (
            "Rundung",
            "Werte wie im Bericht gerundet: Anzahlen ganzzahlig, Anteile, Quoten und "
            "Verhältniszahlen mit einer Nachkommastelle; Zähler und Nenner ganzzahlig.",
        ),
        (
            "Schlüssel",
            "Regionalschlüssel, Kennzahl-ID und Zeitraum sind Text: der Schlüssel 05114 "
            "behält seine führende Null.",
        ),
        (
            "Gesperrte Werte",
            "Eine Zeile ohne Wert mit dem Zeichen „.“ ist gesperrt; den Grund nennt die "
            "Spalte „Grund der Sperrung“.",
        ),
    ]
    return rows


CATALOGUE_HEADER = (
    "Kennzahl-ID",
    "Kennzahl",
    "Handlungsfeld",
    "Definition",
    "Zähler",
    "Nenner",
    "Einheit",
    "Räumliche Ebenen",
    "Aufgliederung (Kategorie)",
    "Quelle",
    "Hinweise",
    "Lizenz",
)
CATALOGUE_WIDTHS = (30, 40, 24, 60, 30, 30, 12, 30, 24, 40, 40, 40)


def _catalogue_row(entry: Indicator, licence: str) -> list[object]:
    levels = ", ".join(LEVEL_NAMES.get(level, level) for level in entry.levels)
    cells = (
        entry.id,
        entry.name,
        entry.handlungsfeld,
        entry.definition,
        entry.numerator,
        entry.denominator,
        entry.unit,
        levels,
        entry.kategorie,
        entry.source,
        entry.notes,
        licence,
    )
    return [c or None for c in cells]
