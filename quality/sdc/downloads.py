"""Read the report's CSV downloads back into the published table's columns and codes.

The downloads speak German to their readers: headers such as ``Regionalschlüssel`` or
``Zähler`` and labels such as ``männlich`` or ``unter 3 Jahre`` instead of ``maennlich`` and
``unter_3`` (both from the dbt seed ``bezeichnungen``, the one label table). Every program that
reads them — the disclosure audit, the change log of ``publish``, the tests — needs the
codes, because the disclosure policy and the warehouse speak in codes. This module maps
headers and labels back through the same seed, so they all read the files alike.

Files of earlier editions written with the table's own column names and codes read the same:
a header or cell that is no label of the seed is kept as it is.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABELS_SEED = REPO / "dbt_project" / "seeds" / "bezeichnungen.csv"
HEADERS = "spalte"
"""The merkmal of the seed's rows that name the download columns."""
CODED_COLUMNS = (
    "geschlecht",
    "staatsangehoerigkeit",
    "schulform",
    "kategorie",
    "suppression_reason",
)
"""Columns whose cells a download shows as labels."""


@functools.cache
def label_table(path: Path = LABELS_SEED) -> Mapping[str, Mapping[str, str]]:
    """merkmal → code → label, from the seed ``bezeichnungen``."""
    table: dict[str, dict[str, str]] = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table.setdefault(row["merkmal"], {})[row["code"]] = row["bezeichnung"]
    return table


@functools.cache
def _reverse(path: Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    table = label_table(path)
    headers = {label: code for code, label in table.get(HEADERS, {}).items()}
    cells = {
        column: {label: code for code, label in table.get(column, {}).items()}
        for column in CODED_COLUMNS
    }
    return headers, cells


def column_name(header: str, path: Path = LABELS_SEED) -> str:
    """The published column a download header stands for (an unknown header as it is)."""
    return _reverse(path)[0].get(header, header)


def to_codes(rows: Iterable[Mapping[str, str]], path: Path = LABELS_SEED) -> list[dict[str, str]]:
    """Rows of a download with the published column names as keys and codes in the coded
    columns (``Geschlecht: männlich`` → ``geschlecht: maennlich``)."""
    headers, cells = _reverse(path)
    out = []
    for row in rows:
        named = {headers.get(k, k): v for k, v in row.items()}
        for column, codes in cells.items():
            value = named.get(column)
            if value is not None and value in codes:
                named[column] = codes[value]
        out.append(named)
    return out


def read_download(path: Path, labels: Path = LABELS_SEED) -> list[dict[str, str]]:
    """Every row of one CSV download (UTF-8 with BOM, ``;``) as text, in codes."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return to_codes(csv.DictReader(handle, delimiter=";"), labels)
