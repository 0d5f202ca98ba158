"""The real IT.NRW population tables are the specification of the population layouts.

``2023_12411-02-03-4.csv`` (Regionaldatenbank, sex × IT.NRW's 17 age groups, Kreise; the
download holds a selection of the groups) and ``2024_12411-09i.csv`` (Landesdatenbank,
single years of age, Gemeinden) from ``../shared/realdata``: they parse into the raw tables
``bevoelkerung`` and ``bevoelkerung_altersjahre``, keep the published figures and pass the
raw schemas without a single problem.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest import genesis
from pipelines.ingest import genesis_tables as registry
from quality.raw_schemas import validate_tidy

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "ldbnrw-csv-classic"
GROUPS = REALDATA / "2023_12411-02-03-4.csv"
SINGLE_YEARS = REALDATA / "2024_12411-09i.csv"


def _parse(path: Path):
    if not path.is_file():
        pytest.skip(f"{path} absent (../shared/realdata)")
    return genesis.parse(path)


def _value(frame, **where) -> float:
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, where
    return float(frame["value"].iloc[0])


@pytest.fixture(scope="module")
def groups():
    return _parse(GROUPS)


@pytest.fixture(scope="module")
def single_years():
    return _parse(SINGLE_YEARS)


def test_age_groups_table_maps_to_the_population_table(groups):
    assert (groups.table, groups.table_code) == ("bevoelkerung", "12411-02-03-4")
    frame = groups.frame
    assert set(frame["period"]) == {"2023-12-31"}
    # the download is a selection of the 17 groups; each of them is one of IT.NRW's codes
    assert set(frame["altersgruppe"]) == {
        "insgesamt", "6_bis_unter_10", "10_bis_unter_15", "15_bis_unter_18", "18_bis_unter_20",
    }  # fmt: skip
    assert set(frame["altersgruppe"]) <= {"insgesamt", *registry.ALTERSGRUPPEN_17}
    assert set(frame["geschlecht"]) == {"insgesamt", "maennlich", "weiblich"}


def test_age_groups_table_keeps_the_published_figures(groups):
    frame = groups.frame
    nrw = frame[frame["region_key"] == "05"]
    assert _value(nrw, altersgruppe="insgesamt", geschlecht="insgesamt") == 18_017_520
    assert _value(nrw, altersgruppe="insgesamt", geschlecht="weiblich") == 9_158_484
    assert _value(nrw, altersgruppe="18_bis_unter_20", geschlecht="insgesamt") == 354_519
    krefeld = frame[frame["region_key"] == "05114"]
    assert _value(krefeld, altersgruppe="insgesamt", geschlecht="insgesamt") == 230_393
    assert _value(krefeld, altersgruppe="insgesamt", geschlecht="maennlich") == 112_915
    assert _value(krefeld, altersgruppe="10_bis_unter_15", geschlecht="weiblich") == 5_150
    assert _value(krefeld, altersgruppe="18_bis_unter_20", geschlecht="insgesamt") == 4_515


def test_age_groups_table_passes_the_raw_schema(groups):
    assert validate_tidy(groups.frame, "itnrw__bevoelkerung", file=GROUPS.name) == []


def test_single_years_table_maps_to_its_own_raw_table(single_years):
    assert (single_years.table, single_years.table_code) == (
        "bevoelkerung_altersjahre",
        "12411-09i",
    )
    frame = single_years.frame
    assert set(frame["period"]) == {"2024-12-31"}
    assert set(frame["altersjahr"]) == {"insgesamt", *registry.ALTERSJAHRE}
    assert len(registry.ALTERSJAHRE) == 91  # 0 … 89 and 90_und_mehr
    assert set(frame["geschlecht"]) == {"insgesamt"}  # the download has no sex breakdown


def test_single_years_table_keeps_the_published_figures(single_years):
    frame = single_years.frame
    krefeld = frame[frame["region_key"] == "05114"]
    assert _value(krefeld, altersjahr="insgesamt") == 231_406
    assert _value(krefeld, altersjahr="0") == 1_923  # "unter 1 Jahr"
    assert _value(krefeld, altersjahr="17") == 2_295
    assert _value(krefeld, altersjahr="90_und_mehr") == 2_570
    ages = krefeld[krefeld["altersjahr"] != "insgesamt"]
    assert ages["value"].sum() == 231_406  # the single years add up to the total
    under_3 = ages[ages["altersjahr"].isin(["0", "1", "2"])]["value"].sum()
    assert under_3 == 1_923 + 2_031 + 2_005
    nrw = frame[frame["region_key"] == "05"]
    assert _value(nrw, altersjahr="insgesamt") == 18_034_454


def test_single_years_table_passes_the_raw_schema(single_years):
    frame = single_years.frame
    assert validate_tidy(frame, "itnrw__bevoelkerung_altersjahre", file=SINGLE_YEARS.name) == []


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("unter 1 Jahr", "0"),
        ("1 bis unter 2 Jahre", "1"),
        ("89 bis unter 90 Jahre", "89"),
        ("90 Jahre und mehr", "90_und_mehr"),
        ("Insgesamt", "insgesamt"),
    ],
)
def test_altersjahr_codes(label, code):
    assert registry.altersjahr_code(label) == code


def test_altersjahr_refuses_an_age_group():
    with pytest.raises(registry.LabelError):
        registry.altersjahr_code("18 bis unter 20 Jahre")
