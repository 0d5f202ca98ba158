"""Parser for the school administration's template files (CSV or XLSX) → tidy table.

The template is recognised from the header row (see :mod:`pipelines.ingest.schulen_templates`);
every cell is cast by its column's type, and every problem is reported with the row number
the user sees in Excel (1-based, header and title lines counted), the column, the value and
the rule. All problems of a file are collected before raising, so one round of corrections
fixes the whole delivery.

Parsers are pure per file: school tables get the Gemeinde key of the city as ``region_key``
and keep ``schulnummer`` as a dimension; the Stadtbezirk join happens in dbt through the
master data, whose own rows carry their Stadtbezirk key.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from pipelines.ingest.errors import IngestError, Problem
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

REGION_NAME = "Krefeld"
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 20
MAX_PROBLEMS = 50
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
    """The cells of one CSV file or worksheet, each row with its number as Excel shows it."""

    rows: list[tuple[int, tuple[object, ...]]]
    is_csv: bool
    sheet: str | None = None
    first: bool = True  # the first (or only) sheet of the file


def _read_grids(path: Path, head: int | None = None) -> tuple[list[_Grid], list[str]]:
    """All rows of the file, or only the first ``head`` rows of each sheet (for sniffing)."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, head)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, head), []
    raise IngestError.single(
        SOURCE, path, f"unsupported file type {suffix!r}; templates are delivered as CSV or XLSX"
    )


