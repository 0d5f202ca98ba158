"""The state-sized scale data (``generate --scale state``): deterministic, parsed by the real
parsers, state-sized, and consistent where the quality gate compares sources.

The full ``state`` size (≈ 25 million pupil records) is the benchmark's job; these tests write
a two-copy slice (130 schools) and check the ``state`` spec's size by its scale factor.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_sample_schulen import _real_schools

from pipelines.ingest import genesis as genesis_parser
from pipelines.ingest import schulen as schulen_parser
from pipelines.sample import city, generate, scale
from pipelines.sample.kreise import ALL_KREISE
from pipelines.sample.scale_schulen import (
    Scale,
    allocate_groups,
    itnrw_leavers,
    scale_register,
    scale_tables,
)
from pipelines.sample.schulen import sample_tables
from quality.cross_source import LEAVERS_TOLERANCE_PERCENT

SLICE = Scale(copies=2, size=0.9)
STATE = scale.SCALES["state"]
PARSED_YEARS = ("2015-16", "2024-25")  # the legacy CSV layout and the XLSX template


@pytest.fixture(scope="module")
def scale_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scale")
    scale.write_scale(out, SLICE, "slice")
    return out


@pytest.fixture(scope="module")
def sample_pupils() -> pd.Series:
    pupils = sample_tables()["schueler"]
    return pupils.groupby("schuljahr")["schueler"].sum()


@pytest.fixture(scope="module")
def parsed(scale_dir: Path) -> dict[str, pd.DataFrame]:
    """The slice's IT.NRW tables and two years of school files, through the real parsers."""
    frames: dict[str, list[pd.DataFrame]] = {}
    paths = sorted((scale_dir / "itnrw").iterdir())
    paths += [p for p in sorted((scale_dir / "schulen").iterdir()) if p.stem.endswith(PARSED_YEARS)]
    paths += list((scale_dir / "schulen").glob("schulen_*.xlsx"))
    for path in paths:
        parser = genesis_parser if path.parent.name == "itnrw" else schulen_parser
        result = parser.parse(path)
        frames.setdefault(f"{result.source}__{result.table}", []).append(result.frame)
    return {name: pd.concat(f, ignore_index=True) for name, f in frames.items()}


def _digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- size -------------------------------------------------------------------------------------


def test_state_spec_is_state_sized(sample_pupils: pd.Series) -> None:
    schools = len(scale_register(STATE))
    assert 5000 <= schools <= 6000
    per_year = STATE.factor * sample_pupils.loc[list(STATE.years)].mean()
    assert 2.3e6 <= per_year <= 2.7e6
    assert len(STATE.years) == 10 and STATE.years[-1] == city.SCHOOL_YEARS[-1]


def test_pupils_grow_with_the_scale_factor(sample_pupils: pd.Series) -> None:
    bigger = Scale(copies=3, size=0.9)
    _, tables = scale_tables(bigger)
    per_year = tables["schueler"].groupby("schuljahr")["schueler"].sum()
    ratio = per_year / sample_pupils.loc[per_year.index]
    assert ratio.between(0.97 * bigger.factor, 1.03 * bigger.factor).all(), ratio.to_dict()


def test_school_histories_are_staggered_across_copies() -> None:
    """Not every Kreis closes its Hauptschulen in the same summer (the yoy check would stop)."""
    register = scale_register(STATE)
    closing = {s.last_year for s in register if s.kurzname == "Kranichweg"}
    assert closing == {2018, 2019, 2020, 2021, 2022}
    opening = {s.first_year for s in register if s.kurzname == "Weidenbogen"}
    assert opening == {2020, 2021, 2022, 2023, 2024}
    assert all(s.first_year is None for s in register if s.kurzname == "Ahornweg")


def test_allocate_groups_splits_each_total_exactly() -> None:
    totals = pd.Series([10, 7, 0]).to_numpy()
    weights = pd.Series([1.0, 1.0, 1.0, 3.0, 1.0, 0.0, 2.0]).to_numpy()
    groups = pd.Series([0, 0, 0, 1, 1, 2, 2]).to_numpy()
    counts = allocate_groups(totals, weights, groups)
    assert counts.tolist() == [4, 3, 3, 5, 2, 0, 0]


# --- files ------------------------------------------------------------------------------------

GUIDE_FILES = ("schulen/schulprofil_", "schulen/anmeldungen_")


def test_layout_and_file_names_are_the_samples(scale_dir: Path, sample_dir: Path) -> None:
    ours = {p.relative_to(scale_dir).as_posix() for p in scale_dir.rglob("*") if p.is_file()}
    bundled = {p.relative_to(sample_dir).as_posix() for p in sample_dir.rglob("*") if p.is_file()}
    dropped_year = city.SCHOOL_YEARS[0].replace("/", "-")  # ten school years, not eleven
    expected = {n for n in bundled if not (n.startswith("schulen/") and dropped_year in n)}
    # the school guides are the city's own product (their schools must be in the state
    # register, which the scale data copies from the city): optional, not written at scale
    expected = {n for n in expected if not n.startswith(GUIDE_FILES)}
    assert ours == expected


def test_generation_is_byte_for_byte_deterministic(scale_dir: Path, tmp_path: Path) -> None:
    scale.write_scale(tmp_path, SLICE, "slice")
    assert _digests(tmp_path) == _digests(scale_dir)


