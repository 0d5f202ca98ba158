"""A real GENESIS download re-saved by a spreadsheet parses to the same values.

Excel and LibreOffice change a file when they save it: UTF-8 with BOM, CRLF line ends,
quotes around cells (or around every cell), ``,`` instead of ``;``, and region keys without
their leading zero (``05114`` → ``5114``). Each variant of a real file must give the same
tidy table as the file as published; the restored keys are noted.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingest.identify import parse_file

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
FILES = [
    "regionalstatistik-csv-classic-schulen/21111-02-06-4.csv",
    "ldbnrw-csv-classic/2023_12411-02-03-4.csv",  # names with commas: "Krefeld, krfr. Stadt"
]

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata not present")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _written(rows: list[list[str]], **options) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", **options).writerows(rows)
    return buffer.getvalue()


def _variants(text: str) -> dict[str, bytes]:
    rows = _rows(text)
    return {
        "utf8_bom_crlf": ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"),
        "quoted_where_needed": _written(rows, delimiter=";").encode("cp1252"),
        "every_cell_quoted": _written(rows, delimiter=";", quoting=csv.QUOTE_ALL).encode("cp1252"),
        "comma_separated": ("\ufeff" + _written(rows, delimiter=",")).encode("utf-8"),
        "leading_zeros_lost": re.sub(r"^([^;\n]*);0(\d+);", r"\1;\2;", text, flags=re.M).encode(
            "cp1252"
        ),
    }


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns[:-2])).reset_index(drop=True)


@pytest.mark.parametrize("name", FILES)
def test_resaved_real_file_gives_the_same_values(name, tmp_path):
    source = REALDATA / name
    published = _comparable(parse_file(source).frame)
    text = source.read_bytes().decode("cp1252")
    for variant, data in _variants(text).items():
        target = tmp_path / variant / source.name
        target.parent.mkdir()
        target.write_bytes(data)
        parsed = parse_file(target)
        pd.testing.assert_frame_equal(_comparable(parsed.frame), published, obj=variant)
        if variant == "leading_zeros_lost":
            assert any("ohne führende Null" in note for note in parsed.notes)
