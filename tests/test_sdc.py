"""Disclosure control over the published system: hand-made cases, and a property test whose
proof is an independent LP (scipy's ``linprog`` on the whole system, no blocks, no shortcuts).
"""

from __future__ import annotations

from itertools import product

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from quality.sdc.declarations import DeclarationError, read_policy
from quality.sdc.protect import PUBLIC_REASON, audit_published, protect
from quality.sdc.suppress import SuppressionError
from quality.sdc.system import DeclarationMismatch, build_system
from quality.sdc.thresholds import ThresholdError, Thresholds

INS = "insgesamt"
CITY = "05114"


def _policy(**extra: str):
    rows = [
        {
            "indicator_id": "n_anzahl",
            "geschuetzte_ebenen": "Stadt|Stadtbezirk|Schule",
            "zaehler": "leute",
            "nenner": "",
            "zaehler_personen": "true",
            "kategorien_additiv": "true",
            "ausnahme": "",
        },
        {
            "indicator_id": "n_anteil",
            "geschuetzte_ebenen": "Stadtbezirk|Schule",
            "zaehler": "leute[kategorie=a]",
            "nenner": "leute[kategorie=insgesamt]",
            "zaehler_personen": "true",
            "kategorien_additiv": "false",
            "ausnahme": "",
        },
        {
            "indicator_id": "itnrw_anzahl",
            "geschuetzte_ebenen": "",
            "zaehler": "",
            "nenner": "",
            "zaehler_personen": "false",
            "kategorien_additiv": "false",
            "ausnahme": "",
        },
    ]
    rows[0].update(extra)
    return read_policy(rows, [{"ausnahme": "voll", "begruendung": "beschlossen"}])


def _row(indicator, region, level, value, *, kategorie=INS, geschlecht=INS, den=None):
    return {
        "indicator_id": indicator,
        "region_key": region,
        "region_level": level,
        "period": "2024/25",
        "geschlecht": geschlecht,
        "staatsangehoerigkeit": INS,
        "schulform": INS,
        "kategorie": kategorie,
        "numerator": float(value),
        "denominator": np.nan if den is None else float(den),
        "value": float(value) if den is None else 100 * value / den,
        "unit": "Anzahl" if den is None else "%",
        "symbol": None,
    }


PARENTS = {"b1": CITY, "b2": CITY, "b3": CITY}


