"""Refuse a workbook whose sheets would explode in memory, before any reader sees it.

A 5 KB workbook with one cell in ``XFD1048576`` makes calamine allocate 512 GiB and abort the
process (a Rust ``memory allocation failed``, no Python exception to catch); a merged range
``F1:XFD1048576`` made the grid padding build 17 billion cells. :func:`check_workbook` reads
the zip's XML parts once, without a DTD and without building a tree, and measures each sheet:
its declared ``<dimension>``, its ``<mergeCell>`` ranges and the cell references themselves.
Positions written without an ``r`` reference need one element each, so the part's size
(:data:`~pipelines.ingest.limits.MAX_XML_PART_BYTES`) bounds them.

Every part is checked, whatever its name (calamine reads a sheet from wherever the workbook's
relations point). Cell references are found with byte patterns rather than an XML parser: a
state-sized sheet (54 MB of XML) takes about a second this way, a tenth of parsing the file; a
full XML parse would take longer than calamine itself. Only references that could make a sheet
large (two or more column letters, six or more row digits) are collected; the rest span at
most ``Z99999``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from pyexpat import ExpatError, ParserCreate

from openpyxl.utils import get_column_letter

from pipelines.ingest.errors import IngestError
from pipelines.ingest.limits import (
    MAX_MERGED_RANGES,
    MAX_SHEET_CELLS,
    MAX_XML_PART_BYTES,
    MAX_ZIP_MEMBERS,
    megabytes,
)

SOURCE = "inbox"
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_SMALL_ROWS = 99_999  # references with at most five row digits …
_SMALL_COLUMNS = 26  # … and one column letter span at most Z99999
_CANDIDATE_REF = re.compile(rb'r\s*=\s*["\']\s*(?=[A-Za-z]{2}|[A-Za-z]?\d{6})([A-Za-z]*)(\d*)')
"""A reference beyond Z or row 99999; fast (starts with a literal), but matches any name ending
in ``r``."""
_LARGE_REF = re.compile(rb'\sr\s*=\s*["\']\s*(?=[A-Za-z]{2}|[A-Za-z]?\d{6})([A-Za-z]*)(\d*)')
"""The same for the attribute ``r`` only (twice as slow)."""
_ANY_REF = re.compile(rb'\sr\s*=\s*["\']\s*([A-Za-z]*)(\d*)')
_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\sref\s*=\s*["\']([^"\']*)["\']')
_MERGE_CELL = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref\s*=\s*["\']([^"\']*)["\']')
_CELL = re.compile(r"^\$?([A-Za-z]{0,3})\$?(\d{0,7})$")
_BLOCK = 1 << 23


class _Forbidden(Exception):
    """A DTD or entity declaration in a workbook's XML."""


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def column_number(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384 (case-insensitive, as calamine reads them)."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _refuse(path, rule: str, *, row: int | None = None, column: int | None = None) -> IngestError:
    letter = get_column_letter(min(column, 18278)) if column else None
    return IngestError.single(SOURCE, path, rule, row=row, column=letter)


def guard_extent(path, sheet: str, rows: int, columns: int) -> None:
    """Refuse a sheet of ``rows`` × ``columns`` cells above the limit (used after a reader
    opened a sheet, before its grid is built)."""
    if rows * columns > MAX_SHEET_CELLS:
        raise _refuse(
            path,
            f"Tabellenblatt {sheet!r} reicht bis {get_column_letter(min(columns, 18278))}{rows} "
            f"({_number(rows * columns)} Zellen); erlaubt sind höchstens "
            f"{_number(MAX_SHEET_CELLS)} Zellen je Tabellenblatt (beschädigte oder "
            "manipulierte Datei?)",
            row=rows,
            column=columns,
        )


def check_workbook(path) -> None:
    """Raise :class:`IngestError` when a part of the workbook at ``path`` is too large, holds a
    DTD (entity expansion is never allowed) or a sheet spans more than ``MAX_SHEET_CELLS``.

    A file that is no zip archive passes: the readers word that error themselves.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise _refuse(
                    path,
                    f"Arbeitsmappe aus {_number(len(members))} Teilen; erlaubt sind höchstens "
                    f"{_number(MAX_ZIP_MEMBERS)}",
                )
            names = _sheet_names(archive)
            for info in members:
                if not info.is_dir():
                    _check_part(path, archive, info, names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError):
        return
    except (NotImplementedError, RuntimeError):  # unknown compression, encryption
        return


def _check_part(path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, names) -> None:
    too_large = (
        f"Teil {info.filename} der Arbeitsmappe ist entpackt größer als "
        f"{megabytes(MAX_XML_PART_BYTES)} (Zip-Bombe?)"
    )
    if info.file_size > MAX_XML_PART_BYTES:
        raise _refuse(path, too_large)
    with archive.open(info) as handle:
        data = handle.read(MAX_XML_PART_BYTES + 1)
    if len(data) > MAX_XML_PART_BYTES:
        raise _refuse(path, too_large)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # its markup would escape the patterns
        raise _refuse(
            path, f"Teil {info.filename} der Arbeitsmappe ist in UTF-16 (kommt in Excel nicht vor)"
        )
    markup = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    if markup and any(d in data for d in _DECLARATIONS):
        raise _refuse(
            path,
            f"Teil {info.filename} der Arbeitsmappe enthält eine DTD oder Entity-Deklaration "
            "(kommt in Excel-Dateien nicht vor; XML-Bombe?)",
        )
    if b"sheetData" in data:
        sheet = names.get(info.filename, info.filename)
        _check_sheet(path, sheet, data)


def _check_sheet(path, sheet: str, data: bytes) -> None:
    where = f"Tabellenblatt {sheet!r}"
    start = data.find(b"dimension")
    if start >= 0 and (declared := _DIMENSION.search(data, max(start - 64, 0))):
        ref = declared.group(1).decode("ascii", "replace")
        rows, columns = _area(ref)
        if rows * columns > MAX_SHEET_CELLS:
            raise _refuse(
                path,
                f"{where} gibt als Ausdehnung {ref} an ({_number(rows * columns)} Zellen); "
                f"erlaubt sind höchstens {_number(MAX_SHEET_CELLS)} Zellen je Tabellenblatt "
                "(beschädigte oder manipulierte Datei?)",
                row=rows,
                column=columns,
            )
    merged_rows = merged_columns = 0
    if b"mergeCell" in data:
        refs = _MERGE_CELL.findall(data)
        if len(refs) > MAX_MERGED_RANGES:
            raise _refuse(
                path,
                f"{where} hat {_number(len(refs))} verbundene Zellbereiche; erlaubt sind "
                f"höchstens {_number(MAX_MERGED_RANGES)}",
            )
        for raw in refs:
            ref = raw.decode("ascii", "replace")
            rows, columns = _area(ref)
            if rows * columns > MAX_SHEET_CELLS:
                raise _refuse(
                    path,
                    f"{where}: verbundener Zellbereich {ref} umfasst {_number(rows * columns)} "
                    f"Zellen; erlaubt sind höchstens {_number(MAX_SHEET_CELLS)} Zellen je "
                    "Tabellenblatt (beschädigte oder manipulierte Datei?)",
                    row=rows,
                    column=columns,
                )
            merged_rows, merged_columns = max(merged_rows, rows), max(merged_columns, columns)
    rows, columns = _cell_extent(data)
    guard_extent(path, sheet, max(rows, merged_rows), max(columns, merged_columns))


def _area(ref: str) -> tuple[int, int]:
    """Rows and columns from A1 to the far corner of a range (``(0, 0)`` if unreadable)."""
    rows = columns = 0
    for part in ref.split(":"):
        match = _CELL.match(part.strip())
        if match:
            letters, digits = match.groups()
            columns = max(columns, column_number(letters) if letters else 0)
            rows = max(rows, int(digits) if digits else 0)
    if ":" in ref and (rows == 0 or columns == 0):  # whole columns (A:C) or rows (1:5)
        rows, columns = rows or 1_048_576, columns or 16_384
    return rows, columns


def _cell_extent(data: bytes) -> tuple[int, int]:
    """An upper bound of the last row and column any ``r`` reference of the sheet names.

    The fast pattern may take another name ending in ``r`` for a reference
    (``xmlns:xr="http…"``); only when its bound is too large is the exact one asked.
    """
    for pattern in (_CANDIDATE_REF, _LARGE_REF):
        rows, columns = _last(*_references(data, pattern))
        rows, columns = max(rows, _SMALL_ROWS), max(columns, _SMALL_COLUMNS)
        if rows * columns <= MAX_SHEET_CELLS:
            return rows, columns
    return _last(*_references(data, _ANY_REF))  # the exact last row and column


def _last(letters: set[bytes], digits: set[bytes]) -> tuple[int, int]:
    rows = max((int(d) for d in digits if d), default=0)
    columns = max((column_number(a.decode()) for a in letters if a), default=0)
    return rows, columns


def _references(data: bytes, pattern: re.Pattern[bytes]) -> tuple[set[bytes], set[bytes]]:
    """The distinct column letters and row numbers of the references ``pattern`` finds, block
    by block (memory stays small); a block ends before a ``<``, so no attribute is cut."""
    letters: set[bytes] = set()
    digits: set[bytes] = set()
    start = 0
    while start < len(data):
        end = _block_end(data, start)
        found = pattern.findall(data, start, end)
        letters.update({a for a, _ in found})
        digits.update({d for _, d in found})
        start = end
    return letters, digits


def _block_end(data: bytes, start: int) -> int:
    end = start + _BLOCK
    if end >= len(data):
        return len(data)
    cut = data.rfind(b"<", start + 1, end)
    if cut > start:
        return cut
    cut = data.find(b"<", end)  # one tag longer than a block: it stays whole
    return len(data) if cut < 0 else cut


# --- sheet names, for messages ----------------------------------------------------------------


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet title (``xl/worksheets/sheet1.xml`` → ``Daten``); empty when the
    workbook's index is unreadable (messages then name the part)."""
    try:
        book = _target(archive, "_rels/.rels", "officeDocument", "") or "xl/workbook.xml"
        folder = posixpath.dirname(book)
        rels = posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels")
        targets = {
            attrs.get("Id"): _resolve(folder, attrs.get("Target", ""))
            for name, attrs in _elements(archive, rels)
            if name == "Relationship"
        }
        return {
            targets[attrs.get("id")]: attrs.get("name", "")
            for name, attrs in _elements(archive, book)
            if name == "sheet" and attrs.get("id") in targets
        }
    except (KeyError, ExpatError, _Forbidden, ValueError, zipfile.BadZipFile):
        return {}


def _target(archive: zipfile.ZipFile, rels: str, kind: str, folder: str) -> str | None:
    for name, attrs in _elements(archive, rels):
        if name == "Relationship" and attrs.get("Type", "").endswith("/" + kind):
            return _resolve(folder, attrs.get("Target", ""))
    return None


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _elements(archive: zipfile.ZipFile, name: str) -> list[tuple[str, dict[str, str]]]:
    """Every element of a small XML part as (local name, attributes by local name).

    Parsed with expat and no DTD allowed: a declaration raises instead of being expanded.
    """
    info = archive.getinfo(name)
    if info.file_size > 16 * 1024 * 1024:
        raise ValueError(f"{name} too large for an index")
    elements: list[tuple[str, dict[str, str]]] = []

    def forbid(*_args: object) -> None:
        raise _Forbidden(name)

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = {key.rsplit("}", 1)[-1]: value for key, value in attrs.items()}
        elements.append((tag.rsplit("}", 1)[-1], local))

    parser = ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    parser.StartElementHandler = start
    parser.Parse(archive.read(info), True)
    return elements
