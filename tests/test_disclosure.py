"""Disclosure control: hand-made tables, and a property test with an independent linear audit.

The audit in this file does not use the module's relation finder or its null-space check: the
table generators write down the equations they built the table from, and a suppressed cell
counts as derivable iff its unit vector lies in the row space of those equations restricted to
the hidden cells (compared by matrix rank).
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quality.disclosure import (
    SECONDARY,
    Relation,
    additive_relations,
    apply_disclosure_control,
    derivable_cells,
    find_derivable_cells,
    find_small_counts,
    hierarchy_from_regions,
    primary_suppression,
)

INS = "insgesamt"
FALLZAHL = "primaer: Fallzahl < 3"
NENNER = "primaer: Nenner < 10"
REPO = Path(__file__).resolve().parents[1]

Cell = tuple[str, str, str]  # (region_key, geschlecht, staatsangehoerigkeit)
Equation = dict[Cell, float]  # sum(coef * x) == 0


# --- building tables ----------------------------------------------------------------------


def long_frame(
    cells: dict[Cell, float],
    *,
    indicator: str = "schueler_anzahl",
    period: str = "2024/25",
    unit: str = "Anzahl",
    denominators: dict[Cell, float] | None = None,
) -> pd.DataFrame:
    """Mart-shaped rows; with ``denominators`` the cells are rates (numerator = cell value)."""
    rows = []
    for (region, geschlecht, staat), value in cells.items():
        row = {
            "indicator_id": indicator,
            "region_key": region,
            "region_level": "Schule" if len(region) == 6 else "Stadt",
            "period": period,
            "geschlecht": geschlecht,
            "staatsangehoerigkeit": staat,
            "schulform": INS,
            "numerator": value,
            "denominator": np.nan,
            "value": value,
            "unit": unit,
        }
        if denominators is not None:
            denominator = denominators[(region, geschlecht, staat)]
            row["denominator"] = denominator
            row["value"] = 100 * value / denominator if denominator else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def two_way(inner: dict[tuple[str, str], float], region: str = "05114") -> dict[Cell, float]:
    """A geschlecht × staatsangehoerigkeit table with all margins."""
    genders = sorted({g for g, _ in inner})
    nations = sorted({s for _, s in inner})
    cells: dict[Cell, float] = {}
    for g, s in product([*genders, INS], [*nations, INS]):
        cells[(region, g, s)] = sum(
            v for (gg, ss), v in inner.items() if g in (gg, INS) and s in (ss, INS)
        )
    return cells


def two_way_equations(genders: list[str], nations: list[str], region: str) -> list[Equation]:
    equations: list[Equation] = []
    for g in [*genders, INS]:
        eq = {(region, g, s): 1.0 for s in nations}
        eq[(region, g, INS)] = -1.0
        equations.append(eq)
    for s in [*nations, INS]:
        eq = {(region, g, s): 1.0 for g in genders}
        eq[(region, INS, s)] = -1.0
        equations.append(eq)
    return equations


def key(frame: pd.DataFrame, row: pd.Series) -> Cell:
    return (row["region_key"], row["geschlecht"], row["staatsangehoerigkeit"])


def hidden_cells(frame: pd.DataFrame) -> set[Cell]:
    return {key(frame, row) for _, row in frame.iterrows() if pd.isna(row["value"])}


def reason_of(frame: pd.DataFrame, cell: Cell) -> object:
    match = frame[
        (frame["region_key"] == cell[0])
        & (frame["geschlecht"] == cell[1])
        & (frame["staatsangehoerigkeit"] == cell[2])
    ]
    assert len(match) == 1
    return match["suppression_reason"].iloc[0]


# --- the independent audit ----------------------------------------------------------------


def derivable_by_rank(equations: list[Equation], hidden: set[Cell]) -> set[Cell]:
    """Hidden cells whose value is fixed by the equations once all other cells are known."""
    unknowns = sorted(hidden)
    if not unknowns:
        return set()
    column = {cell: j for j, cell in enumerate(unknowns)}
    rows = []
    for equation in equations:
        row = np.zeros(len(unknowns))
        for cell, coefficient in equation.items():
            if cell in column:
                row[column[cell]] += coefficient
        rows.append(row)
    matrix = np.array(rows) if rows else np.zeros((0, len(unknowns)))
    rank = np.linalg.matrix_rank(matrix) if len(rows) else 0
    derivable = set()
    for cell, j in column.items():
        unit = np.zeros((1, len(unknowns)))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            derivable.add(cell)
    return derivable


def protected(frame: pd.DataFrame) -> set[Cell]:
    return {
        key(frame, row)
        for _, row in frame.iterrows()
        if isinstance(row["suppression_reason"], str)
        and row["suppression_reason"].startswith("primaer")
    }


def test_audit_detects_a_lone_suppressed_cell_when_secondary_suppression_is_skipped():
    cells = two_way({("m", "de"): 10, ("m", "nd"): 2, ("w", "de"): 12, ("w", "nd"): 7})
    equations = two_way_equations(["m", "w"], ["de", "nd"], "05114")
    primary_only = primary_suppression(long_frame(cells))
    assert hidden_cells(primary_only) == {("05114", "m", "nd")}
    assert derivable_by_rank(equations, hidden_cells(primary_only)) == {("05114", "m", "nd")}
    # the module's own audit agrees, and full control removes the leak
    assert len(find_derivable_cells(primary_only)) == 1
    protected_frame = apply_disclosure_control(long_frame(cells))
    assert derivable_by_rank(equations, hidden_cells(protected_frame)) == set()


def test_two_per_relation_is_not_enough_and_the_linear_repair_closes_the_gap():
    # Two suppressed 2×2 rectangles joined by one suppressed cell: every row and column holds
    # 0 or ≥ 2 hidden cells, yet the joining cell (a, C) follows from the margins.
    genders, nations = ["a", "b", "c", "d", "e"], ["A", "B", "C", "D", "E"]
    small = {("a", "A"), ("a", "B"), ("b", "A"), ("b", "B"), ("c", "C")}
    small |= {("c", "D"), ("d", "C"), ("d", "D"), ("a", "C")}
    inner = {(g, s): (1 if (g, s) in small else 50) for g in genders for s in nations}
    equations = two_way_equations(genders, nations, "05114")
    primary_only = primary_suppression(long_frame(two_way(inner)))
    hidden = hidden_cells(primary_only)
    for equation in equations:
        assert len(hidden & set(equation)) != 1  # the "two per relation" rule holds
    assert derivable_by_rank(equations, hidden) == {("05114", "a", "C")}

    result = apply_disclosure_control(long_frame(two_way(inner)))
    assert derivable_by_rank(equations, hidden_cells(result)) == set()
    assert find_derivable_cells(result).empty


# --- primary suppression ------------------------------------------------------------------


def test_counts_one_and_two_are_suppressed_zero_and_three_stay():
    cells = {("05114", g, INS): v for g, v in [("a", 0), ("b", 1), ("c", 2), ("d", 3)]}
    result = primary_suppression(long_frame(cells))
    by_g = result.set_index("geschlecht")
    assert by_g.loc["a", "value"] == 0 and by_g.loc["a", "suppression_reason"] is None
    assert by_g.loc["d", "value"] == 3 and by_g.loc["d", "symbol"] is None
    for g in ("b", "c"):
        assert np.isnan(by_g.loc[g, "value"]) and np.isnan(by_g.loc[g, "numerator"])
        assert by_g.loc[g, "symbol"] == "."
        assert by_g.loc[g, "suppression_reason"] == FALLZAHL


def test_thresholds_are_configurable():
    cells = {("05114", g, INS): v for g, v in [("a", 4), ("b", 5)]}
    result = primary_suppression(long_frame(cells), count_threshold=5)
    assert result["suppression_reason"].tolist() == ["primaer: Fallzahl < 5", None]


def test_rates_on_small_denominators_and_small_numerators_are_suppressed():
    numerators = {("05114", "a", INS): 3, ("05114", "b", INS): 2, ("05114", "c", INS): 0}
    numerators[("05114", "d", INS)] = 0
    denominators = {("05114", "a", INS): 9, ("05114", "b", INS): 40, ("05114", "c", INS): 0}
    denominators[("05114", "d", INS)] = 12
    frame = long_frame(numerators, unit="%", denominators=denominators)
    result = primary_suppression(frame).set_index("geschlecht")
    assert result.loc["a", "suppression_reason"] == NENNER
    assert result.loc["b", "suppression_reason"] == FALLZAHL
    for g in ("a", "b"):
        assert result.loc[g, ["value", "numerator", "denominator"]].isna().all()
    assert result.loc["c", "suppression_reason"] is None  # empty group: nothing to reveal
    assert result.loc["d", "value"] == 0 and result.loc["d", "denominator"] == 12


def test_find_small_counts_sees_values_numerators_and_denominators():
    counts = long_frame({("05114", "a", INS): 2, ("05114", "b", INS): 0})
    assert find_small_counts(counts)["geschlecht"].tolist() == ["a"]
    rates = long_frame(
        {("05114", "a", INS): 5, ("05114", "b", INS): 1},
        unit="%",
        denominators={("05114", "a", INS): 50, ("05114", "b", INS): 50},
    )
    assert find_small_counts(rates)["geschlecht"].tolist() == ["b"]
    assert find_small_counts(apply_disclosure_control(rates)).empty


# --- secondary suppression ----------------------------------------------------------------


def test_secondary_in_a_row_takes_the_smallest_other_part():
    cells = {("05114", g, INS): float(v) for g, v in [("m", 2), ("w", 40), ("d", 5)]}
    cells[("05114", INS, INS)] = 47.0
    result = apply_disclosure_control(long_frame(cells))
    assert reason_of(result, ("05114", "m", INS)) == FALLZAHL
    assert reason_of(result, ("05114", "d", INS)) == SECONDARY
    assert reason_of(result, ("05114", "w", INS)) is None
    assert reason_of(result, ("05114", INS, INS)) is None


def test_secondary_in_a_two_way_table_hides_the_cheapest_rectangle():
    cells = two_way({("m", "de"): 10, ("m", "nd"): 2, ("w", "de"): 12, ("w", "nd"): 7})
    result = apply_disclosure_control(long_frame(cells))
    assert hidden_cells(result) == {
        ("05114", "m", "nd"),
        ("05114", "m", "de"),
        ("05114", "w", "nd"),
        ("05114", "w", "de"),
    }
    assert reason_of(result, ("05114", "w", "de")) == SECONDARY
    assert result.loc[result["geschlecht"] == INS, "value"].notna().all()


def test_secondary_in_a_region_hierarchy():
    bezirke = {"05114000-1": 30, "05114000-2": 2, "05114000-3": 12, "05114000-4": 9}
    cells = {(k, INS, INS): float(v) for k, v in bezirke.items()}
    cells[("05114", INS, INS)] = float(sum(bezirke.values()))
    hierarchy = {k: "05114" for k in bezirke}
    without = apply_disclosure_control(long_frame(cells))
    assert hidden_cells(without) == {("05114000-2", INS, INS)}  # no relation known: no leak
    result = apply_disclosure_control(long_frame(cells), hierarchies=hierarchy)
    assert hidden_cells(result) == {("05114000-2", INS, INS), ("05114000-4", INS, INS)}
    assert find_derivable_cells(result, hierarchies=hierarchy).empty
    assert not find_derivable_cells(without, hierarchies=hierarchy).empty


def test_rate_cells_in_a_hierarchy_lose_numerator_and_denominator():
    schools = {"100001": (3, 8), "100002": (4, 60), "100003": (6, 25), "100004": (9, 90)}
    numerators = {(k, INS, INS): float(n) for k, (n, _) in schools.items()}
    denominators = {(k, INS, INS): float(d) for k, (_, d) in schools.items()}
    numerators[("05114", INS, INS)] = float(sum(n for n, _ in schools.values()))
    denominators[("05114", INS, INS)] = float(sum(d for _, d in schools.values()))
    frame = long_frame(numerators, unit="%", denominators=denominators)
    result = apply_disclosure_control(frame, hierarchies={k: "05114" for k in schools})
    assert reason_of(result, ("100001", INS, INS)) == NENNER
    assert reason_of(result, ("100003", INS, INS)) == SECONDARY  # smallest denominator left
    hidden = result[result["suppression_reason"].notna()]
    assert hidden[["value", "numerator", "denominator"]].isna().all().all()
    krefeld = result[result["region_key"] == "05114"].iloc[0]
    assert krefeld["denominator"] == 183 and krefeld["suppression_reason"] is None


def test_zeros_are_neither_primary_nor_preferred_complements():
    cells = {("05114", g, INS): float(v) for g, v in [("a", 2), ("b", 0), ("c", 9)]}
    cells[("05114", INS, INS)] = 11.0
    result = apply_disclosure_control(long_frame(cells))
    assert reason_of(result, ("05114", "b", INS)) is None
    assert reason_of(result, ("05114", "c", INS)) == SECONDARY
    untouched = long_frame({("05114", "a", INS): 0.0, ("05114", INS, INS): 0.0})
    assert apply_disclosure_control(untouched)["suppression_reason"].isna().all()


def test_ties_are_broken_by_coordinates_not_by_row_order():
    cells = {("05114", g, INS): float(v) for g, v in [("a", 1), ("b", 7), ("c", 7), ("d", 7)]}
    cells[("05114", INS, INS)] = 22.0
    frame = long_frame(cells)
    first = apply_disclosure_control(frame)
    shuffled = apply_disclosure_control(frame.sample(frac=1.0, random_state=3))
    assert reason_of(first, ("05114", "b", INS)) == SECONDARY
    pd.testing.assert_frame_equal(first, shuffled.loc[first.index])


def test_tables_are_protected_separately_and_index_is_kept():
    cells = {("05114", g, INS): float(v) for g, v in [("m", 2), ("w", 20)]}
    cells[("05114", INS, INS)] = 22.0
    frame = pd.concat(
        [
            long_frame(cells, period="2023/24"),
            long_frame(cells | {("05114", "m", INS): 5.0, ("05114", INS, INS): 25.0}),
        ]
    )
    frame.index = [f"r{i}" for i in range(len(frame))]
    result = apply_disclosure_control(frame)
    assert list(result.index) == list(frame.index)
    assert result.loc[result["period"] == "2024/25", "suppression_reason"].isna().all()
    assert result.loc[result["period"] == "2023/24", "suppression_reason"].notna().sum() == 2


def test_cells_hidden_by_the_source_are_protected_only_with_a_secrecy_symbol():
    cells = {("05114", g, INS): float(v) for g, v in [("m", 12), ("w", 20), ("d", 30)]}
    cells[("05114", INS, INS)] = 62.0
    for symbol, expect_secondary in ((".", True), ("*", True), ("x", False)):
        frame = long_frame(cells)
        frame["symbol"] = None
        frame.loc[frame["geschlecht"] == "m", ["value", "numerator", "symbol"]] = [
            np.nan,
            np.nan,
            symbol,
        ]
        result = apply_disclosure_control(frame)
        assert (reason_of(result, ("05114", "w", INS)) == SECONDARY) is expect_secondary
        assert result.loc[result["geschlecht"] == "m", "symbol"].iloc[0] == symbol


def test_duplicate_cells_are_an_error():
    frame = long_frame({("05114", "m", INS): 5.0})
    with pytest.raises(ValueError, match="duplicate cell"):
        apply_disclosure_control(pd.concat([frame, frame]))


def test_hierarchy_from_the_regions_seed_maps_stadtbezirke_to_krefeld():
    regions = pd.read_csv(REPO / "dbt_project" / "seeds" / "regions.csv", dtype=str)
    mapping = hierarchy_from_regions(regions, "Stadtbezirk")
    assert mapping and set(mapping.values()) == {"05114"}
    assert all(k.startswith("05114000-") for k in mapping)


# --- property tests -----------------------------------------------------------------------

cell_values = st.one_of(st.integers(0, 3), st.integers(4, 60))


@st.composite
def two_way_tables(draw):
    genders = [f"g{i}" for i in range(draw(st.integers(2, 7)))]
    nations = [f"s{i}" for i in range(draw(st.integers(2, 7)))]
    inner = {(g, s): draw(cell_values) for g in genders for s in nations}
    return two_way(inner), two_way_equations(genders, nations, "05114")


@st.composite
def three_level_tables(draw):
    """Krefeld → Stadtbezirke → schools, each × geschlecht with its total."""
    genders = ["m", "w"]
    bezirke = [f"05114000-{i + 1}" for i in range(draw(st.integers(2, 4)))]
    schools: dict[str, list[str]] = {}
    number = 100001
    for bezirk in bezirke:
        schools[bezirk] = [str(number + i) for i in range(draw(st.integers(1, 3)))]
        number += 10
    leaves = {(s, g): draw(cell_values) for b in bezirke for s in schools[b] for g in genders}

    cells: dict[Cell, float] = {}
    equations: list[Equation] = []

    def add_region(region: str, values: dict[str, float]) -> None:
        for g in genders:
            cells[(region, g, INS)] = values[g]
        cells[(region, INS, INS)] = sum(values.values())
        equations.append({**{(region, g, INS): 1.0 for g in genders}, (region, INS, INS): -1.0})

    for bezirk in bezirke:
        for school in schools[bezirk]:
            add_region(school, {g: leaves[(school, g)] for g in genders})
        add_region(bezirk, {g: sum(leaves[(s, g)] for s in schools[bezirk]) for g in genders})
        for g in [*genders, INS]:
            equations.append(
                {**{(s, g, INS): 1.0 for s in schools[bezirk]}, (bezirk, g, INS): -1.0}
            )
    add_region("05114", {g: sum(v for (_, gg), v in leaves.items() if gg == g) for g in genders})
    for g in [*genders, INS]:
        equations.append({**{(b, g, INS): 1.0 for b in bezirke}, ("05114", g, INS): -1.0})
    hierarchies = [
        {s: b for b in bezirke for s in schools[b]},
        {b: "05114" for b in bezirke},
    ]
    return cells, equations, hierarchies


def check_protection(original: pd.DataFrame, result: pd.DataFrame, equations: list[Equation]):
    merged = original.join(result[["value", "suppression_reason"]], suffixes=("", "_out"))
    small = (merged["numerator"] > 0) & (merged["numerator"] < 3)
    assert merged.loc[small, "value_out"].isna().all()
    zero_primary = (merged["numerator"] == 0) & merged["suppression_reason"].fillna(
        ""
    ).str.startswith("primaer")
    assert not zero_primary.any()
    shown = merged["value_out"].notna()
    assert (merged.loc[shown, "value"] == merged.loc[shown, "value_out"]).all()
    assert find_small_counts(result).empty
    assert derivable_by_rank(equations, hidden_cells(result)) & protected(result) == set()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_way_tables())
def test_property_no_suppressed_cell_is_derivable_in_two_way_tables(table):
    cells, equations = table
    original = long_frame(cells)
    result = apply_disclosure_control(original)
    check_protection(original, result, equations)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(three_level_tables())
def test_property_no_suppressed_cell_is_derivable_in_three_level_hierarchies(table):
    cells, equations, hierarchies = table
    original = long_frame(cells)
    result = apply_disclosure_control(original, hierarchies=hierarchies)
    check_protection(original, result, equations)
    assert find_derivable_cells(result, hierarchies=hierarchies).empty


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(three_level_tables(), st.sampled_from([2, 3, 4]))
def test_property_rate_tables_hide_numerators_and_denominators(table, factor):
    cells, equations, hierarchies = table
    # denominators proportional to the numerators stay additive; small ones occur where the
    # numerators are small, so both primary rules fire
    frame = long_frame(
        {c: float(v) for c, v in cells.items()},
        unit="%",
        denominators={c: float(v * factor) for c, v in cells.items()},
    )
    result = apply_disclosure_control(frame, hierarchies=hierarchies)
    suppressed = result["suppression_reason"].notna()
    assert result.loc[suppressed, ["value", "numerator", "denominator"]].isna().all().all()
    shown = result[~suppressed]
    assert not ((shown["denominator"] > 0) & (shown["denominator"] < 10)).any()
    assert find_small_counts(result).empty
    assert derivable_by_rank(equations, hidden_cells(result)) & protected(result) == set()


def _dense_derivable(relations, hidden, targets) -> set[int]:
    """Reference: one system over all hidden cells; a target is determined iff its unit
    vector lies in the row space of the equations (rank unchanged when it is added)."""
    unknowns = [i for i, h in enumerate(hidden) if h]
    column = {cell: j for j, cell in enumerate(unknowns)}
    rows = []
    for r in relations:
        row = np.zeros(len(unknowns))
        for cell, sign in ((r.total, -1.0), *((p, 1.0) for p in r.parts)):
            if hidden[cell]:
                row[column[cell]] += sign
        rows.append(row)
    matrix = np.vstack(rows) if rows else np.zeros((0, len(unknowns)))
    rank = np.linalg.matrix_rank(matrix) if rows else 0
    found = set()
    for t in targets:
        if hidden[t]:
            unit = np.zeros(len(unknowns))
            unit[column[t]] = 1.0
            if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                found.add(t)
    return found


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_block_wise_null_space_test_agrees_with_one_dense_system(data):
    cells = data.draw(st.integers(4, 18))
    hidden = data.draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    relations = []
    for _ in range(data.draw(st.integers(0, 8))):
        members = data.draw(
            st.lists(st.integers(0, cells - 1), min_size=2, max_size=5, unique=True)
        )
        relations.append(Relation(members[0], tuple(members[1:])))
    targets = range(cells)
    assert derivable_cells(relations, hidden, targets) == _dense_derivable(
        relations, hidden, targets
    )


def _reference_relations(table, breakdowns, hierarchies):
    """The relation finder written plainly on text coordinates (the vectorised one must
    give exactly these relations, in this order)."""
    coords = [
        tuple(str(v) for v in row)
        for row in table[["region_key", *breakdowns]].itertuples(index=False)
    ]
    position = {c: i for i, c in enumerate(coords)}
    found = {}

    def add(total, parts):
        ordered = tuple(sorted(parts, key=lambda p: coords[p]))
        if ordered:
            found.setdefault((total, frozenset(ordered)), Relation(total, ordered))

    for axis in range(1, len(breakdowns) + 1):
        lines = {}
        for i, c in enumerate(coords):
            lines.setdefault(c[:axis] + c[axis + 1 :], []).append(i)
        for members in lines.values():
            totals = [i for i in members if coords[i][axis] == INS]
            if totals:
                add(totals[0], (i for i in members if coords[i][axis] != INS))
    for mapping in hierarchies:
        children = {}
        for child, parent in mapping.items():
            children.setdefault(parent, []).append(child)
        for i, c in enumerate(coords):
            for kid in [children.get(c[0])] if children.get(c[0]) else []:
                add(i, (position[(k, *c[1:])] for k in kid if (k, *c[1:]) in position))
    return sorted(found.values(), key=lambda r: (coords[r.total], [coords[p] for p in r.parts]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_vectorised_relations_equal_the_plain_text_version(data):
    regions = ["05114", "05114000-1", "05114000-2", "S1", "S2", "S3", "NRW"]
    values = {"geschlecht": [INS, "m", "w"], "schulform": [INS, "GY", "GE", "HS"]}
    cells = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(regions),
                st.sampled_from(values["geschlecht"]),
                st.sampled_from(values["schulform"]),
            ),
            min_size=0,
            max_size=40,
            unique=True,
        )
    )
    table = pd.DataFrame(cells, columns=["region_key", "geschlecht", "schulform"])
    table = table.sample(frac=1, random_state=data.draw(st.integers(0, 99))).reset_index(drop=True)
    hierarchies = [
        {"05114000-1": "05114", "05114000-2": "05114"},
        {"S1": "05114000-1", "S2": "05114000-1", "S3": "05114000-2", "S9": "05114000-2"},
        {"05114000-1": "05114", "S1": "05114000-1"},  # two levels in one mapping
    ]
    breakdowns = ["geschlecht", "schulform"]
    got = additive_relations(table, breakdown_columns=breakdowns, hierarchies=hierarchies)
    assert got == _reference_relations(table, breakdowns, hierarchies)
