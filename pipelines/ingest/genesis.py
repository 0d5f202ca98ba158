"""Parsers for IT.NRW / GENESIS downloads: classic CSV and flat-file CSV (ffcsv).

The Landesdatenbank NRW, the Regionaldatenbank and GENESIS-Online run the same software, so
one parser reads them all. Three layouts are recognised (:func:`sniff` says which):

- ``genesis-classic``: the table as shown on screen — ``GENESIS-Tabelle: <code>`` (or
  ``Tabelle: <code>``), ``;``-padded title lines, 1–n header rows, data rows
  ``period;key;indented name;values…``, a ``__________`` footer with quoted footnotes,
  copyright and ``Stand:``. Windows-1252 as downloaded, sometimes re-saved as UTF-8.
- ``genesis-ffcsv-2025``: one value per row, UTF-8 with BOM, English header.
- ``genesis-ffcsv-2024``: the older flat file, German header, one column per value variable.

Every file is read generically (labels kept as printed); a table code listed in
:mod:`pipelines.ingest.genesis_tables` is given its project table name, its period rule (a
period outside :mod:`pipelines.ingest.periods`' range is refused) and its named dimensions.
Special symbols stay symbols (:func:`symbols.parse_cell`); a cell that is neither a number nor
a symbol is an :class:`IngestError` naming file, line, column. Files are streamed row by row
(:func:`pipelines.ingest.textfile.scan` chose the encoding and refused what is no honest
text), so memory follows the good rows, not the file's size.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from pipelines.ingest import genesis_tables as registry
from pipelines.ingest import textfile
from pipelines.ingest.errors import IngestError, Problem, capped
from pipelines.ingest.periods import period_problem
from pipelines.ingest.regions import normalise_region_key
from pipelines.ingest.regions_nrw import key_of_name
from pipelines.ingest.symbols import CellError, parse_cell
from pipelines.ingest.tidy import ParsedFile, order_columns

SOURCE = "itnrw"
CLASSIC = "genesis-classic"
FFCSV_2025 = "genesis-ffcsv-2025"
FFCSV_2024 = "genesis-ffcsv-2024"
LAYOUTS = (CLASSIC, FFCSV_2025, FFCSV_2024)

MAX_PROBLEMS = 25
"""Stop reading after this many bad cells: one error lists them together."""
ROLE_SAMPLE_ROWS = 50_000
"""Data rows of a classic table that decide which label column holds period, key and name
(every real table has fewer; the rows of a larger one are streamed after them)."""
MAX_FOOTER_LINES = 500
"""Footnote lines kept as notes; more are not read."""
LOOKAHEAD_ROWS = 1_000
"""Rows read past a ragged row to tell a cut-off file (no footer follows) from a damaged row."""

_TABLE_LINE = re.compile(r"^(?:GENESIS-)?Tabelle:\s*(\S+)\s*$")
_FOOTER = re.compile(r"^_{5,}$")
_STAND = re.compile(r"^Stand:\s*(\d{2}\.\d{2}\.\d{4}(?:\s*/\s*\d{2}:\d{2}:\d{2})?)")
_PERIOD_LIKE = re.compile(r"^(\d{4}|\d{2}\.\d{2}\.\d{4}|\d{4}-\d{2}-\d{2}|\d{4}/\d{2})$")
_REGION_KEY = re.compile(r"^(DG|\d{1,5}|\d{7,8}|\d{11,12})$")
"""Official key lengths 2, 3, 5, 8, 12, or one digit less: a spreadsheet that re-saved the file
dropped the leading zero (:func:`~pipelines.ingest.regions.normalise_region_key` restores it)."""
_FFCSV_CODE = re.compile(r"^(\d{4,5}[0-9A-Z]?(?:-[0-9A-Za-z]+)*?)_")
_GEO_VARIABLE = re.compile(r"^(DINSG|DLAND|REGBEZ|KREISE|GEMEIN|GVERB\w*|GEO\w*)$")

LAENDER: dict[str, str] = {
    "Deutschland": "DG",
    "Schleswig-Holstein": "01",
    "Hamburg": "02",
    "Niedersachsen": "03",
    "Bremen": "04",
    "Nordrhein-Westfalen": "05",
    "Hessen": "06",
    "Rheinland-Pfalz": "07",
    "Baden-Württemberg": "08",
    "Bayern": "09",
    "Saarland": "10",
    "Berlin": "11",
    "Brandenburg": "12",
    "Mecklenburg-Vorpommern": "13",
    "Sachsen": "14",
    "Sachsen-Anhalt": "15",
    "Thüringen": "16",
}
"""Names → keys for tables that print region names without a key column."""

_REGION_NAME = re.compile(
    r"(Kreis|kreisfreie Stadt|krfr\. Stadt|Regierungsbezirk|Städteregion|Landschaftsverband"
    r"|Westfalen-Lippe|^Rheinland$)"
)


def _err(path: Path, rule: str, **where: object) -> IngestError:
    return IngestError.single(SOURCE, path, rule, **where)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# Reading and sniffing


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``: UTF-8 (with or without BOM) if it decodes strictly.

    Downloads are Windows-1252; users re-save them as UTF-8. Latin-1 is the last resort
    because it decodes any byte string (so a damaged file still reaches the structure checks).
    """
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def delimiter_of(head: str) -> str:
    """``;`` as published; ``,`` when a spreadsheet re-saved the file with commas: then none
    of the first lines (code, ``;``-padded title lines, headers) holds a ``;``."""
    lines = head.splitlines()[:6]
    if any(";" in line for line in lines) or not any("," in line for line in lines):
        return ";"
    return ","


