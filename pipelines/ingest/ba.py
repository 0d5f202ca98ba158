"""Workbooks of the Statistik der Bundesagentur für Arbeit (BA) → tidy long tables.

BA workbooks have 11–14 preamble rows (title, region, reporting period, notes), a header of
2–3 rows whose upper level is merged across the columns below it, data rows whose region key
and name share one cell (``"05114 Krefeld"``) written only on a block's first row, and a
footer (``© Statistik der Bundesagentur für Arbeit`` / ``Erstellungsdatum``). Deliveries shift
rows and reword labels without notice, so the header is *located by content*: the first rows
are searched for each table's label set (merged cells expanded, header levels combined) with a
small synonym table per label (:mod:`pipelines.ingest.ba_layouts`); a sheet whose header
matches no table fails loudly, naming the sheet and the labels that were looked for.

Tables (project name → raw asset ``raw_ba__<table>``):

- ``arbeitslose``: registered unemployed and unemployment rate per month
  (``merkmal`` × ``personengruppe`` × ``rechtskreis``; period ``2024-09``).
- ``ausbildungsmarkt``: training market of a reporting year that ends on 30 September
  (``merkmal`` × ``beruf`` KldB Berufshauptgruppe or ``insgesamt``, plus ``beruf_name``). The
  period is the calendar year of that 30 September: Berichtsjahr 2022/23 → ``2023``. The
  region is the Agenturbezirk (Krefeld + Kreis Viersen), not the city. Read from the BA layout
  and from the BIBB/BA layout (title "… im Arbeitsagenturbezirk Krefeld", two-level merged
  header ``NAA``/``UVB ohne|mit Alternative``/``UBA``/``Angebot``/``Nachfrage`` alt|erweitert ×
  ``2022``/``2023``/``VR``; KldB code in column A, ``nil`` → ``nicht_zugeordnet``, total row
  ``alle Berufe`` → ``insgesamt``).

  Counts and change rates stay one value per row (the tidy contract of
  :mod:`pipelines.ingest.tidy`) and are told apart by the dimension ``einheit``: ``anzahl``
  (counts, never negative; every row of the BA layout) or ``veraenderung_prozent`` (the BIBB's
  ``VR``, change on the previous year in %, any sign, unrounded), the latter with ``merkmal``
  ``<merkmal>_vr_prozent`` and dated to the later year. A rate therefore never lands in a sum of
  counts by accident, ``*`` (anonymised) and ``.`` (not computable) stay symbols of their own
  cell, and the raw schema checks ``value ≥ 0`` on counts only. The BIBB rounds absolute values
  to multiples of 3 (totals may differ from the sum of their parts): the footnotes below the
  table are kept as notes (``Fußnote: …``), plus :data:`ROUNDING_NOTE` when they say so; a
  footer ``Erstellungsdatum`` becomes the note that dates the edition (two workbooks holding the
  same year in one delivery: the newer one supplies it, see :mod:`pipelines.ingest.supersede`).
- ``sgb2``: SGB II quotas of minors in December (period ``2024``), Krefeld and its Stadtbezirke
  (``05114000-<n>``); quota = non-employable beneficiaries (NEF) / population of the age group.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from pipelines.ingest.ba_layouts import (
    AUSBILDUNGSMARKT_BIBB,
    EINHEIT_ANZAHL,
    EINHEIT_VR,
    LAYOUTS,
    PARSER,
    PARSER_BIBB,
    Layout,
    ValueColumn,
    cell_text,
    norm_label,
)
from pipelines.ingest.errors import IngestError
from pipelines.ingest.periods import period_problem
from pipelines.ingest.regions import normalise_region_key
from pipelines.ingest.symbols import CellError, parse_cell
from pipelines.ingest.tidy import ParsedFile, order_columns
from pipelines.ingest.xlsx import Merged, Sheet, Workbook

__all__ = [
    "AGENTURBEZIRK_KREFELD_KEY",
    "AGENTURBEZIRK_KREFELD_NAME",
    "LAYOUTS",
    "PARSER",
    "PARSER_BIBB",
    "SOURCE",
    "parse",
    "sniff",
]

SOURCE = "ba"

HEADER_SEARCH_ROWS = 40
"""The header must start within this many rows (BA preambles have 11–14)."""
MAX_HEADER_DEPTH = 3
HEAD_ROWS = HEADER_SEARCH_ROWS + MAX_HEADER_DEPTH
"""Rows the header search (and so the sniffer) reads."""

AGENTURBEZIRK_KREFELD_KEY = "AA393"
"""Region key of the Agenturbezirk Krefeld (Stadt Krefeld + Kreis Viersen).