def _districts(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Counts by district and category a/b, with category and city totals."""
    rows = []
    city: dict[str, int] = {}
    for district, cats in counts.items():
        for cat, value in cats.items():
            rows.append(_row("n_anzahl", district, "Stadtbezirk", value, kategorie=cat))
            city[cat] = city.get(cat, 0) + value
        rows.append(_row("n_anzahl", district, "Stadtbezirk", sum(cats.values())))
    for cat, value in city.items():
        rows.append(_row("n_anzahl", CITY, "Stadt", value, kategorie=cat))
    rows.append(_row("n_anzahl", CITY, "Stadt", sum(city.values())))
    return pd.DataFrame(rows)


def test_a_small_count_and_its_complements_are_hidden_and_the_audit_proves_it():
    frame = _districts({"b1": {"a": 1, "b": 40}, "b2": {"a": 30, "b": 25}, "b3": {"a": 9, "b": 8}})
    done = protect(frame, _policy(), PARENTS, Thresholds())
    hidden = done.frame[done.frame["symbol"] == "."]
    assert ((hidden["region_key"] == "b1") & (hidden["kategorie"] == "a")).any()
    assert len(hidden) >= 4  # a row and a column complement at least
    assert set(hidden["suppression_reason"]) == {PUBLIC_REASON}
    assert hidden["value"].isna().all() and hidden["numerator"].isna().all()
    assert set(done.kinds.dropna()) == {"primaer", "sekundaer"}
    finding = audit_published(done.frame, frame, _policy(), PARENTS, Thresholds())
    assert finding.passed


def test_the_audit_finds_a_cell_recoverable_by_difference():
    frame = _districts({"b1": {"a": 1, "b": 40}, "b2": {"a": 30, "b": 25}, "b3": {"a": 9, "b": 8}})
    shown = frame.copy()
    lone = (shown["region_key"] == "b1") & (shown["kategorie"] == "a")
    shown.loc[lone, ["numerator", "value"]] = np.nan
    shown.loc[lone, "symbol"] = "."
    finding = audit_published(shown, frame, _policy(), PARENTS, Thresholds())
    assert not finding.passed
    assert finding.narrow["cell"].str.contains("b1").any()
    assert (finding.narrow["high"] - finding.narrow["low"] < 1e-6).all()


def test_an_interval_narrower_than_the_protection_interval_fails():
    """Two hidden ones in one row sum to 2: each lies in [0, 2] at best, too narrow for
    width 3 although neither follows exactly from the row alone."""
    frame = _districts({"b1": {"a": 1, "b": 1}, "b2": {"a": 30, "b": 25}, "b3": {"a": 9, "b": 8}})
    shown = frame.copy()
    pair = shown["region_key"].isin(["b1", "b2"]) & shown["kategorie"].isin(["a", "b"])
    shown.loc[pair, ["numerator", "value"]] = np.nan
    finding = audit_published(shown, frame, _policy(), PARENTS, Thresholds())
    assert not finding.passed
    b1 = finding.narrow[finding.narrow["cell"].str.contains(" b1 ")]
    assert len(b1) == 2 and (b1["low"] == 0).all() and (b1["high"] == 2).all()


def test_a_share_and_a_count_of_the_same_people_are_one_unknown():
    """The share's numerator is the count's category a: hiding it in one table and showing
    it in the other would give it away, so both hide it."""
    frame = _districts({"b1": {"a": 2, "b": 40}, "b2": {"a": 30, "b": 25}, "b3": {"a": 9, "b": 8}})
    shares = [
        _row("n_anteil", d, "Stadtbezirk", a, den=a + b)
        for d, (a, b) in {"b1": (2, 40), "b2": (30, 25), "b3": (9, 8)}.items()
    ]
    frame = pd.concat([frame, pd.DataFrame(shares)], ignore_index=True)
    done = protect(frame, _policy(), PARENTS, Thresholds())
    out = done.frame
    share_b1 = out[(out["indicator_id"] == "n_anteil") & (out["region_key"] == "b1")]
    assert share_b1["symbol"].tolist() == ["."]
    assert audit_published(out, frame, _policy(), PARENTS, Thresholds()).passed


def test_figures_of_publishers_are_shown_as_delivered():
    frame = pd.DataFrame([_row("itnrw_anzahl", CITY, "Stadt", 1)])
    done = protect(frame, _policy(), PARENTS, Thresholds())
    assert done.frame["value"].tolist() == [1.0] and done.frame["symbol"].isna().all()


def test_an_earlier_edition_counts_as_published():
    """Edition 1 showed Stadtbezirk b2 (smallest complement today): hiding b2 now would
    protect nothing, so the suppression picks b3, and the audit counts edition 1 as known."""
    frame = _districts({"b1": {"a": 1, "b": 40}, "b2": {"a": 5, "b": 25}, "b3": {"a": 9, "b": 8}})
    first = protect(frame, _policy(), PARENTS, Thresholds()).frame
    assert (first.loc[first["region_key"] == "b2", "symbol"] == ".").any()
    earlier = frame[frame["region_key"] == "b2"]
    again = protect(frame, _policy(), PARENTS, Thresholds(), earlier=earlier).frame
    assert not (again.loc[again["region_key"] == "b2", "symbol"] == ".").any()
    assert audit_published(again, frame, _policy(), PARENTS, Thresholds(), earlier=earlier).passed


def test_a_cell_that_earlier_editions_leave_unprotectable_stops_the_run():
    frame = _districts({"b1": {"a": 1, "b": 40}, "b2": {"a": 30, "b": 25}, "b3": {"a": 9, "b": 8}})
    earlier = frame[~((frame["region_key"] == "b1") & (frame["kategorie"] == "a"))]
    with pytest.raises(SuppressionError, match=r"b1 .*cannot be protected"):
        protect(frame, _policy(), PARENTS, Thresholds(), earlier=earlier)


def test_declarations_that_contradict_the_data_are_named():
    frame = pd.concat(
        [
            _districts({"b1": {"a": 5, "b": 40}, "b2": {"a": 30, "b": 25}}),
            pd.DataFrame([_row("n_anteil", "b1", "Stadtbezirk", 6, den=45)]),
        ],
        ignore_index=True,
    )
    with pytest.raises(DeclarationMismatch, match=r"n_anteil|n_anzahl"):
        build_system(frame, _policy(), PARENTS)


def test_bad_declarations_name_their_row():
    with pytest.raises(DeclarationError, match=r"row 2 .*unknown level"):
        _policy(geschuetzte_ebenen="Kreis")
    with pytest.raises(DeclarationError, match="exemption"):
        _policy(ausnahme="unbekannt")


@pytest.mark.parametrize(
    "environ",
    [
        {"BILDUNGSMONITOR_MIN_COUNT": "0"},
        {"BILDUNGSMONITOR_MIN_COUNT": "-1"},
        {"BILDUNGSMONITOR_MIN_COUNT": "2.5"},
        {"BILDUNGSMONITOR_MIN_DENOMINATOR": "zehn"},
        {"BILDUNGSMONITOR_PROTECTION_INTERVAL": "0"},
    ],
)
def test_thresholds_that_make_the_audit_impossible_are_refused(environ):
    with pytest.raises(ThresholdError, match="BILDUNGSMONITOR_"):
        Thresholds.from_env(environ)


def test_thresholds_default_and_interval():
    assert Thresholds.from_env({}).width == 3
    assert Thresholds.from_env({"BILDUNGSMONITOR_PROTECTION_INTERVAL": "5"}).width == 5


# --- property test: random hierarchical tables, proof by an independent LP ---------------


def _independent_intervals(published: pd.DataFrame, truth: pd.DataFrame, parents) -> list:
    """Bounds of every hidden count, from a plain LP over all relations of the frame."""
    keys = [tuple(r) for r in truth[["region_key", "geschlecht", "kategorie"]].to_numpy()]
    values = truth["numerator"].to_numpy()
    index = {k: i for i, k in enumerate(keys)}
    hidden = published["numerator"].isna().to_numpy()
    equations = []
    for k, i in index.items():
        region, sex, cat = k
        for total in (
            (parents.get(region), sex, cat),
            (region, INS if sex != INS else None, cat),
            (region, sex, INS if cat != INS else None),
        ):
            if None not in total and total in index:
                equations.append((index[total], i))
    groups: dict[tuple, list[int]] = {}
    for total, part in equations:
        kind = (
            "r"
            if keys[total][0] != keys[part][0]
            else ("s" if keys[total][1] != keys[part][1] else "c")
        )
        groups.setdefault((total, kind), []).append(part)
    unknown = np.flatnonzero(hidden)
    col = {v: j for j, v in enumerate(unknown)}
    a_rows, b = [], []
    for (total, _), parts in groups.items():
        row = np.zeros(len(unknown))
        rhs = 0.0
        for var, coef in ((total, -1.0), *((p, 1.0) for p in parts)):
            if hidden[var]:
                row[col[var]] += coef
            else:
                rhs -= coef * values[var]
        if row.any():
            a_rows.append(row)
            b.append(rhs)
    spans = []
    for j in range(len(unknown)):
        if not a_rows:
            spans.append(np.inf)
            continue
        c = np.zeros(len(unknown))
        c[j] = 1
        low = linprog(c, A_eq=np.array(a_rows), b_eq=b, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=np.array(a_rows), b_eq=b, bounds=(0, None), method="highs")
        assert low.status == 0
        spans.append(np.inf if high.status == 3 else -high.fun - low.fun)
    return spans


@st.composite
def hierarchical_tables(draw):
    """Districts × sex × category with all margins and a city total, many small cells."""
    districts = [f"b{i}" for i in range(draw(st.integers(2, 4)))]
    sexes, cats = ["m", "w"], ["a", "b", "c"][: draw(st.integers(2, 3))]
    small = st.one_of(st.integers(0, 3), st.integers(0, 40))
    inner = {k: draw(small) for k in product(districts, sexes, cats)}
    rows = []
    for region in [*districts, CITY]:
        for sex in [*sexes, INS]:
            for cat in [*cats, INS]:
                value = sum(
                    v
                    for (d, s, c), v in inner.items()
                    if region in (d, CITY) and sex in (s, INS) and cat in (c, INS)
                )
                rows.append(
                    _row(
                        "n_anzahl",
                        region,
                        "Stadt" if region == CITY else "Stadtbezirk",
                        value,
                        kategorie=cat,
                        geschlecht=sex,
                    )
                )
    return pd.DataFrame(rows), {d: CITY for d in districts}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hierarchical_tables())
def test_property_every_suppressed_cell_is_protected(table):
    frame, parents = table
    done = protect(frame, _policy(), parents, Thresholds())
    out = done.frame
    small = out["numerator"].between(1, 2)
    assert not small.any(), "a count of 1 or 2 is published"
    spans = _independent_intervals(out, frame, parents)
    assert all(span >= 3 - 1e-6 for span in spans), spans
