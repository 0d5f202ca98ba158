"""Upper bounds on what one delivered file may cost, and one-line messages for unreadable files.

A parser's memory grows with its input: a 5 KB workbook can declare 17 billion cells, a CSV of
ten million bad rows used to keep every row and every problem. The bounds here are far above
any real delivery (the largest real file is 2 MB, a state-sized school table 5 MB) and stop a
damaged or hostile file with a message that names it, before it can take the machine down.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from pipelines.ingest.errors import IngestError

MAX_FILE_MB_VARIABLE = "BILDUNGSMONITOR_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 256
"""Per-file size limit in MiB unless ``BILDUNGSMONITOR_MAX_FILE_MB`` says otherwise."""

MAX_SHEET_CELLS = 10_000_000
"""Cells a worksheet may span (rows × columns of its extent): 8× a state-sized school table.
calamine allocates 24 bytes per cell of the extent before it returns a single value."""
MAX_MERGED_RANGES = 100_000
MAX_XML_PART_BYTES = 256 * 1024 * 1024
"""Uncompressed size of one XML part of a workbook (a state-sized sheet has 54 MB)."""
MAX_ZIP_MEMBERS = 10_000

_MIB = 1024 * 1024


def max_file_bytes() -> int:
    """The per-file size limit in bytes (``BILDUNGSMONITOR_MAX_FILE_MB``, default 256)."""
    raw = os.environ.get(MAX_FILE_MB_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MAX_FILE_MB * _MIB
    try:
        megabytes = float(raw.replace(",", "."))
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0:
        raise ValueError(
            f"{MAX_FILE_MB_VARIABLE}={raw!r} ist keine positive Zahl (Größe in MB je Datei)"
        )
    return int(megabytes * _MIB)


def megabytes(size: int) -> str:
    """``332397568`` → ``317 MB`` (MiB, as file managers show them)."""
    value = size / _MIB
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB".replace(".", ",")


def unreadable(source: str, path: Path, error: OSError) -> IngestError:
    """One line for a file the operating system will not let us read (no traceback)."""
    if isinstance(error, FileNotFoundError):
        rule = "Datei nicht gefunden (verschoben oder gelöscht?)"
    elif isinstance(error, IsADirectoryError):
        rule = "ist ein Ordner, keine Datei"
    elif isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM):
        rule = "Datei nicht lesbar: keine Leseberechtigung (Zugriffsrechte der Datei prüfen)"
    elif error.errno in (errno.EBUSY, errno.ETXTBSY, errno.EAGAIN):
        rule = "Datei nicht lesbar: von einem anderen Programm gesperrt (dort schließen)"
    else:
        reason = error.strerror or type(error).__name__
        rule = f"Datei nicht lesbar: {reason}"
    return IngestError.single(source, path, rule)


def check_file(path: Path, source: str = "inbox") -> int:
    """Refuse a file that is missing, no regular file, unreadable or over the size limit.

    Returns its size. Reads one byte, so a file that exists but cannot be opened (rights, a
    lock) is reported here in one line instead of as a traceback from deep inside a reader.
    """
    try:
        info = path.stat()
    except OSError as error:
        raise unreadable(source, path, error) from None
    if stat.S_ISDIR(info.st_mode):
        raise unreadable(source, path, IsADirectoryError(errno.EISDIR, "directory"))
    if not stat.S_ISREG(info.st_mode):
        raise IngestError.single(source, path, "keine gewöhnliche Datei (Gerät, Pipe, Socket?)")
    try:
        limit = max_file_bytes()
    except ValueError as error:
        raise IngestError.single(source, path, str(error)) from None
    if info.st_size > limit:
        raise IngestError.single(
            source,
            path,
            f"Datei ist {megabytes(info.st_size)} groß, erlaubt sind höchstens "
            f"{megabytes(limit)} je Datei (einstellbar mit {MAX_FILE_MB_VARIABLE})",
        )
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        raise unreadable(source, path, error) from None
    return info.st_size
