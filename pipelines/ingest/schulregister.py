"""Parser for the MSB NRW school register ``schuldaten.csv`` → raw table ``msb__schulverzeichnis``.

The Ministry for Schools (MSB NRW) publishes the register of all schools in the state as open
data (Datenlizenz Deutschland – Namensnennung 2.0). Its layout, as downloaded:

* line 1 ``sep=;`` (a hint for Excel), line 2 the header, which ends with a ``;`` (one empty
  header field more than the data rows have fields);
* every field double-quoted, numbers too (``"100128";"02";…``);
* UTF-8, with or without BOM, LF or CRLF;
* the 2021 layout (23 columns) and a newer one with ``Bezirksregierung`` after
  ``Kurzbezeichnung`` (24 columns); columns are found by their header name.

One row per school, keyed by the 6-digit Schulnummer; ``region_key`` is the 8-digit
Gemeindeschlüssel (``05114000`` Krefeld), so the whole state is kept and regions are chosen
downstream (``dim_schulen.ist_krefeld``).

The name is given in three 40-character fields cut like lines of a form: a word may be
hyphenated across two fields (``Schu-`` | ``le``). :func:`join_name` puts them together.

**Period.** The register carries no date of its own ("Stand"), and the file name or the time of
download are not part of its content (recognition and parsing are by content, and the same
bytes must give the same table). The period is therefore the *earliest possible Stand*: the
latest ``Schulbetriebsdatum`` of a school in operation (``Schulbetriebsschluessel`` 1; the date
it took up that state, which a register cannot know before it happened). The 2021 download of
8 September 2021 gives 18 August 2021. Dates of the other keys are left out: a phasing-out
school (key 2) carries its planned closing date, years ahead. The rule orders two registers
of one run (the later Stand wins, see :mod:`pipelines.ingest.supersede`; the table is a
snapshot: the latest register replaces the previous one as a whole).

The contact fields the school guides need are kept as text: ``telefon`` (``Telefonvorwahl``
and ``Telefon`` joined with a blank, ``02151 311661``; null without a number), ``email`` and
``homepage`` (null when empty). They are taken as delivered (blanks trimmed) and not checked
here: the register is the state's file and must load; their form is checked downstream, for
the schools of the guides only. Fax numbers are dropped.

Coordinates are ETRS89 / UTM zone 32N (EPSG:25832) easting and northing; ``lat``/``lon``
(WGS84, EPSG:4326) are computed with pyproj. A row whose EPSG column says ``null`` but which
has coordinates in the NRW range is read as EPSG:25832 too (the only such row of 2021 lies
where its address is), and a note counts them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.ingest import textfile
from pipelines.ingest.errors import IngestError, Problem, capped
from pipelines.ingest.tidy import LEADING_COLUMNS, TRAILING_COLUMNS, ParsedFile, order_columns

SOURCE = "msb"
TABLE = "schulverzeichnis"
TABLE_CODE = "schuldaten"
CSV_SUFFIXES = (".csv", ".txt")
MAX_PROBLEMS = 50
NAME_FIELDS = ("Schulbezeichnung_1", "Schulbezeichnung_2", "Schulbezeichnung_3")

COLUMNS_2021 = (
    "Schulnummer", "Schulform", *NAME_FIELDS, "Kurzbezeichnung", "PLZ", "Ort",
    "Strasse", "Telefonvorwahl", "Telefon", "Faxvorwahl", "Fax", "E-Mail", "Homepage",
    "Rechtsform", "Traegernummer", "Gemeindeschluessel", "Schulbetriebsschluessel",
    "Schulbetriebsdatum", "EPSG", "UTMRechtswert", "UTMHochwert",
)  # fmt: skip
"""The header of the 2021 download (its trailing empty field dropped)."""
BEZIRKSREGIERUNG = "Bezirksregierung"
"""Added after ``Kurzbezeichnung`` in newer downloads (2025/26)."""
SNIFF_COLUMNS = frozenset(
    {"Schulnummer", "Schulbezeichnung_1", "Gemeindeschluessel", "Schulbetriebsschluessel"}
)
"""Header names that together mark the register (no other source has them)."""

DIMENSIONS = [
    "schulnummer", "name", "kurzbezeichnung", "schulform", "bezirksregierung", "plz", "ort",
    "strasse", "telefon", "email", "homepage", "rechtsform", "traegernummer",
    "gemeindeschluessel", "schulbetriebsschluessel", "schulbetriebsdatum", "utm_ost", "utm_nord",
    "lat", "lon",
]  # fmt: skip
SCHULFORMEN = (
    "02", "04", "06", "08", "10", "13", "14", "15", "16", "17", "18", "19", "20", "25", "30",
    "81", "83", "85", "87", "88", "0A",
)  # fmt: skip
"""Schulform keys of the register: those of the SVWS catalogue ``Schulform.json`` and the two
the 2021 register also uses without a catalogue entry (``0A``, ``81``)."""
RECHTSFORM = {"1": "oeffentlich", "2": "privat"}
IN_BETRIEB = "1"
"""Schulbetriebsschluessel of a school in operation (the only key whose date sets the Stand)."""
EPSG_UTM32 = "EPSG:25832"
NULLS = {"", "null", "NULL"}
UTM_EAST = (250_000, 560_000)
UTM_NORTH = (5_550_000, 5_850_000)
"""Plausible UTM32 range of NRW (with a margin): anything outside is a broken value."""

_SCHULNUMMER = re.compile(r"^\d{6}$", re.ASCII)
_SCHULFORM = re.compile(r"^[0-9A-Z]{2}$", re.ASCII)
_PLZ = re.compile(r"^\d{5}$", re.ASCII)
_GEMEINDE = re.compile(r"^05\d{6}$", re.ASCII)
_DIGITS = re.compile(r"^\d{1,9}$", re.ASCII)
_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$", re.ASCII)
_COORD = re.compile(r"^\d{6,7}(?:[.,]\d+)?$", re.ASCII)
_SPACES = re.compile(r"\s+")
_ELIDED = frozenset({"und", "u.", "oder", "od.", "bzw.", "sowie"})
"""A word after ``Grafik-`` that makes it an elided compound (``Grafik- und Mediendesign``)."""


# --- the name -------------------------------------------------------------------------------


def join_name(*parts: str) -> str:
    """The school's name from its (up to) three 40-character fields.

    Where a field ends with a hyphen: after a blank (``Regenbogenschule -``) it is a dash, and
    the next field follows after a blank; before ``und``/``u.``/``oder`` it is an elided compound
    (``Grafik- und Mediendesign``); before a lower-case letter it is a word broken across the
    fields and is dropped (``Förder-`` + ``schule`` → ``Förderschule``); before anything else
    it is part of a compound (``Montessori-`` + ``Gesamtschule`` → ``Montessori-Gesamtschule``),
    unless it closes a dash-bracketed word (``-Sek.I-`` + ``Kath. …``). Other fields are joined
    with a blank; runs of blanks become one. A word cut at the 40th character without a hyphen
    (rare) cannot be told from two words and keeps the blank.
    """
    name = ""
    for raw in parts:
        part = _SPACES.sub(" ", raw or "").strip()
        if not part:
            continue
        if not name:
            name = part
        elif _blank_after(name, part):
            name = f"{name} {part}"
        elif part[0].islower():
            name = name[:-1] + part
        elif name.rsplit(" ", 1)[-1].startswith("-"):
            name = f"{name} {part}"
        else:
            name = name + part
    return name


def _blank_after(name: str, part: str) -> bool:
    """Whether ``part`` follows ``name`` after a blank: no hyphen at the end, a dash (a hyphen
    after a blank), or an elided compound (``Grafik-`` ``und``)."""
    if not name.endswith("-") or name == "-" or name[-2].isspace():
        return True
    return part.split(" ", 1)[0] in _ELIDED


# --- reading --------------------------------------------------------------------------------


def _records(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of every record; a broken CSV structure names its line."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=";", strict=True)
        line = 1
        try:
            for record in reader:
                yield line, record
                line = reader.line_num + 1
        except csv.Error as exc:
            raise IngestError.single(
                SOURCE,
                path,
                f"kaputte CSV-Struktur ({exc}): Datei abgeschnitten oder kein ';'-CSV?",
                row=line,
            ) from None


def _is_sep_line(record: list[str]) -> bool:
    return ";".join(record).strip().lower() == "sep=;"  # read as two fields: 'sep=' and ''


def _header_names(record: list[str]) -> list[str]:
    names = [cell.strip() for cell in record]
    while names and not names[-1]:
        names.pop()  # the trailing ';' of the header
    return names


def _head(path: Path, encoding: str) -> tuple[int, list[str]] | None:
    """The header line's number and names (after an optional ``sep=;`` line)."""
    records = _records(path, encoding)
    try:
        for line, record in records:
            if _is_sep_line(record):
                continue
            return line, _header_names(record)
        return None
    finally:
        records.close()


