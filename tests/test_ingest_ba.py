"""The BA parser: the real BIBB/BA workbook, hand-built BA layouts, and bad input."""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import ba
from pipelines.ingest.errors import IngestError
from pipelines.ingest.tidy import LEADING_COLUMNS, TRAILING_COLUMNS, ParsedFile

BIBB = Path("bibb-ba-ausbildungsmarkt-krefeld") / "Krefeld.xlsx"


# --------------------------------------------------------------------------------------------
# The real training-market workbook (BIBB layout)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def bibb(realdata: Path) -> ParsedFile:
    return ba.parse(realdata / BIBB)


def _value(frame, **where) -> tuple[float, str | None]:
    hit = frame
    for column, wanted in where.items():
        hit = hit[hit[column] == wanted]
    assert len(hit) == 1, where
    row = hit.iloc[0]
    return row["value"], row["symbol"]


def test_real_bibb_workbook_is_recognised(realdata: Path) -> None:
    assert ba.sniff(realdata / BIBB) == "ausbildungsmarkt"


def test_real_bibb_workbook_contract(bibb: ParsedFile) -> None:
    assert (bibb.source, bibb.table, bibb.parser) == ("ba", "ausbildungsmarkt", ba.PARSER_BIBB)
    assert list(bibb.frame.columns) == [
        *LEADING_COLUMNS,
        "merkmal",
        "einheit",
        "beruf",
        "beruf_name",
        *TRAILING_COLUMNS,
    ]
    assert set(bibb.frame["region_key"]) == {ba.AGENTURBEZIRK_KREFELD_KEY}
    assert set(bibb.frame["region_name"]) == {"Agenturbezirk Krefeld"}
    assert set(bibb.frame["period"]) == {"2022", "2023"}
    # 37 Berufshauptgruppen + "nil" + the total row, each with 7 measures × (2 years + VR)
    assert bibb.frame["beruf"].nunique() == 39
    assert len(bibb.frame) == 39 * 7 * 3
    # counts and VR change rates are told apart by einheit (and the merkmal suffix)
    rates = bibb.frame[bibb.frame["einheit"] == "veraenderung_prozent"]
    assert len(rates) == 39 * 7 and set(rates["period"]) == {"2023"}
    assert rates["merkmal"].str.endswith("_vr_prozent").all()
    counts = bibb.frame[bibb.frame["einheit"] == "anzahl"]
    assert not counts["merkmal"].str.endswith("_vr_prozent").any()
    assert (counts["value"].dropna() >= 0).all() and (rates["value"].dropna() < 0).any()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # values read by hand from Krefeld.xlsx (row "alle Berufe" = row 44)
        ({"beruf": "insgesamt", "merkmal": "neue_vertraege", "period": "2022"}, 3033),
        ({"beruf": "insgesamt", "merkmal": "neue_vertraege", "period": "2023"}, 2961),
        ({"beruf": "insgesamt", "merkmal": "unversorgte_bewerber", "period": "2023"}, 279),
        ({"beruf": "insgesamt", "merkmal": "bewerber_mit_alternative", "period": "2022"}, 210),
        ({"beruf": "insgesamt", "merkmal": "unbesetzte_stellen", "period": "2023"}, 327),
        ({"beruf": "insgesamt", "merkmal": "angebot", "period": "2023"}, 3285),
        ({"beruf": "insgesamt", "merkmal": "nachfrage", "period": "2022"}, 3345),
        ({"beruf": "insgesamt", "merkmal": "nachfrage_erweitert", "period": "2022"}, 3558),
        ({"beruf": "25", "merkmal": "neue_vertraege", "period": "2023"}, 306),
        ({"beruf": "62", "merkmal": "unbesetzte_stellen", "period": "2022"}, 93),
        ({"beruf": "42", "merkmal": "neue_vertraege_vr_prozent", "period": "2023"}, 700),
        ({"beruf": "nicht_zugeordnet", "merkmal": "neue_vertraege", "period": "2022"}, 30),
    ],
)
def test_real_bibb_values(bibb: ParsedFile, where: dict, expected: float) -> None:
    value, symbol = _value(bibb.frame, **where)
    assert value == expected
    assert symbol is None


def test_real_bibb_symbols_kept(bibb: ParsedFile) -> None:
    # K10: UVB mit Alternative 2023 for Berufshauptgruppe 23 is "*"
    value, symbol = _value(
        bibb.frame, beruf="23", merkmal="bewerber_mit_alternative", period="2023"
    )
    assert math.isnan(value) and symbol == "*"
    # F5: VR for Berufshauptgruppe 01 is "." (0 → 0, not computable)
    value, symbol = _value(bibb.frame, beruf="01", merkmal="neue_vertraege_vr_prozent")
    assert math.isnan(value) and symbol == "."
    assert set(bibb.frame["symbol"].dropna()) == {"*", "."}


