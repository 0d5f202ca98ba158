"""State-sized school-administration records: the city's schools copied, the figures vectorised.

The scale data must exercise the pipeline with the volume of a whole state (≈ 5,500 schools,
≈ 2.5 million pupils a school year) while every quality gate still passes. So the register is
the sample city's register copied ``copies`` times (fictional names and Schulnummern, sizes
jittered). Each copy keeps the city's school history (Hauptschulen phasing out, a Gesamtschule
and a Grundschule opening) shifted by up to ``stagger`` years: a state's Kreise do not all close
their Hauptschulen in the same summer, and an unshifted copy would turn the city's one-off
changes into state-wide jumps that the year-over-year check rightly stops (at city size they
hide below its minimum counts). Every figure is drawn with the sample's rules
(:mod:`pipelines.sample.schulen_tables`, :mod:`pipelines.sample.schulen_wechsel`), but with
whole arrays at once: per-school parameters depend only on the template school, so they are
computed for the 65 template schools and broadcast to their copies; copies with the same
shift share their history ("groups").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from pipelines.sample import city
from pipelines.sample import schulen_tables as st
from pipelines.sample import schulen_wechsel as sw
from pipelines.sample.schulen_register import SCHULFORM_NAMES, School, build_register

SCALE_SEED_OFFSET = 100
"""Random streams ``[city.SEED, 100 + n]``: independent of the sample's streams 1–8."""

SPF_COLUMNS = [c for c in st.SCHUELER_COLUMNS if c.startswith("foerderbedarf_")]


def rng_for(stream: int) -> np.random.Generator:
    return np.random.default_rng([city.SEED, SCALE_SEED_OFFSET + stream])


@dataclass(frozen=True)
class Scale:
    """How big the scale data is: register copies, school size, school years."""

    copies: int
    size: float = 1.0
    years: tuple[str, ...] = city.SCHOOL_YEARS[-10:]
    stagger: int = 2
    """Copy ``c`` shifts the city's opening and closing years by ``c % (2s+1) - s`` years."""

    @property
    def factor(self) -> float:
        """Pupils (and leavers, changes) relative to the sample city."""
        return self.copies * self.size

    def offset(self, copy: int) -> int:
        return copy % (2 * self.stagger + 1) - self.stagger


# --- register --------------------------------------------------------------------------------


def scale_register(scale: Scale) -> tuple[School, ...]:
    """``copies`` × the sample register: own numbers, names, sizes, addresses; the history
    shifted by the copy's offset."""
    template = build_register()
    rng = rng_for(1)
    n = len(template) * scale.copies
    numbers = rng.choice(np.arange(10000, 100000), size=n, replace=False)
    jitter = rng.uniform(0.85, 1.15, size=n)
    houses = rng.integers(1, 120, size=n)
    east = rng.integers(-1500, 1500, size=n)
    north = rng.integers(-1200, 1200, size=n)
    schools = []
    for index in range(n):
        copy, school = divmod(index, len(template))
        t = template[school]
        shift = scale.offset(copy)
        schools.append(
            replace(
                t,
                first_year=None if t.first_year is None else t.first_year + shift,
                last_year=None if t.last_year is None else t.last_year + shift,
                schulnummer=f"0{numbers[index]}",
                name=f"Beispiel-{SCHULFORM_NAMES[t.schulform]} {t.kurzname} {copy + 1} (fiktiv)",
                size=float(t.size * scale.size * jitter[index]),
                strasse=f"{t.kurzname} {int(houses[index])}",
                utm_ost=int(t.utm_ost + east[index]),
                utm_nord=int(t.utm_nord + north[index]),
            )
        )
    return tuple(schools)