def sniff(path: str | Path, *, book: object = None) -> bool:
    """Whether ``path`` is an MSB register ``schuldaten.csv`` (by its header, not its name)."""
    path = Path(path)
    if book is not None or path.suffix.lower() not in CSV_SUFFIXES:
        return False
    try:
        text = textfile.scan(path, SOURCE)
        head = _head(path, text.encoding)
    except IngestError:
        return False
    return head is not None and set(head[1]) >= SNIFF_COLUMNS


# --- casting --------------------------------------------------------------------------------


@cache
def _transformer():
    from pyproj import Transformer  # imported on first use: the other parsers do without it

    return Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)


def utm32_to_wgs84(east: np.ndarray, north: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lat, lon)`` in degrees (WGS84) for UTM32 easting/northing (NaN stays NaN)."""
    lon, lat = _transformer().transform(np.asarray(east, float), np.asarray(north, float))
    return np.round(np.asarray(lat, float), 6), np.round(np.asarray(lon, float), 6)


@dataclass
class _Reader:
    file: str
    columns: dict[str, int]
    problems: list[Problem]
    epsg_null: int = 0

    def problem(self, line: int, column: str, rule: str, value: object = None) -> None:
        self.problems.append(Problem(SOURCE, self.file, rule, line, column, value))

    def cell(self, record: list[str], column: str) -> str:
        index = self.columns.get(column)
        return "" if index is None else record[index].strip()

    def telefon(self, record: list[str]) -> str | None:
        """``Telefonvorwahl`` and ``Telefon`` joined with a blank, as delivered (blanks
        collapsed); None without a number."""
        number = _SPACES.sub(" ", self.cell(record, "Telefon"))
        if not number:
            return None
        vorwahl = _SPACES.sub(" ", self.cell(record, "Telefonvorwahl"))
        return f"{vorwahl} {number}" if vorwahl else number

    def match(self, record, line, column, pattern, rule, *, required=True) -> str | None:
        value = self.cell(record, column)
        if not value and not required:
            return None
        if not pattern.match(value):
            self.problem(line, column, rule, value)
            return None
        return value

    def date(self, record: list[str], line: int) -> str | None:
        value = self.cell(record, "Schulbetriebsdatum")
        if not value:
            return None
        found = _DATE.match(value)
        if found:
            day, month, year = found.groups()
            iso = f"{year}-{month}-{day}"
            try:
                pd.Timestamp(iso)
                return iso
            except ValueError:
                pass
        self.problem(line, "Schulbetriebsdatum", "kein Datum TT.MM.JJJJ", value)
        return None

    def coordinates(self, record: list[str], line: int) -> tuple[float, float]:
        epsg = self.cell(record, "EPSG")
        east, north = self.cell(record, "UTMRechtswert"), self.cell(record, "UTMHochwert")
        if epsg not in NULLS and epsg.replace(" ", "").upper() != EPSG_UTM32:
            self.problem(line, "EPSG", f"Koordinatensystem muss {EPSG_UTM32} sein", epsg)
            return np.nan, np.nan
        if east in NULLS and north in NULLS:
            return np.nan, np.nan
        values = []
        for column, text, (low, high) in (
            ("UTMRechtswert", east, UTM_EAST),
            ("UTMHochwert", north, UTM_NORTH),
        ):
            number = float(text.replace(",", ".")) if _COORD.match(text) else None
            if number is None or not low <= number <= high:
                self.problem(line, column, f"UTM32-Koordinate in NRW erwartet ({low}–{high})", text)
                return np.nan, np.nan
            values.append(number)
        if epsg in NULLS:
            self.epsg_null += 1
        return values[0], values[1]


def _locate_columns(file: str, line: int, names: list[str]) -> tuple[dict[str, int], str]:
    """Column name → index, and the layout's parser name; raise for a missing or doubled column."""
    problems = []
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in columns:
            problems.append(Problem(SOURCE, file, "Spalte doppelt", line, name))
        columns.setdefault(name, index)
    for name in COLUMNS_2021:
        if name not in columns:
            problems.append(Problem(SOURCE, file, "Pflichtspalte fehlt im Kopf", line, name))
    if problems:
        raise IngestError(problems)
    layout = "msb-schuldaten-bezreg" if BEZIRKSREGIERUNG in columns else "msb-schuldaten-2021"
    return columns, layout