def _read_csv(path: Path, head: int | None = None) -> tuple[list[_Grid], list[str]]:
    data = path.read_bytes()
    notes = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise IngestError.single(
                SOURCE, path, f"file is neither UTF-8 nor Windows-1252 text (byte {exc.start})"
            ) from None
        notes.append("read as Windows-1252 (cp1252)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    rows: list[tuple[int, tuple[object, ...]]] = []
    try:
        for number, record in enumerate(itertools.islice(reader, head), start=1):
            if "\x00" in "".join(record):
                raise csv.Error("NUL byte in the data")
            rows.append((number, tuple(record)))
    except csv.Error as exc:
        raise IngestError.single(
            SOURCE,
            path,
            f"broken CSV structure ({exc}); the file may be truncated or not a ';' CSV",
            row=len(rows) + 1,
        ) from None
    if rows and len(rows[0][1]) == 1 and str(rows[0][1][0]).strip().lower() == "sep=;":
        rows = rows[1:]
    return [_Grid(rows, is_csv=True)], notes


def _read_xlsx(path: Path, head: int | None = None) -> list[_Grid]:
    """Cells of every sheet; streaming (read-only) when only the head is needed."""
    try:
        workbook = openpyxl.load_workbook(path, data_only=True, read_only=head is not None)
        grids = []
        for index, sheet in enumerate(workbook.worksheets):
            if head is not None:
                sheet.reset_dimensions()  # exporters write wrong <dimension> tags
            cells = sheet.iter_rows(max_row=head, values_only=True)
            rows = [(number, tuple(values)) for number, values in enumerate(cells, start=1)]
            grids.append(_Grid(rows, is_csv=False, sheet=sheet.title, first=index == 0))
        workbook.close()
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise IngestError.single(
            SOURCE, path, f"cannot open as XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None
    return grids


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
    for position, (row, cells) in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
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


def _locate(path: Path, head: int | None = None) -> tuple[_Grid, _Header, list[str]]:
    grids, notes = _read_grids(path, head)
    for grid in grids:
        found = _find_header(grid)
        if isinstance(found, list):
            names = ", ".join(sorted(h.template.name for h in found))
            raise IngestError.single(
                SOURCE, path, f"header fits several templates equally well ({names})",
                row=found[0].row,
            )  # fmt: skip
        if found is not None:
            return grid, found, notes
    known = ", ".join(sorted({t.name for t in TEMPLATES}))
    hint = ""
    if grids and grids[0].is_csv and any("," in str(c) for _, r in grids[0].rows[:5] for c in r):
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
    return _Cast(f"{first}/{(first + 1) % 100:02d}")


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
    if isinstance(raw, dt.datetime):
        return _Cast(raw.date().isoformat())
    if isinstance(raw, dt.date):
        return _Cast(raw.isoformat())
    text = _as_text(raw)
    german, iso = _DATE_DE.match(text), _DATE_ISO.match(text)
    try:
        if german:
            day, month, year = (int(g) for g in german.groups())
            return _Cast(dt.date(year, month, day).isoformat())
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return _Cast(dt.date(year, month, day).isoformat())
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


@dataclass
class _Record:
    row: int
    values: dict[str, object]
    symbols: dict[str, str | None]


@dataclass
class _Reading:
    """State while reading the data rows of one file."""

    file: str
    header: _Header
    records: list[_Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sum_rows: list[int] = field(default_factory=list)
    repaired: list[tuple[int, object, str]] = field(default_factory=list)

    def problem(self, rule: str, row: int, column: str | None = None, value: object = None):
        self.problems.append(Problem(SOURCE, self.file, rule, row, column, value))


def _key_indexes(header: _Header) -> list[int]:
    key = set(header.template.key)
    return [i for i, name in header.columns.items() if name in key]


def _is_sum_row(header: _Header, cells: Sequence[object]) -> bool:
    """A row labelled as a sum in its first cell or in a key/code column."""
    tpl = header.template
    candidates = [0] + [
        i for i, name in header.columns.items() if tpl.column(name).kind is not Kind.TEXT
    ]
    for index in candidates:
        if index < len(cells) and isinstance(cells[index], str):
            words = re.findall(r"[^\W\d_]+", cells[index].casefold())
            if words and words[0] in SUM_WORDS:
                return True
    return False


def _data_rows(grid: _Grid, header: _Header) -> tuple[list[tuple[int, tuple]], list[int]]:
    """Rows below the header without blank rows; trailing rows without any key are sums."""
    rows = [(n, c) for n, c in grid.rows[header.position + 1 :] if not all(map(_is_empty, c))]
    keys = _key_indexes(header)
    last_keyed = max(
        (i for i, (_, cells) in enumerate(rows)
         if any(k < len(cells) and not _is_empty(cells[k]) for k in keys)),
        default=len(rows) - 1,
    )  # fmt: skip
    return rows[: last_keyed + 1], [n for n, _ in rows[last_keyed + 1 :]]


def _read_row(reading: _Reading, grid: _Grid, row: int, cells: tuple[object, ...]) -> None:
    header = reading.header
    if grid.is_csv and len(cells) < header.width:
        reading.problem(
            f"row has {len(cells)} of the header's {header.width} fields "
            "(file truncated or row broken)",
            row,
            value=";".join(str(c) for c in cells)[:80],
        )
        return
    extra = [c for c in cells[header.width :] if not _is_empty(c)]
    if grid.is_csv and extra:
        reading.problem(
            f"row has more fields than the header's {header.width} (a stray ';'?)",
            row,
            value=extra[0],
        )
        return
    if _is_sum_row(header, cells):
        reading.sum_rows.append(row)
        return
    record = _Record(row, {}, {})
    present = {name: cells[i] if i < len(cells) else None for i, name in header.columns.items()}
    for col in header.template.columns:
        raw = present.get(col.name)
        if _is_empty(raw):
            if col.required:
                reading.problem("required value missing", row, col.name)
            record.values[col.name], record.symbols[col.name] = None, None
            continue
        try:
            cast = _cast(col, raw)
        except _CellProblem as exc:
            reading.problem(str(exc), row, col.name, raw)
            continue
        record.values[col.name], record.symbols[col.name] = cast.value, cast.symbol
        if cast.repaired:
            reading.repaired.append((row, raw, str(cast.value)))
    if len(record.values) == len(header.template.columns):
        reading.records.append(record)


def _check_records(reading: _Reading) -> None:
    tpl = reading.header.template
    seen: dict[tuple, int] = {}
    for record in reading.records:
        key = tuple(record.values[name] for name in tpl.key)
        if key in seen:
            shown = ", ".join(f"{n}={v}" for n, v in zip(tpl.key, key, strict=True))
            reading.problem(
                f"duplicate key ({shown}): same as row {seen[key]}",
                record.row,
                ", ".join(tpl.key),
            )
        else:
            seen[key] = record.row
        for check in tpl.checks:
            _apply_check(reading, check, record)


def _apply_check(reading: _Reading, check: SumAtMost | Differs, record: _Record) -> None:
    values = record.values
    if isinstance(check, SumAtMost):
        parts = [values[p] for p in check.parts]
        limit = values[check.limit]
        if limit is None or any(p is None for p in parts):
            return
        total = check.factor * sum(parts)
        if total > limit:
            reading.problem(
                f"rule {check.describe()} broken: {_fmt(total)} > {_fmt(limit)}",
                record.row,
                check.limit,
                limit,
            )
    elif values[check.first] is not None and values[check.first] == values[check.second]:
        reading.problem(
            f"rule {check.describe()} broken: both are {values[check.first]!r}",
            record.row,
            check.second,
            values[check.second],
        )


# --- tidy ----------------------------------------------------------------------------------


def _dimension_value(col: Column, value: object) -> object:
    if value is None or col.kind is Kind.NUMBER:
        return value
    return str(value)


def _tidy(tpl: Template, records: Iterable[_Record]) -> pd.DataFrame:
    dims = [c for c in tpl.columns if c.role in (Role.KEY, Role.ATTRIBUTE)]
    rows = []
    for record in records:
        base = {
            "source": SOURCE,
            "table_code": tpl.table_code,
            "region_key": KREFELD_GEMEINDE,
            "region_name": REGION_NAME,
            "period": record.values[tpl.period_column],
        }
        if tpl.region_column is not None:
            bezirk = str(record.values[tpl.region_column])
            base["region_key"] = normalise_region_key(f"{KREFELD_GEMEINDE}-{bezirk}")
            base["region_name"] = STADTBEZIRKE[bezirk]
        base.update({c.name: _dimension_value(c, record.values[c.name]) for c in dims})
        if tpl.per_case:
            rows.append({**base, "value": 1.0, "symbol": None})
        elif not tpl.measures:
            rows.append({**base, "value": math.nan, "symbol": None})
        elif not tpl.melted:
            rows.append({**base, **_value(record, tpl.measures[0])})
        else:
            rows.extend({**base, "merkmal": m, **_value(record, m)} for m in tpl.measures)
    columns = [*LEADING_COLUMNS, *tpl.dimensions, *TRAILING_COLUMNS]
    frame = pd.DataFrame(rows, columns=columns)
    frame["value"] = frame["value"].astype("float64")
    frame["symbol"] = pd.Series([row["symbol"] for row in rows], index=frame.index, dtype=object)
    return order_columns(frame)


def _value(record: _Record, measure: str) -> dict[str, object]:
    value = record.values[measure]
    return {"value": math.nan if value is None else value, "symbol": record.symbols[measure]}


# --- public API ----------------------------------------------------------------------------


def sniff(path: str | Path) -> str | None:
    """The template name a file's header matches, or ``None`` when it is not a template file."""
    path = Path(path)
    if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        return None
    try:
        _, header, _ = _locate(path, head=HEADER_SEARCH_ROWS)
    except IngestError:
        return None
    return header.template.name


def parse(path: str | Path) -> ParsedFile:
    """Read one template file into the tidy table; raise :class:`IngestError` on bad input."""
    path = Path(path)
    grid, header, notes = _locate(path)
    tpl = header.template
    file = path.name if grid.first else f"{path.name} [sheet {grid.sheet!r}]"
    _check_header(file, header)
    reading = _Reading(file, header)
    rows, trailing = _data_rows(grid, header)
    for row, cells in rows:
        _read_row(reading, grid, row, cells)
        if len(reading.problems) >= MAX_PROBLEMS:
            break
    _check_records(reading)
    if not reading.problems and not reading.records:
        reading.problem("no data rows below the header", header.row)
    if reading.problems:
        raise IngestError(reading.problems[:MAX_PROBLEMS])
    notes += _notes(grid, header, reading, trailing)
    return ParsedFile(
        source=SOURCE,
        table=tpl.name,
        table_code=tpl.table_code,
        parser=tpl.parser,
        frame=_tidy(tpl, reading.records),
        notes=notes,
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


def _notes(grid: _Grid, header: _Header, reading: _Reading, trailing: list[int]) -> list[str]:
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
