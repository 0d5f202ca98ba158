"""Parser for the school administration's template files (CSV or XLSX) → tidy table.

The template is recognised from the header row (see :mod:`pipelines.ingest.schulen_templates`);
every cell is cast by its column's type, and every problem is reported with the row number
the user sees in Excel (1-based, header and title lines counted), the column, the value and
the rule. The problems of a file are collected before raising, so one round of corrections
fixes the whole delivery — up to :data:`MAX_PROBLEMS`: a CSV file is read in batches of
:data:`BATCH_ROWS` rows, and reading stops at the batch that brings that many, so a file of
ten million bad rows costs what one batch costs.

Parsers are pure per file: school tables get the Gemeinde key of the city as ``region_key``
and keep ``schulnummer`` as a dimension; the Stadtbezirk join happens in dbt through the
master data, whose own rows carry their Stadtbezirk key.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import operator
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.ingest import textfile
from pipelines.ingest.errors import IngestError, Problem, capped
from pipelines.ingest.periods import period_problem
from pipelines.ingest.regions import KREFELD_GEMEINDE, normalise_region_key
from pipelines.ingest.schulen_templates import (
    SOURCE,
    STADTBEZIRKE,
    TEMPLATES,
    Column,
    Differs,
    Kind,
    Role,
    SumAtMost,
    Template,
    normalise_label,
)
from pipelines.ingest.symbols import CellError, parse_cell
from pipelines.ingest.tidy import LEADING_COLUMNS, TRAILING_COLUMNS, ParsedFile, order_columns
from pipelines.ingest.xlsx import Sheet, Workbook, normalise

REGION_NAME = "Krefeld"
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 20
MAX_PROBLEMS = 50
"""At most this many problems per file; the last one says how many there are (or at least)."""
BATCH_ROWS = 100_000
"""Data rows cast together (a state-sized school table has about 100 000)."""
SUM_WORDS = frozenset({"summe", "gesamt", "insgesamt", "total", "gesamtsumme", "zusammen"})
"""A cell whose first word is one of these marks a sum row (``Gesamtschule`` does not)."""
_SCHULJAHR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{4}|\d{2})$", re.ASCII)
_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$", re.ASCII)
_PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]{4,64}$")
_WHOLE = re.compile(r"^\d{1,9}(?:\.0+)?$", re.ASCII)
_ZERO = re.compile(r"^\s*[+-]?0+(?:[.,]0+)?\s*$", re.ASCII)
_INTEGER = re.compile(r"^[+-]?\d{1,9}(?:\.0+)?$", re.ASCII)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """The cells of one CSV file or worksheet; row ``i`` is row ``start + i`` in Excel.

    A whole worksheet's cells are left as calamine returns them (see
    :meth:`pipelines.ingest.xlsx.Sheet.raw_rows`) when ``raw`` is true: each distinct value is
    normalised once when it is cast, not every cell up front.
    """

    rows: list[Sequence[object]]
    is_csv: bool
    sheet: str | None = None
    first: bool = True  # the first (or only) sheet of the file
    raw: bool = False
    source: Sheet | None = field(default=None, compare=False, repr=False)
    start: int = 1
    rest: Iterator[list[str]] | None = field(default=None, compare=False, repr=False)
    """The CSV records after ``rows``, still to be read from the open file."""

    def close(self) -> None:
        """Close the file the remaining records come from (if any)."""
        if self.rest is not None:
            self.rest.close()  # type: ignore[attr-defined]


def _read_grids(
    path: Path, head: int | None = None, book: Workbook | None = None
) -> tuple[list[_Grid], list[str]]:
    """All rows of a CSV file (or its first ``head`` rows, for sniffing); for a workbook, the
    header search rows of each sheet (:func:`_complete` adds the rest)."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, head)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, book), []
    raise IngestError.single(
        SOURCE, path, f"unsupported file type {suffix!r}; templates are delivered as CSV or XLSX"
    )


def _read_csv(path: Path, head: int | None = None) -> tuple[list[_Grid], list[str]]:
    """The first ``head`` records (sniffing), or the header search rows and the open rest."""
    text = textfile.scan(path, SOURCE)  # NUL bytes, mixed encodings, size: refused here
    notes = []
    if text.encoding == textfile.LATIN1:
        raise IngestError.single(
            SOURCE, path, "file is neither UTF-8 nor Windows-1252 text", row=text.line
        )
    if text.encoding == textfile.CP1252:
        notes.append("read as Windows-1252 (cp1252)")
    records = _csv_records(path, text.encoding)
    rows: list[Sequence[object]] = list(itertools.islice(records, head or HEADER_SEARCH_ROWS + 1))
    rest: Iterator[list[str]] | None = records
    if head is not None:
        records.close()
        rest = None
    if rows and len(rows[0]) == 1 and str(rows[0][0]).strip().lower() == "sep=;":
        return [_Grid(rows[1:], is_csv=True, start=2, rest=rest)], notes
    return [_Grid(rows, is_csv=True, rest=rest)], notes