def parse(path: str | Path, *, book: object = None) -> ParsedFile:
    """Read one ``schuldaten.csv`` into the tidy table; raise :class:`IngestError` on bad input."""
    path = Path(path)
    file = path.name
    text = textfile.scan(path, SOURCE)
    if text.encoding != textfile.UTF8:
        raise IngestError.single(
            SOURCE, path, "das Schulverzeichnis ist UTF-8: Datei neu herunterladen", row=text.line
        )
    records = _records(path, text.encoding)
    try:
        header_line, names = -1, []
        for line, record in records:
            if not _is_sep_line(record):
                header_line, names = line, _header_names(record)
                break
        if header_line < 0:
            raise IngestError.single(SOURCE, path, "keine Kopfzeile")
        columns, layout = _locate_columns(file, header_line, names)
        reader = _Reader(file, columns, [])
        rows, stopped = _read_rows(reader, records, len(names))
    finally:
        records.close()
    if not rows and not reader.problems:
        reader.problems.append(Problem(SOURCE, file, "keine Schulen unter der Kopfzeile"))
    if reader.problems:
        raise IngestError(
            capped(reader.problems, MAX_PROBLEMS, source=SOURCE, file=file, stopped_at=stopped)
        )
    frame, stand = _tidy(file, rows)
    notes = [
        f"Stand (frühestens) {stand[8:10]}.{stand[5:7]}.{stand[:4]}: letztes Schulbetriebsdatum "
        "einer Schule in Betrieb (das Verzeichnis nennt keinen Stand)"
    ]
    if reader.epsg_null:
        notes.append(
            f"{reader.epsg_null} Schule(n) mit EPSG 'null' und Koordinaten im NRW-Bereich: "
            f"als {EPSG_UTM32} gelesen"
        )
    return ParsedFile(SOURCE, TABLE, TABLE_CODE, layout, frame, notes)


