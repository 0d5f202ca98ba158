"""The report's XLSX workbook of all indicators, written with XlsxWriter.

The workbook (≈ 70,000 rows × 18 columns) was the slowest page of the render. Measured on
2026-12-07 on the 2-core build machine, same warehouse (70,180 rows): openpyxl's write-only
mode 34 s, XlsxWriter in constant-memory mode 18 s, XlsxWriter with its shared-string table
(the cells are held until ``close``; ≈ 280 MB peak for the whole process) 11–13 s. Each sheet
gets a bold, frozen header row and an autofilter. Text stays text: every string is written
with ``write_string`` (XlsxWriter's ``write`` could turn ``=…`` into a formula), a key like
``05114`` or a number-looking string additionally in the text format ``@``, so a spreadsheet
neither computes nor converts it when edited; no cell of the workbook can be a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from numbers import Number
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

MAX_ROWS = 1_048_576
"""Rows of one sheet in Excel."""

TEXT, HEADER, INTEGER, ONE_DECIMAL, TWO_DECIMALS, KEY = 1, 2, 3, 4, 5, 6
"""Column styles: text, bold header, ``0``, ``0.0``, ``0.00``, key (text in the format ``@``:
a spreadsheet keeps it text when it is edited)."""
NUMBER_STYLES = {"0": INTEGER, "0.0": ONE_DECIMAL, "0.00": TWO_DECIMALS}
NUMBER_FORMATS = {INTEGER: "0", ONE_DECIMAL: "0.0", TWO_DECIMALS: "0.00"}
_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NUMERIC = re.compile(r"^[\s+-]*[\d.,/]+")
_OPTIONS = {
    "constant_memory": False,  # shared strings: faster,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def _is_number(value: object) -> bool:
    return (
        isinstance(value, Number)
        and not isinstance(value, bool)
        and not (isinstance(value, float) and math.isnan(value))
    )


Block = tuple[pd.DataFrame, Sequence[int]]
"""Rows of a sheet: a frame (missing values as None or NaN) and a style per column."""


def column_letter(index: int) -> str:
    """``0`` → ``A``, ``26`` → ``AA``."""
    return str(xl_col_to_name(index))


class Workbook:
    """Sheets are added one after another, each in one call; the file is written on close."""

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)
        self._book = xlsxwriter.Workbook(str(self._path), _OPTIONS)
        self._formats: dict[int, Any] = {
            HEADER: self._book.add_format({"bold": True}),
            KEY: self._book.add_format({"num_format": "@"}),
            **{s: self._book.add_format({"num_format": f}) for s, f in NUMBER_FORMATS.items()},
        }
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
        sheet = self._book.add_worksheet(title)
        for i, width in enumerate(widths):
            sheet.set_column(i, i, width)
        sheet.freeze_panes(1, 0)
        bold = self._formats[HEADER]
        for col, name in enumerate(header):
            sheet.write_string(0, col, _NOT_XML.sub("", str(name)), bold)
        count = 0
        left: Block | None = None
        block = carry if carry is not None else next(pending, None)
        while block is not None:
            frame, styles = block
            room = limit - count
            if len(frame) > room:
                frame, left = frame.iloc[:room], (frame.iloc[room:], styles)
            for col, style in enumerate(styles):
                values, formats = self._column(frame.iloc[:, col], style)
                for row, value, cell_format in zip(
                    range(count + 1, count + 1 + len(frame)), values, formats, strict=True
                ):
                    if value is None:
                        continue
                    if type(value) is float:
                        sheet.write_number(row, col, value, cell_format)
                    else:
                        sheet.write_string(row, col, value, cell_format)
            count += len(frame)
            if left is not None:
                break
            block = next(pending, None)
        sheet.autofilter(0, 0, count, max(len(header) - 1, 0))
        return count, left

    def _column(self, series: pd.Series, style: int) -> tuple[list[Any], list[Any]]:
        """One column's cells, prepared column-wise: a float is written as a number in the
        column's format (number styles only), a str as text — in ``@`` if it is a key or
        looks like a number or a formula —, None stays empty."""
        number = self._formats[style] if style in NUMBER_FORMATS else None  # not KEY/HEADER
        key = self._formats[KEY]
        values: list[Any] = series.astype(object).tolist()
        formats: list[Any] = [None] * len(values)
        for i, value in enumerate(values):
            if value is None or value is pd.NA:
                values[i] = None
            elif number is not None and _is_number(value):
                values[i], formats[i] = float(value), number  # type: ignore[arg-type]
            elif isinstance(value, float) and math.isnan(value):
                values[i] = None
            else:
                text = _NOT_XML.sub("", str(value))
                values[i] = text
                if style == KEY or text.startswith("=") or _NUMERIC.match(text):
                    formats[i] = key
        return values, formats

    def close(self) -> None:
        self._book.close()
