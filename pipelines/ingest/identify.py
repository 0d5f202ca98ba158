"""Recognise which source and parser a delivered file belongs to.

Each source module offers ``sniff(path, *, book=None)`` (cheap: reads the first lines or the
header) and ``parse(path, *, book=None)``. Recognition is by content, never by file name: users
rename files. A workbook is opened once per file (``book``, :class:`pipelines.ingest.xlsx.Workbook`)
and shared by the sniffers and the parser, so its sheets are read once.

Before any sniffer reads a byte, the file itself is checked (:func:`check_delivery`): readable,
within the size limit, a text file in one encoding without NUL bytes, or a workbook whose sheets
are of sane size. Its message names the problem, where sniffing would only say "not recognised".
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from pipelines.ingest import textfile, unused, xlsx
from pipelines.ingest.errors import IngestError
from pipelines.ingest.limits import check_file
from pipelines.ingest.tidy import ParsedFile

SOURCE_MODULES: dict[str, str] = {
    "itnrw": "pipelines.ingest.genesis",
    "ba": "pipelines.ingest.ba",
    "msb": "pipelines.ingest.schulregister",
    "schulen": "pipelines.ingest.schulen",
}
"""Source name → parser module; the order is the order in which files are tried."""

DATA_SUFFIXES = {".csv", ".xlsx"}
"""Files the inbox scan considers deliveries (READMEs and geometry are not)."""


def _module(source: str):
    return importlib.import_module(SOURCE_MODULES[source])


_OLD_EXCEL = b"\xd0\xcf\x11\xe0"


def check_delivery(path: Path, book: xlsx.Workbook | None = None) -> None:
    """Raise :class:`IngestError` for a file no parser should be given (see the module doc)."""
    check_file(path)
    if book is None:
        textfile.scan(path, "inbox")
        return
    with path.open("rb") as handle:
        if handle.read(4) == _OLD_EXCEL:
            raise IngestError.single(
                "inbox", path, "altes Excel-Format 97–2003 (.xls): in Excel als .xlsx speichern"
            )
    if not zipfile.is_zipfile(path):
        raise IngestError.single(
            "inbox", path, "keine XLSX-Arbeitsmappe: kein ZIP-Archiv (beschädigt oder umbenannt?)"
        )
    book.check()


def identify(path: Path) -> tuple[str, Callable[[Path], ParsedFile]]:
    """Return ``(source, parse)`` for a delivered file, or raise :class:`IngestError`."""
    path = Path(path)
    book = xlsx.Workbook(path) if path.suffix.lower() in xlsx.SUFFIXES else None
    try:
        check_delivery(path, book)
    except OSError as exc:  # vanished or locked between the checks
        raise IngestError.single("inbox", path, f"Datei nicht lesbar: {exc.strerror}") from None
    reason = unused.explain(path) if book is None else None
    if reason is not None:  # API responses, code lists, geometry: one line, not "unknown"
        raise unused.unused(path, reason)
    for source in SOURCE_MODULES:
        module = _module(source)
        try:
            if module.sniff(path, book=book):
                return source, partial(module.parse, book=book)
        except IngestError:
            raise
        except (OSError, ValueError, KeyError) as exc:  # a sniffer that cannot read the file
            raise IngestError.single("inbox", path, f"file cannot be read: {exc}") from exc
    raise IngestError.single(
        "inbox",
        path,
        "not recognised as a GENESIS table (IT.NRW), a BA workbook or a school-administration "
        "template — check the file's first lines / header row",
    )


def parse_file(path: Path) -> ParsedFile:
    """Identify and parse one file."""
    _source, parse = identify(path)
    return parse(path)


def parse_delivery(path: Path) -> ParsedFile:
    """Identify and parse one file to be loaded: a table no indicator uses raises the
    not-blocking "unused" error (:mod:`pipelines.ingest.unused`)."""
    parsed = parse_file(path)
    unused.check_used(parsed, path)
    return parsed


def delivery_files(data_dir: Path) -> list[Path]:
    """All candidate delivery files below ``data_dir``, in a stable order."""
    return sorted(
        p
        for p in data_dir.rglob("*")
        if p.is_file() and p.suffix.lower() in DATA_SUFFIXES and not p.name.startswith(".")
    )
