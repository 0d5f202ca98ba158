"""The Stadtbezirk means of the Schulsozialindex: no published or derivable mean rests on
fewer than MIN_SCHOOLS_PER_GROUP schools, even with the city-wide distribution beside them."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines import paths
from pipelines.disclosure.decisions import decide_sozialindex
from pipelines.disclosure.sozialindex import (
    MIN_SCHOOLS_PER_GROUP,
    district_means,
    hidden_districts,
    protect_district_means,
)
from pipelines.report.contract import TABLES
from pipelines.transform.dbt_sql import model_sql

GROUP = ["school_year", "schulgruppe"]
RELATIONS = {
    "mart_schulsozialindex": "marts.mart_schulsozialindex",
    "dim_region": "marts.dim_region",
    "intern.sozialindex_sperren": "intern.sozialindex_sperren",
}


def _published(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``published.sozialindex_stufen`` and ``published.sozialindex_stadtbezirke`` as the
    pipeline builds them: the decision (intern.sozialindex_sperren), then the dbt models."""
    decide_sozialindex(con)
    stufen = con.execute(model_sql("pub_sozialindex_stufen", RELATIONS)).df()
    bezirke = con.execute(model_sql("pub_sozialindex_stadtbezirke", RELATIONS)).df()
    return stufen, bezirke


def test_the_dbt_models_use_the_same_minimum() -> None:
    import yaml

    project = yaml.safe_load((paths.DBT_PROJECT_DIR / "dbt_project.yml").read_text("utf-8"))
    assert project["vars"]["sozialindex_mindestzahl_schulen"] == MIN_SCHOOLS_PER_GROUP


def test_the_threshold_is_three() -> None:
    assert MIN_SCHOOLS_PER_GROUP == 3


def test_a_district_with_one_school_is_hidden_with_a_complement() -> None:
    # A alone would be city sum minus the others: D (fewest published schools) goes too.
    assert hidden_districts({"A": 1, "B": 5, "C": 4, "D": 3}) == {"A", "D"}


def test_the_complement_is_the_smallest_district_and_ties_go_by_key() -> None:
    assert hidden_districts({"A": 5, "B": 1, "C": 4, "D": 4}) == {"B", "C"}
    assert hidden_districts({"D": 4, "C": 4, "B": 1, "A": 5}) == {"B", "C"}
    # two hidden districts but only two schools between them: one more is needed
    assert hidden_districts({"A": 1, "B": 1, "C": 3, "D": 5}) == {"A", "B", "C"}
    # two hidden districts with three schools between them are enough
    assert hidden_districts({"A": 1, "B": 2, "C": 3, "D": 5}) == {"A", "B"}


def test_nothing_is_hidden_when_every_district_has_three_schools() -> None:
    assert hidden_districts({"A": 3, "B": 7, "C": 4}) == set()
    assert hidden_districts({"A": 3}) == set()


def test_a_group_with_fewer_than_three_schools_city_wide_is_hidden_entirely() -> None:
    assert hidden_districts({"A": 1, "B": 1}) == {"A", "B"}
    assert hidden_districts({"A": 2}) == {"A"}
    assert hidden_districts({"A": 1, "B": 0}) == {"A"}


def test_districts_without_schools_neither_count_nor_cover() -> None:
    assert hidden_districts({"A": 1, "B": 0, "C": 4, "D": 6}) == {"A", "C"}


def test_schools_in_no_district_are_a_hidden_part() -> None:
    # the unassigned school's level would be city sum minus all districts
    assert hidden_districts({"A": 5, "B": 4}, unassigned=1) == {"B"}
    assert hidden_districts({"A": 5, "B": 4}, unassigned=0) == set()


