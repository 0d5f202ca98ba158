"""Text deliveries: their encoding, and what no CSV parser can read honestly.

Decoding a whole file as UTF-8 and falling back to Windows-1252 turned a file that is part
UTF-8, part Windows-1252 into ``FÃ¶rderschule`` without a word; a NUL byte ended as "check the
header row". :func:`scan` reads the file once in blocks (memory stays flat for any size) and
refuses, naming the line: NUL bytes, mixed encodings, lines over 1 MB, UTF-16 and binary files
posing as CSV. The parsers then stream the file in the encoding found.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

from pipelines.ingest.errors import IngestError
from pipelines.ingest.limits import check_file, unreadable

UTF8 = "utf-8-sig"
CP1252 = "cp1252"
LATIN1 = "latin-1"

MAX_LINE_BYTES = 1 << 20
"""A line (CSV record) longer than this is refused: a real one has at most a few KB, and the
CSV reader would hold a line of millions of ``;`` as a list of millions of fields."""
_BLOCK = MAX_LINE_BYTES  # a line within one block is short enough: only runs across blocks count
_UTF8_TEXT = re.compile(rb"[\xc2\xc3\xc5][\x80-\xbf]|\xe2[\x80-\x82][\x80-\xbf]")
"""UTF-8 of what German tables hold beyond ASCII (umlauts, ß, NBSP, §, °, dashes, quotes, €).
In Windows-1252 these bytes read ``Ã¶``, ``Â§``, ``â€“``: never in a genuine download."""
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_MAGIC = {
    b"PK\x03\x04": "ist eine ZIP-Datei (z. B. eine XLSX-Arbeitsmappe), keine CSV-Datei: "
    "mit der Endung .xlsx einliefern",
    b"\xd0\xcf\x11\xe0": "ist eine alte Excel-Datei (.xls), keine CSV-Datei: in Excel als "
    "CSV (Trennzeichen ;) oder .xlsx speichern",
    b"\xff\xfe": "ist in UTF-16 gespeichert: als CSV UTF-8 oder Windows-1252 speichern",
    b"\xfe\xff": "ist in UTF-16 gespeichert: als CSV UTF-8 oder Windows-1252 speichern",
}


class Text(NamedTuple):
    """How to read a text file: ``encoding``, and the first ``line`` that is not UTF-8 (for
    Latin-1: the first that is not Windows-1252 either; ``None`` for UTF-8)."""

    encoding: str
    line: int | None = None


_CACHE: OrderedDict[tuple[str, int, int], Text] = OrderedDict()
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()


def scan(path: Path, source: str) -> Text:
    """The encoding to read ``path`` with (``utf-8-sig``, ``cp1252`` or ``latin-1``).

    Raises :class:`IngestError` (source ``source``) for a file that is unreadable or too large
    (:func:`~pipelines.ingest.limits.check_file`), holds a NUL byte, mixes UTF-8 with another
    encoding, or is no text file. Latin-1 is the last resort because it decodes any bytes:
    the parser's structure checks then still see the file.
    """
    path = Path(path)
    check_file(path, source)
    info = path.stat()
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns)
    with _CACHE_LOCK:
        if key in _CACHE:  # sniffing and parsing ask for the same file: it is read once
            _CACHE.move_to_end(key)
            return _CACHE[key]
    try:
        text = _scan(path, source)
    except OSError as error:
        raise unreadable(source, path, error) from None
    with _CACHE_LOCK:
        _CACHE[key] = text
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return text


def _scan(path: Path, source: str) -> Text:
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_line: int | None = None  # first line with UTF-8 beyond ASCII
    other_line: int | None = None  # first line that is not UTF-8
    latin_line: int | None = None  # first line that is not Windows-1252 either
    line = 1  # number of the line the current block starts in
    run = 0  # bytes of that line before the block
    tail = b""
    with path.open("rb") as handle:
        head = handle.read(4)
        for magic, rule in _MAGIC.items():
            if head.startswith(magic):
                raise IngestError.single(source, path, rule, row=1)
        handle.seek(0)
        while block := handle.read(_BLOCK):
            nul = block.find(b"\x00")
            if nul >= 0:
                row = line + block.count(b"\n", 0, nul)
                raise IngestError.single(
                    source,
                    path,
                    "NUL-Byte (Zeichen 0) in der Zeile: die Datei ist beschädigt oder keine "
                    "Textdatei — neu exportieren",
                    row=row,
                )
            first = block.find(b"\n")
            if first < 0:
                run += len(block)
            elif run + first > MAX_LINE_BYTES:
                raise _too_long(source, path, line)
            else:
                run = len(block) - block.rfind(b"\n") - 1
            if run > MAX_LINE_BYTES:
                raise _too_long(source, path, line + block.count(b"\n"))
            if other_line is None:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as error:
                    other_line = line + block.count(b"\n", 0, max(error.start, 0))
            if not block.isascii():
                if utf8_line is None and (found := _UTF8_TEXT.search(tail + block)):
                    utf8_line = line + block.count(b"\n", 0, max(found.start() - len(tail), 0))
                if latin_line is None and (odd := _NOT_CP1252.search(block)):
                    latin_line = line + block.count(b"\n", 0, odd.start())
            line += block.count(b"\n")
            tail = block[-3:]
        if other_line is None:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                if utf8_line is not None:
                    raise IngestError.single(
                        source,
                        path,
                        "UTF-8-Datei endet mitten in einem Zeichen: abgeschnitten? neu exportieren",
                        row=line,
                    ) from None
                other_line = line
    if other_line is None:
        return Text(UTF8)
    if utf8_line is not None:
        raise IngestError.single(
            source,
            path,
            f"gemischte Zeichenkodierung: Zeile {utf8_line} ist UTF-8, Zeile {other_line} nicht "
            "(Windows-1252/Latin-1) — die Datei wurde aus Teilen zusammengesetzt; einheitlich "
            "als CSV UTF-8 speichern",
            row=other_line,
        )
    if latin_line is None:
        return Text(CP1252, other_line)
    return Text(LATIN1, latin_line)


def _too_long(source: str, path: Path, line: int) -> IngestError:
    return IngestError.single(
        source,
        path,
        f"Zeile länger als {MAX_LINE_BYTES // (1 << 20)} MB: keine Tabellenzeile "
        "(fehlende Zeilenumbrüche? beschädigte Datei?)",
        row=line,
    )