def test_real_bibb_names_and_notes(bibb: ParsedFile) -> None:
    names = dict(zip(bibb.frame["beruf"], bibb.frame["beruf_name"], strict=True))
    assert names["25"] == "Maschinen- und Fahrzeugtechnikberufe"
    assert names["insgesamt"] == "alle Berufe"
    assert ba.ROUNDING_NOTE in bibb.notes  # from the workbook's footnote, not assumed
    assert any(n.startswith("Fußnote: Legende: NAA:") for n in bibb.notes)
    assert not any(n.startswith("Erstellungsdatum") for n in bibb.notes)  # BIBB's has none


# --------------------------------------------------------------------------------------------
# Hand-built workbooks in the BA layout
# --------------------------------------------------------------------------------------------

ALO_TOP = ["Region", "Berichtsmonat", "Arbeitslose", None, None, None]
ALO_TOP += ["Arbeitslosenquote bezogen auf alle zivilen Erwerbspersonen", None, None, None]
ALO_SUB = [None, None, "Insgesamt", "Rechtskreis SGB III", "Rechtskreis SGB II", "unter 25 Jahre"]
ALO_SUB += ["Insgesamt", "Rechtskreis SGB III", "Rechtskreis SGB II", "unter 25 Jahre"]
ALO_DATA = [
    ["05114 Krefeld", "August 2024", 12000, 3600, 8400, 1100, 11.5, 3.4, 8.1, 10.4],
    [None, "September 2024", 11800, 3500, 8300, "*", 11.3, 3.3, 8.0, "x"],
    ["05 Nordrhein-Westfalen", "09/2024", 700000, 250000, 450000, 60000, 7.0, 2.5, 4.5, "-"],
]


def _save(rows: list[list], merges: list[str], *, sheet: str = "Tabelle 1") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    for merge in merges:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _alo_rows(
    *, preamble: int = 12, top=ALO_TOP, sub=ALO_SUB, data=ALO_DATA
) -> tuple[list[list], list[str]]:
    rows: list[list] = [
        ["Statistik der Bundesagentur für Arbeit"],
        ["Arbeitslose und Arbeitslosenquoten nach Rechtskreisen"],
    ]
    rows += [[] for _ in range(preamble - 2)]
    h = len(rows) + 1
    rows += [list(top), list(sub), *[list(d) for d in data]]
    rows += [[], ["© Statistik der Bundesagentur für Arbeit"], ["Erstellungsdatum: 30.09.2024"]]
    merges = [f"A{h}:A{h + 1}", f"B{h}:B{h + 1}", f"C{h}:F{h}", f"G{h}:J{h}"]
    return rows, merges


def _alo_file(tmp_path: Path, name: str = "alo.xlsx", **kwargs) -> Path:
    path = tmp_path / name
    path.write_bytes(_save(*_alo_rows(**kwargs)))
    return path


def test_ba_layout_parses_with_fill_down_and_symbols(tmp_path: Path) -> None:
    parsed = ba.parse(_alo_file(tmp_path))
    frame = parsed.frame
    assert (parsed.table, parsed.parser) == ("arbeitslose", "ba-xlsx")
    assert list(frame.columns) == [
        *LEADING_COLUMNS,
        "merkmal",
        "personengruppe",
        "rechtskreis",
        *TRAILING_COLUMNS,
    ]
    krefeld_sep = frame[(frame.region_key == "05114") & (frame.period == "2024-09")]
    assert len(krefeld_sep) == 8  # region cell filled down from the August row
    value, symbol = _value(
        frame,
        region_key="05114",
        period="2024-09",
        merkmal="arbeitslose",
        personengruppe="unter_25",
    )
    assert math.isnan(value) and symbol == "*"
    value, symbol = _value(
        frame, region_key="05", merkmal="arbeitslosenquote", personengruppe="unter_25"
    )
    assert (value, symbol) == (0.0, "-")
    value, _ = _value(
        frame, region_key="05114", period="2024-08", merkmal="arbeitslose", rechtskreis="sgb2"
    )
    assert value == 8400
    assert set(frame.region_name) == {"Krefeld", "Nordrhein-Westfalen"}


@pytest.mark.parametrize("preamble", [2, 11, 14, 25, 38])
def test_header_found_wherever_it_starts(tmp_path: Path, preamble: int) -> None:
    parsed = ba.parse(_alo_file(tmp_path, preamble=preamble))
    assert len(parsed.frame) == 24


def test_reworded_labels_with_footnote_marks(tmp_path: Path) -> None:
    top = ["Regionale Gliederung", "Monat", "Bestand an Arbeitslosen", None, None, None]
    top += ["Arbeitslosenquote (alle zivilen Erwerbspersonen) 2)", None, None, None]
    sub = [None, None, "Insgesamt", "SGB III", "SGB II", "15 bis unter 25 Jahre¹"]
    sub += ["insgesamt", "SGB III", "SGB II", "unter 25 Jahren 1)"]
    parsed = ba.parse(_alo_file(tmp_path, top=top, sub=sub))
    assert len(parsed.frame) == 24


