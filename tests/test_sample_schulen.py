"""The school administration's sample files: seed facts recomputed through the real parser."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.ingest import schulen
from pipelines.ingest.schulen_templates import STADTBEZIRKE, TEMPLATES, normalise_label, template
from pipelines.sample import city
from pipelines.sample.schulen import LEGACY_HEADERS, write_messy_variants, write_sample

FOUR = ["04", "10", "15", "20"]  # Hauptschule, Realschule, Gesamtschule, Gymnasium

# shared/domain.md, Schulformwechsel 2017/18: from (row) → to (column), Förderschulen not shown.
SEED_MATRIX = {
    "04": {"04": 0, "10": 2, "15": 0, "20": 0},
    "10": {"04": 12, "10": 0, "15": 2, "20": 0},
    "15": {"04": 1, "10": 4, "15": 0, "20": 0},
    "20": {"04": 8, "10": 70, "15": 20, "20": 0},
}
# By target Schulform and grade entered, all origins.
SEED_BY_GRADE = {
    "04": {5: 0, 6: 0, 7: 2, 8: 3, 9: 15, 10: 2},
    "10": {5: 0, 6: 0, 7: 43, 8: 15, 9: 12, 10: 6},
    "15": {5: 0, 6: 3, 7: 3, 8: 16, 9: 1, 10: 0},
    "20": {5: 0, 6: 0, 7: 1, 8: 1, 9: 0, 10: 0},
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def parsed(files: list[Path]) -> dict[Path, schulen.ParsedFile]:
    return {path: schulen.parse(path) for path in files}


@pytest.fixture(scope="module")
def tables(parsed: dict[Path, schulen.ParsedFile]) -> dict[str, pd.DataFrame]:
    by_table: dict[str, list[pd.DataFrame]] = {}
    for result in parsed.values():
        by_table.setdefault(result.table, []).append(result.frame)
    return {name: pd.concat(frames, ignore_index=True) for name, frames in by_table.items()}


@pytest.fixture(scope="module")
def register(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return tables["schulen"].set_index("schulnummer")


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    """A melted table back to one column per measure."""
    keys = [c for c in frame.columns if c not in ("merkmal", "value", "symbol")]
    return frame.pivot_table(index=keys, columns="merkmal", values="value").reset_index()


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def test_one_file_per_template_and_school_year(files: list[Path], parsed: dict) -> None:
    yearly = [t.name for t in TEMPLATES if t.name not in ("schulen", "schulprofil")]
    assert len(files) == 2 + len(yearly) * len(city.SCHOOL_YEARS)  # register, guide profile
    for path, result in parsed.items():
        assert path.parent.name == "schulen"
        assert path.name.startswith(f"{result.table}_")
        if result.table != "schulen":
            label = path.stem.split("_", 1)[1].replace("-", "/")
            assert set(result.frame["period"]) == {label}
    for name in yearly:
        suffixes = {p.suffix for p, r in parsed.items() if r.table == name}
        assert suffixes == {".csv", ".xlsx"}, name


def test_older_years_use_the_documented_older_column_names(files: list[Path], parsed) -> None:
    by_name = {p.name: r for p, r in parsed.items()}
    for name, labels in LEGACY_HEADERS.items():
        notes = by_name[f"{name}_2014-15.csv"].notes
        aliases = {normalise_label(a) for c in template(name).columns for a in c.aliases}
        for label in labels.values():
            assert normalise_label(label) in aliases | {normalise_label(c) for c in labels}
        assert any("name from an earlier template version" in n for n in notes)
        assert not any("earlier template" in n for n in by_name[f"{name}_2019-20.xlsx"].notes)


def test_files_say_they_are_synthetic(files: list[Path]) -> None:
    for path in files:
        if path.suffix == ".csv":
            encoding = "utf-8-sig" if path.name.startswith("schulformwechsel") else "cp1252"
            first = path.read_bytes().decode(encoding).splitlines()[0]
            assert "Synthetische Beispieldaten" in first, path.name
        else:
            workbook = openpyxl.load_workbook(path, read_only=True)
            assert "Synthetische Beispieldaten" in workbook.properties.title
            assert "Synthetische Beispieldaten" in workbook["Hinweise"]["A1"].value
            workbook.close()


def test_generation_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    def digests(root: Path) -> dict[str, str]:
        paths = [*write_sample(root), *write_messy_variants(root / "messy")]
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in paths}  # fmt: skip

    first, second = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert len(first) == 79 + 8
    assert first == second


def test_bundled_files_are_what_the_generator_writes(
    files: list[Path], sample_dir: Path, tmp_path: Path
) -> None:
    bundled = sample_dir / "schulen"
    if not bundled.is_dir():
        pytest.skip("data/sample/schulen not generated yet (make sample-data)")
    assert sorted(p.name for p in bundled.iterdir()) == sorted(p.name for p in files)
    for path in files:
        assert (bundled / path.name).read_bytes() == path.read_bytes(), path.name
    messy = Path(__file__).parent / "fixtures" / "messy"
    for path in write_messy_variants(tmp_path):
        assert (messy / path.name).read_bytes() == path.read_bytes(), path.name


# --------------------------------------------------------------------------------------------
# Seed facts, recomputed from the parsed files
# --------------------------------------------------------------------------------------------


def test_seed_schulformwechsel_matrix(tables: dict[str, pd.DataFrame]) -> None:
    changes = tables["schulformwechsel"]
    seed = changes[(changes["period"] == "2017/18")]
    among = seed[seed["von_schulform"].isin(FOUR) & seed["nach_schulform"].isin(FOUR)]
    counts = among.groupby(["von_schulform", "nach_schulform"])["value"].sum()
    for origin, row in SEED_MATRIX.items():
        for target, expected in row.items():
            assert counts.get((origin, target), 0) == expected, (origin, target)
    assert counts.sum() == 119
    assert among.loc[among["von_schulform"] == "20", "value"].sum() == 98


def test_seed_schulformwechsel_by_target_and_grade(tables: dict[str, pd.DataFrame]) -> None:
    changes = tables["schulformwechsel"]
    seed = changes[(changes["period"] == "2017/18") & changes["nach_schulform"].isin(FOUR)]
    counts = seed.groupby(["nach_schulform", "jahrgang"])["value"].sum()
    for target, row in SEED_BY_GRADE.items():
        for grade, expected in row.items():
            assert counts.get((target, str(grade)), 0) == expected, (target, grade)
    totals = seed.groupby("nach_schulform")["value"].sum().to_dict()
    assert totals == {"04": 22, "10": 76, "15": 23, "20": 2}
    assert seed.loc[seed["jahrgang"].isin(["8", "9", "10"]), "value"].sum() == 71


def test_other_years_have_similar_volumes(tables: dict[str, pd.DataFrame]) -> None:
    per_year = tables["schulformwechsel"].groupby("period")["value"].sum()
    assert set(per_year.index) == set(city.SCHOOL_YEARS)
    assert per_year.between(80, 170).all(), per_year.to_dict()


def test_changes_name_schools_of_the_stated_schulform(tables, register) -> None:
    changes = tables["schulformwechsel"]
    known = changes[changes["von_schulnummer"].notna()]
    assert (
        register.loc[known["von_schulnummer"], "schulform"].values == known["von_schulform"]
    ).all()
    assert (
        register.loc[changes["nach_schulnummer"], "schulform"].values == changes["nach_schulform"]
    ).all()  # fmt: skip
    assert changes["datensatz_id"].is_unique


def test_leavers_add_up_to_the_city_totals(tables: dict[str, pd.DataFrame]) -> None:
    leavers = tables["abgaenger"]
    total = leavers.groupby("period")["value"].sum()
    lacking = leavers[leavers["abschlussart"].isin(["ohne_hsa", "foerderschule"])]
    without = lacking.groupby("period")["value"].sum()
    assert (total["2016/17"], without["2016/17"]) == (2160, 174)
    assert round(100 * without["2016/17"] / total["2016/17"], 1) == 8.1
    for label, (itnrw_total, itnrw_without) in city.KREFELD_LEAVERS.items():
        assert abs(total[label] / itnrw_total - 1) <= 0.03, label
        assert abs(without[label] / itnrw_without - 1) <= 0.03, label
    assert (leavers.loc[leavers["abschlussart"] == "foerderschule", "value"] > 0).any()


# --------------------------------------------------------------------------------------------
# Plausibility of the synthetic city
# --------------------------------------------------------------------------------------------


def test_grundschule_pupils_around_8600(tables, register) -> None:
    pupils = tables["schueler"]
    pupils = pupils[pupils["merkmal"] == "schueler"]
    forms = register.loc[pupils["schulnummer"], "schulform"].to_numpy()
    per_year = pupils[forms == "02"].groupby("period")["value"].sum()
    assert per_year.between(7800, 9400).all(), per_year.to_dict()
    assert 8300 <= per_year.mean() <= 8900
    sek = pupils[pupils["jahrgang"].isin([str(g) for g in range(5, 11)]) & (forms != "30")]
    assert sek.groupby("period")["value"].sum().between(11000, 15000).all()


def test_districts_are_uneven(tables, register) -> None:
    pupils = _wide(tables["schueler"])
    pupils = pupils[pupils["period"] == "2016/17"]
    pupils["bezirk"] = register.loc[pupils["schulnummer"], "region_name"].to_numpy()
    pupils = pupils[register.loc[pupils["schulnummer"], "schulform"].to_numpy() == "02"]
    sums = pupils.groupby("bezirk")[["nichtdeutsche_familiensprache", "schueler"]].sum()
    share = sums["nichtdeutsche_familiensprache"] / sums["schueler"]
    assert min(share[["Mitte", "Nord", "Süd"]]) > max(share[["Hüls", "Fischeln"]]) + 0.1


def test_grade_tables_agree_with_pupil_counts(tables: dict[str, pd.DataFrame]) -> None:
    keys = ["period", "schulnummer", "jahrgang"]
    pupils = tables["schueler"]
    pupils = pupils[pupils["merkmal"] == "schueler"].groupby(keys)["value"].sum()
    for name in ("wiederholer", "fehlzeiten"):
        frame = tables[name]
        counts = frame[frame["merkmal"] == "schueler"].set_index(keys)["value"]
        assert (counts == pupils.loc[counts.index]).all(), name


def test_all_schools_are_registered_and_open(tables, register) -> None:
    for name in ("schueler", "wiederholer", "fehlzeiten", "abgaenger", "uebergaenge"):
        frame = tables[name][["period", "schulnummer"]].drop_duplicates()
        assert frame["schulnummer"].isin(register.index).all(), name
        start = register.loc[frame["schulnummer"], "betrieb_ab"].fillna("0000/00").to_numpy()
        end = register.loc[frame["schulnummer"], "betrieb_bis"].fillna("9999/99").to_numpy()
        assert ((start <= frame["period"].to_numpy()) & (frame["period"] <= end)).all(), name


def test_transitions_come_from_grundschulen(tables, register) -> None:
    transitions = tables["uebergaenge"]
    assert (register.loc[transitions["schulnummer"], "schulform"] == "02").all()
    per_year = transitions.groupby("period")["value"].sum()
    assert per_year.between(1800, 2600).all(), per_year.to_dict()


def test_stadtbezirke_of_template_and_city_agree() -> None:
    assert {str(k): v for k, v in city.STADTBEZIRKE.items()} == STADTBEZIRKE


# --------------------------------------------------------------------------------------------
# Fictional names and numbers: no collision with the real school lists
# --------------------------------------------------------------------------------------------


def _real_schools(realdata: Path) -> tuple[set[str], set[str], set[str]]:
    """(all NRW numbers, all NRW names, Krefeld names) from the ministry and SVWS lists."""
    numbers, names, krefeld = set(), set(), set()
    with open(realdata / "msb-nrw-schuldaten" / "schuldaten.csv", encoding="utf-8-sig") as f:
        next(f)  # sep=;
        for row in csv.DictReader(f, delimiter=";"):
            numbers.add(row["Schulnummer"])
            names.add(row["Schulbezeichnung_1"].casefold())
            if row["Gemeindeschluessel"] == "05114000":
                krefeld.add(row["Schulbezeichnung_1"].casefold())
    with open(realdata / "svws-nrw-kataloge" / "Schulen.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            numbers.add(row["SchulNr"])
            names.add(row["ABez1"].casefold())
            if row["RegSchl"] == "114000":
                krefeld.add(row["ABez1"].casefold())
    return numbers, names, krefeld


def test_names_and_numbers_are_fictional(register: pd.DataFrame, realdata: Path) -> None:
    numbers, names, krefeld = _real_schools(realdata)
    assert len(numbers) > 5000 and len(krefeld) > 50
    ours = register["name"].str.casefold()
    assert register["name"].str.endswith("(fiktiv)").all()
    assert not set(register.index) & numbers
    assert not set(ours) & names
    assert [(r, o) for r in krefeld for o in ours if r and (r in o or o in r)] == []
    assert register.index.str.fullmatch(r"0\d{5}").all()


def test_school_mix(register: pd.DataFrame) -> None:
    forms = register["schulform"].value_counts().to_dict()
    assert 55 <= len(register) <= 70
    assert 34 <= forms["02"] <= 40
    assert {"04", "08", "10", "14", "15", "20", "30"} <= set(forms)
    assert set(register["stadtbezirk"]) == {str(n) for n in range(1, 10)}
