"""The report's XLSX workbook of all indicators, written with openpyxl's write-only mode.

Write-only mode streams each row to the file instead of holding a cell tree for ≈ 70,000 rows
× 18 columns. It is still the slowest page of the render: measured on 2026-12-06 on the 2-core
build machine, 68,731 rows × 18 plain cells take 25 s with openpyxl's pure-Python XML writer
and 10 s with lxml installed. lxml is not installed: openpyxl then writes the bundled sample's
XLSX files with other bytes (raw UTF-8 instead of character references), which the sample
generator's byte-for-byte tests pin; switching both is a follow-up. Each sheet gets a bold,
frozen header row and an autofilter. Text stays text: a key like ``05114`` is written as a
string in the text format ``@``, and a string starting with ``=`` is forced to a string cell,
so no cell of the workbook can be a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from numbers import Number
from pathlib import Path

import pandas as pd
from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MAX_ROWS = 1_048_576
"""Rows of one sheet in Excel."""

TEXT, HEADER, INTEGER, ONE_DECIMAL, TWO_DECIMALS, KEY = 1, 2, 3, 4, 5, 6
"""Column styles: text, bold header, ``0``, ``0.0``, ``0.00``, key (text in the format ``@``:
a spreadsheet keeps it text when it is edited)."""
NUMBER_STYLES = {"0": INTEGER, "0.0": ONE_DECIMAL, "0.00": TWO_DECIMALS}
NUMBER_FORMATS = {INTEGER: "0", ONE_DECIMAL: "0.0", TWO_DECIMALS: "0.00"}
_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BOLD = Font(bold=True)
_NUMERIC = re.compile(r"^[\s+-]*[\d.,/]+")

Block = tuple[pd.DataFrame, Sequence[int]]
"""Rows of a sheet: a frame (missing values as None or NaN) and a style per column."""


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    return get_column_letter(index + 1)


class Workbook:
    """Sheets are added one after another, each in one call; the file is written on close."""

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)
        self._book = _OpenpyxlWorkbook(write_only=True)
        self._titles: set[str] = set()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def add_sheet(
        self,
        title: str,
        header: Sequence[str],
        blocks: Iterable[Block],
        *,
        widths: Sequence[float],
        max_rows: int = MAX_ROWS,
    ) -> int:
        """A bold, frozen header row with an autofilter, then the blocks' rows. A column
        styled ``TEXT`` is written as text whatever it holds; a number style writes numbers
        as numbers in that format. Rows beyond ``max_rows`` (header included) continue on a
        sheet "title (2)", "title (3)" … Returns the number of rows written."""
        pending = iter(blocks)
        carry: Block | None = None
        written, part = 0, 1
        while True:
            name = title if part == 1 else f"{title} ({part})"
            count, carry = self._sheet(name, header, pending, carry, widths, max_rows - 1)
            written += count
            if carry is None:
                return written
            part += 1

    def _sheet(
        self,
        title: str,
        header: Sequence[str],
        pending: Iterator[Block],
        carry: Block | None,
        widths: Sequence[float],
        limit: int,
    ) -> tuple[int, Block | None]:
        title = _FORBIDDEN_IN_TITLE.sub(" ", title)[:31]
        if title in self._titles:
            raise ValueError(f"two sheets named {title!r}")
        self._titles.add(title)
        sheet = self._book.create_sheet(title)
        for i, width in enumerate(widths):
            sheet.column_dimensions[column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([self._header_cell(sheet, name) for name in header])
        count = 0
        left: Block | None = None
        block = carry if carry is not None else next(pending, None)
        while block is not None:
            frame, styles = block
            room = limit - count
            if len(frame) > room:
                frame, left = frame.iloc[:room], (frame.iloc[room:], styles)
            for row in frame.itertuples(index=False, name=None):
                sheet.append(_cells(sheet, row, styles))
            count += len(frame)
            if left is not None:
                break
            block = next(pending, None)
        last = column_letter(max(len(header) - 1, 0))
        sheet.auto_filter.ref = f"A1:{last}{count + 1}"
        return count, left

    @staticmethod
    def _header_cell(sheet: object, name: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=_NOT_XML.sub("", str(name)))
        cell.font = _BOLD
        cell.data_type = "s"
        return cell

    def close(self) -> None:
        self._book.save(self._path)


def _cells(sheet: object, row: Sequence[object], styles: Sequence[int]) -> list[object]:
    """One row: text columns as text (a formula-looking string stays a string), numbers in
    their column's format; missing values as empty cells."""
    out: list[object] = []
    for value, style in zip(row, styles, strict=True):
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            out.append(None)
        elif style in NUMBER_FORMATS and isinstance(value, Number) and not isinstance(value, bool):
            cell = WriteOnlyCell(sheet, value=float(value))
            cell.number_format = NUMBER_FORMATS[style]
            out.append(cell)
        else:
            text = _NOT_XML.sub("", str(value))
            if style == KEY or text.startswith("=") or _NUMERIC.match(text):
                # a key like 05114 or a formula-looking name: a string cell in the text
                # format, so a spreadsheet neither computes nor converts it when edited
                cell = WriteOnlyCell(sheet, value=text)
                cell.data_type = "s"
                cell.number_format = "@"
                out.append(cell)
            else:
                out.append(text)  # openpyxl writes a str as a string cell
    return out
