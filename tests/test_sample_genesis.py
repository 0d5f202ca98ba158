"""The generated IT.NRW sample: real GENESIS layout, seed facts recomputed through the parser."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingest import genesis
from pipelines.ingest import genesis_tables as registry
from pipelines.ingest.errors import IngestError
from pipelines.sample import city
from pipelines.sample import genesis as sample

CLASSIC = {
    "21111-02-06-4_2015-2021.csv": "abgaenger",
    "21111-02-06-4_2022-2025.csv": "abgaenger",
    "21111-01-03-4.csv": "schueler_schulart",
    "21121-02-02-4.csv": "berufskolleg",
    "12411-02-03-4.csv": "bevoelkerung",
    "22543-01-02-4.csv": "kindertagesbetreuung",
}
FFCSV = {"12411-02-03-4_sample_de_flat.csv": "bevoelkerung"}
REGIERUNGSBEZIRKE = {"051", "053", "055", "057", "059"}


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    sample.write_sample(out)
    return out / "itnrw"


@pytest.fixture(scope="module")
def parsed(sample_dir) -> dict[str, genesis.ParsedFile]:
    return {path.name: genesis.parse(path) for path in sorted(sample_dir.iterdir())}


def _frame(parsed, *names: str) -> pd.DataFrame:
    return pd.concat([parsed[name].frame for name in names], ignore_index=True)


def _value(frame: pd.DataFrame, **where) -> float:
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column] == wanted
    selected = frame[mask]
    assert len(selected) == 1, (where, selected)
    return float(selected["value"].iloc[0])


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_generation_is_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    written = sample.write_sample(first)
    sample.write_sample(second)
    sample.write_messy_variants(first / "messy")
    sample.write_messy_variants(second / "messy")
    assert {p.name for p in written} == set(CLASSIC) | set(FFCSV)
    assert _digests(first) == _digests(second)
    assert len(_digests(first)) == len(CLASSIC) + len(FFCSV) + 2


def test_every_sample_file_is_read_by_the_genesis_parser(sample_dir, parsed):
    assert set(parsed) == set(CLASSIC) | set(FFCSV)
    for name, table in CLASSIC.items():
        assert genesis.sniff(sample_dir / name) == genesis.CLASSIC
        assert (parsed[name].parser, parsed[name].table) == (genesis.CLASSIC, table)
        assert any("Synthetische Beispieldaten" in note for note in parsed[name].notes)
        assert any(
            note.startswith("Stand: ") and "fehlt" not in note for note in parsed[name].notes
        )
    for name, table in FFCSV.items():
        assert genesis.sniff(sample_dir / name) == genesis.FFCSV_2025
        assert (parsed[name].parser, parsed[name].table) == (genesis.FFCSV_2025, table)


REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
REAL_LAYOUT_FILES = [
    REALDATA / "regionalstatistik-csv-classic-schulen" / "21111-02-06-4.csv",
    REALDATA / "ldbnrw-csv-classic" / "2023_12411-02-03-4.csv",
    REALDATA / "genesis-ffcsv-api-pystatis" / "12411-01-01-4_1773175772751_de_flat.csv",
]


@pytest.mark.parametrize(
    "name",
    [f"real:{p.name}" for p in REAL_LAYOUT_FILES] + [f"sample:{n}" for n in {**CLASSIC, **FFCSV}],
)
def test_real_and_sample_files_go_through_the_same_parser(name, sample_dir):
    origin, file_name = name.split(":", 1)
    if origin == "real":
        if not REALDATA.is_dir():
            pytest.skip("../shared/realdata absent")
        path = next(p for p in REAL_LAYOUT_FILES if p.name == file_name)
    else:
        path = sample_dir / file_name
    layout = genesis.sniff(path)
    result = genesis.parse(path)
    assert layout in genesis.LAYOUTS and result.parser == layout
    assert result.table in {"abgaenger", "bevoelkerung", *CLASSIC.values()}
    assert result.frame["region_key"].str.fullmatch(r"DG|\d{2}|\d{3}|\d{5}|\d{8}").all()
    assert result.frame["period"].notna().all()


def test_classic_files_are_windows_1252_with_the_real_layout(sample_dir):
    for name in CLASSIC:
        data = (sample_dir / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # umlauts are single cp1252 bytes, as downloaded
        text = data.decode("cp1252")
        lines = text.split("\n")
        assert lines[0] in (f"GENESIS-Tabelle: {name[:13]}", f"Tabelle: {name[:13]}")
        assert lines[1].endswith(";") and lines[1].split(";")[0].strip()
        assert "__________" in lines and lines[-2].startswith("Stand: ")
        assert '""' in text  # footnotes quote labels with doubled quotes
        assert "\n      Krefeld, kreisfreie Stadt;" not in text  # name follows the key
        assert ";      Krefeld, kreisfreie Stadt;" in text  # Kreis indented by six spaces
        assert ";    Düsseldorf, Regierungsbezirk;" in text
    ffcsv = (sample_dir / next(iter(FFCSV))).read_bytes()
    assert ffcsv.startswith(b"\xef\xbb\xbfstatistics_code;statistics_label;")


def test_regions_cover_nrw_regierungsbezirke_and_all_kreisfreie_staedte(parsed):
    expected = {city.NRW} | REGIERUNGSBEZIRKE | set(city.KREISFREIE_STAEDTE_NRW)
    for name, result in parsed.items():
        frame = result.frame
        assert set(frame["region_key"]) == expected, name
        assert not frame["region_name"].str.startswith(" ").any()
        krefeld = frame[frame["region_key"] == city.KREFELD]
        assert set(krefeld["region_name"]) == {"Krefeld, kreisfreie Stadt"}


def test_seed_leavers_krefeld_2016_17_from_the_files_2017_row(sample_dir, parsed):
    raw = (sample_dir / "21111-02-06-4_2015-2021.csv").read_bytes().decode("cp1252")
    row = next(line for line in raw.split("\n") if line.startswith("2017;05114;"))
    assert row.split(";")[3:6:2] == ["2160", "174"]  # Insgesamt, ohne HSA (both sexes)
    leavers = parsed["21111-02-06-4_2015-2021.csv"].frame
    krefeld = leavers[
        (leavers["region_key"] == city.KREFELD) & (leavers["geschlecht"] == "insgesamt")
    ]
    total = _value(krefeld, period="2016/17", abschluss_code="insgesamt")
    without = _value(krefeld, period="2016/17", abschlussart="ohne Hauptschulabschluss")
    assert (total, without) == (2160, 174)
    assert round(100 * without / total, 1) == 8.1


def test_seed_nrw_share_without_hsa_every_year(parsed):
    leavers = _frame(parsed, "21111-02-06-4_2015-2021.csv", "21111-02-06-4_2022-2025.csv")
    nrw = leavers[(leavers["region_key"] == city.NRW) & (leavers["geschlecht"] == "insgesamt")]
    table = nrw.pivot_table(index="period", columns="abschluss_code", values="value")
    share = (100 * table["ohne_hsa"] / table["insgesamt"]).round(1)
    assert share["2016/17"] == 5.7
    assert share.to_dict() == city.NRW_SHARE_WITHOUT_HSA


def test_krefeld_leaver_series_and_additivity(parsed):
    leavers = _frame(parsed, "21111-02-06-4_2015-2021.csv", "21111-02-06-4_2022-2025.csv")
    assert sorted(leavers["period"].unique()) == list(city.SCHOOL_YEARS)
    both = leavers[leavers["geschlecht"] == "insgesamt"]
    table = both.pivot_table(
        index=["region_key", "period"], columns="abschluss_code", values="value"
    )
    krefeld = table.loc[city.KREFELD]
    series = {p: (int(r["insgesamt"]), int(r["ohne_hsa"])) for p, r in krefeld.iterrows()}
    assert series == city.KREFELD_LEAVERS
    additive = table[["ohne_hsa", "hsa", "msa", "fhr", "ahr"]].sum(axis=1)
    assert (additive == table["insgesamt"]).all()  # 'dar.' rows are not additive
    assert (table["fhr_schulisch"] < table["msa"] + table["ahr"]).all()


def test_leaver_label_editions_old_until_2021_new_from_2022(parsed):
    old = parsed["21111-02-06-4_2015-2021.csv"].frame
    new = parsed["21111-02-06-4_2022-2025.csv"].frame
    assert max(old["period"]) == "2020/21" and min(new["period"]) == "2021/22"
    assert "ohne Hauptschulabschluss" in set(old["abschlussart"])
    assert "ohne Ersten Schulabschluss" in set(new["abschlussart"])
    assert not set(old["abschlussart"]) & {
        "ohne Ersten Schulabschluss",
        "mit Erstem Schulabschluss",
    }
    assert (
        set(old["abschluss_code"])
        == set(new["abschluss_code"])
        == {"insgesamt", "ohne_hsa", "hsa", "msa", "fhr_schulisch", "fhr", "ahr"}
    )
    assert set(new["geschlecht"]) == {"insgesamt", "weiblich"}


def test_school_counts_rounded_to_five_from_2019_20(parsed):
    leavers = _frame(parsed, "21111-02-06-4_2015-2021.csv", "21111-02-06-4_2022-2025.csv")
    pupils = parsed["21111-01-03-4.csv"].frame
    pupils = pupils[pupils["merkmal"] != "schulen"]  # school counts are not rounded
    for frame in (leavers, pupils):
        numbers = frame.dropna(subset=["value"])
        late = numbers[numbers["period"] >= "2019/20"]
        early = numbers[numbers["period"] < "2019/20"]
        assert (late["value"] % 5 == 0).all()
        assert (early["value"] % 5 != 0).any()


def test_gaps_symbols_and_footnotes_are_present(parsed):
    symbols = set(pd.concat([p.frame["symbol"] for p in parsed.values()]).dropna())
    assert {"-", ".", "x"} <= symbols
    fhr = parsed["21111-02-06-4_2022-2025.csv"].frame
    krefeld_fhr = fhr[(fhr["region_key"] == city.KREFELD) & (fhr["abschluss_code"] == "fhr")]
    assert set(krefeld_fhr["symbol"]) == {"-"} and (krefeld_fhr["value"] == 0).all()
    notes = " ".join(parsed["21111-02-06-4_2022-2025.csv"].notes)
    assert "Schuljahr endet" in notes and "Erster Schulabschluss" in notes


def test_schools_table_periods_are_school_year_starts(sample_dir, parsed):
    raw = (sample_dir / "21111-01-03-4.csv").read_bytes().decode("cp1252")
    assert any(line.startswith("2016;05114;") for line in raw.split("\n"))
    frame = parsed["21111-01-03-4.csv"].frame
    assert sorted(frame["period"].unique()) == list(city.SCHOOL_YEARS)
    assert set(frame["merkmal"]) == {
        "schulen",
        "schueler",
        "schueler_auslaendisch",
        "schueler_7_klassenstufe",
        "schueler_11_jahrgangsstufe_einfuehrungsphase",
    }  # fmt: skip  (the real table's columns, tests/test_realdata_walk.py)
    krefeld = frame[(frame["region_key"] == city.KREFELD) & (frame["period"] == "2016/17")]
    parts = krefeld[(krefeld["merkmal"] == "schueler") & (krefeld["geschlecht"] == "insgesamt")]
    total = parts[parts["schulart"] == "insgesamt"]["value"].iloc[0]
    assert parts[parts["schulart"] != "insgesamt"]["value"].sum() == total
    grade_7 = krefeld[krefeld["merkmal"] == "schueler_7_klassenstufe"]
    gymnasium = grade_7[grade_7["schulart"] == "Gymnasien"]["value"].iloc[0]
    assert 0 < gymnasium < parts[parts["schulart"] == "Gymnasien"]["value"].iloc[0]
    grundschule = grade_7[grade_7["schulart"] == "Grundschulen"]
    assert grundschule["value"].isna().all() and set(grundschule["symbol"]) == {"x"}


def test_seed_uebergangsbereich_share_2016(parsed):
    frame = parsed["21121-02-02-4.csv"].frame
    assert set(frame["bildungsbereich"]) == {
        "insgesamt",
        "duale_ausbildung",
        "schulberufssystem",
        "uebergangsbereich",
        "hochschulreife",
    }
    krefeld = frame[
        (frame["region_key"] == city.KREFELD)
        & (frame["period"] == "2016")
        & (frame["geschlecht"] == "insgesamt")
    ]
    share = (
        100
        * _value(krefeld, bildungsbereich="uebergangsbereich")
        / _value(krefeld, bildungsbereich="insgesamt")
    )
    assert round(share, 1) == city.UEBERGANGSBEREICH_SHARE_2016 == 14.5


def test_population_age_groups_sex_and_size(parsed):
    frame = parsed["12411-02-03-4.csv"].frame
    assert sorted(frame["period"].unique()) == [f"{y}-12-31" for y in range(2014, 2025)]
    # IT.NRW's 17 groups, as the real 12411-02-03-4 (``Altersgruppen (17)``) publishes them
    assert set(frame["altersgruppe"]) == {"insgesamt", *registry.ALTERSGRUPPEN_17}
    assert len(registry.ALTERSGRUPPEN_17) == 17
    table = frame.pivot_table(
        index=["region_key", "period", "geschlecht"], columns="altersgruppe", values="value"
    )
    groups = table.drop(columns="insgesamt").sum(axis=1)
    assert (groups == table["insgesamt"]).all()
    by_sex = frame.pivot_table(
        index=["region_key", "period", "altersgruppe"], columns="geschlecht", values="value"
    )
    assert (by_sex["maennlich"] + by_sex["weiblich"] == by_sex["insgesamt"]).all()
    krefeld = table.loc[(city.KREFELD, slice(None), "insgesamt"), "insgesamt"]
    assert krefeld.between(220_000, 232_000).all()
    assert abs(krefeld.mean() - 227_000) < 3_000


def test_population_ffcsv_equals_classic(parsed):
    classic = parsed["12411-02-03-4.csv"].frame
    flat = parsed["12411-02-03-4_sample_de_flat.csv"].frame
    keys = ["region_key", "period", "altersgruppe", "geschlecht"]
    merged = flat.merge(classic, on=keys, suffixes=("_ffcsv", "_classic"), validate="one_to_one")
    assert len(merged) == len(flat) > 0
    assert (merged["value_ffcsv"] == merged["value_classic"]).all()
    assert (merged["region_name_ffcsv"] == merged["region_name_classic"]).all()


def test_day_care_rates_for_krefeld(parsed):
    care = parsed["22543-01-02-4.csv"].frame
    population = parsed["12411-02-03-4.csv"].frame
    assert sorted(care["period"].unique()) == [f"{y}-03-01" for y in range(2015, 2026)]
    for year in range(2015, 2026):
        for group, low, high in (("unter_3", 0.25, 0.32), ("3_bis_unter_6", 0.90, 0.95)):
            in_care = _value(
                care,
                region_key=city.KREFELD,
                period=f"{year}-03-01",
                betreuungsart="insgesamt",
                altersgruppe=group,
            )
            children = _value(
                population,
                region_key=city.KREFELD,
                period=f"{year - 1}-12-31",
                geschlecht="insgesamt",
                altersgruppe=group,
            )
            assert low <= in_care / children <= high, (year, group)
    table = (
        care.dropna(subset=["value"])
        .pivot_table(
            index=["region_key", "period", "altersgruppe"], columns="betreuungsart", values="value"
        )
        .dropna()
    )
    assert (table["kita"] + table["kindertagespflege"] == table["insgesamt"]).all()


def test_messy_variants(tmp_path, parsed):
    resaved, truncated = sample.write_messy_variants(tmp_path)
    assert resaved.read_bytes().startswith(b"\xef\xbb\xbfGENESIS-Tabelle: 21111-02-06-4;")
    result = genesis.parse(resaved)
    assert "Zeichensatz: utf-8-sig" in result.notes
    expected = parsed["21111-02-06-4_2022-2025.csv"].frame
    pd.testing.assert_frame_equal(result.frame, expected)
    with pytest.raises(IngestError) as info:
        genesis.parse(truncated)
    problem = info.value.problems[0]
    assert (problem.source, problem.file) == ("itnrw", truncated.name)
    assert "truncated" in problem.rule and problem.row is not None


# --- social-context tables (issue 18): pipelines.sample.genesis_kontext ---------------------


@pytest.fixture(scope="module")
def kontext(tmp_path_factory) -> dict[str, Path]:
    from pipelines.sample import genesis_kontext

    out = tmp_path_factory.mktemp("kontext")
    return {path.name: path for path in genesis_kontext.write_sample(out)}


def _kontext_parsed(path: Path, table: str, code: str) -> pd.DataFrame:
    from pipelines.ingest.identify import parse_file
    from quality.raw_schemas import validate_tidy

    parsed = parse_file(path)
    assert (parsed.source, parsed.table, parsed.table_code) == ("itnrw", table, code)
    assert validate_tidy(parsed.frame, f"itnrw__{table}", file=path.name) == []
    assert any("Synthetische Beispieldaten" in note for note in parsed.notes)
    return parsed.frame


def test_sample_mindestsicherung_empfaenger_in_the_real_layout(kontext):
    """22811-05i: four header rows, the SGB II column twice, year;key;name rows, cp1252."""
    text = kontext["22811-05i.csv"].read_bytes().decode("cp1252")
    lines = text.splitlines()
    assert lines[0] == "Tabelle: 22811-05i"
    assert lines[5].count("Empfänger/innen von soz. Mindestsicherungsleistung") == 8
    labels = lines[6].split(";")[3:]
    assert labels[0] == labels[2] == "Gesamtregelleistung (ALG II/Sozialgeld) nach dem SGB II"
    assert lines[7] == ";;;;;;;Insgesamt;im Alter;bei Erwerbsminderung;"
    assert lines[8] == ";;;" + ";".join(["Anzahl"] * 8)
    assert any(line.startswith("2024;05114;    Krefeld, krfr. Stadt;") for line in lines)
    rows = [line for line in lines if line[:4].isdigit() and line[4:5] == ";"]
    assert len(rows) == 10 * 28 and all(len(row.split(";")) == 11 for row in rows)


def test_sample_mindestsicherung_empfaenger_fit_the_published_quota(kontext):
    """Recipients / population on 31.12. ≈ the quota of the synthetic 22811-01i."""
    from pipelines.sample import genesis_kontext

    frame = _kontext_parsed(
        kontext["22811-05i.csv"], "mindestsicherung_empfaenger", "22811-05i"
    ).drop_duplicates()
    wide = frame.pivot_table(
        index=["region_key", "period"], columns="leistung", values="value", aggfunc="first"
    )
    parts = ["sgb2", "hlu_sgb12", "grusi_sgb12", "asylblg"]
    assert (wide[parts].sum(axis=1) == wide["insgesamt"]).all()
    quotas = genesis_kontext.quotas()
    for (key, period), total in wide["insgesamt"].items():
        computed = 100 * total / genesis_kontext.inhabitants(key, int(period))
        assert abs(computed - quotas[key, int(period)]) < 0.1, (key, period)
    rounded = wide.loc[(slice(None), ["2020", "2024"]), ["hlu_sgb12", "grusi_sgb12", "asylblg"]]
    assert (rounded % 5 == 0).all().all()
    krefeld = wide.loc[(city.KREFELD, "2024")]
    assert 0.75 < krefeld["sgb2"] / krefeld["insgesamt"] < 0.85


def test_sample_einkommen_in_the_real_layout_and_consistent(kontext):
    """82411-01-03-4: Regionaldatenbank layout; total = per head × the population's mean."""
    from pipelines.sample import genesis_kontext

    path = kontext["82411-01-03-4.csv"]
    lines = path.read_bytes().decode("cp1252").splitlines()
    assert lines[0] == "GENESIS-Tabelle: 82411-01-03-4"
    assert lines[6] == ";;;Tsd. EUR;EUR"
    assert any(line.startswith("2022;05114;      Krefeld, kreisfreie Stadt;") for line in lines)
    frame = _kontext_parsed(path, "einkommen", "82411-01-03-4")
    wide = frame.pivot_table(index=["region_key", "period"], columns="merkmal", values="value")
    assert list(wide.index.get_level_values("period").unique()) == [
        str(y) for y in genesis_kontext.EINKOMMEN_YEARS
    ]
    for (key, period), row in wide.iterrows():
        year = int(period)
        people = (
            genesis_kontext.inhabitants(key, max(year - 1, 2014))
            + genesis_kontext.inhabitants(key, year)
        ) / 2
        implied = row["verfuegbares_einkommen"] * 1000 / row["verfuegbares_einkommen_je_einwohner"]
        assert abs(implied / people - 1) < 1e-3, (key, period)
    per_head = wide["verfuegbares_einkommen_je_einwohner"]
    assert per_head[city.KREFELD, "2022"] < per_head[city.NRW, "2022"]
    assert per_head.min() > 15_000 and per_head.max() < 35_000


