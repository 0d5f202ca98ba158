"""Synthetic per-school figures for the school administration's templates, all years.

Each function returns one template's rows (canonical column names) for every sample school
year. The figures hang together the way real ones do: repeaters, absence and leavers are drawn
from the pupil counts of the same school and grade; leavers add up to the city's design totals
(``city.KREFELD_LEAVERS``, exactly in the seed year 2016/17, within 2 % otherwise, because the
school administration and IT.NRW count slightly differently); districts with a higher social
burden get more pupils with a non-German family language, more absence and fewer Gymnasium
transitions.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipelines.sample import city
from pipelines.sample.schulen_register import FOERDERSCHWERPUNKT, School, school_years

SEED_YEAR = "2016/17"

GS_TOTAL = {2014: 8240, 2015: 8190, 2016: 8330, 2017: 8290, 2018: 8270, 2019: 8300,
            2020: 8330, 2021: 8420, 2022: 8760, 2023: 8980, 2024: 9140}  # fmt: skip
"""Design total of Grundschule pupils per school year (start year)."""

_COHORT = {"04": 55, "08": 18, "10": 105, "14": 80, "15": 150, "20": 120, "30": 800}
_GRADE_WEIGHT = {
    "04": {5: 0.7, 6: 0.8, 7: 0.95, 8: 1.05, 9: 1.2, 10: 1.3},
    "08": {g: (0.6 if g <= 4 else 1.0) for g in range(1, 11)},
    "15": {11: 0.7, 12: 0.6, 13: 0.55},
    "20": {10: 0.95, 11: 0.9, 12: 0.85},
    "30": {11: 1.2, 12: 1.0, 13: 0.6},
}
_MALE = {"04": 0.57, "08": 0.66, "20": 0.47, "30": 0.55}
_ND_TYPE = {"02": 1.0, "04": 1.5, "08": 1.3, "10": 1.0, "14": 1.3, "15": 1.2, "20": 0.5,
            "30": 0.9}  # fmt: skip
_ND_YEAR = {2014: 0.85, 2015: 0.95, 2016: 1.05, 2017: 1.1, 2018: 1.12, 2019: 1.14, 2020: 1.15,
            2021: 1.17, 2022: 1.27, 2023: 1.3, 2024: 1.32}  # fmt: skip
_ZUZUG_YEAR = {2015: 0.12, 2016: 0.14, 2017: 0.1, 2018: 0.06, 2022: 0.12, 2023: 0.12, 2024: 0.08}
_SPF_SPLIT = {"default": (0.42, 0.15, 0.30, 0.13), "02": (0.25, 0.35, 0.30, 0.10)}
_SPF_NAMES = ("lernen", "sprache", "emotionale_soziale_entwicklung", "sonstige")

SCHUELER_COLUMNS = [
    "schuljahr", "schulnummer", "jahrgang", "geschlecht", "staatsangehoerigkeit", "schueler",
    "nichtdeutsche_familiensprache", "zuzug_ausland", "foerderbedarf_lernen",
    "foerderbedarf_sprache", "foerderbedarf_emotionale_soziale_entwicklung",
    "foerderbedarf_sonstige",
]  # fmt: skip


def rng_for(table: int) -> np.random.Generator:
    """One independent stream per table, so changing one table leaves the others' bytes."""
    return np.random.default_rng([city.SEED, table])


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into integers that add up exactly."""
    weights_arr = np.asarray(weights, dtype=float)
    if total == 0 or weights_arr.sum() <= 0:
        return [0] * len(weights)
    shares = total * weights_arr / weights_arr.sum()
    counts = np.floor(shares).astype(int)
    order = np.argsort(-(shares - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts.tolist()


# --- pupils --------------------------------------------------------------------------------


def schueler(register: tuple[School, ...]) -> pd.DataFrame:
    """Pupils per school year × school × grade × sex × nationality with the index features."""
    rng = rng_for(2)
    rows: list[dict] = []
    for year, label in school_years():
        gs = [s for s in register if s.schulform == "02" and s.active(year)]
        gs_weights = [s.size * len(s.grades(year)) / 4 * rng.uniform(0.95, 1.05) for s in gs]
        gs_totals = dict(zip(gs, allocate(GS_TOTAL[year], gs_weights), strict=True))
        for school in register:
            grades = school.grades(year)
            if not grades:
                continue
            if school.schulform == "02":
                noise = [rng.uniform(0.93, 1.07) for _ in grades]
                per_grade = allocate(gs_totals[school], noise)
            else:
                per_grade = [_cohort(rng, school, year, grade) for grade in grades]
            for grade, count in zip(grades, per_grade, strict=True):
                rows += _pupil_rows(rng, school, year, label, grade, count)
    return pd.DataFrame(rows, columns=SCHUELER_COLUMNS)


def _cohort(rng: np.random.Generator, school: School, year: int, grade: int) -> int:
    weight = _GRADE_WEIGHT.get(school.schulform, {}).get(grade, 1.0)
    trend = 1 + 0.01 * (year - 2019)
    return round(school.size * _COHORT[school.schulform] * weight * trend * rng.uniform(0.9, 1.1))


def _pupil_rows(
    rng: np.random.Generator, school: School, year: int, label: str, grade: int, count: int
) -> list[dict]:
    form, burden = school.schulform, school.burden
    males = int(rng.binomial(count, _MALE.get(form, 0.51)))
    share_nd = min(0.7, 0.04 + 0.30 * burden * _ND_TYPE[form] * _ND_YEAR[year])
    rows = []
    for sex, n_sex in (("m", males), ("w", count - males)):
        foreign = int(rng.binomial(n_sex, share_nd))
        for nat, n in (("deutsch", n_sex - foreign), ("nichtdeutsch", foreign)):
            nd = nat == "nichtdeutsch"
            family = rng.binomial(n, 0.85 if nd else 0.08 + 0.35 * burden)
            moved = rng.binomial(n, 0.30 + _ZUZUG_YEAR.get(year, 0.0) if nd else 0.004)
            spf = rng.multinomial(rng.binomial(n, _spf_share(school, nd)), _spf_split(school))
            rows.append(
                dict(
                    zip(
                        SCHUELER_COLUMNS,
                        [label, school.schulnummer, grade, sex, nat, n, int(family),
                         int(moved), *map(int, spf)],
                        strict=True,
                    )
                )
            )  # fmt: skip
    return rows


_SPF_SHARE = {
    "02": (0.02, 0.05), "04": (0.10, 0.0), "08": (1.0, 0.0), "10": (0.03, 0.0),
    "14": (0.08, 0.0), "15": (0.06, 0.03), "20": (0.005, 0.0), "30": (0.01, 0.0),
}  # fmt: skip
"""Share of pupils with special needs per Schulform: (base, extra per unit of burden)."""


def _spf_share(school: School, foreign: bool) -> float:
    base, per_burden = _SPF_SHARE[school.schulform]
    return min(1.0, (base + per_burden * school.burden) * (1.2 if foreign else 1.0))


def _spf_split(school: School) -> tuple[float, ...]:
    if school.schulform == "08":
        main = FOERDERSCHWERPUNKT[school.kurzname]
        return tuple(0.85 if name == main else 0.05 for name in _SPF_NAMES)
    return _SPF_SPLIT.get(school.schulform, _SPF_SPLIT["default"])


def grade_counts(pupils: pd.DataFrame) -> pd.DataFrame:
    """Pupils per school year × school × grade (the denominator of the grade tables)."""
    keys = ["schuljahr", "schulnummer", "jahrgang"]
    return pupils.groupby(keys, sort=False, as_index=False)["schueler"].sum()


# --- repeaters and absence -----------------------------------------------------------------


def wiederholer(register: tuple[School, ...], pupils: pd.DataFrame) -> pd.DataFrame:
    """Repeaters per grade; none counted at Förderschulen and Berufskollegs (not comparable)."""
    rng = rng_for(3)
    forms = {s.schulnummer: s for s in register}
    rows = []
    for rec in grade_counts(pupils).itertuples(index=False):
        school = forms[rec.schulnummer]
        if school.schulform in ("08", "30"):
            continue
        year = int(rec.schuljahr[:4])
        covid = {2020: 0.15, 2021: 0.7}.get(year, 1.0)
        p_fail = _fail_rate(school, rec.jahrgang) * covid
        failed = int(rng.binomial(rec.schueler, p_fail))
        p_free = (0.01 if rec.jahrgang <= 2 else 0.006) * (2.5 if covid < 1 else 1.0)
        free = int(rng.binomial(rec.schueler - failed, p_free))
        rows.append([rec.schuljahr, rec.schulnummer, rec.jahrgang, failed, free, rec.schueler])
    columns = ["schuljahr", "schulnummer", "jahrgang", "wiederholer_nicht_versetzt",
               "wiederholer_freiwillig", "schueler"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _fail_rate(school: School, grade: int) -> float:
    form = school.schulform
    if form == "02":
        return 0.0 if grade <= 2 else 0.01 + 0.01 * school.burden
    if grade == 5:
        return 0.005
    if form == "15":
        return {9: 0.02, 10: 0.02, 11: 0.05}.get(grade, 0.003 if grade < 9 else 0.03)
    if form == "20":
        return {10: 0.025, 11: 0.04, 12: 0.03}.get(grade, 0.02)
    return {"04": 0.035 + 0.02 * school.burden, "10": 0.035, "14": 0.02}[form]


_UNEXCUSED_GRADE = {5: 0.4, 6: 0.55, 7: 0.8, 8: 1.1, 9: 1.4, 10: 1.3, 11: 0.9, 12: 0.8, 13: 0.7}
_UNEXCUSED_FORM = {"04": 1.7, "08": 1.4, "14": 1.3, "15": 1.1, "10": 0.9, "20": 0.35}
_EXCUSED_YEAR = {2020: 0.7, 2021: 1.15, 2022: 1.2}


def fehlzeiten(register: tuple[School, ...], pupils: pd.DataFrame) -> pd.DataFrame:
    """Hours missed per grade; Berufskollegs record absence differently and are left out."""
    rng = rng_for(4)
    forms = {s.schulnummer: s for s in register}
    rows = []
    for rec in grade_counts(pupils).itertuples(index=False):
        school = forms[rec.schulnummer]
        if school.schulform == "30":
            continue
        year, n, burden = int(rec.schuljahr[:4]), rec.schueler, school.burden
        excused = (42 if school.schulform == "02" else 62 + 25 * burden) * _EXCUSED_YEAR.get(
            year, 1.0
        )
        if school.schulform == "02":
            unexcused = 0.6 + 2.5 * burden
        else:
            unexcused = (1.5 + 9 * burden) * _UNEXCUSED_GRADE.get(rec.jahrgang, 0.4)
            unexcused *= _UNEXCUSED_FORM[school.schulform]
        unexcused *= 0.6 if year == 2020 else 1.0
        hours_excused = round(n * excused * rng.gamma(20, 1 / 20))
        hours_unexcused = round(n * unexcused * rng.gamma(10, 0.1))
        above = int(rng.binomial(n, 1 - math.exp(-unexcused / 45)))
        above = min(above, hours_unexcused // 21)
        rows.append([rec.schuljahr, rec.schulnummer, rec.jahrgang, hours_excused,
                     hours_unexcused, n, above])  # fmt: skip
    columns = ["schuljahr", "schulnummer", "jahrgang", "stunden_entschuldigt",
               "stunden_unentschuldigt", "schueler", "schueler_ueber_schwellenwert"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


# --- leavers -------------------------------------------------------------------------------

CERTIFICATES = {
    "04": {"hsa": 0.35, "esa_erweitert": 0.40, "msa": 0.25},
    "10": {"hsa": 0.03, "esa_erweitert": 0.10, "msa": 0.87},
    "14": {"hsa": 0.15, "esa_erweitert": 0.30, "msa": 0.55},
    "15": {"hsa": 0.07, "esa_erweitert": 0.15, "msa": 0.38, "fhr": 0.07, "ahr": 0.33},
    "20": {"hsa": 0.005, "esa_erweitert": 0.005, "msa": 0.07, "fhr": 0.05, "ahr": 0.87},
    "08": {"hsa": 0.60, "esa_erweitert": 0.35, "msa": 0.05},
}
"""Certificate mix of leavers with at least a Hauptschulabschluss, per Schulform."""

_WITHOUT = {"08": 0.55, "04": 0.12, "14": 0.07, "15": 0.06, "10": 0.025, "20": 0.006}
_FOERDER_SHARE = {"08": 0.6, "04": 0.1, "14": 0.1, "15": 0.1}  # of leavers without HSA
_MALE_BY_CERT = {"ohne_hsa": 0.6, "foerderschule": 0.62, "hsa": 0.58, "esa_erweitert": 0.55,
                 "msa": 0.5, "fhr": 0.5, "ahr": 0.44}  # fmt: skip
_LEAVING_GRADES = {"04": {10: 0.95, 9: 0.1}, "10": {10: 0.92}, "14": {10: 0.95},
                   "15": {10: 0.45, 13: 0.95}, "20": {12: 0.95, 10: 0.06},
                   "08": {10: 0.9, 9: 0.2}}  # fmt: skip


def leaver_targets() -> dict[str, tuple[int, int]]:
    """Leavers (all, without HSA) per year: the IT.NRW design figures, ±2 % except 2016/17."""
    rng = rng_for(5)
    targets = {}
    for label, (total, without) in city.KREFELD_LEAVERS.items():
        dev_total, dev_without = rng.uniform(-0.02, 0.02, size=2)
        if label == SEED_YEAR:
            targets[label] = (total, without)
        else:
            targets[label] = (round(total * (1 + dev_total)), round(without * (1 + dev_without)))
    return targets


def abgaenger(register: tuple[School, ...], pupils: pd.DataFrame) -> pd.DataFrame:
    """Leavers per school × certificate × sex, adding up exactly to :func:`leaver_targets`."""
    rng = rng_for(6)
    counts = grade_counts(pupils).set_index(["schuljahr", "schulnummer", "jahrgang"])["schueler"]
    rows = []
    for label, (total, without) in leaver_targets().items():
        year = int(label[:4])
        schools = [s for s in register if s.schulform in _LEAVING_GRADES and s.grades(year)]
        weights = [
            sum(counts.get((label, s.schulnummer, g), 0) * share
                for g, share in _LEAVING_GRADES[s.schulform].items())
            for s in schools
        ]  # fmt: skip
        risk = [_WITHOUT[s.schulform] for s in schools]
        lacking = allocate(without, [w * r for w, r in zip(weights, risk, strict=True)])
        passing = allocate(
            total - without, [w * (1 - r) for w, r in zip(weights, risk, strict=True)]
        )
        for school, n_without, n_with in zip(schools, lacking, passing, strict=True):
            foerder = int(rng.binomial(n_without, _FOERDER_SHARE.get(school.schulform, 0.0)))
            mix = CERTIFICATES[school.schulform]
            certs = dict(zip(mix, rng.multinomial(n_with, list(mix.values())), strict=True))
            certs = {"ohne_hsa": n_without - foerder, "foerderschule": foerder, **certs}
            if school.schulform not in _FOERDER_SHARE:
                del certs["foerderschule"]
            for cert, n in certs.items():
                males = int(rng.binomial(n, _MALE_BY_CERT[cert]))
                rows.append([label, school.schulnummer, cert, "m", males])
                rows.append([label, school.schulnummer, cert, "w", int(n) - males])
    return pd.DataFrame(
        rows, columns=["schuljahr", "schulnummer", "abschlussart", "geschlecht", "abgaenger"]
    )


# --- transitions ---------------------------------------------------------------------------


def uebergaenge(register: tuple[School, ...], pupils: pd.DataFrame) -> pd.DataFrame:
    """Grade-4 pupils of each Grundschule by the Schulform that took them into grade 5."""
    rng = rng_for(7)
    counts = grade_counts(pupils).set_index(["schuljahr", "schulnummer", "jahrgang"])["schueler"]
    years = school_years()
    rows = []
    for index, (year, label) in enumerate(years):
        previous = years[max(index - 1, 0)][1]  # 2014/15: its own grade 4 stands in
        intake = {s.schulform for s in register if 5 in s.grades(year)}
        targets = [t for t in ("04", "08", "10", "14", "15", "20") if t in intake]
        targets.append("sonstige")
        for school in (s for s in register if s.schulform == "02"):
            n = int(counts.get((previous, school.schulnummer, 4), 0))
            if n == 0:
                continue
            shares = [_transition_share(t, school.burden) for t in targets]
            split = rng.multinomial(round(n * 0.985), np.array(shares) / sum(shares))
            rows += [
                [label, school.schulnummer, t, int(c)] for t, c in zip(targets, split, strict=True)
            ]
    return pd.DataFrame(rows, columns=["schuljahr", "schulnummer", "schulform_ziel", "schueler"])


def _transition_share(target: str, burden: float) -> float:
    return {"20": 0.50 - 0.30 * burden, "15": 0.22 + 0.10 * burden, "10": 0.17 + 0.05 * burden,
            "14": 0.04 + 0.02 * burden, "04": 0.03 + 0.07 * burden,
            "08": 0.005 + 0.01 * burden, "sonstige": 0.02}[target]  # fmt: skip