Training-market figures exist only per Agenturbezirk, which has no AGS. BA sheets that carry a
key (``"AA393 Agenturbezirk Krefeld"``) keep it; the BIBB workbook names the district only in
its title, so the key comes from here. ``AA`` + three digits is a project-defined key of the
same shape as the BA's agency numbers; it is NOT verified as the BA's own number — change it in
this one place if the BA's key is confirmed.
"""
AGENTURBEZIRK_KREFELD_NAME = "Agenturbezirk Krefeld"
_AGENTURBEZIRKE = {"krefeld": (AGENTURBEZIRK_KREFELD_KEY, AGENTURBEZIRK_KREFELD_NAME)}

_XLSX_SUFFIXES = {".xlsx", ".xlsm"}

VR_SUFFIX = "_vr_prozent"
"""``merkmal`` of a BIBB ``VR`` column: ``neue_vertraege`` → ``neue_vertraege_vr_prozent``."""
ROUNDING_NOTE = (
    "BIBB: absolute values rounded to multiples of 3 by the publisher (data protection); the "
    "total may differ from the sum of its parts"
)
"""Note carried when the sheet's footnotes say so (``… auf ein Vielfaches von 3 gerundet``)."""
MAX_FOOTNOTES = 12
"""Footnote lines below a table kept as notes; more are not read."""
_ROUNDED_TO_3 = re.compile(r"vielfaches\s+von\s+3\s+gerundet", re.IGNORECASE)
_ERSTELLT = re.compile(r"^erstellungsdatum\s*:?\s*(\d{1,2})\.(\d{1,2})\.(\d{4})", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# Header search
# --------------------------------------------------------------------------------------------

_YEAR = re.compile(r"^(19|20)\d{2}$")


@dataclass
class _Bound:
    """A sheet column bound to its meaning."""

    index: int
    label: str
    dims: dict[str, str]
    period: str | None = None


@dataclass
class _Header:
    layout: Layout
    first_row: int  # 0-based index of the header's first row
    last_row: int
    roles: dict[str, list[int]]
    columns: list[_Bound]
    ignored: list[str] = field(default_factory=list)


@dataclass
class _Attempt:
    """How close one header candidate came to a layout (for the error message)."""

    layout: Layout
    found: int
    missing: list[str]


def _header_grid(merged: list[Merged], grid: list[list[object]]) -> list[list[object]]:
    """The first rows with every merged range's value copied into all of its cells."""
    limit = min(len(grid), HEAD_ROWS)
    top = [list(row) for row in grid[:limit]]
    for min_row, min_col, max_row, max_col in merged:
        if min_row > limit:
            continue
        value = grid[min_row - 1][min_col - 1] if min_row <= len(grid) else None
        for r in range(min_row, min(max_row, limit) + 1):
            for c in range(min_col, max_col + 1):
                if c <= len(top[r - 1]):
                    top[r - 1][c - 1] = value
    return top


def _column_parts(rows: list[list[object]], first: int, last: int) -> list[tuple[str, ...]]:
    width = max((len(r) for r in rows[first : last + 1]), default=0)
    parts: list[tuple[str, ...]] = []
    for c in range(width):
        seen: list[str] = []
        for r in range(first, last + 1):
            cell = rows[r][c] if c < len(rows[r]) else None
            text = norm_label(cell_text(cell)) if cell is not None else ""
            if text and text not in seen:
                seen.append(text)
        parts.append(tuple(seen))
    return parts


def _bind(layout: Layout, parts: list[tuple[str, ...]]) -> _Header | _Attempt:
    roles: dict[str, list[int]] = {}
    missing: list[str] = []
    found = 0
    for role, label in layout.row_labels:
        hits = [c for c, p in enumerate(parts) if label.matches(p)]
        if hits:
            roles[role] = hits
            found += 1
        else:
            missing.append(label.display)
    role_cols = {c for hits in roles.values() for c in hits}
    columns: list[_Bound] = []
    for spec in layout.values:
        hits = [
            c
            for c, p in enumerate(parts)
            if c not in role_cols
            and spec.group.matches(p)
            and (spec.sub is None or spec.sub.matches(p))
        ]
        if spec.sub is None:
            bound = _year_columns(spec, hits, parts)
        elif len(hits) == 1:
            bound = [_Bound(hits[0], " › ".join(parts[hits[0]]), dict(spec.dims))]
        elif len(hits) > 1:
            missing.append(f"{spec.display} (found in {len(hits)} columns)")
            continue
        else:
            bound = []
        if bound:
            found += 1
            columns.extend(bound)
        elif spec.required:
            missing.append(spec.display)
    if missing:
        return _Attempt(layout, found, missing)
    used = role_cols | {b.index for b in columns}
    ignored = [" › ".join(p) for c, p in enumerate(parts) if p and c not in used]
    return _Header(layout, 0, 0, roles, sorted(columns, key=lambda b: b.index), ignored)


def _year_columns(spec: ValueColumn, hits: list[int], parts: list[tuple[str, ...]]) -> list[_Bound]:
    """BIBB layout: one column per year, and ``VR`` (change in %) dated to the latest year."""
    years: list[tuple[int, str]] = []
    changes: list[int] = []
    for c in hits:
        year = next((p for p in parts[c] if _YEAR.match(p)), None)
        if year:
            years.append((c, year))
        elif "vr" in parts[c]:
            changes.append(c)
    if not years:
        return []
    merkmal = dict(spec.dims)["merkmal"]
    counts = {"merkmal": merkmal, "einheit": EINHEIT_ANZAHL}
    bound = [_Bound(c, f"{spec.group.display} › {y}", dict(counts), y) for c, y in years]
    latest = max(y for _, y in years)
    rate = {"merkmal": f"{merkmal}{VR_SUFFIX}", "einheit": EINHEIT_VR}
    bound += [_Bound(c, f"{spec.group.display} › VR", dict(rate), latest) for c in changes]
    return bound


def _find_header(
    header_rows: list[list[object]], *, explain: bool = True
) -> _Header | list[_Attempt]:
    """The first (lowest-ending, shallowest) row block that carries a layout's full label set.

    The attempts say how close each block came, for the error message; without ``explain``
    a block that lacks one of a layout's row labels is not compared further (much faster on
    the sheets of other sources, and the header found is the same).
    """
    attempts: list[_Attempt] = []
    for last in range(min(len(header_rows), HEADER_SEARCH_ROWS + MAX_HEADER_DEPTH - 1)):
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            first = last - depth + 1
            if first < 0 or first >= HEADER_SEARCH_ROWS:
                continue
            parts = _column_parts(header_rows, first, last)
            if not any(parts):
                continue
            for layout in LAYOUTS:
                if not explain and not _has_row_labels(layout, parts):
                    continue
                result = _bind(layout, parts)
                if isinstance(result, _Header):
                    result.first_row, result.last_row = first, last
                    return result
                attempts.append(result)
    return attempts


def _has_row_labels(layout: Layout, parts: list[tuple[str, ...]]) -> bool:
    return all(any(label.matches(p) for p in parts) for _, label in layout.row_labels)


# --------------------------------------------------------------------------------------------
# Cells: regions, months, Berufe, reporting periods
# --------------------------------------------------------------------------------------------

_REGION_CELL = re.compile(r"^(AA\d{3}|DG|\d{1,8}(?:-[1-9])?)\s+(\S.*)$")
_MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1,
    "februar": 2, "feb": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
    "april": 4, "apr": 4,
    "mai": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH_NAME = re.compile(r"^([a-zäöü]+)\.?\s+(\d{4})$")
_MONTH_NUMERIC = re.compile(r"^(?:(\d{1,2})[./](\d{4})|(\d{4})[-/](\d{1,2}))$")
_BERICHTSJAHR = re.compile(r"berichtsjahr\s*:?\s*(\d{4})\s*/\s*(\d{2}|\d{4})\b", re.IGNORECASE)
_BERICHTSMONAT = re.compile(r"berichtsmonat\s*:?\s*([^\n;]+)", re.IGNORECASE)
_AGENTUR_TITLE = re.compile(r"(?:arbeits)?agenturbezirk\s+(.+?)\s*$", re.IGNORECASE)
_KLDB = re.compile(r"^(\d{1,5}|nil)(?:\s+(\S.*))?$", re.IGNORECASE)
_TOTAL_WORDS = {"insgesamt", "alle berufe", "gesamt", "zusammen", "summe"}


def _parse_region(raw: object) -> tuple[str, str]:
    """``"05114 Krefeld"`` → (``05114``, ``Krefeld``); Excel-stripped keys are repaired."""
    text = re.sub(r"\s+", " ", cell_text(raw).replace("\u00a0", " "))
    match = _REGION_CELL.match(text)
    if not match:
        raise ValueError("region cell must hold the key and the name, e.g. '05114 Krefeld'")
    key, name = match.groups()
    if not key.startswith("AA"):
        key = normalise_region_key(key)
    return key, name.strip()


def _parse_month(raw: object) -> str:
    """A reporting month as ``YYYY-MM`` from a date cell, ``September 2024``, ``09/2024``."""
    if isinstance(raw, datetime | date):
        return f"{raw.year:04d}-{raw.month:02d}"
    text = cell_text(raw).lower()
    named = _MONTH_NAME.match(text)
    if named and named.group(1) in _MONTHS:
        return f"{named.group(2)}-{_MONTHS[named.group(1)]:02d}"
    numeric = _MONTH_NUMERIC.match(text)
    if numeric:
        month = int(numeric.group(1) or numeric.group(4))
        year = numeric.group(2) or numeric.group(3)
        if 1 <= month <= 12:
            return f"{year}-{month:02d}"
    raise ValueError("not a reporting month (expected e.g. 'September 2024' or '09/2024')")


def _parse_beruf(cells: list[object]) -> tuple[str, str]:
    """KldB code and name from one cell (``"25 Maschinen…"``) or two (code, name)."""
    texts = [cell_text(c) for c in cells if cell_text(c)]
    if not texts:
        raise ValueError("Beruf cell is empty")
    first = cells[0]
    if isinstance(first, int) and not isinstance(first, bool) and 0 <= first < 100:
        texts[0] = f"{first:02d}"  # Excel turned "01" into 1
    if norm_label(texts[0]) in _TOTAL_WORDS:
        return "insgesamt", texts[0]
    match = _KLDB.match(texts[0])
    if not match:
        if len(texts) > 1 and norm_label(texts[1]) in _TOTAL_WORDS:
            return "insgesamt", texts[1]
        raise ValueError("Beruf must start with a KldB code (e.g. '25 …') or be 'Insgesamt'")
    code, name = match.groups()
    if name is None:
        name = texts[1] if len(texts) > 1 else ""
    if code.lower() == "nil":
        return "nicht_zugeordnet", name
    return code, name


def _preamble_text(rows: list[list[object]], upto: int) -> str:
    return "\n".join(" ".join(cell_text(c) for c in row if cell_text(c)) for row in rows[:upto])


def _sheet_period(layout: Layout, preamble: str) -> str:
    if layout.period_from == "berichtsjahr":
        match = _BERICHTSJAHR.search(preamble)
        if not match:
            raise ValueError("no 'Berichtsjahr JJJJ/JJ' in the rows above the header")
        start, end = int(match.group(1)), match.group(2)
        if int(end) % 100 != (start + 1) % 100:
            raise ValueError(f"Berichtsjahr {match.group(0)!r} does not span two years")
        return str(start + 1)  # the year of the 30 September that ends the Berichtsjahr
    if layout.period_from == "dezember":
        match = _BERICHTSMONAT.search(preamble)
        if not match:
            raise ValueError("no 'Berichtsmonat' in the rows above the header")
        month = _parse_month(match.group(1).strip())
        if not month.endswith("-12"):
            raise ValueError(f"SGB II quotas are taken in December, not {match.group(1)!r}")
        return month[:4]
    raise AssertionError(layout.period_from)


def _title_region(preamble: str) -> tuple[str, str]:
    for line in preamble.splitlines():
        match = _AGENTUR_TITLE.search(line)
        if match:
            name = match.group(1)
            if norm_label(name) in _AGENTURBEZIRKE:
                return _AGENTURBEZIRKE[norm_label(name)]
            raise ValueError(f"Agenturbezirk {name!r} has no key in ba._AGENTURBEZIRKE")
    raise ValueError("the title names no 'Arbeitsagenturbezirk'")


# --------------------------------------------------------------------------------------------
# Reading a sheet
# --------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    path: Path
    title: str

    def error(
        self,
        rule: str,
        *,
        row: int | None = None,
        col: int | None = None,
        label: str | None = None,
        value: object = None,
    ) -> IngestError:
        where = f"sheet {self.title!r}"
        if row is not None and col is not None:
            where += f", cell {get_column_letter(col + 1)}{row}"
        column = None
        if col is not None:
            column = get_column_letter(col + 1) + (f" ({label})" if label else "")
        return IngestError.single(
            SOURCE, self.path, f"{where}: {rule}", row=row, column=column, value=value
        )


def _is_footer(row: Sequence[object]) -> bool:
    first = next((cell_text(c) for c in row if cell_text(c)), "")
    low = first.lower()
    return low.startswith(("©", "(c)", "erstellungsdatum", "quelle: statistik der bundesagentur"))


def _read_sheet(
    sheet: _Sheet, grid: list[list[object]], header: _Header, notes: list[str] | None = None
) -> list[dict]:
    """The sheet's values as tidy records; footnote lines below the header (legend, sources,
    the rounding rule) and the footer's ``Erstellungsdatum`` are appended to ``notes``."""
    layout = header.layout
    notes = [] if notes is None else notes
    preamble = _preamble_text(grid, header.first_row)
    sheet_period = None
    fixed_region = None
    try:
        if layout.period_from in ("berichtsjahr", "dezember"):
            sheet_period = _sheet_period(layout, preamble)
        if "region" not in header.roles:
            fixed_region = _title_region(preamble)
    except ValueError as exc:
        raise sheet.error(str(exc), row=header.first_row) from None
    if sheet_period is not None and (outside := period_problem(sheet_period)):
        raise sheet.error(outside, row=header.first_row, value=sheet_period)
    for bound in header.columns:
        if bound.period is not None and (outside := period_problem(bound.period)):
            raise sheet.error(outside, row=header.last_row + 1, col=bound.index, label=bound.label)

    region_col = header.roles.get("region", [None])[0]
    records: list[dict] = []
    region: tuple[str, str] | None = fixed_region
    value_idx = [b.index for b in header.columns]
    for r in range(header.last_row + 1, len(grid)):
        row = grid[r]
        excel_row = r + 1
        if _is_footer(row):
            _footer_notes(grid[r:], notes)
            break
        cells = [row[i] if i < len(row) else None for i in value_idx]
        if all(cell_text(c) == "" for c in cells):
            _footnote(row, notes)  # blank line, note or footnote
            continue
        if region_col is not None:
            raw = row[region_col] if region_col < len(row) else None
            if cell_text(raw):
                try:
                    region = _parse_region(raw)
                except ValueError as exc:
                    raise sheet.error(
                        str(exc), row=excel_row, col=region_col, label="Region", value=raw
                    ) from None
            elif region is None:
                raise sheet.error(
                    "data row before the first region cell", row=excel_row, col=region_col
                )
        assert region is not None
        row_dims, period = _row_labels(sheet, header, row, excel_row)
        for bound, raw in zip(header.columns, cells, strict=True):
            try:
                value, symbol = parse_cell(raw, decimal=",")
            except CellError as exc:
                raise sheet.error(
                    str(exc), row=excel_row, col=bound.index, label=bound.label, value=raw
                ) from None
            if value is None and symbol is None:
                continue
            records.append(
                {
                    "region_key": region[0],
                    "region_name": region[1],
                    "period": bound.period or period or sheet_period,
                    **bound.dims,
                    **row_dims,
                    "value": value,
                    "symbol": symbol,
                    "_cell": f"{get_column_letter(bound.index + 1)}{excel_row}",
                }
            )
    if not records:
        raise sheet.error(f"header of table {layout.table!r} found but no data rows below it")
    return records


def _footnote(row: Sequence[object], notes: list[str]) -> None:
    text = " ".join(" ".join(cell_text(c).split()) for c in row if cell_text(c))
    if not text or sum(n.startswith("Fußnote: ") for n in notes) >= MAX_FOOTNOTES:
        return
    notes.append(f"Fußnote: {text}")
    if _ROUNDED_TO_3.search(text) and ROUNDING_NOTE not in notes:
        notes.append(ROUNDING_NOTE)


def _footer_notes(rows: Sequence[Sequence[object]], notes: list[str]) -> None:
    """``Erstellungsdatum: 28.10.2024`` as the note :mod:`pipelines.ingest.supersede` reads as
    the publisher's date (it orders two editions of one period delivered in the same run)."""
    for row in rows[:5]:
        first = next((cell_text(c) for c in row if cell_text(c)), "")
        if match := _ERSTELLT.match(first):
            day, month, year = (int(g) for g in match.groups())
            notes.append(f"Erstellungsdatum: {day:02d}.{month:02d}.{year:04d}")
            return


def _row_labels(
    sheet: _Sheet, header: _Header, row: Sequence[object], excel_row: int
) -> tuple[dict[str, str], str | None]:
    dims: dict[str, str] = {}
    period = None
    if "monat" in header.roles:
        col = header.roles["monat"][0]
        raw = row[col] if col < len(row) else None
        try:
            period = _parse_month(raw)
            if outside := period_problem(period):
                raise ValueError(outside)
        except ValueError as exc:
            raise sheet.error(
                str(exc), row=excel_row, col=col, label="Berichtsmonat", value=raw
            ) from None
    if "beruf" in header.roles:
        cols = header.roles["beruf"]
        raw_cells = [row[c] if c < len(row) else None for c in cols]
        try:
            dims["beruf"], dims["beruf_name"] = _parse_beruf(raw_cells)
        except ValueError as exc:
            raise sheet.error(
                str(exc), row=excel_row, col=cols[0], label="Beruf", value=raw_cells[0]
            ) from None
    return dims, period


# --------------------------------------------------------------------------------------------
# Workbook level: sniff and parse
# --------------------------------------------------------------------------------------------


def _load(path: Path, book: Workbook | None = None) -> list[Sheet]:
    if not path.is_file():
        raise IngestError.single(SOURCE, path, "file not found")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise IngestError.single(
            SOURCE, path, "old Excel 97–2003 (.xls) workbook: save it as .xlsx first"
        )
    try:
        return (book or Workbook(path)).sheets()
    except IngestError:  # a workbook too large to read, with its own message
        raise
    except Exception as exc:  # openpyxl raises many types for a broken archive
        raise IngestError.single(
            SOURCE, path, f"not a readable XLSX workbook ({type(exc).__name__}: {exc})"
        ) from None


def _has_numbers(grid: list[list[object]], at_least: int = 3) -> bool:
    count = 0
    for row in grid:
        for cell in row:
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                count += 1
                if count >= at_least:
                    return True
    return False


def _guess_layouts(text: str) -> list[Layout]:
    low = text.lower()
    guessed = [lay for lay in LAYOUTS if any(w in low for w in lay.title_words)]
    if any(lay.table == "ausbildungsmarkt" for lay in guessed):
        guessed = [lay for lay in guessed if lay.table == "ausbildungsmarkt"]
    return guessed


def _title_lines(grid: list[list[object]]) -> str:
    """The preamble: rows above the first row with three or more filled cells."""
    end = next(
        (i for i, row in enumerate(grid) if sum(1 for c in row if cell_text(c)) >= 3), len(grid)
    )
    return _preamble_text(grid, min(end, HEADER_SEARCH_ROWS))


def _unrecognised(sheet: _Sheet, grid: list[list[object]], attempts: list[_Attempt]) -> IngestError:
    guessed = _guess_layouts(_title_lines(grid)) or list(LAYOUTS)
    parts = []
    for layout in guessed:
        mine = [a for a in attempts if a.layout is layout]
        best = max(mine, key=lambda a: a.found, default=None)
        missing = best.missing if best and best.found else None
        parts.append(
            f"table {layout.table!r} ({layout.name}) expects the labels {layout.expected()}"
            + (f"; missing: {missing}" if missing else "; none of them found")
        )
    return sheet.error(
        f"no known BA table header in the first {HEADER_SEARCH_ROWS} rows. " + " | ".join(parts)
    )


def sniff(path: str | Path, *, book: Workbook | None = None) -> str | None:
    """The project table name if ``path`` is a BA/BIBB workbook this module reads, else None.

    A workbook whose header is unrecognisable but whose title and footer show it comes from the
    BA is still claimed (by its title), so that :func:`parse` can say precisely what is wrong.
    Only the first rows are read unless the title names a BA table. ``book`` is the workbook
    already opened by another sniffer (see :mod:`pipelines.ingest.xlsx`).
    """
    path = Path(path)
    if path.suffix.lower() not in _XLSX_SUFFIXES or not path.is_file():
        return None
    try:
        sheets = _load(path, book)
    except IngestError:
        return None
    for ws in sheets:
        head = ws.rows(HEAD_ROWS)
        found = _find_header(_header_grid(ws.merged, head), explain=False)
        if isinstance(found, _Header):
            return found.layout.table
        guessed = _guess_layouts(_title_lines(head))
        if guessed:  # the footer may be anywhere below: the whole sheet is searched
            rows = ws.rows()
            text = " ".join(cell_text(c) for row in rows for c in row if isinstance(c, str))
            text = text.lower()
            if "bundesagentur für arbeit" in text or "bundesinstitut für berufsbildung" in text:
                return guessed[0].table
    return None


def parse(path: str | Path, *, book: Workbook | None = None) -> ParsedFile:
    """Read every table sheet of a BA/BIBB workbook into one tidy long table.

    Sheets without numbers (cover, contents, notes) are skipped; a sheet with numbers whose
    header matches no known table is an error, as is a workbook mixing tables.
    """
    path = Path(path)
    sheets = _load(path, book)
    records: list[dict] = []
    headers: list[_Header] = []
    notes: list[str] = []
    for ws in sheets:
        sheet = _Sheet(path, ws.title)
        grid = ws.rows()
        header_rows = _header_grid(ws.merged, grid)
        found = _find_header(header_rows, explain=False)
        if not isinstance(found, _Header):
            if _has_numbers(grid):
                raise _unrecognised(sheet, grid, _find_header(header_rows))
            notes.append(f"sheet {ws.title!r} skipped: no table")
            continue
        if found.first_row > 0 or found.last_row - found.first_row:
            notes.append(
                f"sheet {ws.title!r}: {found.layout.name} header in rows "
                f"{found.first_row + 1}–{found.last_row + 1}"
            )
        if found.ignored:
            notes.append(f"sheet {ws.title!r}: columns not read: {found.ignored}")
        sheet_notes: list[str] = []
        for rec in _read_sheet(sheet, grid, found, sheet_notes):
            rec["_sheet"] = ws.title
            records.append(rec)
        if found.layout.table == "ausbildungsmarkt":
            notes.extend(sheet_notes)  # other tables: not yet (their dates would order editions)
        headers.append(found)
    if not headers:
        raise IngestError.single(SOURCE, path, "no sheet holds a BA table")
    tables = {h.layout.table for h in headers}
    layouts = {h.layout.name for h in headers}
    if len(tables) > 1 or len(layouts) > 1:
        raise IngestError.single(
            SOURCE, path, f"workbook mixes tables/layouts {sorted(layouts)}: deliver one per file"
        )
    layout = headers[0].layout
    frame = _frame(path, layout, records)
    if layout is AUSBILDUNGSMARKT_BIBB:
        notes.append(
            f"BIBB layout: einheit '{EINHEIT_VR}' (merkmal *{VR_SUFFIX}) = VR, the change on "
            "the previous year in % (period = the later year; may be negative); einheit "
            f"'{EINHEIT_ANZAHL}' = counts"
        )
    if layout.table == "ausbildungsmarkt":
        notes.append("period = year of the 30 September ending the Berichtsjahr (2022/23 → 2023)")
    return ParsedFile(
        source=SOURCE,
        table=layout.table,
        table_code=layout.table_code,
        parser=layout.parser,
        frame=frame,
        notes=notes,
    )


def _frame(path: Path, layout: Layout, records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    key = ["region_key", "period", *(d for d in layout.dimensions if d != "beruf_name")]
    duplicated = frame.duplicated(subset=key, keep="first")
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise IngestError.single(
            SOURCE,
            path,
            f"sheet {first['_sheet']!r}, cell {first['_cell']}: the same region, period and "
            f"breakdown appear twice",
            value={k: first[k] for k in key},
        )
    frame = frame.drop(columns=["_cell", "_sheet"])
    frame.insert(0, "source", SOURCE)
    frame.insert(1, "table_code", layout.table_code)
    frame["value"] = frame["value"].astype("float64")
    symbol = frame["symbol"].astype("object")
    frame["symbol"] = symbol.where(symbol.notna(), None)
    return order_columns(frame).reset_index(drop=True)