def test_header_too_deep_is_not_found(tmp_path: Path) -> None:
    path = _alo_file(tmp_path, preamble=45)
    with pytest.raises(IngestError, match="first 40 rows"):
        ba.parse(path)


def test_unknown_header_names_sheet_and_expected_labels(tmp_path: Path) -> None:
    sub = [None, None, "Total", "SGB III", "SGB II", "under 25"] * 1 + ["Total"] * 4
    path = _alo_file(tmp_path, sub=sub)
    with pytest.raises(IngestError) as info:
        ba.parse(path)
    message = str(info.value)
    assert "sheet 'Tabelle 1'" in message
    assert "Arbeitslose › Insgesamt" in message and "missing" in message
    assert "Arbeitslose › Rechtskreis SGB III" not in message.split("missing")[1]
    assert ba.sniff(path) == "arbeitslose"  # claimed by title and footer, so the error is precise


def test_lost_leading_zeros_are_repaired(tmp_path: Path) -> None:
    data = [list(row) for row in ALO_DATA]
    data[0][0], data[2][0] = "5114 Krefeld", "5 Nordrhein-Westfalen"
    frame = ba.parse(_alo_file(tmp_path, data=data)).frame
    assert set(frame.region_key) == {"05114", "05"}


@pytest.mark.parametrize(
    ("row", "col", "bad", "rule"),
    [
        (0, 0, "Krefeld", "key and the name"),
        (0, 1, "Sommer 2024", "reporting month"),
        (1, 4, "12 Tsd.", "neither a number nor a known symbol"),
        (1, 4, True, "not a number"),
    ],
)
def test_bad_cells_are_named(tmp_path: Path, row: int, col: int, bad: object, rule: str) -> None:
    data = [list(r) for r in ALO_DATA]
    data[row][col] = bad
    path = _alo_file(tmp_path, data=data)
    with pytest.raises(IngestError) as info:
        ba.parse(path)
    problem = info.value.problems[0]
    assert problem.source == "ba" and problem.file == "alo.xlsx"
    assert problem.row == 15 + row
    assert problem.column.startswith("ABCDEFGHIJ"[col])
    assert rule in problem.rule and "sheet 'Tabelle 1'" in problem.rule
    assert problem.value == bad


def test_duplicate_rows_are_refused(tmp_path: Path) -> None:
    data = [*ALO_DATA, [None, "September 2024", 1, 1, 1, 1, 1, 1, 1, 1]]
    with pytest.raises(IngestError, match="appear twice"):
        ba.parse(_alo_file(tmp_path, data=data))


def _sgb2_file(tmp_path: Path, month: str) -> Path:
    rows = [
        ["Statistik der Bundesagentur für Arbeit"],
        ["Grundsicherung für Arbeitsuchende (SGB II)"],
        [f"Berichtsmonat: {month}"],
        [],
        ["Region", "SGB II-Quote", None, "Bevölkerung"],
        [None, "unter 15 Jahre", "unter 18 Jahre", "unter 15 Jahre"],
        ["05114 Krefeld", 25.1, 23.0, 30000],
        ["05114000-4 Mitte", 41.0, "x", 5500],
        ["5114000-3 Hüls", 9.2, 8.1, 1900],
    ]
    path = tmp_path / "sgb2.xlsx"
    path.write_bytes(_save(rows, ["A5:A6", "B5:C5"]))
    return path


def test_sgb2_december_and_stadtbezirk_keys(tmp_path: Path) -> None:
    parsed = ba.parse(_sgb2_file(tmp_path, "Dezember 2024"))
    frame = parsed.frame
    assert parsed.table == "sgb2"
    assert set(frame.period) == {"2024"}
    assert set(frame.region_key) == {"05114", "05114000-4", "05114000-3"}
    assert set(frame.merkmal) == {
        "sgb2_quote_unter_15",
        "sgb2_quote_unter_18",
        "bevoelkerung_unter_15",
    }
    value, symbol = _value(frame, region_key="05114000-4", merkmal="sgb2_quote_unter_18")
    assert math.isnan(value) and symbol == "x"


def test_sgb2_other_month_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="December"):
        ba.parse(_sgb2_file(tmp_path, "Juni 2024"))


