"""The school-administration parser: every template from CSV and XLSX, messy files, bad input."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import math
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import schulen
from pipelines.ingest.errors import IngestError
from pipelines.ingest.periods import current_school_year
from pipelines.ingest.schulen_templates import (
    DOC_PATH,
    TEMPLATES,
    normalise_label,
    render_markdown,
    template,
)
from pipelines.ingest.tidy import LEADING_COLUMNS, TRAILING_COLUMNS, ParsedFile
from pipelines.sample.schulen import write_messy_variants

# --------------------------------------------------------------------------------------------
# Writing small template files by hand
# --------------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _excel_cell(value: object) -> object:
    """What a person typing into Excel gets: numbers as numbers, dates as dates."""
    if not isinstance(value, str):
        return value
    if re.fullmatch(r"[1-9]\d*", value):
        return int(value)
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", value):
        day, month, year = map(int, value.split("."))
        return dt.datetime(year, month, day)
    return value or None


def write_xlsx(path: Path, rows: list[list[object]], *, sheets_before: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    for index in range(sheets_before):
        workbook.active.title = f"Info{index}"
        workbook.active.append(["Hinweise zur Lieferung"])
        workbook.create_sheet("Daten")
        workbook.active = len(workbook.worksheets) - 1
    sheet = workbook.worksheets[-1]
    for row in rows:
        sheet.append([_excel_cell(v) for v in row])
    workbook.save(path)
    return path


# One valid delivery per template: header row + data rows (all cells as typed in a CSV).
VALID: dict[str, list[list[str]]] = {
    "schulen": [
        ["schulnummer", "name", "schulform", "stadtbezirk", "traeger", "strasse", "plz", "ort",
         "utm_ost", "utm_nord", "betrieb_ab", "betrieb_bis", "stand"],
        ["012345", "Testschule A (fiktiv)", "02", "4", "oeffentlich", "Testweg 1", "47798",
         "Krefeld", "331000", "5690000", "", "", "15.10.2024"],
        ["023456", "Testschule B (fiktiv)", "04", "2", "privat", "Testweg 2", "47803",
         "Krefeld", "", "", "2010/11", "2020/21", "15.10.2024"],
    ],
    "schueler": [
        ["schuljahr", "schulnummer", "jahrgang", "geschlecht", "staatsangehoerigkeit", "schueler",
         "nichtdeutsche_familiensprache", "zuzug_ausland", "foerderbedarf_lernen",
         "foerderbedarf_sprache", "foerderbedarf_emotionale_soziale_entwicklung",
         "foerderbedarf_sonstige"],
        ["2016/17", "012345", "1", "m", "deutsch", "20", "5", "1", "1", "1", "0", "0"],
        ["2016/17", "012345", "1", "w", "nichtdeutsch", "10", "8", "3", "0", "0", "1", "0"],
    ],
    "schulformwechsel": [
        ["schuljahr", "datensatz_id", "von_schulnummer", "nach_schulnummer", "von_schulform",
         "nach_schulform", "jahrgang"],
        ["2017/18", "a1b2c3d4", "012345", "023456", "20", "10", "7"],
        ["2017/18", "b2c3d4e5", "", "023456", "20", "10", "8"],
    ],
    "wiederholer": [
        ["schuljahr", "schulnummer", "jahrgang", "wiederholer_nicht_versetzt",
         "wiederholer_freiwillig", "schueler"],
        ["2016/17", "012345", "7", "2", "1", "80"],
    ],
    "fehlzeiten": [
        ["schuljahr", "schulnummer", "jahrgang", "stunden_entschuldigt",
         "stunden_unentschuldigt", "schueler", "schueler_ueber_schwellenwert"],
        ["2016/17", "012345", "8", "3000", "400", "75", "6"],
    ],
    "abgaenger": [
        ["schuljahr", "schulnummer", "abschlussart", "geschlecht", "abgaenger"],
        ["2016/17", "012345", "ohne_hsa", "m", "7"],
        ["2016/17", "012345", "msa", "w", "30"],
    ],
    "uebergaenge": [
        ["schuljahr", "schulnummer", "schulform_ziel", "schueler"],
        ["2017/18", "012345", "20", "25"],
        ["2017/18", "012345", "sonstige", "2"],
    ],
    "schulprofil": [
        ["schuljahr", "schulnummer", "ganztag", "ganztag_bis", "fremdsprachen", "profil",
         "gemeinsames_lernen", "zuege", "anmeldung_von", "anmeldung_bis",
         "tag_der_offenen_tuer", "barrierefrei", "abschluesse", "oberstufe",
         "zweite_fremdsprache_ab", "hinweise"],
        ["2026/27", "012345", "OGS", "16:00", "Englisch", "Musik", "ja", "3", "02.11.2025",
         "13.11.2025", "24.10.2025", "teilweise", "", "", "", "Geburtsurkunde mitbringen"],
        ["2026/27", "023456", "gebunden", "15:30", "Englisch, Französisch, Latein", "MINT",
         "nein", "5", "23.02.2026", "27.02.2026", "", "ja", "ESA, MSA, FHR, AHR", "eigene",
         "6", ""],
    ],
    "anmeldungen": [
        ["schuljahr", "schulnummer", "aufnahmekapazitaet", "anmeldungen", "aufnahmen"],
        ["2025/26", "012345", "75", "81", "75"],
        ["2025/26", "023456", "140", "118", "118"],
    ],
}  # fmt: skip

# The tidy table's dimension columns per template: the contract dbt staging relies on.
DIMENSIONS = {
    "schulen": ["schulnummer", "name", "schulform", "stadtbezirk", "traeger", "strasse", "plz",
                "ort", "utm_ost", "utm_nord", "betrieb_ab", "betrieb_bis"],
    "schueler": ["schulnummer", "jahrgang", "geschlecht", "staatsangehoerigkeit", "merkmal"],
    "schulformwechsel": ["datensatz_id", "von_schulnummer", "nach_schulnummer", "von_schulform",
                         "nach_schulform", "jahrgang"],
    "wiederholer": ["schulnummer", "jahrgang", "merkmal"],
    "fehlzeiten": ["schulnummer", "jahrgang", "merkmal"],
    "abgaenger": ["schulnummer", "abschlussart", "geschlecht"],
    "uebergaenge": ["schulnummer", "schulform_ziel"],
    "schulprofil": ["schulnummer", "ganztag", "ganztag_bis", "fremdsprachen", "profil",
                    "gemeinsames_lernen", "zuege", "anmeldung_von", "anmeldung_bis",
                    "tag_der_offenen_tuer", "barrierefrei", "abschluesse", "oberstufe",
                    "zweite_fremdsprache_ab", "hinweise"],
    "anmeldungen": ["schulnummer", "merkmal"],
}  # fmt: skip
TIDY_ROWS = {"schulen": 2, "schueler": 14, "schulformwechsel": 2, "wiederholer": 3,
             "fehlzeiten": 4, "abgaenger": 2, "uebergaenge": 2, "schulprofil": 2,
             "anmeldungen": 6}  # fmt: skip
VALUE_SUM = {"schulen": 0, "schueler": 30 + 13 + 4 + 1 + 1 + 1, "schulformwechsel": 2,
             "wiederholer": 83, "fehlzeiten": 3481, "abgaenger": 37, "uebergaenge": 27,
             "schulprofil": 0, "anmeldungen": 75 + 81 + 75 + 140 + 118 + 118}  # fmt: skip


def _write(tmp_path: Path, name: str, fmt: str, rows: list[list[object]]) -> Path:
    path = tmp_path / f"{name}.{fmt}"
    return write_csv(path, rows) if fmt == "csv" else write_xlsx(path, rows)


def _raises(path: Path) -> str:
    with pytest.raises(IngestError) as info:
        schulen.parse(path)
    return str(info.value)


# --------------------------------------------------------------------------------------------
# Every template, from CSV and from XLSX
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", list(VALID))
def test_every_template_parses(tmp_path: Path, name: str, fmt: str) -> None:
    path = _write(tmp_path, name, fmt, VALID[name])
    assert schulen.sniff(path) == name
    parsed = schulen.parse(path)
    assert (parsed.source, parsed.table, parsed.parser) == ("schulen", name, "schulen-template-v1")
    assert parsed.table_code == f"schulen-{name}-v1"
    assert list(parsed.frame.columns) == [*LEADING_COLUMNS, *DIMENSIONS[name], *TRAILING_COLUMNS]
    assert list(parsed.dimension_columns) == DIMENSIONS[name]
    assert len(parsed.frame) == TIDY_ROWS[name]
    assert parsed.frame["value"].fillna(0).sum() == VALUE_SUM[name]
    assert set(parsed.frame["source"]) == {"schulen"}
    assert parsed.frame["value"].dtype == "float64"


def test_school_tables_carry_the_city_key_and_school_number(tmp_path: Path) -> None:
    frame = schulen.parse(_write(tmp_path, "abgaenger", "xlsx", VALID["abgaenger"])).frame
    assert set(frame["region_key"]) == {"05114000"}
    assert set(frame["region_name"]) == {"Krefeld"}
    assert set(frame["period"]) == {"2016/17"}
    assert frame.loc[frame["abschlussart"] == "msa", "value"].item() == 30.0
    assert set(frame["schulnummer"]) == {"012345"}


def test_register_rows_carry_their_stadtbezirk(tmp_path: Path) -> None:
    frame = schulen.parse(_write(tmp_path, "schulen", "xlsx", VALID["schulen"])).frame
    assert frame["region_key"].tolist() == ["05114000-4", "05114000-2"]
    assert frame["region_name"].tolist() == ["Mitte", "Nord"]
    assert frame["period"].tolist() == ["2024-10-15", "2024-10-15"]
    assert frame["utm_ost"].iloc[0] == 331000.0 and math.isnan(frame["utm_ost"].iloc[1])
    assert frame["betrieb_bis"].iloc[1] == "2020/21"
    assert frame["value"].isna().all()


def test_multi_measure_rows_are_melted_into_merkmal(tmp_path: Path) -> None:
    frame = schulen.parse(_write(tmp_path, "fehlzeiten", "csv", VALID["fehlzeiten"])).frame
    values = dict(zip(frame["merkmal"], frame["value"], strict=True))
    assert values == {
        "stunden_entschuldigt": 3000.0,
        "stunden_unentschuldigt": 400.0,
        "schueler": 75.0,
        "schueler_ueber_schwellenwert": 6.0,
    }


def test_each_change_is_one_case(tmp_path: Path) -> None:
    frame = schulen.parse(_write(tmp_path, "wechsel", "csv", VALID["schulformwechsel"])).frame
    assert frame["value"].tolist() == [1.0, 1.0]
    assert frame["von_schulnummer"].iloc[0] == "012345"
    assert frame["von_schulnummer"].isna().iloc[1]  # from a school outside the city
    assert frame["jahrgang"].tolist() == ["7", "8"]


# --------------------------------------------------------------------------------------------
# Header recognition
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["Schüler", "SCHUELER", " schuler ", "Schü-ler", "schueler\u00a0"]
)
def test_labels_fold_case_blanks_and_umlauts(label: str) -> None:
    assert normalise_label(label) == normalise_label("schueler")


def test_header_with_display_names_and_title_lines(tmp_path: Path) -> None:
    rows = [
        ["Übergänge 2017/18 – Schule 012345"],
        [],
        [" Schuljahr ", "SCHUL-NR.", "Zielschulform", "Anzahl Übergänge", "Bemerkung"],
        ["2017/18", "012345", "Gymnasium", "25", "ok"],
    ]
    parsed = schulen.parse(write_csv(tmp_path / "u.csv", rows, "cp1252"))
    assert parsed.table == "uebergaenge"
    assert parsed.frame["schulform_ziel"].tolist() == ["20"]
    assert "header in row 3" in parsed.notes
    assert "read as Windows-1252 (cp1252)" in parsed.notes
    assert "unknown column 'Bemerkung' ignored" in parsed.notes
    assert (
        "column 'Zielschulform' read as 'schulform_ziel' (name from an earlier template version)"
        in parsed.notes
    )


def test_utf8_bom_and_excel_sep_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    text = "sep=;\r\n" + "\r\n".join(";".join(r) for r in VALID["abgaenger"]) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    parsed = schulen.parse(path)
    assert len(parsed.frame) == 2
    assert not any("Windows-1252" in n for n in parsed.notes)


def test_data_on_a_later_sheet_is_found_and_named(tmp_path: Path) -> None:
    rows = [r[:] for r in VALID["wiederholer"]]
    rows.append(["2016/17", "012345", "8", "2", "1", "-5"])
    path = write_xlsx(tmp_path / "w.xlsx", rows, sheets_before=1)
    message = _raises(path)
    assert "w.xlsx [sheet 'Daten'], row 3, column 'schueler': count must not be negative" in message


def test_missing_required_column_names_it_and_what_was_expected(tmp_path: Path) -> None:
    rows = [[*VALID["fehlzeiten"][0][:3], "Std. entsch.", *VALID["fehlzeiten"][0][4:]]]
    rows.append(VALID["fehlzeiten"][1])
    message = _raises(write_csv(tmp_path / "f.csv", rows))
    assert "row 1, column 'stunden_entschuldigt'" in message
    assert "required column 'stunden_entschuldigt' of template schulen-fehlzeiten-v1" in message
    assert "'Fehlstunden entschuldigt'" in message  # the names that would have been accepted
    assert "unrecognised columns in the header (renamed?): 'Std. entsch.'" in message


def test_two_columns_with_the_same_meaning(tmp_path: Path) -> None:
    rows = [[*VALID["uebergaenge"][0], "Schul-Nr."], [*VALID["uebergaenge"][1], "012345"]]
    message = _raises(write_csv(tmp_path / "u.csv", rows))
    assert "two columns mean 'schulnummer' (also 'Schul-Nr.')" in message


def test_a_later_version_with_a_renamed_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = template("uebergaenge")
    old_measure = v1.column("schueler")
    renamed = dataclasses.replace(
        old_measure, name="kinder", aliases=(old_measure.name, *old_measure.aliases)
    )
    v2 = dataclasses.replace(v1, version="v2", columns=(*v1.columns[:3], renamed))
    monkeypatch.setattr(schulen, "TEMPLATES", (*TEMPLATES, v2))
    old = schulen.parse(write_csv(tmp_path / "old.csv", VALID["uebergaenge"]))
    assert (old.table_code, old.parser) == ("schulen-uebergaenge-v1", "schulen-template-v1")
    header = [*VALID["uebergaenge"][0][:3], "Kinder"]
    new = schulen.parse(write_csv(tmp_path / "new.csv", [header, *VALID["uebergaenge"][1:]]))
    assert (new.table_code, new.parser) == ("schulen-uebergaenge-v2", "schulen-template-v2")
    assert new.frame["value"].tolist() == [25.0, 2.0]


def test_unrecognised_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["Kreis", "Wert"], ["Krefeld", "1"]])
    assert schulen.sniff(path) is None
    assert "no template header found in the first 20 rows" in _raises(path)


def test_comma_separated_file_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("\n".join(",".join(r) for r in VALID["abgaenger"]), encoding="utf-8")
    assert "template CSV files use ';' as the separator" in _raises(path)


def test_unsupported_and_damaged_files(tmp_path: Path) -> None:
    ods = tmp_path / "a.ods"
    ods.write_bytes(b"PK\x03\x04")
    assert schulen.sniff(ods) is None
    assert "unsupported file type '.ods'" in _raises(ods)
    broken = tmp_path / "a.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert schulen.sniff(broken) is None
    assert "cannot open as XLSX workbook" in _raises(broken)
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"schuljahr;\x81\x8d\x90")
    assert "neither UTF-8 nor Windows-1252" in _raises(binary)


# --------------------------------------------------------------------------------------------
# Cells: casting, codes, leading zeros, symbols, sum rows
# --------------------------------------------------------------------------------------------


def test_codes_accept_labels_excel_numbers_and_svws_keys(tmp_path: Path) -> None:
    rows = [
        VALID["abgaenger"][0],
        ["2016/2017", "12345", "K", "weiblich", "3"],
        ["2016-17", "012345", "Erster Schulabschluss", "männlich", "4"],
        ["2016/17", "012345", "Förderschulabschluss", "M", "-"],
        ["2016/17", "012345", "HSA 10", "w", "."],
    ]
    parsed = schulen.parse(write_xlsx(tmp_path / "a.xlsx", rows))
    frame = parsed.frame
    assert frame["abschlussart"].tolist() == ["ahr", "hsa", "foerderschule", "esa_erweitert"]
    assert frame["geschlecht"].tolist() == ["w", "m", "m", "w"]
    assert set(frame["period"]) == {"2016/17"}
    assert set(frame["schulnummer"]) == {"012345"}
    assert frame["value"].iloc[2] == 0.0 and frame["symbol"].iloc[2] == "-"
    assert math.isnan(frame["value"].iloc[3]) and frame["symbol"].iloc[3] == "."
    assert frame["symbol"].iloc[0] is None
    assert "restored lost leading zeros in 1 value(s) (e.g. row 2: '12345' → '012345')" in (
        parsed.notes
    )


def test_schulform_typed_as_number_in_excel(tmp_path: Path) -> None:
    rows = [r[:] for r in VALID["schulen"]]
    rows[1][2] = 2  # Excel turned "02" into the number 2
    rows[2][2] = "Hauptschule"
    frame = schulen.parse(write_xlsx(tmp_path / "s.xlsx", rows)).frame
    assert frame["schulform"].tolist() == ["02", "04"]


def test_blank_rows_and_sum_rows_are_skipped(tmp_path: Path) -> None:
    header, *data = VALID["abgaenger"]
    rows = [header, data[0], [], ["", "", "", "", ""], data[1], ["Summe", "", "", "", "37"]]
    rows.append(["", "", "", "", "37"])
    parsed = schulen.parse(write_csv(tmp_path / "a.csv", rows))
    assert len(parsed.frame) == 2
    assert "skipped 2 sum row(s): rows 6, 7" in parsed.notes


def test_gesamt_in_a_key_column_is_a_sum_row_but_gesamtschule_is_a_code(tmp_path: Path) -> None:
    header, *data = VALID["uebergaenge"]
    rows = [header, *data, ["2017/18", "012345", "Gesamtschule", "7"]]
    rows.append(["2017/18", "012345", "Gesamt", "34"])
    parsed = schulen.parse(write_csv(tmp_path / "u.csv", rows))
    assert parsed.frame["schulform_ziel"].tolist() == ["20", "sonstige", "15"]
    assert "skipped 1 sum row(s): rows 5" in parsed.notes


@pytest.mark.parametrize(
    ("column", "raw", "rule"),
    [
        ("jahrgang", "14", "jahrgang must be between 1 and 13"),
        ("jahrgang", "0", "jahrgang must be between 1 and 13"),
        ("jahrgang", "7,5", "jahrgang must be a whole number"),
        ("schueler", "-1", "count must not be negative"),
        ("schueler", "2,5", "count must be a whole number"),
        ("schueler", "viele", "not a number"),
        ("schueler", "", "required value missing"),
        ("schulnummer", "1234567", "Schulnummer must have 6 digits"),
        ("schulnummer", "1234", "Schulnummer must have 6 digits"),
        ("schulnummer", "01234X", "Schulnummer must have 6 digits"),
        ("schuljahr", "2016/18", "school year must span two consecutive years, like 2016/17"),
        ("schuljahr", "16/17", "school year must look like 2016/17"),
        ("geschlecht", "q", "unknown geschlecht code; allowed: m, w, d, x"),
    ],
)
def test_cell_rules_name_row_column_value_and_rule(
    tmp_path: Path, column: str, raw: str, rule: str
) -> None:
    rows = [r[:] for r in VALID["schueler"]]
    rows[2][rows[0].index(column)] = raw
    message = _raises(write_csv(tmp_path / "s.csv", rows))
    expected = f"schulen: s.csv, row 3, column '{column}': {rule}"
    assert message.startswith(expected), message
    if raw:
        assert f"(value: {raw!r})" in message


def test_unknown_schulform_lists_the_official_codes(tmp_path: Path) -> None:
    rows = [r[:] for r in VALID["schulformwechsel"]]
    rows[1][5] = "11"
    message = _raises(write_csv(tmp_path / "w.csv", rows))
    assert "row 2, column 'nach_schulform': unknown nach_schulform code; allowed: 02, 04" in message


@pytest.mark.parametrize(
    ("name", "edit", "expected"),
    [
        ("schueler", {"nichtdeutsche_familiensprache": "30"},
         "row 2, column 'schueler': rule nichtdeutsche_familiensprache ≤ schueler broken: 30 > 20"),
        ("schueler", {"foerderbedarf_lernen": "9", "foerderbedarf_sonstige": "12"},
         "rule (foerderbedarf_lernen + foerderbedarf_sprache + "
         "foerderbedarf_emotionale_soziale_entwicklung + foerderbedarf_sonstige) ≤ schueler "
         "broken: 22 > 20"),
        ("wiederholer", {"wiederholer_nicht_versetzt": "80"},
         "rule (wiederholer_nicht_versetzt + wiederholer_freiwillig) ≤ schueler broken: 81 > 80"),
        ("fehlzeiten", {"stunden_unentschuldigt": "100"},
         "column 'stunden_unentschuldigt': rule 21 × schueler_ueber_schwellenwert ≤ "
         "stunden_unentschuldigt broken: 126 > 100"),
        ("schulformwechsel", {"nach_schulform": "20"},
         "column 'nach_schulform': rule von_schulform ≠ nach_schulform broken: both are '20'"),
        ("schulformwechsel", {"nach_schulnummer": "012345"},
         "rule von_schulnummer ≠ nach_schulnummer broken: both are '012345'"),
    ],
)  # fmt: skip
def test_row_consistency_rules(
    tmp_path: Path, name: str, edit: dict[str, str], expected: str
) -> None:
    rows = [r[:] for r in VALID[name]]
    for column, raw in edit.items():
        rows[1][rows[0].index(column)] = raw
    message = _raises(write_csv(tmp_path / "r.csv", rows))
    assert expected in message


def test_duplicate_key_names_both_rows(tmp_path: Path) -> None:
    rows = [*VALID["abgaenger"], VALID["abgaenger"][2]]
    message = _raises(write_csv(tmp_path / "a.csv", rows))
    assert (
        "row 4, column 'schuljahr, schulnummer, abschlussart, geschlecht': duplicate key "
        "(schuljahr=2016/17, schulnummer=012345, abschlussart=msa, geschlecht=w): same as row 3"
    ) in message


def test_all_problems_of_a_file_are_reported_up_to_a_limit(tmp_path: Path) -> None:
    header, row = VALID["wiederholer"]
    rows = [header] + [[row[0], row[1], str(14 + i), *row[3:]] for i in range(80)]
    with pytest.raises(IngestError) as info:
        schulen.parse(write_csv(tmp_path / "w.csv", rows))
    assert len(info.value.problems) == schulen.MAX_PROBLEMS
    assert info.value.problems[1].row == 3


def test_row_numbers_count_title_lines_like_excel(tmp_path: Path) -> None:
    rows = [["Fehlzeiten 2016/17"], *VALID["fehlzeiten"]]
    rows[2][2] = "15"
    assert "f.csv, row 3, column 'jahrgang'" in _raises(write_csv(tmp_path / "f.csv", rows))


def test_csv_rows_with_too_many_fields(tmp_path: Path) -> None:
    rows = [VALID["uebergaenge"][0], [*VALID["uebergaenge"][1], "", "x"]]
    message = _raises(write_csv(tmp_path / "u.csv", rows))
    assert "row 2: row has more fields than the header's 4 (a stray ';'?) (value: 'x')" in message


def test_header_only_file(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", [VALID["uebergaenge"][0]])
    assert "row 1: no data rows below the header" in _raises(path)


# --------------------------------------------------------------------------------------------
# The messy deliveries written by the sample generator
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = write_messy_variants(tmp_path_factory.mktemp("messy"))
    return {p.name: p for p in paths}


def test_messy_lost_leading_zeros_are_repaired(messy: dict[str, Path]) -> None:
    parsed = schulen.parse(messy["schulen_lost_leading_zeros.xlsx"])
    assert parsed.frame["schulnummer"].str.fullmatch(r"0\d{5}").all()
    note = next(n for n in parsed.notes if n.startswith("restored lost leading zeros"))
    assert re.fullmatch(
        r"restored lost leading zeros in 20 value\(s\) \(e\.g\. row 2: '(\d{5})' → '0\1'\)", note
    )


def test_messy_older_alias_is_mapped_with_a_note(messy: dict[str, Path]) -> None:
    parsed = schulen.parse(messy["schulen_renamed_alias.csv"])
    assert parsed.table == "fehlzeiten"
    assert (
        "column 'entschuldigte Fehlstunden' read as 'stunden_entschuldigt' "
        "(name from an earlier template version)"
    ) in parsed.notes
    assert set(parsed.frame["merkmal"]) == set(template("fehlzeiten").measures)


def test_messy_unknown_renamed_column_is_named(messy: dict[str, Path]) -> None:
    message = _raises(messy["schulen_renamed_unknown.csv"])
    assert "row 1, column 'stunden_unentschuldigt': required column 'stunden_unentschuldigt'" in (
        message
    )
    assert "unrecognised columns in the header (renamed?): 'Fehlstd. unentsch. (neu)'" in message


def test_messy_duplicate_records(messy: dict[str, Path]) -> None:
    message = _raises(messy["schulen_duplicate_records.csv"])
    assert re.search(
        r"row 14, column 'schuljahr, schulnummer, jahrgang': duplicate key \(schuljahr=2016/17, "
        r"schulnummer=0\d{5}, jahrgang=\d+\): same as row 6",
        message,
    )


def test_messy_truncated_csv(messy: dict[str, Path]) -> None:
    message = _raises(messy["schulen_truncated.csv"])
    assert "schulen_truncated.csv, row 21: row has 5 of the header's 12 fields" in message
    assert "(file truncated or row broken)" in message


def test_messy_impossible_values(messy: dict[str, Path]) -> None:
    with pytest.raises(IngestError) as info:
        schulen.parse(messy["schulen_impossible_values.xlsx"])
    problems = [(p.row, p.column, p.rule, p.value) for p in info.value.problems]
    assert problems == [
        (4, "jahrgang", "jahrgang must be between 1 and 13", 14),
        (7, "schueler", "count must not be negative", -3),
    ]


def test_messy_unknown_code(messy: dict[str, Path]) -> None:
    message = _raises(messy["schulen_unknown_code.csv"])
    assert "row 5, column 'schulform': unknown schulform code; allowed: 02, 04, 06, 08" in message
    assert "(value: '99')" in message


def test_messy_title_blank_and_sum_rows(messy: dict[str, Path]) -> None:
    parsed = schulen.parse(messy["schulen_sum_rows.xlsx"])
    assert len(parsed.frame) == 14
    assert "header in row 3" in parsed.notes
    assert "skipped 2 sum row(s): rows 20, 21" in parsed.notes


# --------------------------------------------------------------------------------------------
# The specification: unambiguous, documented, in line with the official catalogues
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tpl", TEMPLATES, ids=lambda t: t.name)
def test_no_label_means_two_columns(tpl) -> None:
    seen: dict[str, str] = {}
    for col in tpl.columns:
        for label in (col.name, *col.aliases):
            key = normalise_label(label)
            assert seen.setdefault(key, col.name) == col.name, (label, seen[key])


@pytest.mark.parametrize("tpl", TEMPLATES, ids=lambda t: t.name)
def test_no_code_alias_is_ambiguous(tpl) -> None:
    for col in (c for c in tpl.columns if c.codes is not None):
        seen: dict[str, str] = {}
        spellings = [(label, code) for code, label in col.codes.items()]
        spellings += [*((c, c) for c in col.codes), *col.code_aliases.items()]
        for spelling, code in spellings:
            if code in col.codes:
                key = normalise_label(spelling)
                assert seen.setdefault(key, code) == code, (col.name, spelling)


def test_documentation_is_generated_from_the_spec() -> None:
    text = DOC_PATH.read_text(encoding="utf-8")
    assert text == render_markdown(), "run: python -m pipelines.ingest.schulen_templates"
    for tpl in TEMPLATES:
        assert f"## `{tpl.name}`" in text
        for col in tpl.columns:
            assert f"| `{col.name}` |" in text


def test_schulform_codes_match_the_svws_catalogue(realdata: Path) -> None:
    catalogue = json.loads((realdata / "svws-nrw-kataloge" / "Schulform.json").read_text())
    official = {h["schluessel"]: h["text"] for e in catalogue["daten"] for h in e["historie"]}
    kuerzel = {h["kuerzel"]: h["schluessel"] for e in catalogue["daten"] for h in e["historie"]}
    col = template("schulen").column("schulform")
    assert dict(col.codes) == official
    assert {a: c for a, c in col.code_aliases.items() if a in kuerzel} == kuerzel


def test_svws_leaving_certificate_keys_exist(realdata: Path) -> None:
    path = realdata / "svws-nrw-kataloge" / "SchulabschlussAllgemeinbildend.json"
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    keys = {h["schluessel"] for e in catalogue["daten"] for h in e["historie"]}
    aliases = template("abgaenger").column("abschlussart").code_aliases
    letters = {a for a in aliases if len(a) == 1}
    assert letters and letters <= keys


def test_ministry_school_list_is_recognised_but_lacks_the_stadtbezirk(realdata: Path) -> None:
    path = realdata / "msb-nrw-schuldaten" / "schuldaten.csv"
    assert schulen.sniff(path) == "schulen"
    message = _raises(path)
    assert "row 2, column 'stadtbezirk': required column 'stadtbezirk'" in message
    assert "unrecognised columns in the header (renamed?): 'Schulbezeichnung_1'" in message


def test_other_publishers_files_are_not_taken_for_templates(realdata: Path) -> None:
    others = [
        *realdata.glob("regionalstatistik-csv-classic-schulen/*.csv"),
        *realdata.glob("ldbnrw-csv-classic/*.csv"),
        *realdata.glob("genesis-ffcsv-api-pystatis/*.csv"),
        realdata / "bibb-ba-ausbildungsmarkt-krefeld" / "Krefeld.xlsx",
    ]
    assert len(others) > 10
    assert [p.name for p in others if schulen.sniff(p) is not None] == []


# --------------------------------------------------------------------------------------------
# Property: any input parses or raises IngestError — never a bare exception
# --------------------------------------------------------------------------------------------


def _parse_or_ingest_error(path: Path) -> None:
    try:
        result = schulen.parse(path)
    except IngestError as exc:
        assert exc.problems and all(p.source == "schulen" for p in exc.problems)
    else:
        assert isinstance(result, ParsedFile)
    assert schulen.sniff(path) in {*(t.name for t in TEMPLATES), None}


SLOW = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_VALID_BYTES = "\r\n".join(";".join(r) for r in VALID["schueler"]).encode("utf-8")
_cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["-", ".", "x", "2016/17", "012345", "12345", "Summe", "m", "20", "-3"]),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True).map(str),
)


@SLOW
@given(data=st.binary(max_size=600))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"random{suffix}"
        path.write_bytes(data)
        _parse_or_ingest_error(path)


@SLOW
@given(
    cut=st.integers(0, len(_VALID_BYTES)),
    flips=st.lists(st.tuples(st.integers(0, len(_VALID_BYTES) - 1), st.integers(0, 255)),
                   max_size=6),
)  # fmt: skip
def test_corrupted_template_file(tmp_path: Path, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_VALID_BYTES)
    for position, byte in flips:
        data[position] = byte
    path = tmp_path / "corrupt.csv"
    path.write_bytes(bytes(data[: max(cut, 1)]))
    _parse_or_ingest_error(path)


@SLOW
@given(
    name=st.sampled_from(list(VALID)),
    rows=st.lists(st.lists(_cells, min_size=0, max_size=14), max_size=5),
)
def test_random_cells_under_a_valid_header(
    tmp_path: Path, name: str, rows: list[list[str]]
) -> None:
    path = write_csv(tmp_path / "cells.csv", [VALID[name][0], *rows])
    _parse_or_ingest_error(path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.sampled_from(list(VALID)),
    rows=st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.integers(-(10**15), 10**15),
                st.floats(allow_nan=False, allow_infinity=False),
                st.booleans(),
                st.datetimes(min_value=dt.datetime(1900, 1, 1)),
                st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=10),
            ),
            max_size=14,
        ),
        max_size=4,
    ),
)
def test_random_cells_in_a_workbook(tmp_path: Path, name: str, rows: list[list[object]]) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(VALID[name][0])
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "cells.xlsx"
    workbook.save(path)
    _parse_or_ingest_error(path)


# --------------------------------------------------------------------------------------------
# The school guides' templates (issue 20): codes, dates and the consistency rules
# --------------------------------------------------------------------------------------------


def test_school_profile_codes_and_dates_are_normalised(tmp_path: Path) -> None:
    frame = schulen.parse(_write(tmp_path, "schulprofil", "xlsx", VALID["schulprofil"])).frame
    first, second = frame.sort_values("schulnummer").to_dict("records")
    assert (first["ganztag"], first["gemeinsames_lernen"], first["barrierefrei"]) == (
        "ogs",
        "ja",
        "teilweise",
    )
    assert (first["anmeldung_von"], first["anmeldung_bis"]) == ("2025-11-02", "2025-11-13")
    assert second["oberstufe"] == "eigene" and second["zweite_fremdsprache_ab"] == "6"
    assert second["barrierefrei"] == "barrierefrei"  # delivered as "ja"
    assert set(frame["period"]) == {"2026/27"}


def test_more_admissions_than_registrations_names_row_and_rule(tmp_path: Path) -> None:
    rows = [r[:] for r in VALID["anmeldungen"]]
    rows[2][4] = "119"  # 118 registrations, 119 admitted
    message = _raises(_write(tmp_path, "anmeldungen", "csv", rows))
    assert "row 3" in message and "aufnahmen ≤ anmeldungen" in message


def test_an_unknown_all_day_offer_names_the_allowed_codes(tmp_path: Path) -> None:
    rows = [r[:] for r in VALID["schulprofil"]]
    rows[1][2] = "ganztags irgendwie"
    message = _raises(_write(tmp_path, "schulprofil", "csv", rows))
    assert "row 2, column 'ganztag'" in message
    assert "allowed: ogs, gebunden, teilgebunden, halbtag" in message


def test_a_profile_may_name_the_next_school_year_but_not_the_one_after(tmp_path: Path) -> None:
    """Parents register for the coming school year: its profile arrives before it begins."""
    start = int(current_school_year(dt.date.today())[:4])
    rows = [r[:] for r in VALID["schulprofil"]]
    for row in rows[1:]:
        row[0] = f"{start + 1}/{(start + 2) % 100:02d}"
    frame = schulen.parse(_write(tmp_path, "schulprofil", "csv", rows)).frame
    assert set(frame["period"]) == {rows[1][0]}

    rows[2][0] = f"{start + 2}/{(start + 3) % 100:02d}"
    message = _raises(_write(tmp_path, "schulprofil", "csv", rows))
    assert "row 3, column 'schuljahr'" in message and "liegt in der Zukunft" in message


def test_the_other_templates_refuse_the_next_school_year(tmp_path: Path) -> None:
    start = int(current_school_year(dt.date.today())[:4])
    rows = [r[:] for r in VALID["uebergaenge"]]
    rows[1][0] = f"{start + 1}/{(start + 2) % 100:02d}"
    message = _raises(_write(tmp_path, "uebergaenge", "csv", rows))
    assert "row 2, column 'schuljahr'" in message and "liegt in der Zukunft" in message
