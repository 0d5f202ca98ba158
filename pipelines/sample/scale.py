"""State-sized synthetic data (``generate --scale state``): the sample's formats, a state's volume.

Issue 8 asks whether the unchanged pipeline refreshes a state-sized data directory in under
ten minutes and 4 GB. This module writes one in the same layout and formats as
``data/sample`` (``itnrw/``, ``schulen/``, ``ba/``, ``geo/``), so only
``BILDUNGSMONITOR_DATA_DIR`` differs:

- ``schulen/``: ≈ 5,500 fictional schools and ≈ 2.5 million pupils per school year over ten
  school years (:mod:`pipelines.sample.scale_schulen`), one file per template and year as in
  the sample (CSV up to 2018/19, XLSX from 2019/20, the older column names in 2015/16).
- ``itnrw/``: the GENESIS tables with all 53 Kreise and kreisfreie Städte; Krefeld's leavers
  are scaled to the school administration's, so the ±5 % cross-source check compares like
  with like (the city stands for the whole school administration).
- ``ba/`` and ``geo/``: the sample's files (the BA delivers per Agentur and city).

Deterministic (fixed seeds, fixed workbook dates) and vectorised; the XLSX files are written
in openpyxl's write-only mode. Everything is synthetic and says so.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from pipelines.sample import ba, genesis, genesis_kontext, geo, kreise, schulen, schulregister
from pipelines.sample.scale_schulen import Scale, itnrw_leavers, scale_tables

SCALES: dict[str, Scale] = {"state": Scale(copies=85, size=0.88)}
"""Named sizes for ``--scale``: ``state`` ≈ NRW (85 copies of the city's 65 schools)."""

README = """# State-sized scale data — SYNTHETIC

Written by `python -m pipelines.sample.generate --scale {name} --out DIR` for the benchmark's
`scale` scenario (issue 8). Same formats and layout as `data/sample`, a state's volume:
{schools:,} fictional schools ("Beispiel-… (fiktiv)", Schulnummern that no real school has),
{pupils:,} pupils in school year {latest}, school years {first} to {latest}; IT.NRW tables with
all 53 Kreise and kreisfreie Städte of NRW. Krefeld (05114) stands for the whole school
administration, so its leavers in the IT.NRW table are scaled to match. All values are
synthetic ("Synthetische Beispieldaten"), not official statistics.
"""


def write_scale(out_dir: Path, scale: Scale, name: str = "custom") -> list[Path]:
    """Write the scale data directory ``out_dir`` and return the files written."""
    out = Path(out_dir)
    written = genesis.write_sample(out, kreise.state_design(itnrw_leavers(scale)))
    schools, tables = scale_tables(scale)
    written += write_schulen(out, schools, tables, scale)
    written += ba.write_sample(out)
    written += geo.write_sample(out)
    written += genesis_kontext.write_sample(out)  # social context and register: as the city's
    written += schulregister.write_sample(out)
    pupils = tables["schueler"]
    latest = pupils[pupils["schuljahr"] == scale.years[-1]]["schueler"].sum()
    readme = out / "README.md"
    readme.write_text(
        README.format(
            name=name,
            schools=len(schools),
            pupils=int(latest),
            first=scale.years[0],
            latest=scale.years[-1],
        ),
        encoding="utf-8",
    )
    return [*written, readme]


# --- the school administration's files ----------------------------------------------------


def write_schulen(out_dir: Path, schools, tables: dict[str, pd.DataFrame], scale: Scale):
    """``out_dir/schulen/``: the register and one file per template and school year."""
    target = Path(out_dir) / schulen.SUBDIR
    target.mkdir(parents=True, exist_ok=True)
    stand = schulen.STAND
    written = [
        write_xlsx(
            target / f"schulen_{stand.isoformat()}.xlsx",
            f"{schulen.TITLES['schulen']}, Stand {stand:%d.%m.%Y}",
            schulen.register_frame(schools),
        )
    ]
    for name, frame in tables.items():
        for label, rows in frame.groupby("schuljahr", sort=True):
            written.append(_write_year(target, name, int(label[:4]), label, rows))
    return written


def _write_year(target: Path, name: str, year: int, label: str, rows: pd.DataFrame) -> Path:
    stem = f"{name}_{label.replace('/', '-')}"
    title = f"{schulen.TITLES[name]}, Schuljahr {label}"
    if year >= schulen.XLSX_FROM_YEAR:
        return write_xlsx(target / f"{stem}.xlsx", title, rows)
    legacy = year <= schulen.LEGACY_UNTIL_YEAR
    encoding = "utf-8-sig" if name == "schulformwechsel" else "cp1252"
    return write_csv(target / f"{stem}.csv", title, rows, encoding, legacy=legacy, table=name)


def write_csv(
    path: Path, title: str, frame: pd.DataFrame, encoding: str, *, legacy: bool, table: str
) -> Path:
    """As ``schulen._write_csv``: title line, header, ``;``, CRLF; legacy: old names, ``-``."""
    out = frame.copy()
    header = list(out.columns)
    if legacy:
        header = [schulen.LEGACY_HEADERS[table].get(c, c) for c in header]
        for column in schulen.COUNT_COLUMNS & set(out.columns):
            out[column] = out[column].astype(object).where(out[column] != 0, "-")
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(
        [f"{title} – {schulen.NOTICE}"]
    )
    out.to_csv(buffer, sep=";", index=False, header=header, lineterminator="\r\n")
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, title: str, frame: pd.DataFrame) -> Path:
    """As ``schulen._write_xlsx`` (sheets ``Daten`` and ``Hinweise``), built for volume.

    openpyxl (write-only mode, without lxml) needs ≈ 30 µs a cell; the millions of cells of
    the scale data would take minutes. So openpyxl writes the workbook with the header row
    only, and the data rows — the same XML openpyxl writes: inline strings, numbers, empty
    cells left out — are rendered column-wise with pandas and spliced into the sheet.
    The register (with a date column) is small and goes through openpyxl cell by cell.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Daten")
    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 2)
    sheet.append(list(frame.columns))
    spliced = "stand" not in frame.columns
    if not spliced:
        columns = [_cells(sheet, frame[c], c == "stand") for c in frame.columns]
        for values in zip(*columns, strict=True):
            sheet.append(values)
    notes = workbook.create_sheet("Hinweise")
    for line in (schulen.NOTICE, title, "Vorlage: docs/templates/schulen_v1.md"):
        notes.append([line])
    rows = sheet_rows(frame, first_row=2) if spliced else b""

    def splice(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml" or not rows:
            return data
        head, tail = data.split(b"</sheetData>")
        return head + rows + b"</sheetData>" + tail

    schulen.save_workbook(workbook, path, title=f"{title} ({schulen.NOTICE})", rewrite=splice)
    return path


def sheet_rows(frame: pd.DataFrame, first_row: int) -> bytes:
    """``<row>`` elements of ``frame`` as openpyxl's write-only mode writes them."""
    numbers = pd.Series(range(first_row, first_row + len(frame)), dtype=object).astype(str)
    numbers = numbers.to_numpy(dtype=object)
    cells = np.full(len(frame), "", dtype=object)
    for index, column in enumerate(frame.columns, start=1):
        cells = cells + _column_cells(frame[column], get_column_letter(index), numbers)
    rows = '<row r="' + numbers + '">' + cells + "</row>"
    return "".join(rows.tolist()).encode("utf-8")


def _column_cells(column: pd.Series, letter: str, numbers: np.ndarray) -> np.ndarray:
    ref = '<c r="' + letter + numbers
    if pd.api.types.is_integer_dtype(column.dtype):
        return ref + '" t="n"><v>' + column.astype(str).to_numpy(dtype=object) + "</v></c>"
    text = column.astype(object).where(column.notna(), "").astype(str)
    if text.str.strip().ne(text).any():
        raise ValueError(f"{column.name}: leading or trailing blanks need xml:space")
    escaped = text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")
    escaped = escaped.to_numpy(dtype=object)
    cells = ref + '" t="inlineStr"><is><t>' + escaped + "</t></is></c>"
    return np.where(text.to_numpy(dtype=object) == "", "", cells).astype(object)


def _cells(sheet, column: pd.Series, is_date: bool) -> list:
    """A column's cell values as Python objects; empty text is an empty cell."""
    values = column.tolist()
    if is_date:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value)
            cell.number_format = "DD.MM.YYYY"
            cells.append(cell)
        return cells
    return [None if v == "" or v is None else v for v in values]
