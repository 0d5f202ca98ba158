"""GENESIS parsers: real downloads (classic CSV, ffcsv 2025/2024), period rules, errors."""

from __future__ import annotations

import collections
import csv
import io
import random
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import genesis
from pipelines.ingest import genesis_tables as registry
from pipelines.ingest.errors import IngestError
from pipelines.ingest.symbols import SYMBOLS
from pipelines.ingest.tidy import LEADING_COLUMNS, TRAILING_COLUMNS, ParsedFile

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CLASSIC_DIRS = (
    "ldbnrw-csv-classic",
    "regionalstatistik-csv-classic-schulen",
    "destatis-csv-classic",
)
FFCSV_DIR = "genesis-ffcsv-api-pystatis"
SCHULEN = REALDATA / "regionalstatistik-csv-classic-schulen"
FFCSV = REALDATA / FFCSV_DIR

needs_realdata = pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata absent")


def _real(directory: str, pattern: str = "*.csv") -> list[Path]:
    folder = REALDATA / directory
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


CLASSIC_FILES = [p for d in CLASSIC_DIRS for p in _real(d)]
FFCSV_FILES = _real(FFCSV_DIR)


# --------------------------------------------------------------------------------------
# Period rules and the registry (no real data needed)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2023", "2022/23"), ("2017", "2016/17"), ("2000", "1999/00"), ("2010", "2009/10")],
)
def test_school_year_end_rule(raw, expected):
    assert registry.school_year_end(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2023", "2023/24"), ("2016", "2016/17"), ("1999", "1999/00"), ("2009", "2009/10")],
)
def test_school_year_start_rule(raw, expected):
    assert registry.school_year_start(raw) == expected


def test_reference_date_rule_accepts_german_iso_and_bare_year():
    convert = registry.reference_date("03-01")
    assert convert("01.03.2024") == "2024-03-01"
    assert convert("2024-03-01") == "2024-03-01"
    assert convert("2024") == "2024-03-01"
    with pytest.raises(registry.PeriodError):
        convert("März 2024")


@pytest.mark.parametrize("raw", ["23", "2023/24", "31.12.2023", "", "20234"])
def test_school_year_rules_reject_non_years(raw):
    with pytest.raises(registry.PeriodError):
        registry.school_year_end(raw)
    with pytest.raises(registry.PeriodError):
        registry.school_year_start(raw)


def test_registry_maps_required_codes_to_tables_and_explicit_period_rules():
    expected = {
        "21111-02-06-4": ("abgaenger", "school_year_end", "2023", "2022/23"),
        "21111-01-03-4": ("schueler_schulart", "school_year_start", "2023", "2023/24"),
        "21121-02-02-4": ("berufskolleg", "year", "2016", "2016"),
        "12411-01-01-4": ("bevoelkerung", "reference_date_31_12", "31.12.2024", "2024-12-31"),
        "12411-02-03-4": ("bevoelkerung", "reference_date_31_12", "2024-12-31", "2024-12-31"),
        "22543-01-02-4": (
            "kindertagesbetreuung",
            "reference_date_01_03",
            "01.03.2024",
            "2024-03-01",
        ),
    }
    for code, (table, rule, raw, period) in expected.items():
        spec = registry.lookup(code)
        assert spec is not None, code
        assert (spec.table, spec.period_rule.name, spec.period_rule(raw)) == (table, rule, period)
    assert registry.lookup("99999-01") is None
    assert registry.generic_table_name("22811-01i") == "genesis_22811_01i"


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("ohne Hauptschulabschluss", "ohne_hsa"),
        ("ohne Ersten Schulabschluss", "ohne_hsa"),
        ("mit Erstem Schulabschluss", "hsa"),
        ("mit Mittlerem Abschluss", "msa"),
        ("mit Mittlerem Schulabschluss", "msa"),
        ("dar. schulischer Teil der Fachhochschulreife", "fhr_schulisch"),
        ("mit Fachhochschulreife", "fhr"),
        ("mit allgemeiner Hochschulreife", "ahr"),
        ("mit Allgemeiner und fachgebundener Hochschulreife", "ahr"),
        ("Insgesamt", "insgesamt"),
    ],
)
def test_abschluss_codes_harmonise_both_label_editions(label, code):
    assert registry.abschluss_code(label) == code


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("unter 3 Jahre", "unter_3"),
        ("3 bis unter 6 Jahre", "3_bis_unter_6"),
        ("65 Jahre und mehr", "65_und_mehr"),
        ("75 und mehr Jahre", "75_und_mehr"),
        ("Insgesamt", "insgesamt"),
    ],
)
def test_altersgruppe_codes(label, code):
    assert registry.altersgruppe_code(label) == code