def test_ausbildungsmarkt_period_is_year_of_30_september(tmp_path: Path) -> None:
    rows = [
        ["Statistik der Bundesagentur für Arbeit"],
        ["Bewerber und Berufsausbildungsstellen"],
        ["Berichtsjahr 2022/23 (Oktober 2022 bis September 2023)"],
        [],
        ["Region", "Beruf", "Bewerber", None, "Berufsausbildungsstellen", None],
        [None, None, "Insgesamt", "unversorgt", "Insgesamt", "unbesetzt"],
        ["AA393 Agenturbezirk Krefeld", "Insgesamt", 3000, 250, 2800, 300],
        [None, "01 Angehörige der regulären Streitkräfte", "-", "-", "-", "-"],
        [None, "25 Maschinen- und Fahrzeugtechnikberufe", 300, "*", 310, 12],
        [],
        ["Kleine Werte sind anonymisiert."],
        ["© Statistik der Bundesagentur für Arbeit"],
        ["Erstellungsdatum: 5.12.2023"],
    ]
    path = tmp_path / "am.xlsx"
    path.write_bytes(_save(rows, ["A5:A6", "B5:B6", "C5:D5", "E5:F5"]))
    parsed = ba.parse(path)
    frame = parsed.frame
    assert set(frame.period) == {"2023"}
    assert set(frame.beruf) == {"insgesamt", "01", "25"}
    assert set(frame.einheit) == {"anzahl"}  # the BA layout has counts only
    assert _value(frame, beruf="01", merkmal="stellen") == (0.0, "-")
    assert _value(frame, beruf="insgesamt", merkmal="unbesetzte_stellen") == (300, None)
    # footnotes and the publisher's date (it orders two editions of one year) become notes
    assert "Fußnote: Kleine Werte sind anonymisiert." in parsed.notes
    assert "Erstellungsdatum: 05.12.2023" in parsed.notes
    assert ba.ROUNDING_NOTE not in parsed.notes


def test_cover_sheet_is_skipped_but_tables_may_not_mix(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(_alo_file(tmp_path))
    cover = wb.create_sheet("Deckblatt", 0)
    cover["A1"] = "Statistik der Bundesagentur für Arbeit – Arbeitsmarkt in Zahlen"
    path = tmp_path / "with_cover.xlsx"
    wb.save(path)
    parsed = ba.parse(path)
    assert any("'Deckblatt' skipped" in note for note in parsed.notes)

    sgb2 = openpyxl.load_workbook(_sgb2_file(tmp_path, "Dezember 2024")).active
    extra = wb.create_sheet("SGB II")
    for row in sgb2.iter_rows(values_only=True):
        extra.append(list(row))
    wb.save(path)
    with pytest.raises(IngestError, match="mixes tables"):
        ba.parse(path)


def test_not_a_workbook(tmp_path: Path) -> None:
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(IngestError, match=r"\.xls"):
        ba.parse(xls)
    text = tmp_path / "table.csv"
    text.write_text("a;b\n1;2\n")
    assert ba.sniff(text) is None
    assert ba.sniff(xls) is None
    with pytest.raises(IngestError, match="not a readable XLSX"):
        ba.parse(text)


def test_workbook_without_ba_table(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    path.write_bytes(_save([["Schulnummer", "Name"], ["123456", "Schule am Park"]], []))
    assert ba.sniff(path) is None
    with pytest.raises(IngestError, match="no sheet holds a BA table"):
        ba.parse(path)


# --------------------------------------------------------------------------------------------
# Property: damaged workbooks and garbage never raise anything but IngestError
# --------------------------------------------------------------------------------------------

_BASE_ROWS, _BASE_MERGES = _alo_rows()
_CELL_VALUES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=15),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(
        ["*", "-", ".", "x", "...", "5114 Krefeld", "Insgesamt", "Arbeitslose", "©", "Region"]
    ),
)


def _outcome(path: Path) -> None:
    try:
        result = ba.parse(path)
    except IngestError as exc:
        assert str(exc).startswith("ba: ")
        return
    assert isinstance(result, ParsedFile) and len(result.frame) > 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.integers(1, len(_BASE_ROWS)), st.integers(1, 11), _CELL_VALUES),
        min_size=1,
        max_size=8,
    )
)
def test_damaged_workbooks_parse_or_raise_ingest_error(tmp_path: Path, edits: list) -> None:
    rows = [list(r) + [None] * (11 - len(r)) for r in _BASE_ROWS]
    for r, c, value in edits:
        rows[r - 1][c - 1] = value
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(_save(rows, _BASE_MERGES))
    _outcome(path)
    ba.sniff(path)  # must not raise either


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), cut=st.integers(0, 4000))
def test_garbage_and_truncated_files_raise_ingest_error(
    tmp_path: Path, data: bytes, cut: int
) -> None:
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(data)
    _outcome(garbage)
    assert ba.sniff(garbage) is None
    truncated = tmp_path / "truncated.xlsx"
    full = _save(_BASE_ROWS, _BASE_MERGES)
    truncated.write_bytes(full[: min(cut, len(full) - 1)])
    _outcome(truncated)