def _read_rows(
    reader: _Reader, records: Iterator[tuple[int, list[str]]], width: int
) -> tuple[list[dict], int | None]:
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # an empty line (at the end)
        if len(record) == width + 1 and not record[-1].strip():
            record = record[:-1]  # a data row ending with ';' like the header
        if len(record) != width:
            column = names_at(reader.columns, min(len(record), width) - 1)
            reader.problem(
                line, column, f"{len(record)} Felder statt {width}: verrutschte Zeile?", None
            )
        else:
            rows.append(_row(reader, record, line, seen))
        if len(reader.problems) >= MAX_PROBLEMS:
            return rows, line
    return rows, None


def names_at(columns: dict[str, int], index: int) -> str:
    """The header name of column ``index`` (for a message)."""
    for name, position in columns.items():
        if position == index:
            return name
    return "?"


def _row(reader: _Reader, record: list[str], line: int, seen: dict[str, int]) -> dict:
    number = reader.match(record, line, "Schulnummer", _SCHULNUMMER, "Schulnummer: 6 Ziffern")
    if number is not None:
        if number in seen:
            reader.problem(
                line, "Schulnummer", f"Schulnummer doppelt (auch Zeile {seen[number]})", number
            )
        seen.setdefault(number, line)
    rechtsform = reader.cell(record, "Rechtsform")
    if rechtsform not in RECHTSFORM:
        reader.problem(line, "Rechtsform", "1 (öffentlich) oder 2 (privat) erwartet", rechtsform)
    name = join_name(*(reader.cell(record, c) for c in NAME_FIELDS))
    if not name:
        reader.problem(line, "Schulbezeichnung_1", "Schulbezeichnung fehlt")
    east, north = reader.coordinates(record, line)
    return {
        "schulnummer": number,
        "name": name,
        "kurzbezeichnung": reader.cell(record, "Kurzbezeichnung") or None,
        "schulform": reader.match(
            record, line, "Schulform", _SCHULFORM, "Schulform: zweistelliger Schlüssel"
        ),
        "bezirksregierung": reader.cell(record, BEZIRKSREGIERUNG) or None,
        "plz": reader.match(record, line, "PLZ", _PLZ, "PLZ: 5 Ziffern", required=False),
        "ort": reader.cell(record, "Ort") or None,
        "strasse": reader.cell(record, "Strasse") or None,
        "telefon": reader.telefon(record),
        "email": reader.cell(record, "E-Mail") or None,
        "homepage": reader.cell(record, "Homepage") or None,
        "rechtsform": RECHTSFORM.get(rechtsform),
        "traegernummer": reader.match(
            record, line, "Traegernummer", _DIGITS, "Trägernummer: Ziffern", required=False
        ),
        "gemeindeschluessel": reader.match(
            record, line, "Gemeindeschluessel", _GEMEINDE, "Gemeindeschlüssel: 8 Ziffern, 05…"
        ),
        "schulbetriebsschluessel": reader.match(
            record, line, "Schulbetriebsschluessel", _DIGITS, "Schulbetriebsschlüssel: Ziffern"
        ),
        "schulbetriebsdatum": reader.date(record, line),
        "utm_ost": east,
        "utm_nord": north,
    }