def test_files_say_they_are_synthetic(scale_dir: Path) -> None:
    assert "SYNTHETIC" in (scale_dir / "README.md").read_text(encoding="utf-8")
    for path in (scale_dir / "schulen").glob("*_2024-25.xlsx"):
        workbook = openpyxl.load_workbook(path, read_only=True)
        assert "Synthetische Beispieldaten" in workbook.properties.title
        assert "Synthetische Beispieldaten" in workbook["Hinweise"]["A1"].value
        workbook.close()
    first = (scale_dir / "schulen" / "schueler_2015-16.csv").read_bytes().decode("cp1252")
    assert "Synthetische Beispieldaten" in first.splitlines()[0]
    leavers = (scale_dir / "itnrw" / "21111-02-06-4_2022-2025.csv").read_bytes().decode("cp1252")
    assert "Synthetische Beispieldaten" in leavers


def test_spliced_rows_are_what_openpyxl_writes() -> None:
    frame = pd.DataFrame(
        {
            "schuljahr": ["2019/20", "2019/20"],
            "von_schulnummer": ["", "012345"],
            "name": ["A & B <fiktiv>", "Übergänge"],
            "schueler": [0, 12345],
        }
    )
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Daten")
    for values in frame.itertuples(index=False):
        sheet.append([None if v == "" else v for v in values])
    raw = io.BytesIO()
    workbook.save(raw)
    xml = zipfile.ZipFile(raw).read("xl/worksheets/sheet1.xml")
    expected = xml.split(b"<sheetData>")[1].split(b"</sheetData>")[0]
    assert scale.sheet_rows(frame, first_row=1) == expected


# --- parsed content ---------------------------------------------------------------------------


def test_itnrw_tables_list_all_53_kreise(parsed: dict[str, pd.DataFrame]) -> None:
    assert len(ALL_KREISE) == 53
    for name in ("itnrw__abgaenger", "itnrw__bevoelkerung", "itnrw__schueler_schulart"):
        keys = set(parsed[name]["region_key"])
        kreise = {k for k in keys if len(k) == 5}
        assert kreise == set(ALL_KREISE), name
        assert {"05", "051", "053", "055", "057", "059"} <= keys
        assert city.KREFELD in kreise


def test_school_files_have_the_slices_size(parsed: dict[str, pd.DataFrame], sample_pupils) -> None:
    register = parsed["schulen__schulen"]
    assert len(register) == 65 * SLICE.copies
    assert register["name"].str.endswith("(fiktiv)").all()
    assert register["schulnummer"].str.fullmatch(r"0\d{5}").all()
    assert register["schulnummer"].is_unique
    pupils = parsed["schulen__schueler"]
    per_year = pupils[pupils["merkmal"] == "schueler"].groupby("period")["value"].sum()
    assert list(per_year.index) == [y.replace("-", "/") for y in PARSED_YEARS]
    ratio = per_year / sample_pupils.loc[per_year.index]
    assert ratio.between(0.95 * SLICE.factor, 1.05 * SLICE.factor).all(), ratio.to_dict()


def test_leavers_agree_with_itnrw_within_the_gates_tolerance(parsed) -> None:
    schools = parsed["schulen__abgaenger"].groupby("period")["value"].sum()
    itnrw = parsed["itnrw__abgaenger"]
    krefeld = itnrw[
        (itnrw["region_key"] == city.KREFELD)
        & (itnrw["abschluss_code"] == "insgesamt")
        & (itnrw["geschlecht"] == "insgesamt")
    ].set_index("period")["value"]
    gap = (schools - krefeld.loc[schools.index]).abs() / krefeld.loc[schools.index] * 100
    assert (gap <= LEAVERS_TOLERANCE_PERCENT).all(), gap.to_dict()
    published = itnrw_leavers(SLICE)
    assert krefeld.to_dict() == {y: float(t) for y, (t, _) in published.items()}


def test_schulformwechsel_records_fit_the_register(parsed: dict[str, pd.DataFrame]) -> None:
    register = parsed["schulen__schulen"].set_index("schulnummer")["schulform"]
    changes = parsed["schulen__schulformwechsel"]
    assert len(changes) > 100 * SLICE.copies
    assert not changes.duplicated(["period", "datensatz_id"]).any()
    known = changes[changes["von_schulnummer"].notna()]
    assert (register.loc[known["von_schulnummer"]].to_numpy() == known["von_schulform"]).all()
    assert (register.loc[changes["nach_schulnummer"]].to_numpy() == changes["nach_schulform"]).all()
    assert (changes["von_schulform"] != changes["nach_schulform"]).all()


def test_state_names_and_numbers_are_fictional(realdata: Path) -> None:
    numbers, names, krefeld = _real_schools(realdata)
    register = scale_register(STATE)
    ours = {s.name.casefold() for s in register}
    assert not {s.schulnummer for s in register} & numbers
    assert not ours & names
    assert all(s.name.endswith("(fiktiv)") for s in register)
    assert len({s.schulnummer for s in register}) == len(register)
    assert [r for r in krefeld if r and any(r in o for o in ours)] == []


# --- command line -----------------------------------------------------------------------------


def test_state_scale_needs_an_output_folder(capsys) -> None:
    with pytest.raises(SystemExit):
        generate.main(["--scale", "state"])
    assert "--out" in capsys.readouterr().err