def _first_cells(first_line: str) -> list[str]:
    """Line 1's cells, unquoted (a spreadsheet may quote every cell when it saves)."""
    delimiter = delimiter_of(first_line)
    try:
        return next(csv.reader([first_line], delimiter=delimiter), [""]) or [""]
    except csv.Error:  # binary content (a workbook being sniffed): no GENESIS line 1
        return first_line.split(delimiter)


def _layout_of(first_line: str) -> str | None:
    cells = _first_cells(first_line)
    head = cells[0].strip()
    if _TABLE_LINE.match(head) and not any(c.strip() for c in cells[1:]):
        return CLASSIC
    names = [c.strip() for c in cells]
    if names[:2] == ["statistics_code", "statistics_label"] and "time" in names:
        if "value" in names and "value_variable_code" in names:
            return FFCSV_2025
        if any("__" in n for n in names):
            return FFCSV_2024  # English variant of the old layout
    if names[:2] == ["Statistik_Code", "Statistik_Label"] and "Zeit" in names:
        return FFCSV_2024
    return None


def sniff(path: str | Path, *, book: object = None) -> str | None:
    """The GENESIS layout of ``path`` (``genesis-classic``, ``genesis-ffcsv-2025``,
    ``genesis-ffcsv-2024``) or ``None`` when it is not a GENESIS download.

    ``book`` (an opened workbook, see :mod:`pipelines.ingest.identify`) is not used: GENESIS
    downloads are text."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    text, _ = decode(head)
    return _layout_of(_first_line(text))


def parse(path: str | Path, *, table_code: str | None = None, book: object = None) -> ParsedFile:
    """Read a GENESIS download into the tidy long table.

    ``table_code`` overrides the code for ffcsv files, whose content carries only the
    statistic's number (the code is taken from the file name ``<code>_…_flat.csv``).
    ``book`` is not used (see :func:`sniff`).

    The file is streamed: each value is parsed as its row is read, and reading stops at the
    first structural error or after :data:`MAX_PROBLEMS` bad cells, so a file of millions of
    bad rows costs no more than one of a few.
    """
    path = Path(path)
    encoding = textfile.scan(path, SOURCE).encoding
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline().rstrip("\r\n")
        layout = _layout_of(first)
        if layout is None:
            raise _err(
                path,
                "not a GENESIS download: line 1 must be 'GENESIS-Tabelle: <code>', "
                "'Tabelle: <code>' or an ffcsv header",
                row=1,
                value=first[:80],
            )
        handle.seek(0)
        delimiter = delimiter_of(handle.read(8192))
        handle.seek(0)
        records = _records(path, handle, delimiter)
        if layout == CLASSIC:
            raw = _read_classic(path, records)
        else:
            raw = _read_ffcsv(path, records, layout, table_code)
    raw.finish()
    raw.notes.insert(0, f"Zeichensatz: {encoding}")
    return _tidy(path, raw, layout)


# --------------------------------------------------------------------------------------
# The generic intermediate form


class _Raw:
    """A file read generically, one record per value, labels as printed; each value is parsed,
    its period converted and its column mapped as it is added (once per distinct label)."""

    def __init__(self, path: Path, table_code: str):
        self.path = path
        self.table_code = table_code
        self.spec = registry.lookup(table_code)
        self.lines: list[int] = []
        self.periods: list[str | None] = []
        self.keys: list[str | None] = []
        self.names: list[str | None] = []
        self.columns: list[registry.ColumnKey] = []
        self.values: list[float | None] = []
        self.symbols: list[str | None] = []
        self.mapped: dict[registry.ColumnKey, dict[str, str]] = {}
        self.notes: list[str] = []
        self.zeros_restored = False
        self.problems: list[Problem] = []
        self._converted: dict[str | None, str] = {}

    def add(self, line, period, key, name, column, cell, decimal=",", quality="") -> None:
        if self.spec is not None:
            period = self._period(line, period)
        if column not in self.mapped:
            self._map(line, column)
        text = cell.strip()
        mode = "," if decimal == "," or "," in text else "."
        try:
            value, symbol = parse_cell(text, decimal=mode)
        except CellError:
            self.problems.append(
                Problem(SOURCE, self.path.name, "neither a number nor a known symbol", line,
                        column.label, cell)
            )  # fmt: skip
            if len(self.problems) >= MAX_PROBLEMS:
                raise IngestError(self._capped(line)) from None
            return
        if symbol is None and quality:
            symbol = "()" if quality in ("()", "( )") else quality
        self.lines.append(line)
        self.periods.append(period)
        self.keys.append(key)
        self.names.append(name)
        self.columns.append(column)
        self.values.append(value)
        self.symbols.append(symbol)

    def fail(self, rule: str, **where: object) -> IngestError:
        """The problems so far and this one, which ends reading."""
        problem = Problem(SOURCE, self.path.name, rule, **where)  # type: ignore[arg-type]
        return IngestError([*self.problems, problem])

    def finish(self) -> None:
        if self.problems:
            raise IngestError(self.problems)

    def _capped(self, line: int) -> list[Problem]:
        return capped(
            self.problems, MAX_PROBLEMS, source=SOURCE, file=self.path.name, stopped_at=line
        )

    def _period(self, line: int, period: str | None) -> str:
        assert self.spec is not None
        converted = self._converted.get(period)
        if converted is not None:
            return converted
        if period is None:
            raise self.fail(f"no period column; table {self.spec.code} needs one", row=line)
        try:
            converted = self.spec.period_rule(period)
        except registry.PeriodError as exc:
            raise self.fail(
                f"period does not fit rule {self.spec.period_rule.name}: {exc}",
                row=line,
                column="period",
                value=period,
            ) from None
        if outside := period_problem(converted):
            raise self.fail(outside, row=line, column="period", value=period)
        self._converted[period] = converted
        return converted

    def _map(self, line: int, column: registry.ColumnKey) -> None:
        spec = self.spec
        mapper = spec.map_column if spec else registry.generic_dimensions
        try:
            self.mapped[column] = mapper(column)
        except registry.LabelError as exc:
            raise self.fail(
                f"{exc.rule} (table {self.table_code} → {spec.table if spec else '?'})",
                row=line,
                column=column.label,
                value=exc.label,
            ) from None


def _records(path: Path, handle: TextIO, delimiter: str = ";") -> Iterator[tuple[int, list[str]]]:
    """CSV records with the 1-based line number on which each record starts (streamed)."""
    reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _err(path, f"CSV structure broken: {exc}", row=start) from exc


# --------------------------------------------------------------------------------------
# Classic CSV


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _leading_blanks(cells: list[str]) -> int:
    return next((i for i, c in enumerate(cells) if c.strip()), len(cells))


def _is_footer(cells: list[str]) -> bool:
    return bool(cells) and bool(_FOOTER.match(cells[0].strip()))


def _read_classic(path: Path, records: Iterator[tuple[int, list[str]]]) -> _Raw:
    first_line, first_cells = next(records)
    table_code = _TABLE_LINE.match(first_cells[0].strip()).group(1)  # type: ignore[union-attr]
    raw = _Raw(path, table_code)
    last = first_line
    pending = next(records, None)
    titles: list[str] = []
    while pending is not None:
        cells = pending[1]
        if not cells or not cells[0].strip() or not _is_blank(cells[1:]) or _is_footer(cells):
            break
        titles.append(cells[0].strip())
        last = pending[0]
        pending = next(records, None)
    headers: list[tuple[int, list[str]]] = []
    while pending is not None and (not pending[1] or not pending[1][0].strip()):
        headers.append(pending)
        last = pending[0]
        pending = next(records, None)
    headers = [(line, cells) for line, cells in headers if not _is_blank(cells)]
    if not headers:
        raise _err(path, "no column header rows after the title lines", row=first_line + 1)
    table = _Table(headers)
    sample: list[tuple[int, list[str]]] = []  # the first rows, which decide the label roles
    footer = False
    for line, cells in itertools.chain([pending] if pending else [], records):
        last = line
        if _is_footer(cells):
            footer = True
            break
        if _is_blank(cells):
            continue
        if len(cells) < table.width or any(c.strip() for c in cells[table.width :]):
            rest = list(itertools.islice(records, LOOKAHEAD_ROWS))
            if len(rest) < LOOKAHEAD_ROWS and not any(_is_footer(c) for _, c in rest):
                last = rest[-1][0] if rest else line
                raise raw.fail(
                    "truncated file: no footer line '__________' after the data rows", row=last
                )
            raise raw.fail(
                f"ragged row: {len(cells)} fields where the header has {table.width} "
                "(file cut or damaged?)",
                row=line,
                value=";".join(cells)[:120],
            )
        if table.roles is not None:
            table.add(raw, line, cells)
            continue
        sample.append((line, cells))
        if len(sample) >= ROLE_SAMPLE_ROWS:
            table.decide([cells for _, cells in sample])
            for row in sample:
                table.add(raw, *row)
            sample.clear()
    if not footer:
        raise raw.fail("truncated file: no footer line '__________' after the data rows", row=last)
    if sample:
        table.decide([cells for _, cells in sample])
        for row in sample:
            table.add(raw, *row)
    raw.notes.extend(f"Titel: {t}" for t in titles)
    raw.notes.extend(_footer_notes(itertools.islice(records, MAX_FOOTER_LINES)))
    if table.roles is None:
        raw.notes.append("Tabelle ohne Datenzeilen")
    return raw


class _Table:
    """The header rows of a classic table, and which label column holds what."""

    def __init__(self, headers: list[tuple[int, list[str]]]):
        self.headers = headers
        self.label_count = min(_leading_blanks(cells) for _, cells in headers)
        self.width = max(len(cells) for _, cells in headers)
        self.value_columns = [
            j
            for j in range(self.label_count, self.width)
            if any(j < len(c) and c[j].strip() for _, c in headers)
        ]
        self.roles: _Roles | None = None
        self.header_period: int | None = None
        self.column_keys: dict[int, tuple[str, ...]] = {}

    def decide(self, rows: list[list[str]]) -> None:
        """Fix the label roles from the first data rows (all of them in every real table)."""
        self.roles = _label_roles([cells[: self.label_count] for cells in rows])
        if self.roles.period is None:
            self.header_period = _header_period_row(self.headers, self.value_columns)
        for j in self.value_columns:
            self.column_keys[j] = tuple(
                cells[j].strip()
                for number, (_, cells) in enumerate(self.headers)
                if j < len(cells) and cells[j].strip() and number != self.header_period
            )

    def add(self, raw: _Raw, line: int, cells: list[str]) -> None:
        roles = self.roles
        assert roles is not None
        labels = [c.strip() for c in cells[: self.label_count]]
        period = labels[roles.period] if roles.period is not None else None
        key = None
        if roles.key is not None and labels[roles.key]:
            try:
                key = normalise_region_key(labels[roles.key])
            except ValueError as exc:
                raise raw.fail(
                    f"bad region key: {exc}",
                    row=line,
                    column="region_key",
                    value=labels[roles.key],
                ) from None
        if key is not None and key != labels[roles.key] and not raw.zeros_restored:
            raw.zeros_restored = True
            raw.notes.append(
                f"Regionalschlüssel ohne führende Null (in einer Tabellenkalkulation "
                f"gespeichert?), ergänzt: {labels[roles.key]} → {key} (Zeile {line})"
            )
        name = labels[roles.name] if roles.name is not None else None
        if roles.key is None and name is not None:
            # tables without a key column: Land names and NRW's listed region names only
            key = LAENDER.get(name) or key_of_name(name)
        extras = tuple(labels[i] for i in roles.extras)
        for j in self.value_columns:
            column_period = period
            if self.header_period is not None:
                column_period = self.headers[self.header_period][1][j].strip()
            column = registry.ColumnKey(header=self.column_keys[j], row_labels=extras)
            raw.add(line, column_period, key, name, column, cells[j])


@dataclass(frozen=True)
class _Roles:
    """Which row-label column holds the period, the region key and the region name."""

    period: int | None
    key: int | None
    name: int | None
    extras: tuple[int, ...]


def _column_values(rows: list[list[str]], index: int) -> list[str]:
    return [row[index].strip() for row in rows]


def _mostly(pattern: re.Pattern, values: list[str]) -> bool:
    """At least 9 in 10 non-empty values match: a few damaged cells must not hide the role
    of a column (they fail later with a precise error instead)."""
    filled = [v for v in values if v]
    return bool(filled) and sum(bool(pattern.match(v)) for v in filled) >= 0.9 * len(filled)


def _label_roles(rows: list[list[str]]) -> _Roles:
    """Period first (if every value looks like one), then a key column, then the name.

    Without a key column the next column is the region name only if it holds recognisable
    region names (``Nordrhein-Westfalen``, ``Unna, Kreis``); otherwise (e.g. Destatis tables
    by age) it stays an ordinary row label.
    """
    count = len(rows[0])
    index = 0
    period = key = name = None
    if index < count and _mostly(_PERIOD_LIKE, _column_values(rows, index)):
        period, index = index, index + 1
    if index < count:
        if _mostly(_REGION_KEY, _column_values(rows, index)):
            key, index = index, index + 1
            if index < count:
                name, index = index, index + 1
        else:
            raw_values = [row[index] for row in rows]
            if any(v.strip() in LAENDER or _REGION_NAME.search(v) for v in raw_values):
                name, index = index, index + 1
    return _Roles(period, key, name, tuple(range(index, count)))


def _header_period_row(headers, value_columns: list[int]) -> int | None:
    """Index of a header row that carries the period per column (``;;Jahr`` / ``;;2023``)."""
    for number, (_, cells) in enumerate(headers):
        values = [cells[j].strip() for j in value_columns if j < len(cells)]
        if values and all(_PERIOD_LIKE.match(v) for v in values):
            return number
    return None


def _footer_notes(records: Iterable[tuple[int, list[str]]]) -> list[str]:
    notes: list[str] = []
    for _, cells in records:
        text = ";".join(cells).strip().strip(";").strip()
        if not text:
            continue
        if match := _STAND.match(text):
            notes.append(f"Stand: {match.group(1)}")
        elif text.startswith(("©", "(C)")):
            notes.append("Copyright: " + " ".join(text.split()))
        else:
            notes.append("Fußnote: " + text)
    if not any(n.startswith("Stand:") for n in notes):
        notes.append("Stand: fehlt (Datei im Fußbereich gekürzt?)")
    return notes


# --------------------------------------------------------------------------------------
# Flat-file CSV


def _ffcsv_table_code(path: Path, statistics_code: str, override: str | None) -> str:
    if override:
        return override
    match = _FFCSV_CODE.match(path.name)
    return match.group(1) if match else statistics_code


def _read_ffcsv(
    path: Path, records: Iterator[tuple[int, list[str]]], layout: str, override: str | None
) -> _Raw:
    _, header = next(records)
    names = [n.strip() for n in header]
    time_index = names.index("time") if "time" in names else names.index("Zeit")
    variable_count = 0
    while 5 + 4 * variable_count + 3 < len(names) and names[5 + 4 * variable_count].endswith(
        ("_variable_code", "_Merkmal_Code")
    ):
        variable_count += 1
    if layout == FFCSV_2025:
        # one value column; its variable's label is in the row (value_variable_label)
        value_columns = {names.index("value"): names.index("value_variable_label")}
        quality_index = names.index("value_q") if "value_q" in names else None
    else:
        # one column per value variable, named CODE__Label__Unit
        value_columns = {i: None for i, n in enumerate(names) if "__" in n}
        quality_index = None
    raw: _Raw | None = None
    for line, cells in records:
        if _is_blank(cells):
            continue
        if len(cells) != len(names):
            rule = f"ragged row: {len(cells)} fields where the header has {len(names)}"
            where = {"row": line, "value": ";".join(cells)[:120]}
            if raw is not None:
                raise raw.fail(rule, **where)
            raise _err(path, rule, **where)
        if raw is None:
            raw = _Raw(path, _ffcsv_table_code(path, cells[0].strip(), override))
            raw.notes.append(f"Statistik: {cells[0].strip()} {cells[1].strip()}")
        variables = [
            registry.Variable(*(cells[5 + 4 * v + k].strip() for k in range(4)))
            for v in range(variable_count)
        ]
        key = name = None
        others = []
        for variable in variables:
            if key is None and name is None and _GEO_VARIABLE.match(variable.code):
                name = variable.attribute_label.strip()
                if variable.attribute_code:
                    try:
                        key = normalise_region_key(variable.attribute_code)
                    except ValueError as exc:
                        raise raw.fail(
                            f"bad region key: {exc}",
                            row=line,
                            column=variable.code,
                            value=variable.attribute_code,
                        ) from None
            else:
                others.append(variable)
        period = cells[time_index].strip()
        quality = cells[quality_index].strip() if quality_index is not None else ""
        for index, label_index in value_columns.items():
            label = cells[label_index].strip() if label_index is not None else names[index]
            column = registry.ColumnKey(
                variables=tuple(others),
                value_variable=label.split("__")[1] if "__" in label else label,
            )
            raw.add(line, period, key, name, column, cells[index], decimal=".", quality=quality)
    if raw is None:
        raise _err(path, "ffcsv file without data rows", row=1)
    return raw


# --------------------------------------------------------------------------------------
# From the generic form to the tidy table


def _tidy(path: Path, raw: _Raw, layout: str) -> ParsedFile:
    spec = raw.spec
    mapped = raw.mapped
    frame = pd.DataFrame(
        {
            "source": SOURCE,
            "table_code": raw.table_code,
            "region_key": pd.Series(raw.keys, dtype="object"),
            "region_name": pd.Series(raw.names, dtype="object"),
            "period": pd.Series(raw.periods, dtype="object"),
        }
    )
    dimension_names = list(spec.dimensions) if spec else _ordered_names(mapped.values())
    for name in dimension_names:
        frame[name] = pd.Series([mapped[c].get(name) for c in raw.columns], dtype="object")
    frame["value"] = pd.Series(raw.values, dtype="float64")
    frame["symbol"] = pd.Series(raw.symbols, dtype="object")
    notes = list(raw.notes)
    if spec is not None:
        notes.append(f"Zeitbezug: {spec.period_rule.name}")
    return ParsedFile(
        source=SOURCE,
        table=spec.table if spec else registry.generic_table_name(raw.table_code),
        table_code=raw.table_code,
        parser=layout,
        frame=order_columns(frame),
        notes=notes,
        lines=list(raw.lines),
        columns=[column.label for column in raw.columns],
    )


def _ordered_names(dicts) -> list[str]:
    names: list[str] = []
    for dims in dicts:
        names.extend(n for n in dims if n not in names)
    return names