def _tidy(file: str, rows: list[dict]) -> tuple[pd.DataFrame, str]:
    frame = pd.DataFrame(rows, columns=[c for c in DIMENSIONS if c not in ("lat", "lon")])
    operating = frame.loc[frame["schulbetriebsschluessel"] == IN_BETRIEB, "schulbetriebsdatum"]
    stand = operating.dropna().max() if operating.notna().any() else None
    if stand is None:  # no school in operation: the latest date of any
        stand = frame["schulbetriebsdatum"].dropna().max()
    if not isinstance(stand, str):
        raise IngestError.single(SOURCE, file, "kein Schulbetriebsdatum: Stand nicht bestimmbar")
    for column in ("utm_ost", "utm_nord"):
        frame[column] = frame[column].astype("float64")
    for column in DIMENSIONS[:-4]:  # text even when empty: an all-null column would be typed NULL
        frame[column] = frame[column].astype("str")
    frame["lat"], frame["lon"] = utm32_to_wgs84(frame["utm_ost"], frame["utm_nord"])
    n = len(frame)
    frame.insert(0, "source", SOURCE)
    frame.insert(1, "table_code", TABLE_CODE)
    frame.insert(2, "region_key", frame["gemeindeschluessel"])
    frame.insert(3, "region_name", pd.Series([None] * n, dtype=object).astype("str"))
    frame.insert(4, "period", stand)
    frame["value"] = np.full(n, np.nan)
    frame["symbol"] = pd.Series([None] * n, dtype=object)
    return order_columns(frame[[*LEADING_COLUMNS, *DIMENSIONS, *TRAILING_COLUMNS]]), stand