def _sums(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    """Rows of the district query from (group, district, schools, sum of levels)."""
    return pd.DataFrame(
        [
            ("2024/25", group, key, f"Bezirk {key}", n, total)
            for group, key, n, total in rows
        ],
        columns=["school_year", "schulgruppe", "region_key", "region_name", "anzahl_schulen",
                 "summe_stufen"],
    )  # fmt: skip


def test_the_published_frame_has_the_contract_columns_and_marks_what_it_hides() -> None:
    frame = protect_district_means(
        _sums(
            [
                ("Grundschulen", "1", 4, 20.0),
                ("Grundschulen", "2", 3, 9.0),
                ("Grundschulen", "3", 6, 24.0),
                ("Weiterführende Schulen", "1", 1, 6.0),
                ("Weiterführende Schulen", "2", 4, 12.0),
                ("Weiterführende Schulen", "3", 5, 35.0),
            ]
        )
    )
    assert tuple(frame.columns) == TABLES["sozialindex_stadtbezirke"]
    rows = frame.set_index(["schulgruppe", "region_key"])
    grund = rows.loc["Grundschulen"]
    assert grund["mittlere_stufe"].tolist() == [5.0, 3.0, 4.0]
    assert grund["symbol"].isna().all() and grund["suppression_reason"].isna().all()
    weiter = rows.loc["Weiterführende Schulen"]
    assert weiter["mittlere_stufe"].isna().tolist() == [True, True, False]
    assert weiter["mittlere_stufe"].iloc[2] == 7.0
    assert weiter["symbol"].tolist()[:2] == [".", "."] and pd.isna(weiter["symbol"].iloc[2])
    assert weiter["suppression_reason"].tolist()[:2] == ["gesperrt", "gesperrt"]
    assert weiter["anzahl_schulen"].tolist() == [1, 4, 5]  # counts stay published


def test_an_empty_input_gives_an_empty_table_with_the_columns() -> None:
    frame = protect_district_means(_sums([]))
    assert frame.empty and tuple(frame.columns) == TABLES["sozialindex_stadtbezirke"]


# ---------------------------------------------------------------- what an outsider can derive


def _derivable_groups(stufen: pd.DataFrame, bezirke: pd.DataFrame) -> list[tuple[set, int]]:
    """Per school year × group, the smallest sets of schools whose mean follows from the
    published tables: each published district, and the hidden districts together (city
    sum from the distribution minus the published districts' sums); a group without a
    distribution gives nothing but its published districts. Every other derivable mean is
    over a union of these."""
    groups = []
    for (year, gruppe), districts in bezirke.groupby(GROUP):
        shown = districts[districts["mittlere_stufe"].notna()]
        hidden = districts[districts["mittlere_stufe"].isna()]
        groups += [
            ({k}, int(n)) for k, n in zip(shown["region_key"], shown["anzahl_schulen"], strict=True)
        ]
        city = stufen[(stufen["school_year"] == year) & (stufen["schulgruppe"] == gruppe)]
        n_hidden = int(city["anzahl_schulen"].sum() - shown["anzahl_schulen"].sum())
        if len(city) and n_hidden:
            groups.append((set(hidden["region_key"]), n_hidden))
    return groups


def _mart(schools: list[tuple[str, str, str | None, int]]) -> duckdb.DuckDBPyConnection:
    """Marts with one row per school: (school year, gruppe, Stadtbezirk, Stufe)."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.mart_schulsozialindex (school_year varchar, gruppe varchar, "
        "schulnummer varchar, stadtbezirk_key varchar, stufe integer)"
    )
    con.executemany(
        "insert into marts.mart_schulsozialindex values (?, ?, ?, ?, ?)",
        [(y, g, f"{i:06d}", k, s) for i, (y, g, k, s) in enumerate(schools)],
    )
    con.execute("create table marts.dim_region (region_key varchar, region_name varchar)")
    con.executemany(
        "insert into marts.dim_region values (?, ?)",
        [(f"05114000-{n}", f"Bezirk {n}") for n in range(1, 10)],
    )
    return con


def _random_schools(seed: int) -> list[tuple[str, str, str | None, int]]:
    rng = np.random.default_rng(seed)
    schools = []
    for year in ("2023/24", "2024/25"):
        for gruppe, mean in (("grundschule", 4.0), ("weiterfuehrend", 1.6)):
            districts = rng.integers(1, 10)
            for n in range(1, districts + 1):
                for _ in range(rng.poisson(mean)):
                    schools.append((year, gruppe, f"05114000-{n}", int(rng.integers(1, 10))))
            if rng.random() < 0.2:  # a school the mart places in no district
                schools.append((year, gruppe, None, int(rng.integers(1, 10))))
    return schools


@pytest.mark.parametrize("seed", range(40))
def test_no_published_or_derivable_mean_rests_on_fewer_than_three_schools(seed: int) -> None:
    con = _mart(_random_schools(seed))
    stufen, bezirke = _published(con)
    pd.testing.assert_frame_equal(  # the model applies the decision of the tested function
        bezirke.astype(district_means(con).dtypes.to_dict()), district_means(con)
    )
    assert tuple(stufen.columns) == TABLES["sozialindex_stufen"]
    assert tuple(bezirke.columns) == TABLES["sozialindex_stadtbezirke"]
    shown = bezirke[bezirke["mittlere_stufe"].notna()]
    assert (shown["anzahl_schulen"] >= MIN_SCHOOLS_PER_GROUP).all()
    assert shown["symbol"].isna().all()
    assert (bezirke.loc[bezirke["mittlere_stufe"].isna(), "symbol"] == ".").all()
    for districts, schools in _derivable_groups(stufen, bezirke):
        assert schools >= MIN_SCHOOLS_PER_GROUP, (seed, districts, schools)
    # the published means are the true ones, and every district with schools has a row
    truth = con.execute(
        "select school_year, case when gruppe ilike 'grund%' then 'Grundschulen' "
        "else 'Weiterführende Schulen' end as schulgruppe, stadtbezirk_key as region_key, "
        "count(*) as n, avg(stufe) as mean from marts.mart_schulsozialindex "
        "where stadtbezirk_key is not null group by all"
    ).df()
    merged = bezirke.merge(truth, on=[*GROUP, "region_key"], how="outer", validate="1:1")
    assert (merged["anzahl_schulen"] == merged["n"]).all()
    published = merged[merged["mittlere_stufe"].notna()]
    assert np.allclose(published["mittlere_stufe"], published["mean"])


def test_the_distribution_leaves_out_groups_of_fewer_than_three_schools() -> None:
    con = _mart(
        [("2024/25", "grundschule", "05114000-1", s) for s in (2, 4, 4, 7)]
        + [("2024/25", "weiterfuehrend", "05114000-1", 3), ("2024/25", "weiterfuehrend", None, 8)]
    )
    stufen, bezirke = _published(con)
    assert stufen.values.tolist() == [
        ["2024/25", "Grundschulen", 2, 1],
        ["2024/25", "Grundschulen", 4, 2],
        ["2024/25", "Grundschulen", 7, 1],
    ]
    assert bezirke["mittlere_stufe"].tolist()[0] == 4.25
    assert bezirke.loc[bezirke["schulgruppe"] == "Weiterführende Schulen", "symbol"].tolist() == [
        "."
    ]


def test_the_hidden_block_is_never_one_district_alone() -> None:
    rng = np.random.default_rng(7)
    for _ in range(2000):
        schools = {str(k): int(rng.integers(0, 7)) for k in range(rng.integers(1, 10))}
        unassigned = int(rng.integers(0, 3)) if rng.random() < 0.2 else 0
        hidden = hidden_districts(schools, unassigned)
        shown = {k: n for k, n in schools.items() if n > 0 and k not in hidden}
        assert all(n >= MIN_SCHOOLS_PER_GROUP for n in shown.values())
        parts = len(hidden) + (1 if unassigned else 0)
        held = sum(schools[k] for k in hidden) + unassigned
        if parts:
            assert held >= MIN_SCHOOLS_PER_GROUP or not shown, (schools, unassigned, hidden)
            assert parts >= 2 or not shown, (schools, unassigned, hidden)