@dataclass(frozen=True)
class _Register:
    """The scale register as arrays; ``template`` indexes the sample school it copies.

    Copies ``c`` and ``c + groups`` have the same history; copy ``g < groups`` represents
    group ``g``."""

    schools: tuple[School, ...]
    n_template: int
    groups: int

    @cached_property
    def copies(self) -> int:
        return len(self.schools) // self.n_template

    def members(self, group: int) -> np.ndarray:
        """The copies of one group."""
        return np.arange(group, self.copies, self.groups)

    def history(self, group: int) -> tuple[School, ...]:
        """The schools of the group's first copy: whose grades and open years all share."""
        return self.schools[group * self.n_template : (group + 1) * self.n_template]

    def indexes(self, group: int, templates: list[int]) -> np.ndarray:
        """Register positions of ``templates`` in every copy of ``group``."""
        base = np.asarray(templates, dtype=np.int64)
        return (base[None, :] + self.n_template * self.members(group)[:, None]).reshape(-1)

    @cached_property
    def template(self) -> np.ndarray:
        return np.arange(len(self.schools)) % self.n_template

    @cached_property
    def templates(self) -> tuple[School, ...]:
        return self.schools[: self.n_template]

    @cached_property
    def numbers(self) -> np.ndarray:
        return np.array([s.schulnummer for s in self.schools], dtype=object)

    @cached_property
    def forms(self) -> np.ndarray:
        return np.array([s.schulform for s in self.schools], dtype=object)

    @cached_property
    def sizes(self) -> np.ndarray:
        return np.array([s.size for s in self.schools])

    @cached_property
    def burdens(self) -> np.ndarray:
        per_template = np.array([s.burden for s in self.templates])
        return per_template[self.template]


def _grades(reg: _Register, scale: Scale) -> pd.DataFrame:
    """One row per school year × school × grade taught (year, label, template, grade, school)."""
    frames = []
    for group in range(min(reg.groups, reg.copies)):
        rows = [
            (year, label, index, grade)
            for year, label in _years(scale)
            for index, school in enumerate(reg.history(group))
            for grade in school.grades(year)
        ]
        base = pd.DataFrame(rows, columns=["year", "schuljahr", "template", "jahrgang"])
        frames += [
            base.assign(school=base["template"] + copy * reg.n_template)
            for copy in reg.members(group)
        ]
    frame = pd.concat(frames, ignore_index=True)
    return frame.sort_values(["year", "school", "jahrgang"], ignore_index=True)


def _years(scale: Scale) -> list[tuple[int, str]]:
    return [(int(label[:4]), label) for label in scale.years]


# --- helpers ---------------------------------------------------------------------------------