def _csv_records(path: Path, encoding: str) -> Generator[list[str], None, None]:
    """The file's records, streamed; a broken structure names the record where it breaks."""
    count = 0
    with path.open(encoding=encoding, newline="") as handle:
        try:
            for record in csv.reader(handle, delimiter=";", strict=True):
                count += 1
                yield record
        except csv.Error as exc:
            raise IngestError.single(
                SOURCE,
                path,
                f"broken CSV structure ({exc}); the file may be truncated or not a ';' CSV",
                row=count + 1,
            ) from None


def _read_xlsx(path: Path, book: Workbook | None = None) -> list[_Grid]:
    """The header search rows of every sheet."""
    try:
        grids = []
        for index, sheet in enumerate((book or Workbook(path)).sheets()):
            rows = sheet.rows(HEADER_SEARCH_ROWS)
            grids.append(
                _Grid(rows, is_csv=False, sheet=sheet.title, first=index == 0, source=sheet)
            )
    except IngestError:  # a workbook too large to read, with its own message
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise IngestError.single(
            SOURCE, path, f"cannot open as XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    return grids


def _complete(grid: _Grid) -> _Grid:
    """A worksheet grid with all its rows."""
    if grid.source is None:
        return grid
    rows = grid.source.raw_rows()  # the header search rows again, not normalised: one type
    raw = grid.source.needs_normalising  # per column makes the distinct values few
    return _Grid(rows, False, grid.sheet, grid.first, raw)


# --- header recognition --------------------------------------------------------------------


@dataclass
class _Header:
    """A recognised header row: which template, which cell holds which column."""

    template: Template
    position: int  # index into grid.rows
    row: int  # as Excel shows it
    columns: dict[int, str] = field(default_factory=dict)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    width: int = 0

    @property
    def missing(self) -> list[str]:
        present = set(self.columns.values())
        return [name for name in self.template.required if name not in present]


def _label_map(tpl: Template) -> dict[str, tuple[str, bool]]:
    """Normalised label → (column name, matched by an alias)."""
    mapping: dict[str, tuple[str, bool]] = {}
    for col in tpl.columns:
        for alias in col.aliases:
            mapping.setdefault(normalise_label(alias), (col.name, True))
    for col in tpl.columns:
        mapping[normalise_label(col.name)] = (col.name, False)
    return mapping


_LABEL_MAPS: dict[tuple[str, str], dict[str, tuple[str, bool]]] = {}


def _match(tpl: Template, cells: Sequence[object], position: int, row: int) -> _Header:
    labels = _LABEL_MAPS.get((tpl.name, tpl.version))
    if labels is None:
        labels = _LABEL_MAPS[(tpl.name, tpl.version)] = _label_map(tpl)
    header = _Header(tpl, position, row)
    for index, cell in enumerate(cells):
        if _is_empty(cell):
            continue
        label = str(cell).strip()
        header.width = index + 1
        hit = labels.get(normalise_label(label))
        if hit is None:
            header.unknown.append(label)
            continue
        name, by_alias = hit
        if name in header.columns.values():
            header.duplicates.append((label, name))
            continue
        header.columns[index] = name
        if by_alias:
            header.aliases.append((label, name))
    return header


def _score(header: _Header) -> tuple[float, float, int] | None:
    """Rank a header: share of its labels the template explains, then of required columns,
    then names matched exactly — so a file keeps the version whose names it uses, even when
    a later version lists those names as aliases."""
    required = header.template.required
    found = len(required) - len(header.missing)
    matched = len(header.columns)
    if matched < 2 or 2 * found < len(required):
        return None
    labels = matched + len(header.unknown) + len(header.duplicates)
    return (matched / labels, found / len(required), matched - len(header.aliases))


def _find_header(grid: _Grid) -> _Header | list[_Header] | None:
    """The first row that looks like a template header (a list when it is ambiguous)."""
    for position, cells in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        row = grid.start + position
        scored = []
        for tpl in TEMPLATES:  # looked up per call: a new version only has to be registered
            header = _match(tpl, cells, position, row)
            score = _score(header)
            if score is not None:
                scored.append((score, header))
        if not scored:
            continue
        scored.sort(key=lambda item: item[0], reverse=True)
        best = [h for s, h in scored if s == scored[0][0]]
        return best[0] if len(best) == 1 else best
    return None


def _locate(
    path: Path, head: int | None = None, book: Workbook | None = None
) -> tuple[_Grid, _Header, list[str]]:
    grids, notes = _read_grids(path, head, book)
    for grid in grids:
        found = _find_header(grid)
        if isinstance(found, list):
            grid.close()
            names = ", ".join(sorted(h.template.name for h in found))
            raise IngestError.single(
                SOURCE, path, f"header fits several templates equally well ({names})",
                row=found[0].row,
            )  # fmt: skip
        if found is not None:
            return (grid if head is not None else _complete(grid)), found, notes
        grid.close()
    known = ", ".join(sorted({t.name for t in TEMPLATES}))
    hint = ""
    if grids and grids[0].is_csv and any("," in str(c) for r in grids[0].rows[:5] for c in r):
        hint = " — template CSV files use ';' as the separator"
    raise IngestError.single(
        SOURCE,
        path,
        f"no template header found in the first {HEADER_SEARCH_ROWS} rows "
        f"(known templates: {known}){hint}",
    )


# --- casting -------------------------------------------------------------------------------


class _CellProblem(ValueError):
    """A cell that breaks its column's rule; the message is the rule."""


@dataclass(frozen=True)
class _Cast:
    value: object
    symbol: str | None = None
    repaired: bool = False


def _is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and raw.strip() == ""


def _as_text(raw: object) -> str:
    """Cell as text; whole floats from Excel lose their ``.0``."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _cast(col: Column, raw: object) -> _Cast:
    if isinstance(raw, bool):
        raise _CellProblem("a yes/no cell is not allowed here")
    caster = _CASTERS[col.kind]
    return caster(col, raw)


def _cast_schuljahr(col: Column, raw: object) -> _Cast:
    match = _SCHULJAHR.match(_as_text(raw)) if isinstance(raw, str) else None
    if not match:
        raise _CellProblem("school year must look like 2016/17")
    first, second = int(match.group(1)), match.group(2)
    expected = f"{(first + 1) % 100:02d}" if len(second) == 2 else str(first + 1)
    if second != expected:
        raise _CellProblem("school year must span two consecutive years, like 2016/17")
    _check_range(col, first, "school year must start between")
    school_year = f"{first}/{(first + 1) % 100:02d}"
    ahead = col.school_years_ahead
    if col.role is Role.PERIOD and (
        outside := period_problem(school_year, school_years_ahead=ahead)
    ):
        raise _CellProblem(outside)
    return _Cast(school_year)


def _outside(school_year: str, ahead: int) -> str | None:
    return period_problem(school_year, school_years_ahead=ahead)


def _digits(raw: object, length: int, what: str) -> _Cast:
    if isinstance(raw, float) and not raw.is_integer():
        raise _CellProblem(f"{what} must have {length} digits")
    text = _as_text(raw)
    if _WHOLE.match(text):
        text = text.split(".")[0]
    if not (text.isascii() and text.isdigit()) or len(text) not in (length - 1, length):
        raise _CellProblem(f"{what} must have {length} digits")
    return _Cast(text.zfill(length), repaired=len(text) < length)


def _cast_schulnummer(col: Column, raw: object) -> _Cast:
    return _digits(raw, 6, "Schulnummer")


def _cast_plz(col: Column, raw: object) -> _Cast:
    return _digits(raw, 5, "Postleitzahl")


def _cast_code(col: Column, raw: object) -> _Cast:
    assert col.codes is not None
    text = _as_text(raw)
    code = text if text in col.codes else col.code_lookup.get(normalise_label(text))
    if code is None and _WHOLE.match(text):
        number = int(text.split(".")[0])
        code = next((c for c in col.codes if c.isdigit() and int(c) == number), None)
    if code is None:
        raise _CellProblem(f"unknown {col.name} code; allowed: {', '.join(col.codes)}")
    return _Cast(code)


def _cast_integer(col: Column, raw: object) -> _Cast:
    text = _as_text(raw)
    if not _INTEGER.match(text):
        raise _CellProblem(f"{col.name} must be a whole number")
    number = int(text.split(".")[0])
    _check_range(col, number, f"{col.name} must be between")
    return _Cast(number)


def _parse_number(raw: object) -> tuple[float | None, str | None]:
    """A number or a symbol; a plain ``0`` is zero here (in GENESIS tables it is a symbol)."""
    if isinstance(raw, str) and _ZERO.match(raw):
        return 0.0, None
    try:
        return parse_cell(raw, decimal=",")
    except CellError:
        raise _CellProblem("not a number") from None


def _cast_count(col: Column, raw: object) -> _Cast:
    value, symbol = _parse_number(raw)
    if value is None:
        return _Cast(None, symbol)
    if value < 0:
        raise _CellProblem("count must not be negative")
    if not float(value).is_integer():
        raise _CellProblem("count must be a whole number")
    return _Cast(float(value), symbol)


def _cast_number(col: Column, raw: object) -> _Cast:
    value, symbol = _parse_number(raw)
    if value is None or (symbol is not None and symbol != "-"):
        raise _CellProblem("not a number")
    _check_range(col, value, f"{col.name} must be between")
    return _Cast(float(value))


def _cast_text(col: Column, raw: object) -> _Cast:
    return _Cast(_as_text(raw))


def _cast_date(col: Column, raw: object) -> _Cast:
    cast = _Cast(_date(raw))
    if col.role is Role.PERIOD and (outside := period_problem(cast.value)):
        raise _CellProblem(outside)
    return cast


def _date(raw: object) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = _as_text(raw)
    german, iso = _DATE_DE.match(text), _DATE_ISO.match(text)
    try:
        if german:
            day, month, year = (int(g) for g in german.groups())
            return dt.date(year, month, day).isoformat()
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return dt.date(year, month, day).isoformat()
    except ValueError:
        pass
    raise _CellProblem("date must look like 15.10.2024 or 2024-10-15")


def _cast_pseudonym(col: Column, raw: object) -> _Cast:
    text = _as_text(raw)
    if not _PSEUDONYM.match(text):
        raise _CellProblem("record id must be 4–64 letters, digits, '-' or '_'")
    return _Cast(text)


def _check_range(col: Column, number: float, rule: str) -> None:
    low, high = col.minimum, col.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        raise _CellProblem(f"{rule} {_fmt(low)} and {_fmt(high)}")


def _fmt(number: float | None) -> str:
    if number is None:
        return "…"
    return str(int(number)) if float(number).is_integer() else str(number)


_CASTERS = {
    Kind.SCHULJAHR: _cast_schuljahr,
    Kind.SCHULNUMMER: _cast_schulnummer,
    Kind.CODE: _cast_code,
    Kind.INTEGER: _cast_integer,
    Kind.COUNT: _cast_count,
    Kind.NUMBER: _cast_number,
    Kind.TEXT: _cast_text,
    Kind.DATE: _cast_date,
    Kind.PLZ: _cast_plz,
    Kind.PSEUDONYM: _cast_pseudonym,
}


# --- rows ----------------------------------------------------------------------------------
#
# The data rows are read column by column: a column's distinct cell values are cast once each
# (a state-wide file repeats one school year, a few codes and small counts in 100 000 rows),
# and the problems are put back into the order a row-by-row reading meets them — by row, then
# by column in template order — stopping after the row that brings them to MAX_PROBLEMS.

_NUMBER_TYPES = frozenset({int, float, bool})
"""Cell types whose equal values are equal dictionary keys (``1 == 1.0 == True``)."""


@dataclass(frozen=True)
class _Broken:
    """A cell value that breaks its column's rule."""

    rule: str
    value: object


@dataclass
class _CastColumn:
    """One template column cast for every data row."""

    values: list[object]
    symbols: list[str | None] | None
    problems: list[tuple[int, str, object]]  # (row index, rule, value)
    failed: set[int]  # rows whose cell broke a rule: they give no record
    repaired: list[tuple[int, object, str]]  # (row index, cell, restored value)


@dataclass
class _Rows:
    """The data rows of one file, read: the records (column-wise) or the problems."""

    numbers: list[int]  # each record's row number as Excel shows it
    values: dict[str, list[object]]
    symbols: dict[str, list[str | None]]
    problems: list[Problem]
    sum_rows: list[int]
    repaired: list[tuple[int, object, str]]  # (row, cell, restored value)
    stopped_at: int | None = None  # the row after which reading stopped (MAX_PROBLEMS reached)

    def extend(self, part: _Rows) -> None:
        """Add the next batch's rows."""
        self.numbers += part.numbers
        for name, values in part.values.items():
            self.values.setdefault(name, []).extend(values)
        for name, symbols in part.symbols.items():
            self.symbols.setdefault(name, []).extend(symbols)
        self.problems += part.problems
        self.sum_rows += part.sum_rows
        self.repaired += part.repaired


def _key_indexes(header: _Header) -> list[int]:
    key = set(header.template.key)
    return [i for i, name in header.columns.items() if name in key]


class _Columns:
    """The data rows' cells column by column (``None`` where a row is too short)."""

    def __init__(self, cells: list[Sequence[object]]):
        self.cells = cells
        self.shortest = min(map(len, cells), default=0)
        self.longest = max(map(len, cells), default=0)

    def __getitem__(self, index: int) -> Sequence[object]:
        if index >= self.longest:
            return [None] * len(self.cells)
        if index < self.shortest:
            return list(map(operator.itemgetter(index), self.cells))
        return [row[index] if index < len(row) else None for row in self.cells]


def _is_sum_label(text: str) -> bool:
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return bool(words) and words[0] in SUM_WORDS


def _sum_rows(header: _Header, columns: _Columns) -> set[int]:
    """Rows labelled as a sum in their first cell or in a key/code column."""
    tpl = header.template
    candidates = [0] + [
        i for i, name in header.columns.items() if tpl.column(name).kind is not Kind.TEXT
    ]
    found: set[int] = set()
    for index in dict.fromkeys(candidates):
        column = columns[index]
        labels = {v for v in set(column) if isinstance(v, str) and _is_sum_label(v)}
        if labels:
            found.update(i for i, v in enumerate(column) if v in labels)
    return found


def _filled(grid: _Grid, header: _Header) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows below the header that are not blank, with their numbers (a CSV file's are
    read from the file as they are needed)."""
    rows: Iterator[Sequence[object]] = itertools.islice(grid.rows, header.position + 1, None)
    if grid.rest is not None:
        rows = itertools.chain(rows, grid.rest)
    filled = _filled_text if grid.is_csv else _filled_cells
    for number, row in enumerate(rows, start=grid.start + header.position + 1):
        # a filled first cell settles most rows without a call
        if (row and row[0].__class__ is str and row[0].strip()) or filled(row):
            yield number, row


def _filled_text(row: Sequence[object]) -> bool:
    """A CSV row (all cells text) with any non-blank cell: one join, not a call per cell."""
    return bool("".join(row).strip())  # type: ignore[arg-type]


def _filled_cells(row: Sequence[object]) -> bool:
    return not all(map(_is_empty, row))


def _batches(grid: _Grid, header: _Header) -> Iterator[tuple[list[int], list[Sequence]]]:
    filled = _filled(grid, header)
    while batch := list(itertools.islice(filled, BATCH_ROWS)):
        yield [number for number, _ in batch], [row for _, row in batch]


def _last_keyed(cells: list[Sequence], keys: list[int]) -> int | None:
    return next(
        (j for j in range(len(cells) - 1, -1, -1)
         if any(k < len(cells[j]) and not _is_empty(cells[j][k]) for k in keys)),
        None,
    )  # fmt: skip


def _read_data(file: str, grid: _Grid, header: _Header) -> tuple[_Rows, list[int]]:
    """Read the data rows batch by batch; return them and the numbers of the trailing rows
    without any key (sums).

    Rows without a key at the end of a batch wait for the next one: only those after the
    file's last keyed row are trailing sums (at most a batch of them; more are data rows).
    Reading stops once :data:`MAX_PROBLEMS` problems are found.
    """
    keys = _key_indexes(header)
    columns = header.template.columns
    values: dict[str, list[object]] = {c.name: [] for c in columns}
    symbols: dict[str, list[str | None]] = {c.name: [] for c in columns if c.role is Role.MEASURE}
    total = _Rows([], values, symbols, [], [], [])
    numbers: list[int] = []
    cells: list[Sequence] = []
    trailing: list[int] = []
    batches = _batches(grid, header)
    batch = next(batches, None)
    while batch is not None:
        following = next(batches, None)
        numbers, cells = numbers + batch[0], cells + batch[1]
        last = _last_keyed(cells, keys)
        if following is None:
            cut = len(cells) if last is None else last + 1
            trailing = numbers[cut:]
        else:
            cut = 0 if last is None else last + 1
            if len(cells) - cut >= BATCH_ROWS:
                cut = len(cells)
        if cut:
            budget = MAX_PROBLEMS - len(total.problems)
            part = _read_rows(file, grid, header, numbers[:cut], cells[:cut], budget)
            total.extend(part)
            if len(total.problems) >= MAX_PROBLEMS:
                more = part.stopped_at is not None or cut < len(cells) or following is not None
                if more:
                    total.stopped_at = part.stopped_at or numbers[cut - 1]
                    trailing = []
                    break
        numbers, cells = numbers[cut:], cells[cut:]
        batch = following
    total.problems += _check_records(file, header.template, total.numbers, total.values)
    return total, trailing


def _outcome(col: Column, value: object) -> _Cast | _Broken | None:
    """A cell cast by its column's rule; ``None`` for an empty cell."""
    if _is_empty(value):
        return None
    try:
        return _cast(col, value)
    except _CellProblem as exc:
        return _Broken(str(exc), value)


def _cast_column(col: Column, cells: Sequence[object], raw: bool) -> _CastColumn:
    """Cast a column, each distinct value once (``raw``: calamine values, normalised first)."""
    keys: Sequence[object] = cells
    if len(set(map(type, cells)) & _NUMBER_TYPES) > 1:
        keys = [c if c.__class__ is str else (c.__class__, c) for c in cells]
    distinct = dict(zip(keys, cells, strict=True))
    if raw:
        distinct = {k: normalise(c) for k, c in distinct.items()}
    outcomes = {k: _outcome(col, c) for k, c in distinct.items()}
    value_of = {k: o.value if o.__class__ is _Cast else None for k, o in outcomes.items()}
    values = list(map(value_of.__getitem__, keys))
    symbols = None
    if col.role is Role.MEASURE:
        symbol_of = {k: o.symbol if o.__class__ is _Cast else None for k, o in outcomes.items()}
        symbols = list(map(symbol_of.__getitem__, keys))
    bad = {k for k, o in outcomes.items() if o.__class__ is _Broken or (o is None and col.required)}
    problems: list[tuple[int, str, object]] = []
    failed: set[int] = set()
    for i in (i for i, k in enumerate(keys) if k in bad) if bad else ():
        outcome = outcomes[keys[i]]
        if outcome is None:
            problems.append((i, "required value missing", None))
        else:
            problems.append((i, outcome.rule, outcome.value))
            failed.add(i)
    fixed = {k for k, o in outcomes.items() if o.__class__ is _Cast and o.repaired}
    repaired = [
        (i, distinct[k], str(value_of[k])) for i, k in enumerate(keys) if k in fixed
    ] if fixed else []  # fmt: skip
    return _CastColumn(values, symbols, problems, failed, repaired)


def _width_problems(file: str, header: _Header, numbers: list[int], cells) -> dict[int, Problem]:
    """CSV rows with fewer fields than the header, or filled fields beyond it."""
    width = header.width
    found: dict[int, Problem] = {}
    for i in (i for i, n in enumerate(map(len, cells)) if n != width):
        row = cells[i]
        if len(row) < width:
            found[i] = Problem(
                SOURCE,
                file,
                f"row has {len(row)} of the header's {width} fields (file truncated or row broken)",
                numbers[i],
                value=";".join(str(c) for c in row)[:80],
            )
        elif extra := [c for c in row[width:] if not _is_empty(c)]:
            found[i] = Problem(
                SOURCE,
                file,
                f"row has more fields than the header's {width} (a stray ';'?)",
                numbers[i],
                value=extra[0],
            )
    return found


def _read_rows(
    file: str,
    grid: _Grid,
    header: _Header,
    numbers: list[int],
    cells: list[Sequence],
    budget: int = MAX_PROBLEMS,
) -> _Rows:
    """One batch of data rows, read up to the row that brings ``budget`` problems."""
    tpl = header.template
    columns = _Columns(cells)
    at: dict[int, list[Problem]] = {}  # row index → its problems in reading order
    if grid.is_csv:
        at = {i: [p] for i, p in _width_problems(file, header, numbers, cells).items()}
    sums = _sum_rows(header, columns) - at.keys()
    skipped = sums | at.keys()
    index_of = {name: i for i, name in header.columns.items()}
    cast: dict[str, _CastColumn] = {}
    for col in tpl.columns:
        index = index_of.get(col.name)
        column = columns[index] if index is not None else [None] * len(cells)
        cast[col.name] = _cast_column(col, column, grid.raw)
        for i, rule, value in cast[col.name].problems:
            if i not in skipped:
                at.setdefault(i, []).append(
                    Problem(SOURCE, file, rule, numbers[i], col.name, value)
                )
    problems: list[Problem] = []
    end = len(cells)
    for i in sorted(at):
        problems.extend(at[i])
        if len(problems) >= budget:
            end = i + 1  # reading stops after this row
            break
    failed = set().union(*(c.failed for c in cast.values())) | skipped
    keep = [i for i in range(end) if i not in failed]
    if len(keep) == len(cells):
        values = {name: c.values for name, c in cast.items()}
        symbols = {name: c.symbols for name, c in cast.items() if c.symbols is not None}
    else:
        values = {name: [c.values[i] for i in keep] for name, c in cast.items()}
        symbols = {
            name: [c.symbols[i] for i in keep] for name, c in cast.items() if c.symbols is not None
        }
    kept = [numbers[i] for i in keep]
    order = {name: position for position, name in enumerate(cast)}
    repaired = sorted(
        ((i, order[name], cell, fixed)
         for name, c in cast.items() for i, cell, fixed in c.repaired
         if i < end and i not in skipped),
        key=lambda item: item[:2],
    )  # fmt: skip
    return _Rows(
        numbers=kept,
        values=values,
        symbols=symbols,
        problems=problems,
        sum_rows=[numbers[i] for i in sorted(sums) if i < end],
        repaired=[(numbers[i], cell, fixed) for i, _, cell, fixed in repaired],
        stopped_at=numbers[end - 1] if end < len(cells) else None,
    )


def _check_records(
    file: str, tpl: Template, numbers: list[int], values: dict[str, list[object]]
) -> list[Problem]:
    """Duplicate keys and the template's row rules, per record in row order."""
    at: dict[int, list[Problem]] = {}
    seen: dict[tuple, int] = {}
    keys = list(zip(*(values[name] for name in tpl.key), strict=True))
    for j, key in enumerate(keys if len(set(keys)) < len(keys) else ()):
        first = seen.setdefault(key, numbers[j])
        if first != numbers[j]:
            shown = ", ".join(f"{n}={v}" for n, v in zip(tpl.key, key, strict=True))
            rule = f"duplicate key ({shown}): same as row {first}"
            at[j] = [Problem(SOURCE, file, rule, numbers[j], ", ".join(tpl.key))]
    for check in tpl.checks:
        for j, problem in _broken_rule(file, check, numbers, values):
            at.setdefault(j, []).append(problem)
    return [problem for j in sorted(at) for problem in at[j]]


def _broken_rule(
    file: str, check: SumAtMost | Differs, numbers: list[int], values: dict[str, list[object]]
) -> Iterator[tuple[int, Problem]]:
    if isinstance(check, SumAtMost):
        limits = values[check.limit]
        parts = [values[p] for p in check.parts]
        limit = np.array(limits, dtype="float64")  # None → NaN: the rule is then not applied
        arrays = [np.array(p, dtype="float64") for p in parts]
        known = ~np.isnan(limit)
        total = arrays[0]
        known &= ~np.isnan(arrays[0])
        for array in arrays[1:]:
            total = total + array  # left to right, as sum() adds
            known &= ~np.isnan(array)
        for j in np.flatnonzero(known & (check.factor * total > limit)).tolist():
            exact = check.factor * sum(p[j] for p in parts)  # type: ignore[misc]
            rule = f"rule {check.describe()} broken: {_fmt(exact)} > {_fmt(limits[j])}"
            yield j, Problem(SOURCE, file, rule, numbers[j], check.limit, limits[j])
        return
    firsts, seconds = values[check.first], values[check.second]
    for j, (a, b) in enumerate(zip(firsts, seconds, strict=True)):
        if a is not None and a == b:
            rule = f"rule {check.describe()} broken: both are {a!r}"
            yield j, Problem(SOURCE, file, rule, numbers[j], check.second, b)


# --- tidy ----------------------------------------------------------------------------------


def _tidy(tpl: Template, rows: _Rows) -> pd.DataFrame:
    """One row per record and measure; each column's type is inferred once per record, and
    the per-measure rows are made by repeating (the old row-by-row build took most of the time).
    """
    n = len(rows.numbers)
    values = rows.values
    times = len(tpl.measures) if tpl.melted else 1

    def column(cells: Sequence[object]) -> pd.Series:
        series = pd.Series(cells)
        return series if times == 1 else series.repeat(times).reset_index(drop=True)

    def constant(value: object) -> pd.Series:
        return pd.Series([value]).repeat(n * times).reset_index(drop=True)

    data: dict[str, pd.Series] = {
        "source": constant(SOURCE),
        "table_code": constant(tpl.table_code),
        "region_key": constant(KREFELD_GEMEINDE),
        "region_name": constant(REGION_NAME),
        "period": column(values[tpl.period_column]),
    }
    if tpl.region_column is not None:
        bezirke = [str(v) for v in values[tpl.region_column]]
        keys = {b: normalise_region_key(f"{KREFELD_GEMEINDE}-{b}") for b in dict.fromkeys(bezirke)}
        data["region_key"] = column([keys[b] for b in bezirke])
        data["region_name"] = column([STADTBEZIRKE[b] for b in bezirke])
    for col in tpl.columns:
        if col.role in (Role.KEY, Role.ATTRIBUTE):
            cells = values[col.name]
            if col.kind is not Kind.NUMBER:
                cells = [None if v is None else str(v) for v in cells]
            data[col.name] = column(cells)
    if tpl.melted:
        data["merkmal"] = pd.Series(list(tpl.measures) * n)
    if tpl.per_case:
        value, symbol = np.ones(n), np.full(n, None, dtype=object)
    elif not tpl.measures:
        value, symbol = np.full(n, np.nan), np.full(n, None, dtype=object)
    else:  # record by record, measure by measure; None → NaN
        value = np.array([values[m] for m in tpl.measures], dtype="float64").T.ravel()
        symbol = np.array([rows.symbols[m] for m in tpl.measures], dtype=object).T.ravel()
    data["value"] = pd.Series(value, dtype="float64")
    data["symbol"] = pd.Series(symbol, dtype=object)
    columns = [*LEADING_COLUMNS, *tpl.dimensions, *TRAILING_COLUMNS]
    return order_columns(pd.DataFrame(data, columns=columns))


# --- public API ----------------------------------------------------------------------------


def sniff(path: str | Path, *, book: Workbook | None = None) -> str | None:
    """The template name a file's header matches, or ``None`` when it is not a template file.

    ``book`` is the workbook already opened by another sniffer (see :mod:`pipelines.ingest.xlsx`).
    """
    path = Path(path)
    if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        return None
    try:
        _, header, _ = _locate(path, head=HEADER_SEARCH_ROWS, book=book)
    except IngestError:
        return None
    return header.template.name


def parse(path: str | Path, *, book: Workbook | None = None) -> ParsedFile:
    """Read one template file into the tidy table; raise :class:`IngestError` on bad input."""
    path = Path(path)
    grid, header, notes = _locate(path, book=book)
    tpl = header.template
    file = path.name if grid.first else f"{path.name} [sheet {grid.sheet!r}]"
    try:
        _check_header(file, header)
        rows, trailing = _read_data(file, grid, header)
    finally:
        grid.close()
    if not rows.problems and not rows.numbers:
        rows.problems.append(Problem(SOURCE, file, "no data rows below the header", header.row))
    if rows.problems:
        stopped = rows.stopped_at
        raise IngestError(
            capped(rows.problems, MAX_PROBLEMS, source=SOURCE, file=file, stopped_at=stopped)
        )
    notes += _notes(grid, header, rows, trailing)
    return ParsedFile(
        source=SOURCE,
        table=tpl.name,
        table_code=tpl.table_code,
        parser=tpl.parser,
        frame=_tidy(tpl, rows),
        notes=notes,
        lines=[n for n in rows.numbers for _ in range(len(tpl.measures) if tpl.melted else 1)],
    )


def _check_header(file: str, header: _Header) -> None:
    """Reject a header with a missing required column or two columns of the same meaning."""
    tpl = header.template
    problems = [
        Problem(SOURCE, file, f"two columns mean {name!r} (also {label!r})", header.row, name)
        for label, name in header.duplicates
    ]
    for name in header.missing:
        col = tpl.column(name)
        names = ", ".join(repr(a) for a in (col.name, *col.aliases))
        rule = (
            f"required column {name!r} of template {tpl.table_code} is missing: expected "
            f"{col.description} ({col.expectation()}) under one of the names {names}"
        )
        problems.append(Problem(SOURCE, file, rule, header.row, name))
    if problems and header.unknown:
        unknown = ", ".join(repr(u) for u in header.unknown)
        rule = f"unrecognised columns in the header (renamed?): {unknown}"
        problems.append(Problem(SOURCE, file, rule, header.row))
    if problems:
        raise IngestError(problems)


def _notes(grid: _Grid, header: _Header, reading: _Rows, trailing: list[int]) -> list[str]:
    notes = [f"template {header.template.table_code}"]
    if header.row != 1 or not grid.first:
        sheet = "" if grid.first else f" of sheet {grid.sheet!r}"
        notes.append(f"header in row {header.row}{sheet}")
    notes += [
        f"column {label!r} read as {name!r} (name from an earlier template version)"
        for label, name in header.aliases
    ]
    notes += [f"unknown column {label!r} ignored" for label in header.unknown]
    if reading.repaired:
        row, raw, fixed = reading.repaired[0]
        notes.append(
            f"restored lost leading zeros in {len(reading.repaired)} value(s) "
            f"(e.g. row {row}: {_as_text(raw)!r} → {fixed!r})"
        )
    skipped = reading.sum_rows + trailing
    if skipped:
        notes.append(f"skipped {len(skipped)} sum row(s): rows {', '.join(map(str, skipped))}")
    return notes