def test_unknown_labels_fail_loudly():
    with pytest.raises(registry.LabelError):
        registry.abschluss_code("mit Sonderabschluss")
    with pytest.raises(registry.LabelError):
        registry.geschlecht_code("divers")
    with pytest.raises(registry.LabelError):
        registry.altersgruppe_code("Kinder")


# --------------------------------------------------------------------------------------
# Every real GENESIS file parses, with the tidy contract and all symbols kept


def _raw_classic_symbols(path: Path) -> collections.Counter:
    """Independent scan: symbol cells in the data block (header end .. footer)."""
    text, _ = genesis.decode(path.read_bytes())
    lines = text.splitlines()
    footer = next(i for i, line in enumerate(lines) if line.startswith("__________"))
    last_header = max(i for i in range(footer) if lines[i].startswith(";"))
    counter: collections.Counter = collections.Counter()
    for line in lines[last_header + 1 : footer]:
        counter.update(c.strip() for c in line.split(";") if c.strip() in SYMBOLS)
    return counter


def _raw_ffcsv_symbols(path: Path) -> collections.Counter:
    """Independent scan of the value column(s) and the optional quality column."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    names = rows[0]
    value_columns = [i for i, n in enumerate(names) if n == "value" or "__" in n]
    quality = names.index("value_q") if "value_q" in names else None
    counter: collections.Counter = collections.Counter()
    for row in rows[1:]:
        for i in value_columns:
            cell = row[i].strip()
            if cell in SYMBOLS:
                counter[cell] += 1
            elif quality is not None and row[quality].strip():
                counter[row[quality].strip()] += 1
    return counter


def _assert_contract(parsed: ParsedFile, layout: str) -> None:
    frame = parsed.frame
    columns = list(frame.columns)
    assert columns[: len(LEADING_COLUMNS)] == LEADING_COLUMNS
    assert columns[-len(TRAILING_COLUMNS) :] == TRAILING_COLUMNS
    assert "region_level" not in columns
    assert parsed.parser == layout and parsed.source == "itnrw"
    assert (frame["source"] == "itnrw").all()
    assert len(frame) > 0
    names = frame["region_name"].dropna()
    assert not names.str.startswith(" ").any(), "indentation must be stripped"
    assert frame["value"].dtype == "float64"
    zero = frame["symbol"].isin(["-", "0"])
    assert (frame.loc[zero, "value"] == 0).all(), "'-' and '0' are known (near-)zeros"
    placeholders = frame["symbol"].isin([".", "x", "/", "...", "*"])
    assert frame.loc[placeholders, "value"].isna().all(), "placeholders are never a number"


@needs_realdata
@pytest.mark.parametrize("path", CLASSIC_FILES, ids=lambda p: p.name)
def test_every_real_classic_csv_parses_and_keeps_every_symbol(path):
    assert genesis.sniff(path) == genesis.CLASSIC
    parsed = genesis.parse(path)
    _assert_contract(parsed, genesis.CLASSIC)
    parsed_symbols = collections.Counter(parsed.frame["symbol"].dropna())
    assert parsed_symbols == _raw_classic_symbols(path)
    assert any(note.startswith("Stand: ") and "fehlt" not in note for note in parsed.notes)


@needs_realdata
@pytest.mark.parametrize("path", FFCSV_FILES, ids=lambda p: p.name)
def test_every_real_ffcsv_parses_and_keeps_every_symbol(path):
    expected = genesis.FFCSV_2024 if "old-layout" in path.name else genesis.FFCSV_2025
    assert genesis.sniff(path) == expected
    parsed = genesis.parse(path)
    _assert_contract(parsed, expected)
    assert collections.Counter(parsed.frame["symbol"].dropna()) == _raw_ffcsv_symbols(path)
    data_rows = len(path.read_text("utf-8-sig").strip().splitlines()) - 1
    assert len(parsed.frame) == data_rows


def _value(frame, **where) -> float:
    mask = True
    for column, wanted in where.items():
        mask = mask & (frame[column] == wanted)
    selected = frame[mask]
    assert len(selected) == 1, (where, selected)
    return float(selected["value"].iloc[0])


@needs_realdata
def test_real_leavers_krefeld_2022_23():
    parsed = genesis.parse(SCHULEN / "21111-02-06-4.csv")
    assert parsed.table == "abgaenger" and parsed.table_code == "21111-02-06-4"
    frame = parsed.frame
    assert set(frame["period"]) == {"2022/23"}  # the file's 2023 = school year ending 2023
    krefeld = frame[frame["region_key"] == "05114"]
    assert set(krefeld["region_name"]) == {"Krefeld, kreisfreie Stadt"}
    total = dict(period="2022/23", geschlecht="insgesamt")
    assert _value(krefeld, abschluss_code="insgesamt", **total) == 2500
    assert _value(krefeld, abschluss_code="ohne_hsa", **total) == 230
    assert _value(krefeld, abschlussart="ohne Hauptschulabschluss", **total) == 230
    fhr = krefeld[krefeld["abschluss_code"] == "fhr"]
    assert set(fhr["symbol"]) == {"-"} and (fhr["value"] == 0).all()
    assert any("Jahr in" in note for note in parsed.notes)


@needs_realdata
def test_real_schools_long_format_one_row_per_kreis_and_schulart():
    parsed = genesis.parse(SCHULEN / "21111-01-03-4.csv")
    frame = parsed.frame
    assert parsed.table == "schueler_schulart" and set(frame["period"]) == {"2023/24"}
    krefeld = frame[frame["region_key"] == "05114"]
    assert (
        _value(krefeld, schulart="Grundschulen", merkmal="schueler", geschlecht="insgesamt") == 8790
    )
    assert _value(krefeld, schulart="Grundschulen", merkmal="schulen", geschlecht="insgesamt") == 32
    assert _value(krefeld, schulart="insgesamt", merkmal="schueler", geschlecht="weiblich") == 12690
    hauptschule = krefeld[krefeld["schulart"] == "Hauptschulen"]
    assert set(hauptschule["symbol"]) == {"-", "x"}


@needs_realdata
def test_real_population_ffcsv_both_layouts():
    new = genesis.parse(FFCSV / "12411-01-01-4_1773175772751_de_flat.csv")
    assert (new.table, new.table_code, new.parser) == (
        "bevoelkerung",
        "12411-01-01-4",
        genesis.FFCSV_2025,
    )
    krefeld = new.frame[new.frame["region_key"] == "05114"]
    assert _value(krefeld, geschlecht="insgesamt", period="2024-12-31") == 231406
    assert (
        _value(krefeld, geschlecht="weiblich") + _value(krefeld, geschlecht="maennlich") == 231406
    )
    assert set(krefeld["altersgruppe"]) == {"insgesamt"}
    old = genesis.parse(FFCSV / "12411-01-01-4_ffcsv_old-layout_2024_de.csv")
    assert old.parser == genesis.FFCSV_2024
    krefeld_old = old.frame[old.frame["region_key"] == "05114"]
    assert set(krefeld_old["region_name"]) == {"Krefeld, kreisfreie Stadt"}
    assert _value(krefeld_old, geschlecht="insgesamt", period="2022-12-31") == 228426


@needs_realdata
@pytest.mark.parametrize(
    "cassette", ["cassette_HEAD_12411-01-01-4.yaml", "cassette_83e602f_12411-01-01-4.yaml"]
)
def test_ffcsv_bodies_recorded_in_the_cassettes_parse_in_both_languages(cassette, tmp_path):
    interactions = yaml.safe_load((FFCSV / cassette).read_text("utf-8"))["interactions"]
    krefeld_totals = []
    for number, interaction in enumerate(interactions):
        if "data/tablefile" not in interaction["request"]["uri"]:
            continue
        body = interaction["response"]["body"]["string"]
        body = body.encode("utf-8") if isinstance(body, str) else body
        if body[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = archive.read(archive.namelist()[0])
        path = tmp_path / f"12411-01-01-4_{number}_flat.csv"
        path.write_bytes(body)
        parsed = genesis.parse(path)
        assert parsed.table == "bevoelkerung" and parsed.parser in genesis.LAYOUTS
        frame = parsed.frame
        krefeld = frame[(frame["region_key"] == "05114") & (frame["geschlecht"] == "insgesamt")]
        krefeld_totals += krefeld["value"].tolist()
    expected = 231406.0 if "HEAD" in cassette else 228426.0
    assert krefeld_totals == [expected, expected]  # German and English download


@needs_realdata
def test_real_population_classic_maps_age_groups():
    parsed = genesis.parse(REALDATA / "ldbnrw-csv-classic" / "2023_12411-02-03-4.csv")
    frame = parsed.frame[parsed.frame["region_key"] == "05114"]
    assert parsed.table == "bevoelkerung"
    assert _value(frame, altersgruppe="insgesamt", geschlecht="insgesamt") == 230393
    assert _value(frame, altersgruppe="6_bis_unter_10", geschlecht="maennlich") == 4527
    assert set(frame["period"]) == {"2023-12-31"}


@needs_realdata
def test_unknown_tables_parse_generically_with_raw_period():
    """22161-08i (Eingliederungshilfe by Träger) is used by no indicator: read generically,
    its labels kept as text and its period as published (the social-context tables that are
    used have specs: tests/test_realdata_kontext.py)."""
    hilfe = genesis.parse(REALDATA / "ldbnrw-csv-classic" / "2024_22161-08i.csv")
    assert hilfe.table == "genesis_22161_08i"
    assert "31.12.2024" in set(hilfe.frame["period"])  # as published, not converted
    assert {"merkmal", "zeile_1", "zeile_2"} <= set(hilfe.dimension_columns)
    rows = hilfe.frame[hilfe.frame["zeile_2"] == "Leistungen zur Teilhabe an Bildung"]
    assert 6660.0 in set(rows["value"])


@needs_realdata
def test_utf8_resaved_classic_equals_original(tmp_path):
    source = SCHULEN / "21111-02-06-4.csv"
    copy = tmp_path / "21111-02-06-4.csv"
    copy.write_text(source.read_bytes().decode("cp1252"), encoding="utf-8-sig")
    original, resaved = genesis.parse(source), genesis.parse(copy)
    assert resaved.frame.equals(original.frame)
    assert "Zeichensatz: utf-8-sig" in resaved.notes


# --------------------------------------------------------------------------------------
# Errors name source, file, row, column, value and rule


def _lines(path: Path) -> list[str]:
    return path.read_bytes().decode("cp1252").split("\n")


@needs_realdata
def test_truncated_file_is_an_ingest_error(tmp_path):
    lines = _lines(SCHULEN / "21111-02-06-4.csv")
    cut = tmp_path / "21111-02-06-4.csv"
    cut.write_bytes("\n".join(lines[:120]).encode("cp1252"))
    with pytest.raises(IngestError) as info:
        genesis.parse(cut)
    problem = info.value.problems[0]
    assert (problem.source, problem.file) == ("itnrw", "21111-02-06-4.csv")
    assert "truncated" in problem.rule and problem.row == 120


@needs_realdata
def test_ragged_row_is_an_ingest_error_with_line_number(tmp_path):
    lines = _lines(SCHULEN / "21111-02-06-4.csv")
    number = next(i for i, line in enumerate(lines) if line.startswith("2023;05114;"))
    lines[number] = lines[number].rsplit(";", 3)[0]
    damaged = tmp_path / "x.csv"
    damaged.write_bytes("\n".join(lines).encode("cp1252"))
    with pytest.raises(IngestError) as info:
        genesis.parse(damaged)
    assert info.value.problems[0].row == number + 1
    assert "ragged" in info.value.problems[0].rule


@needs_realdata
def test_bad_cell_names_line_column_and_value(tmp_path):
    lines = _lines(SCHULEN / "21111-02-06-4.csv")
    number = next(i for i, line in enumerate(lines) if line.startswith("2023;05114;"))
    cells = lines[number].split(";")
    cells[5] = "23O"  # letter O instead of zero, in 'ohne Hauptschulabschluss | Insgesamt'
    lines[number] = ";".join(cells)
    damaged = tmp_path / "21111-02-06-4.csv"
    damaged.write_bytes("\n".join(lines).encode("cp1252"))
    with pytest.raises(IngestError) as info:
        genesis.parse(damaged)
    problem = info.value.problems[0]
    assert problem.row == number + 1 and problem.value == "23O"
    assert "ohne Hauptschulabschluss" in problem.column and problem.rule.startswith("neither")
    assert "itnrw: 21111-02-06-4.csv, row" in str(info.value)


@needs_realdata
def test_damaged_period_or_key_is_reported_precisely(tmp_path):
    lines = _lines(SCHULEN / "21111-02-06-4.csv")
    number = next(i for i, line in enumerate(lines) if line.startswith("2023;05114;"))
    for damage, column, value in (
        ("2O23;05114;", "period", "2O23"),
        ("2023;5114x;", "region_key", "5114x"),
    ):
        copy = list(lines)
        copy[number] = copy[number].replace("2023;05114;", damage)
        damaged = tmp_path / "21111-02-06-4.csv"
        damaged.write_bytes("\n".join(copy).encode("cp1252"))
        with pytest.raises(IngestError) as info:
            genesis.parse(damaged)
        problem = info.value.problems[0]
        assert (problem.row, problem.column, problem.value) == (number + 1, column, value)


@needs_realdata
def test_unknown_label_in_a_registered_table_fails_loudly(tmp_path):
    text = (SCHULEN / "21111-02-06-4.csv").read_bytes().decode("cp1252")
    damaged = tmp_path / "21111-02-06-4.csv"
    damaged.write_bytes(
        text.replace("mit Hauptschulabschluss", "mit Sonderabschluss").encode("cp1252")
    )
    with pytest.raises(IngestError) as info:
        genesis.parse(damaged)
    assert info.value.problems[0].value == "mit Sonderabschluss"
    assert "Abschlussart" in info.value.problems[0].rule


def test_not_genesis_is_an_ingest_error(tmp_path):
    other = tmp_path / "liste.csv"
    other.write_text("Schulnummer;Name\n123456;Grundschule Am Park\n", encoding="utf-8")
    assert genesis.sniff(other) is None
    with pytest.raises(IngestError) as info:
        genesis.parse(other)
    problem = info.value.problems[0]
    assert (problem.source, problem.row) == ("itnrw", 1)
    assert problem.value == "Schulnummer;Name" and "not a GENESIS download" in problem.rule


def test_wrong_period_for_a_school_table_is_an_ingest_error(tmp_path):
    content = (
        "GENESIS-Tabelle: 21111-02-06-4\n"
        "Absolvierende;;;;\n"
        ";;;Abs.;Abs.\n"
        ";;;Insgesamt;Insgesamt\n"
        ";;;Insgesamt;weiblich\n"
        "2022/23;05114;      Krefeld, kreisfreie Stadt;2500;1230\n"
        "__________\n"
        "Stand: 13.03.2025 / 16:40:08\n"
    )
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="cp1252")
    with pytest.raises(IngestError) as info:
        genesis.parse(path)
    problem = info.value.problems[0]
    assert problem.row == 6 and problem.value == "2022/23" and "school_year_end" in problem.rule


# --------------------------------------------------------------------------------------
# Property tests: any input parses or raises IngestError, never a bare exception

_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_SMALL_REAL = [
    p
    for p in CLASSIC_FILES + FFCSV_FILES
    if p.stat().st_size < 420_000 and not p.name.startswith("cassette")
]


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("genesis-property")


def _parses_or_ingest_error(folder: Path, data: bytes, name: str = "probe.csv") -> None:
    path = folder / name
    path.write_bytes(data)
    try:
        parsed = genesis.parse(path)
    except IngestError as error:
        assert error.problems and all(p.source == "itnrw" for p in error.problems)
        return
    assert isinstance(parsed, ParsedFile)
    assert list(parsed.frame.columns)[:5] == LEADING_COLUMNS


@_PROPERTY
@given(st.binary(max_size=2000))
def test_random_bytes_parse_or_raise_ingest_error(probe_dir, data):
    _parses_or_ingest_error(probe_dir, data)


_CLASSIC_PREFIX = "GENESIS-Tabelle: 21111-02-06-4\nTitel;;;\n;;;A;A\n;;;Insgesamt;weiblich\n"


@_PROPERTY
@given(st.text(alphabet=st.sampled_from(list('0123456789;.-x/"_ \nabcSt:ä')), max_size=400))
def test_random_genesis_like_text_parses_or_raises_ingest_error(probe_dir, body):
    _parses_or_ingest_error(probe_dir, (_CLASSIC_PREFIX + body).encode("cp1252"))


@needs_realdata
@_PROPERTY
@given(st.sampled_from(_SMALL_REAL or [Path("missing")]), st.floats(0, 1))
def test_truncated_real_files_parse_or_raise_ingest_error(probe_dir, path, fraction):
    data = path.read_bytes()
    _parses_or_ingest_error(probe_dir, data[: int(len(data) * fraction)], path.name)


@needs_realdata
@_PROPERTY
@given(st.sampled_from(_SMALL_REAL or [Path("missing")]), st.randoms(use_true_random=False))
def test_shuffled_lines_parse_or_raise_ingest_error(probe_dir, path, rnd: random.Random):
    lines = path.read_bytes().split(b"\n")
    head, rest = lines[:1], lines[1:]
    if rnd.random() < 0.5:
        rnd.shuffle(rest)
    else:
        for _ in range(3):
            i, j = rnd.randrange(len(rest)), rnd.randrange(len(rest))
            rest[i], rest[j] = rest[j], rest[i]
    _parses_or_ingest_error(probe_dir, b"\n".join(head + rest), path.name)


@needs_realdata
@_PROPERTY
@given(
    st.sampled_from(_SMALL_REAL or [Path("missing")]),
    st.randoms(use_true_random=False),
    st.text(max_size=6),
)
def test_corrupted_cells_parse_or_raise_ingest_error(probe_dir, path, rnd: random.Random, junk):
    lines = path.read_bytes().split(b"\n")
    for _ in range(2):
        number = rnd.randrange(len(lines))
        cells = lines[number].split(b";")
        cells[rnd.randrange(len(cells))] = junk.encode("utf-8")
        lines[number] = b";".join(cells)
    _parses_or_ingest_error(probe_dir, b"\n".join(lines), path.name)


def test_ffcsv_table_code_comes_from_file_name_or_argument(tmp_path):
    header = (
        "statistics_code;statistics_label;time_code;time_label;time;1_variable_code;"
        "1_variable_label;1_variable_attribute_code;1_variable_attribute_label;2_variable_code;"
        "2_variable_label;2_variable_attribute_code;2_variable_attribute_label;value;value_unit;"
        "value_variable_code;value_variable_label"
    )
    row = (
        "12411;Fortschreibung;STAG;Stichtag;2024-12-31;KREISE;Kreise;5114;"
        "Krefeld, kreisfreie Stadt;GES;Geschlecht;;Insgesamt;227000;Anzahl;BEVSTD;Bevölkerungsstand"
    )
    named = tmp_path / "12411-01-01-4_123_de_flat.csv"
    named.write_text(header + "\n" + row + "\n", encoding="utf-8-sig")
    parsed = genesis.parse(named)
    assert (parsed.table, parsed.table_code) == ("bevoelkerung", "12411-01-01-4")
    assert parsed.frame["region_key"].tolist() == ["05114"]  # Excel-stripped zero restored
    anonymous = tmp_path / "download.csv"
    anonymous.write_text(header + "\n" + row + "\n", encoding="utf-8-sig")
    assert genesis.parse(anonymous).table == "genesis_12411"
    assert genesis.parse(anonymous, table_code="12411-01-01-4").table == "bevoelkerung"