def allocate_groups(totals: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Largest-remainder split of ``totals[g]`` over the rows of group ``g`` by ``weights``.

    The rows of a group must be contiguous; groups are numbered 0…G-1 in order.
    """
    sums = np.bincount(groups, weights=weights, minlength=len(totals))
    shares = np.where(
        sums[groups] > 0, totals[groups] * weights / np.where(sums > 0, sums, 1)[groups], 0
    )
    counts = np.floor(shares).astype(np.int64)
    missing = totals - np.bincount(groups, weights=counts, minlength=len(totals)).astype(np.int64)
    order = np.lexsort((-(shares - counts), groups))
    starts = np.searchsorted(groups[order], np.arange(len(totals)))
    rank = np.arange(len(order)) - starts[groups[order]]
    bump = np.zeros(len(order), dtype=np.int64)
    bump[order] = rank < missing[groups[order]]
    return counts + bump


def _per_template(reg: _Register, frame: pd.DataFrame, function) -> np.ndarray:
    """``function(template_school, grade)`` for every row, evaluated once per distinct pair."""
    pairs = frame[["template", "jahrgang"]].drop_duplicates()
    values = {
        (t, g): function(reg.templates[t], g)
        for t, g in zip(pairs["template"], pairs["jahrgang"], strict=True)
    }
    keys = zip(frame["template"], frame["jahrgang"], strict=True)
    return np.array([values[k] for k in keys], dtype=float)


# --- pupils ----------------------------------------------------------------------------------


def schueler(reg: _Register, scale: Scale) -> pd.DataFrame:
    """Pupils per school year × school × grade × sex × nationality, as ``st.schueler``."""
    rng = rng_for(2)
    grades = _grades(reg, scale)
    grades["count"] = _cohorts(rng, reg, scale, grades)
    return _pupil_rows(rng, reg, grades)


def _cohorts(rng: np.random.Generator, reg: _Register, scale: Scale, g: pd.DataFrame):
    forms = reg.forms[g["school"].to_numpy()]
    sizes = reg.sizes[g["school"].to_numpy()]
    counts = np.zeros(len(g), dtype=np.int64)
    primary = forms == "02"
    other = ~primary
    weight = _per_template(
        reg, g, lambda s, grade: st._GRADE_WEIGHT.get(s.schulform, {}).get(grade, 1.0)
    )
    cohort = np.array([st._COHORT.get(f, 0) for f in forms], dtype=float)
    trend = 1 + 0.01 * (g["year"].to_numpy() - 2019)
    counts[other] = np.rint(
        sizes[other] * cohort[other] * weight[other] * trend[other]
        * rng.uniform(0.9, 1.1, size=int(other.sum()))
    ).astype(np.int64)  # fmt: skip
    gs = g[primary]
    for year, rows in gs.groupby("year", sort=True):
        schools, n_grades = np.unique(rows["school"].to_numpy(), return_counts=True)
        school_weights = reg.sizes[schools] * n_grades / 4 * rng.uniform(0.95, 1.05, len(schools))
        total = round(st.GS_TOTAL[year] * scale.factor)
        totals = np.asarray(st.allocate(total, school_weights.tolist()), dtype=np.int64)
        groups = np.searchsorted(schools, rows["school"].to_numpy())
        noise = rng.uniform(0.93, 1.07, size=len(rows))
        counts[rows.index.to_numpy()] = allocate_groups(totals, noise, groups)
    return counts


def _pupil_rows(rng: np.random.Generator, reg: _Register, g: pd.DataFrame) -> pd.DataFrame:
    school = g["school"].to_numpy()
    form = reg.forms[school]
    burden = reg.burdens[school]
    year = g["year"].to_numpy()
    count = g["count"].to_numpy()
    males = rng.binomial(count, np.array([st._MALE.get(f, 0.51) for f in form]))
    nd_type = np.array([st._ND_TYPE[f] for f in form])
    nd_year = np.array([st._ND_YEAR[y] for y in year])
    share_nd = np.minimum(0.7, 0.04 + 0.30 * burden * nd_type * nd_year)
    by_sex = np.stack([males, count - males], axis=1)  # (rows, sex)
    foreign = rng.binomial(by_sex, share_nd[:, None])
    n = np.stack([by_sex - foreign, foreign], axis=2)  # (rows, sex, nat)
    is_nd = np.array([False, True])[None, None, :]
    b = burden[:, None, None]
    family = rng.binomial(n, np.where(is_nd, 0.85, 0.08 + 0.35 * b))
    zuzug = np.array([st._ZUZUG_YEAR.get(y, 0.0) for y in year])[:, None, None]
    moved = rng.binomial(n, np.where(is_nd, 0.30 + zuzug, 0.004))
    spf_base = _per_template(reg, g, lambda s, _g: st._spf_share(s, False))
    spf_share = np.minimum(1.0, spf_base[:, None, None] * np.where(is_nd, 1.2, 1.0))
    spf_total = rng.binomial(n, spf_share)
    split = np.array([st._spf_split(t) for t in reg.templates])[g["template"].to_numpy()]
    spf = rng.multinomial(spf_total, split[:, None, None, :])  # (rows, sex, nat, 4)
    repeat = 4
    frame = pd.DataFrame(
        {
            "schuljahr": np.repeat(g["schuljahr"].to_numpy(), repeat),
            "schulnummer": np.repeat(reg.numbers[school], repeat),
            "jahrgang": np.repeat(g["jahrgang"].to_numpy(), repeat),
            "geschlecht": np.tile(["m", "m", "w", "w"], len(g)),
            "staatsangehoerigkeit": np.tile(["deutsch", "nichtdeutsch"] * 2, len(g)),
            "schueler": n.reshape(-1),
            "nichtdeutsche_familiensprache": family.reshape(-1),
            "zuzug_ausland": moved.reshape(-1),
        }
    )
    for k, column in enumerate(SPF_COLUMNS):
        frame[column] = spf[..., k].reshape(-1)
    return frame[st.SCHUELER_COLUMNS]


def grade_counts(pupils: pd.DataFrame) -> pd.DataFrame:
    """Pupils per school year × school × grade, in the pupils' row order."""
    return st.grade_counts(pupils)


# --- repeaters and absence -------------------------------------------------------------------


def _with_templates(reg: _Register, counts: pd.DataFrame) -> pd.DataFrame:
    index = {number: i for i, number in enumerate(reg.numbers)}
    school = counts["schulnummer"].map(index).to_numpy()
    return counts.assign(
        school=school,
        template=reg.template[school],
        year=counts["schuljahr"].str[:4].astype(int),
        form=reg.forms[school],
    )


def wiederholer(reg: _Register, counts: pd.DataFrame) -> pd.DataFrame:
    """Repeaters per grade, as ``st.wiederholer`` (none at Förderschulen and Berufskollegs)."""
    rng = rng_for(3)
    g = _with_templates(reg, counts)
    g = g[~g["form"].isin(["08", "30"])].reset_index(drop=True)
    covid = g["year"].map({2020: 0.15, 2021: 0.7}).fillna(1.0).to_numpy()
    p_fail = _per_template(reg, g, st._fail_rate) * covid
    n = g["schueler"].to_numpy()
    failed = rng.binomial(n, p_fail)
    p_free = np.where(g["jahrgang"].to_numpy() <= 2, 0.01, 0.006) * np.where(covid < 1, 2.5, 1.0)
    free = rng.binomial(n - failed, p_free)
    return pd.DataFrame(
        {
            "schuljahr": g["schuljahr"],
            "schulnummer": g["schulnummer"],
            "jahrgang": g["jahrgang"],
            "wiederholer_nicht_versetzt": failed,
            "wiederholer_freiwillig": free,
            "schueler": n,
        }
    )


def _unexcused_rate(school: School, grade: int) -> float:
    if school.schulform == "02":
        return 0.6 + 2.5 * school.burden
    rate = (1.5 + 9 * school.burden) * st._UNEXCUSED_GRADE.get(grade, 0.4)
    return rate * st._UNEXCUSED_FORM[school.schulform]


def _excused_rate(school: School, _grade: int) -> float:
    return 42 if school.schulform == "02" else 62 + 25 * school.burden


def fehlzeiten(reg: _Register, counts: pd.DataFrame) -> pd.DataFrame:
    """Hours missed per grade, as ``st.fehlzeiten`` (Berufskollegs left out)."""
    rng = rng_for(4)
    g = _with_templates(reg, counts)
    g = g[g["form"] != "30"].reset_index(drop=True)
    year = g["year"].to_numpy()
    n = g["schueler"].to_numpy()
    excused = _per_template(reg, g, _excused_rate) * np.array(
        [st._EXCUSED_YEAR.get(y, 1.0) for y in year]
    )
    unexcused = _per_template(reg, g, _unexcused_rate) * np.where(year == 2020, 0.6, 1.0)
    hours_excused = np.rint(n * excused * rng.gamma(20, 1 / 20, size=len(g))).astype(np.int64)
    hours_unexcused = np.rint(n * unexcused * rng.gamma(10, 0.1, size=len(g))).astype(np.int64)
    above = rng.binomial(n, 1 - np.exp(-unexcused / 45))
    above = np.minimum(above, hours_unexcused // 21)
    return pd.DataFrame(
        {
            "schuljahr": g["schuljahr"],
            "schulnummer": g["schulnummer"],
            "jahrgang": g["jahrgang"],
            "stunden_entschuldigt": hours_excused,
            "stunden_unentschuldigt": hours_unexcused,
            "schueler": n,
            "schueler_ueber_schwellenwert": above,
        }
    )


# --- leavers ---------------------------------------------------------------------------------


def itnrw_leavers(scale: Scale) -> dict[str, tuple[int, int]]:
    """Krefeld's leavers (all, without HSA) as IT.NRW publishes them in the scale data: the
    city's design series × the scale factor, in multiples of 5 from 2019/20 (as IT.NRW rounds)."""
    out = {}
    for label, (total, without) in city.KREFELD_LEAVERS.items():
        step = 5 if int(label[:4]) >= 2019 else 1
        out[label] = tuple(
            int(step * np.rint(value * scale.factor / step)) for value in (total, without)
        )
    return out


def leaver_targets(scale: Scale) -> dict[str, tuple[int, int]]:
    """The school administration's leaver totals: IT.NRW's within ±2 % (they count differently)."""
    rng = rng_for(5)
    published = itnrw_leavers(scale)
    targets = {}
    for label in scale.years:
        total, without = published[label]
        dev_total, dev_without = rng.uniform(-0.02, 0.02, size=2)
        targets[label] = (round(total * (1 + dev_total)), round(without * (1 + dev_without)))
    return targets


def abgaenger(reg: _Register, scale: Scale, counts: pd.DataFrame) -> pd.DataFrame:
    """Leavers per school × certificate × sex, adding up exactly to :func:`leaver_targets`."""
    rng = rng_for(6)
    g = _with_templates(reg, counts)
    share = _per_template(
        reg, g, lambda s, grade: st._LEAVING_GRADES.get(s.schulform, {}).get(grade, 0.0)
    )
    weight = (g["schueler"] * share).groupby([g["schuljahr"], g["school"]], sort=True).sum()
    frames = []
    for label, (total, without) in leaver_targets(scale).items():
        year = int(label[:4])
        w = weight.loc[label]
        schools = np.array(
            [
                i
                for i in w.index
                if reg.forms[i] in st._LEAVING_GRADES and reg.schools[i].grades(year)
            ]
        )
        w = w.loc[schools].to_numpy()
        risk = np.array([st._WITHOUT[reg.forms[i]] for i in schools])
        lacking = np.asarray(st.allocate(without, (w * risk).tolist()), dtype=np.int64)
        passing = np.asarray(
            st.allocate(total - without, (w * (1 - risk)).tolist()), dtype=np.int64
        )
        foerder_share = np.array([st._FOERDER_SHARE.get(reg.forms[i], 0.0) for i in schools])
        foerder = rng.binomial(lacking, foerder_share)
        for form, mix in st.CERTIFICATES.items():
            mask = reg.forms[schools] == form
            if not mask.any():
                continue
            certs = {"ohne_hsa": lacking[mask] - foerder[mask]}
            if form in st._FOERDER_SHARE:
                certs["foerderschule"] = foerder[mask]
            drawn = rng.multinomial(passing[mask], list(mix.values()))
            certs.update({name: drawn[:, k] for k, name in enumerate(mix)})
            for position, (cert, n) in enumerate(certs.items()):
                males = rng.binomial(n, st._MALE_BY_CERT[cert])
                for sex, values in (("m", males), ("w", n - males)):
                    frames.append(
                        pd.DataFrame(
                            {
                                "schuljahr": label,
                                "school": schools[mask],
                                "position": 2 * position + (sex == "w"),
                                "abschlussart": cert,
                                "geschlecht": sex,
                                "abgaenger": values,
                            }
                        )
                    )
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(["schuljahr", "school", "position"], ignore_index=True)
    frame.insert(1, "schulnummer", reg.numbers[frame["school"].to_numpy()])
    return frame[["schuljahr", "schulnummer", "abschlussart", "geschlecht", "abgaenger"]]


# --- transitions -----------------------------------------------------------------------------


def uebergaenge(reg: _Register, scale: Scale, counts: pd.DataFrame) -> pd.DataFrame:
    """Grade-4 pupils of each Grundschule by the Schulform that took them into grade 5."""
    rng = rng_for(7)
    grade4 = counts[counts["jahrgang"] == 4].set_index(["schuljahr", "schulnummer"])["schueler"]
    years = _years(scale)
    primary = [i for i, t in enumerate(reg.templates) if t.schulform == "02"]
    frames = []
    for index, (year, label) in enumerate(years):
        previous = years[max(index - 1, 0)][1]  # the first year: its own grade 4 stands in
        for group in range(min(reg.groups, reg.copies)):
            intake = {s.schulform for s in reg.history(group) if 5 in s.grades(year)}
            targets = [t for t in ("04", "08", "10", "14", "15", "20") if t in intake]
            targets.append("sonstige")
            schools = reg.indexes(group, primary)
            keys = pd.MultiIndex.from_arrays([[previous] * len(schools), reg.numbers[schools]])
            n = grade4.reindex(keys).fillna(0).to_numpy().astype(np.int64)
            schools, n = schools[n > 0], n[n > 0]
            shares = np.array(
                [[st._transition_share(t, b) for t in targets] for b in reg.burdens[schools]]
            )
            split = rng.multinomial(
                np.rint(n * 0.985).astype(np.int64), shares / shares.sum(1)[:, None]
            )
            frames.append(
                pd.DataFrame(
                    {
                        "schuljahr": label,
                        "school": np.repeat(schools, len(targets)),
                        "position": np.tile(np.arange(len(targets)), len(schools)),
                        "schulform_ziel": np.tile(targets, len(schools)),
                        "schueler": split.reshape(-1),
                    }
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(["schuljahr", "school", "position"], ignore_index=True)
    frame.insert(1, "schulnummer", reg.numbers[frame["school"].to_numpy()])
    return frame[["schuljahr", "schulnummer", "schulform_ziel", "schueler"]]


# --- Schulformwechsel ------------------------------------------------------------------------


def schulformwechsel(reg: _Register, scale: Scale) -> pd.DataFrame:
    """One row per change, the sample's flows × the scale factor, in pseudonym order.

    Each flow is split over the groups; within a group, a change 'down' to a Hauptschule goes
    to a Sekundarschule or Gesamtschule once the group's Hauptschulen have closed (as in the
    sample, :func:`schulen_wechsel._redirect`)."""
    rng = rng_for(8)
    groups = range(min(reg.groups, reg.copies))
    weights = np.array([len(reg.members(g)) for g in groups], dtype=float)
    weights /= weights.sum()
    frames = []
    for year, label in _years(scale):
        factors = rng.uniform(0.8, 1.2, size=len(weights))  # each group's year, as the city's
        parts = []
        for origin, target, grade, count in sw.SEED_FLOWS:
            expected = count * factors * weights * scale.factor
            for group, n_group in zip(groups, rng.poisson(expected), strict=True):
                redirected = sw._redirect(reg.history(group), year, target, grade)
                change = sw.Flow(origin, redirected, grade)
                parts.append(_changes(rng, reg, group, year, change, int(n_group)))
        arrivals = int(rng.poisson(scale.factor))  # from Gymnasien outside the city
        grades = rng.integers(7, 10, size=arrivals)
        for grade in (7, 8, 9):
            n = int((grades == grade).sum())
            for group, n_group in zip(groups, rng.multinomial(n, weights), strict=True):
                change = sw.Flow("20", "10", grade, outside=True)
                parts.append(_changes(rng, reg, group, year, change, int(n_group)))
        changes = pd.concat(parts, ignore_index=True)
        changes.insert(0, "datensatz_id", _pseudonyms(rng, len(changes)))
        changes.insert(0, "schuljahr", label)
        frames.append(changes.sort_values("datensatz_id", kind="stable", ignore_index=True))
    return pd.concat(frames, ignore_index=True)[sw.COLUMNS]


def _changes(
    rng: np.random.Generator, reg: _Register, group: int, year: int, change: sw.Flow, n: int
) -> pd.DataFrame | None:
    """``n`` changes into ``change.grade``: random open schools of both types in the group."""
    history = reg.history(group)
    origins = [i for i, s in enumerate(history) if s.schulform == change.origin and s.grades(year)]
    targets = [
        i
        for i, s in enumerate(history)
        if s.schulform == change.target and change.grade in s.grades(year)
    ]
    if n == 0 or not origins or not targets:  # the origin type has closed: no such change
        return None
    origins_all = reg.indexes(group, origins)
    targets_all = reg.indexes(group, targets)
    von = reg.numbers[origins_all[rng.integers(len(origins_all), size=n)]]
    nach = reg.numbers[targets_all[rng.integers(len(targets_all), size=n)]]
    return pd.DataFrame(
        {
            "von_schulnummer": "" if change.outside else von,
            "nach_schulnummer": nach,
            "von_schulform": change.origin,
            "nach_schulform": change.target,
            "jahrgang": change.grade,
        }
    )


def _pseudonyms(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct 12-hex-digit record ids."""
    ids = np.unique(rng.integers(0, 16**12, size=n))
    while len(ids) < n:  # a collision: draw the missing ones again
        ids = np.unique(np.concatenate([ids, rng.integers(0, 16**12, size=n - len(ids))]))
    ids = rng.permutation(ids)
    return [f"{int(x):012x}" for x in ids]


# --- everything ------------------------------------------------------------------------------


def scale_tables(scale: Scale) -> tuple[tuple[School, ...], dict[str, pd.DataFrame]]:
    """The scale register and every yearly template's rows (canonical column names)."""
    schools = scale_register(scale)
    reg = _Register(schools, len(schools) // scale.copies, 2 * scale.stagger + 1)
    pupils = schueler(reg, scale)
    counts = grade_counts(pupils)
    tables = {
        "schueler": pupils,
        "schulformwechsel": schulformwechsel(reg, scale),
        "wiederholer": wiederholer(reg, counts),
        "fehlzeiten": fehlzeiten(reg, counts),
        "abgaenger": abgaenger(reg, scale, counts),
        "uebergaenge": uebergaenge(reg, scale, counts),
    }
    return schools, tables
