"""Cell values of XLSX workbooks: read fast with calamine, in openpyxl's conventions.

The parsers were written against openpyxl's ``values_only`` cells. calamine (Rust) reads the
same cells 20–50× faster but returns whole numbers as floats, dates without a time as
``date``, empty cells as ``""`` and error cells (``#DIV/0!``) as empty. :func:`normalise`
maps its values back (``5.0`` → ``5``, ``date`` → ``datetime``, ``""`` → ``None``) so that
parsers, tidy tables and error messages do not depend on the reader.

openpyxl still reads a workbook when calamine cannot open it (its error message is the one
users have seen so far) and when a sheet holds error cells: openpyxl keeps ``#DIV/0!`` as
text, which the parsers reject loudly instead of reading a silent gap.

A :class:`Workbook` is opened once per delivered file and shared by the sniffers and the
parser (see :func:`pipelines.ingest.identify.identify`), so a 100 000-row sheet is parsed once.
Before either reader sees it, :func:`pipelines.ingest.xlsx_bounds.check_workbook` measures its
sheets; after a reader opened a sheet, its extent is checked again before the grid is built.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.ingest.errors import IngestError
from pipelines.ingest.xlsx_bounds import check_workbook, guard_extent

if TYPE_CHECKING:
    from python_calamine import CalamineSheet

SUFFIXES = frozenset({".xlsx", ".xlsm"})

_ERROR_TYPES = (b' t="e"', b" t='e'")
"""How an error cell's type attribute is written (no other worksheet element has ``t="e"``)."""
_DATETIME = dt.datetime


def normalise(value: object) -> object:
    """A calamine cell value as openpyxl returns it (idempotent for openpyxl values)."""
    cls = value.__class__
    if cls is float:
        return int(value) if value.is_integer() else value  # type: ignore[union-attr]
    if cls is str:
        return None if value == "" else value
    if cls is dt.date:
        return _DATETIME(value.year, value.month, value.day)  # type: ignore[union-attr]
    return value


def normalise_rows(rows: Sequence[Sequence[object]]) -> list[list[object]]:
    return [[normalise(v) for v in row] for row in rows]


Merged = tuple[int, int, int, int]
"""A merged range as 1-based ``(min_row, min_col, max_row, max_col)``, like openpyxl's."""


class Sheet:
    """One worksheet: its title, merged ranges and cell rows starting at A1.

    Made from a calamine sheet (values converted on demand) or from openpyxl's values.
    """

    def __init__(
        self,
        title: str,
        merged: list[Merged],
        *,
        calamine: CalamineSheet | None = None,
        values: list[list[object]] | None = None,
    ):
        self.title = title
        self.merged = merged
        self._calamine = calamine
        self._values = values  # openpyxl's: already as the parsers expect them
        self._raw: list[list[object]] | None = None

    @property
    def needs_normalising(self) -> bool:
        """Whether :meth:`raw_rows` holds calamine values (openpyxl's need nothing)."""
        return self._values is None

    def raw_rows(self) -> list[list[object]]:
        """All rows as the reader returns them; pass cells through :func:`normalise`.

        For bulk reading (100 000 rows): normalising every cell up front costs more than
        normalising each distinct value once.
        """
        if self._values is not None:
            return self._values
        if self._raw is None:
            assert self._calamine is not None
            self._raw = _pad(self._calamine.to_python(skip_empty_area=False), self.merged)
        return self._raw

    def rows(self, head: int | None = None) -> list[list[object]]:
        """The first ``head`` rows (all when ``None``), values normalised."""
        if self._values is not None:
            return self._values if head is None else self._values[:head]
        if self._raw is not None or head is None:
            return normalise_rows(self.raw_rows()[:head])
        assert self._calamine is not None
        rows = self._calamine.to_python(skip_empty_area=False, nrows=head)
        return normalise_rows(_pad(rows, self.merged, head))


def _pad(rows: list[list[object]], merged: list[Merged], head: int | None = None) -> list[list]:
    """Extend the grid over merged ranges that reach past the last value (openpyxl does)."""
    if not merged:
        return rows
    height = max(max(m[2] for m in merged), len(rows))
    if head is not None:
        height = min(height, head)
    width = max(max(m[3] for m in merged), max((len(r) for r in rows), default=0))
    if len(rows) == height and all(len(r) == width for r in rows):
        return rows
    padded = [r + [""] * (width - len(r)) for r in rows]
    padded += [[""] * width for _ in range(height - len(rows))]
    return padded


class Workbook:
    """A delivered XLSX file, opened on first use; :meth:`sheets` raises what the reader raised."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._sheets: list[Sheet] | None = None
        self._checked = False
        self.reader = ""
        """``calamine`` or ``openpyxl``, once opened."""

    def check(self) -> None:
        """Raise :class:`IngestError` if the workbook's sheets are too large to read (once)."""
        if not self._checked:
            check_workbook(self.path)
            self._checked = True

    def sheets(self) -> list[Sheet]:
        """The worksheets in workbook order (chart sheets left out, as openpyxl does)."""
        if self._sheets is None:
            self.check()
            try:
                self._sheets = _calamine_sheets(self.path)
                self.reader = "calamine"
            except IngestError:
                raise
            except Exception:  # openpyxl decides (and words the error)
                self._sheets = _openpyxl_sheets(self.path)
                self.reader = "openpyxl"
        return self._sheets


def _calamine_sheets(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    if has_error_cells(path):
        raise ValueError("error cells: calamine reads them as empty")
    book = CalamineWorkbook.from_path(str(path))
    sheets = []
    for meta in book.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        sheet = book.get_sheet_by_name(meta.name)
        merged = [
            (top + 1, left + 1, bottom + 1, right + 1)
            for (top, left), (bottom, right) in sheet.merged_cell_ranges or []
        ]
        end = sheet.end or (0, 0)
        _guard(path, meta.name, end[0] + 1, end[1] + 1, merged)
        sheets.append(Sheet(meta.name, merged, calamine=sheet))
    return sheets


def _guard(path: Path, title: str, rows: int, columns: int, merged: list[Merged]) -> None:
    """Refuse a sheet whose grid (cells and merged ranges, padded from A1) is too large."""
    for _top, _left, bottom, right in merged:
        rows, columns = max(rows, bottom), max(columns, right)
    guard_extent(path, title, rows, columns)


def has_error_cells(path: Path) -> bool:
    """Whether any worksheet holds an error cell (``t="e"``: ``#DIV/0!``, ``#NV``, …)."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as handle:
                    tail = b""
                    while block := handle.read(1 << 22):
                        window = tail + block
                        if any(marker in window for marker in _ERROR_TYPES):
                            return True
                        tail = block[-8:]
    return False


def _openpyxl_sheets(path: Path) -> list[Sheet]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in book.worksheets:
        merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        _guard(path, ws.title, ws.max_row, ws.max_column, merged)
        rows = [list(row) for row in ws.iter_rows(values_only=True)]
        sheets.append(Sheet(ws.title, merged, values=rows))
    return sheets