def test_sample_beschaeftigte_qualifikation_in_the_real_layout_and_additive(kontext):
    """13111-54i: no key column (regions by name), WZ rows, both breakdowns add up."""
    from pipelines.sample import genesis_kontext

    path = kontext["13111-54i.csv"]
    real = REALDATA / "ldbnrw-csv-classic" / "2024_13111-54i.csv"
    lines = path.read_bytes().decode("cp1252").splitlines()
    if real.is_file():  # the header block is the real one
        assert lines[:7] == real.read_bytes().decode("cp1252").splitlines()[:7]
    assert lines[0] == "Tabelle: 13111-54i"
    assert any(line.startswith("31.12.2024;    Krefeld, krfr. Stadt;;Insgesamt;") for line in lines)
    frame = _kontext_parsed(path, "beschaeftigte_qualifikation", "13111-54i")
    assert frame["region_key"].nunique() == 28
    assert sorted(frame["period"].unique()) == [
        f"{y}-12-31" for y in genesis_kontext.BESCHAEFTIGTE_YEARS
    ]
    total = frame[frame["wirtschaftsabschnitt"] == "insgesamt"]
    wide = total.pivot_table(
        index=["region_key", "period"],
        columns=["schulabschluss", "berufsabschluss"],
        values="value",
        aggfunc="first",
    )
    everyone = wide[("insgesamt", "insgesamt")]
    schule = wide.xs("insgesamt", axis=1, level="berufsabschluss").drop(columns="insgesamt")
    beruf = wide.xs("insgesamt", axis=1, level="schulabschluss").drop(columns="insgesamt")
    assert (schule.sum(axis=1) == everyone).all()
    assert (beruf.sum(axis=1) == everyone).all()
    sections = (
        frame[
            (frame["schulabschluss"] == "insgesamt")
            & (frame["berufsabschluss"] == "insgesamt")
            & frame["wirtschaftsabschnitt"].isin(["A", "B-F", "G-T"])
        ]
        .groupby(["region_key", "period"])["value"]
        .sum()
    )
    assert (sections == everyone).all()
    share = 100 * beruf["ohne"] / everyone
    assert share.between(10, 25).all()
    assert share[city.KREFELD, "2024-12-31"] > share[city.NRW, "2024-12-31"]


def test_sample_jugendhilfe_gruppen_in_the_real_layout(kontext):
    """22542-06i: 13 legal-basis columns (the first label quoted), '-' for zero, one row 'x'."""
    from pipelines.sample import genesis_kontext

    path = kontext["22542-06i.csv"]
    real = REALDATA / "ldbnrw-csv-classic" / "2024_22542-06i.csv"
    lines = path.read_bytes().decode("cp1252").splitlines()
    if real.is_file():
        assert lines[:7] == real.read_bytes().decode("cp1252").splitlines()[:7]
    assert lines[-2:] == [genesis_kontext.COPYRIGHT, f"Stand: {genesis_kontext.JUGENDHILFE_STAND}"]
    frame = _kontext_parsed(path, "jugendhilfe_gruppen", "22542-06i")
    assert frame["rechtsgrundlage"].nunique() == 13
    assert frame["region_key"].nunique() == 28
    assert (frame["symbol"] == "-").any()
    key, year = genesis_kontext.JUGENDHILFE_WITHHELD
    withheld = frame[(frame["region_key"] == key) & (frame["period"] == str(year))]
    assert len(withheld) == 13 and (withheld["symbol"] == "x").all()
    assert withheld["value"].isna().all()
    other = frame.drop(withheld.index)
    assert other["value"].notna().all()
    totals = other.groupby(["region_key", "period"])["value"].sum()
    groups = genesis_kontext.groups()
    assert totals[city.KREFELD, "2024"] == sum(groups[city.KREFELD, 2024])
    assert 7_000 < totals[city.NRW, "2024"] < 10_000


def test_sample_kontext_generation_is_byte_identical(tmp_path):
    """Deterministic, and the bundled sample holds exactly what the writer writes."""
    from pipelines.sample import genesis_kontext

    genesis_kontext.write_sample(tmp_path / "a")
    genesis_kontext.write_sample(tmp_path / "b")
    first = _digests(tmp_path / "a")
    assert first == _digests(tmp_path / "b")
    bundled = Path(__file__).resolve().parents[1] / "data" / "sample"
    assert first == {name: _digests(bundled)[name] for name in first}
