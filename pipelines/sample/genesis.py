"""Synthetic IT.NRW / GENESIS downloads for the sample city (data/sample/itnrw/).

The files imitate real Regionaldatenbank classic CSV downloads byte for byte in layout
(Windows-1252, ``;``, ``;``-padded title lines, indented region names, ``__________`` footer,
quoted footnotes with ``""`` escapes, copyright block, ``Stand:``) so that the product's
parser is exercised exactly as with real files; one table is also written as ffcsv (2025
layout). The numbers are SYNTHETIC (every file says so in its footnote), built around the
anchors in :mod:`pipelines.sample.city`; tests recompute the seed facts from these files.

Leavers come as TWO editions of ``21111-02-06-4``: a real multi-year download carries one
label set for all its years (the labels are table metadata, not per-period data — the real
2025 download still says ``ohne Hauptschulabschluss`` for 2023 while a 2026 download says
``ohne Ersten Schulabschluss``). So the sample holds an edition downloaded in March 2022
(periods 2015–2021, old labels) and one downloaded in 2026 (periods 2022–2025, new labels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.sample import city

SUBDIR = "itnrw"
ENCODING = "cp1252"
FOOTER = "__________"
SYNTHETIC = (
    "Synthetische Beispieldaten des Bildungsmonitors (Beispielstadt Krefeld):\n"
    "keine amtlichen Werte."
)
COPYRIGHT = (
    "© Synthetische Beispieldaten, Bildungsmonitor, 2026.\n"
    "Nachbildung des Download-Formats der Regionaldatenbank\n"
    "Deutschland - keine amtlichen Ergebnisse."
)

REGIERUNGSBEZIRKE: dict[str, str] = {
    "051": "Düsseldorf",
    "053": "Köln",
    "055": "Münster",
    "057": "Detmold",
    "059": "Arnsberg",
}
RB_SHARE: dict[str, float] = {"051": 0.29, "053": 0.25, "055": 0.145, "057": 0.114, "059": 0.201}

BASE_POPULATION: dict[str, int] = {
    "05111": 618_000,
    "05112": 499_000,
    "05113": 579_000,
    "05116": 262_000,
    "05117": 171_000,
    "05119": 209_000,
    "05120": 111_000,
    "05122": 159_000,
    "05124": 355_000,
    "05314": 329_000,
    "05315": 1_079_000,
    "05316": 164_000,
    "05512": 117_000,
    "05513": 259_000,
    "05515": 316_000,
    "05711": 333_000,
    "05911": 364_000,
    "05913": 587_000,
    "05914": 188_000,
    "05915": 179_000,
    "05916": 156_000,
}
"""Rough sizes of the comparison cities around 2024 (Krefeld's series is set separately)."""

NEED: dict[str, float] = {
    "05112": 1.3,
    "05113": 1.1,
    "05114": 1.2,
    "05119": 1.15,
    "05124": 1.1,
    "05513": 1.35,
    "05913": 1.15,
    "05914": 1.2,
    "05915": 1.1,
    "05916": 1.2,
    "05512": 1.05,
    "05315": 0.95,
    "05111": 0.9,
    "05314": 0.8,
    "05515": 0.7,
    "05711": 0.95,
    "05911": 1.0,
}
"""Social burden factor (1 = NRW average) steering the synthetic indicators per city."""

KREFELD_POPULATION_2014 = 224_300
KREFELD_POPULATION_STEP = 380
NRW_POPULATION_2014 = 17_640_000

AGE_GROUPS: list[tuple[str, str, float, float]] = [
    # label, ffcsv attribute code, share of population, male share
    ("unter 3 Jahre", "ALT000B03", 0.0285, 0.513),
    ("3 bis unter 6 Jahre", "ALT003B06", 0.0280, 0.513),
    ("6 bis unter 10 Jahre", "ALT006B10", 0.0365, 0.512),
    ("10 bis unter 15 Jahre", "ALT010B15", 0.0450, 0.513),
    ("15 bis unter 18 Jahre", "ALT015B18", 0.0285, 0.515),
    ("18 bis unter 25 Jahre", "ALT018B25", 0.0760, 0.520),
    ("25 bis unter 65 Jahre", "ALT025B65", 0.5290, 0.505),
    ("65 Jahre und mehr", "ALT065UM", 0.2285, 0.430),
]
"""The eight groups the synthetic population is drawn in (and the indicators use)."""

AGE_GROUPS_17: list[tuple[str, str, int, int]] = [
    # label as IT.NRW prints it, ffcsv attribute code, index into AGE_GROUPS, split weight
    # (weights: NRW's single years of age on 31.12.2024, table 12411-09i, rounded)
    ("unter 3 Jahre", "ALT000B03", 0, 1),
    ("3 bis unter 6 Jahre", "ALT003B06", 1, 1),
    ("6 bis unter 10 Jahre", "ALT006B10", 2, 1),
    ("10 bis unter 15 Jahre", "ALT010B15", 3, 1),
    ("15 bis unter 18 Jahre", "ALT015B18", 4, 1),
    ("18 bis unter 20 Jahre", "ALT018B20", 5, 354),
    ("20 bis unter 25 Jahre", "ALT020B25", 5, 972),
    ("25 bis unter 30 Jahre", "ALT025B30", 6, 1112),
    ("30 bis unter 35 Jahre", "ALT030B35", 6, 1179),
    ("35 bis unter 40 Jahre", "ALT035B40", 6, 1193),
    ("40 bis unter 45 Jahre", "ALT040B45", 6, 1140),
    ("45 bis unter 50 Jahre", "ALT045B50", 6, 1054),
    ("50 bis unter 55 Jahre", "ALT050B55", 6, 1141),
    ("55 bis unter 60 Jahre", "ALT055B60", 6, 1456),
    ("60 bis unter 65 Jahre", "ALT060B65", 6, 1395),
    ("65 bis unter 75 Jahre", "ALT065B75", 7, 2058),
    ("75 Jahre und mehr", "ALT075UM", 7, 1918),
]
"""IT.NRW's 17 age groups of ``12411-02-03-4`` (``Altersgruppen (17)``): each of the eight
drawn groups split by fixed weights (largest remainder, no random draw), so the eight groups'
sums — and every total — stay exactly as drawn."""

SCHOOL_TYPES: list[tuple[str, float, int, float]] = [
    # Schulart, share of pupils, pupils per school, female share
    ("Vorschulbereich", 0.004, 90, 0.45),
    ("Grundschulen", 0.340, 275, 0.49),
    ("Schulartunabhängige Orientierungsstufe", 0.0, 1, 0.0),
    ("Hauptschulen", 0.040, 300, 0.43),
    ("Schularten mit mehreren Bildungsgängen", 0.030, 600, 0.47),
    ("Realschulen", 0.085, 700, 0.48),
    ("Gymnasien", 0.235, 750, 0.52),
    ("Integrierte Gesamtschulen", 0.205, 1100, 0.49),
    ("Freie Waldorfschulen", 0.022, 550, 0.52),
    ("Sonderschulen/Förderschulen", 0.060, 200, 0.36),
    ("Abendschulen und Kollegs", 0.011, 285, 0.47),
]

GRADE_SHARES: dict[str, tuple[float | None, float | None]] = {
    # Schulart → share of its pupils in Klassenstufe 7 and in Jahrgangsstufe 11 (EF); None:
    # the real table shows "x" (the grade does not exist there). No random draw: the two
    # columns imitate the real layout without changing any other figure of the sample.
    "Hauptschulen": (0.18, None),
    "Schularten mit mehreren Bildungsgängen": (0.165, None),
    "Realschulen": (0.17, None),
    "Gymnasien": (0.13, 0.01),
    "Integrierte Gesamtschulen": (0.15, 0.055),
    "Freie Waldorfschulen": (0.095, 0.07),
    "Sonderschulen/Förderschulen": (0.07, 0.0),
}


def _grade_cells(schulart: str, pupils: int, rnd) -> tuple[list[str], list[int]]:
    """The 7th-grade and EF cells of one school type (see :data:`GRADE_SHARES`)."""
    shares = GRADE_SHARES.get(schulart, (None, None))
    values = [0 if share is None else rnd(pupils * share) for share in shares]
    cells = ["x" if share is None else _cell(v) for share, v in zip(shares, values, strict=True)]
    return cells, values


BILDUNGSBEREICHE: list[tuple[str, float, float]] = [
    # Bildungsbereich (iABE sector), share of entrants, female share
    ("Berufsausbildung im dualen System", 0.45, 0.38),
    ("Schulberufssystem", 0.18, 0.70),
    ("Übergangsbereich", 0.15, 0.38),
    ("Erwerb der Hochschulzugangsberechtigung", 0.22, 0.53),
]
KREFELD_ENTRANTS_2016 = {  # seed: 611 / 4210 = 14.51 % → 14.5 % in the Übergangsbereich
    "Berufsausbildung im dualen System": 1894,
    "Schulberufssystem": 762,
    "Übergangsbereich": 611,
    "Erwerb der Hochschulzugangsberechtigung": 943,
}

LEAVER_LABELS_OLD = [
    "Insgesamt",
    "ohne Hauptschulabschluss",
    "mit Hauptschulabschluss",
    "mit Mittlerem Abschluss",
    "dar. schulischer Teil der Fachhochschulreife",
    "mit Fachhochschulreife",
    "mit allgemeiner Hochschulreife",
]
LEAVER_LABELS_NEW = [
    "Insgesamt",
    "ohne Ersten Schulabschluss",
    "mit Erstem Schulabschluss",
    "mit Mittlerem Schulabschluss",
    "dar. schulischer Teil der Fachhochschulreife",
    "mit Fachhochschulreife",
    "mit Allgemeiner und fachgebundener Hochschulreife",
]
LEAVER_FEMALE_SHARE = {
    "ohne": 0.40,
    "hsa": 0.42,
    "msa": 0.48,
    "fhr_s": 0.55,
    "fhr": 0.5,
    "ahr": 0.55,
}

YEARS = range(2014, 2025)
"""Years of the school-year starts 2014/15 … 2024/25 (and population Stichtage 31.12.)."""


@dataclass(frozen=True)
class Design:
    """Which Kreise the tables list and the city's leaver series IT.NRW publishes.

    The bundled sample lists the kreisfreie Städte; the state-sized scale data
    (:mod:`pipelines.sample.scale`) lists all 53 Kreise and scales Krefeld's leavers to its
    school-administration records, so the leavers cross-source check still compares like
    with like.
    """

    kreise: Mapping[str, str]
    """Kreis key → name as the Regionaldatenbank prints it (``Kleve, Kreis``)."""
    base_population: Mapping[str, int]
    """Rough size around 2024 of every listed Kreis except Krefeld (set separately)."""
    krefeld_leavers: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: dict(city.KREFELD_LEAVERS)
    )
    need: Mapping[str, float] = field(default_factory=lambda: dict(NEED))


SAMPLE_DESIGN = Design(
    kreise={k: f"{n}, kreisfreie Stadt" for k, n in city.KREISFREIE_STAEDTE_NRW.items()},
    base_population=BASE_POPULATION,
)


# --------------------------------------------------------------------------------------
# Regions


def _regions(design: Design) -> list[tuple[str, str]]:
    """(key, indented name) in the order of a Regionaldatenbank download (sorted keys)."""
    regions = [(city.NRW, "  Nordrhein-Westfalen")]
    regions += [(k, f"    {n}, Regierungsbezirk") for k, n in REGIERUNGSBEZIRKE.items()]
    regions += [(k, f"      {n}") for k, n in design.kreise.items()]
    return sorted(regions)


def _level(key: str) -> str:
    return {2: "land", 3: "rb"}.get(len(key), "kreis")


def _need(key: str, design: Design) -> float:
    return design.need.get(key, 1.0)


def _iround(value: float) -> int:
    """Round half to even, as Python's ``round``, always returning a plain ``int``."""
    return int(np.rint(value))


def _r5(value: float) -> int:
    return 5 * _iround(value / 5)


def _cell(value: int) -> str:
    """A count as printed: ``-`` for an exact zero (GENESIS never prints ``0`` for zero)."""
    return "-" if value == 0 else str(int(value))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    weights_arr = np.asarray(weights, dtype=float)
    exact = total * weights_arr / weights_arr.sum()
    parts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - parts), kind="stable")
    for index in order[: total - int(parts.sum())]:
        parts[index] += 1
    return [int(p) for p in parts]


# --------------------------------------------------------------------------------------
# Population (also the denominators for child day care)


def population(
    rng: np.random.Generator | None = None, design: Design = SAMPLE_DESIGN
) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """(key, year) → per age group ``(male, female)`` counts at 31.12. of ``year``."""
    rng = rng or np.random.default_rng([city.SEED, 1])
    out: dict[tuple[str, int], list[tuple[int, int]]] = {}
    growth = {k: rng.uniform(-0.002, 0.006) for k in design.base_population}
    structure = {k: rng.normal(0, 0.03, len(AGE_GROUPS)) for k, _ in _regions(design)}
    for year in YEARS:
        nrw_total = int(NRW_POPULATION_2014 + (year - 2014) * 36_000 + rng.integers(-9000, 9000))
        for key, _ in _regions(design):
            if key == city.NRW:
                total = nrw_total
            elif _level(key) == "rb":
                total = int(nrw_total * RB_SHARE[key] * (1 + rng.normal(0, 0.002)))
            elif key == city.KREFELD:
                total = KREFELD_POPULATION_2014 + (year - 2014) * KREFELD_POPULATION_STEP
                total += int(rng.integers(-120, 120))
            else:
                total = int(design.base_population[key] * (1 + growth[key] * (year - 2024)))
                total += int(rng.integers(-300, 300))
            young = 1 + 0.08 * (_need(key, design) - 1)  # poorer cities are younger
            weights = [
                share * (young if i < 6 else 1.0) * (1 + structure[key][i] + rng.normal(0, 0.006))
                for i, (_, _, share, _) in enumerate(AGE_GROUPS)
            ]
            groups = _allocate(total, weights)
            pairs = []
            for (_, _, _, male_share), count in zip(AGE_GROUPS, groups, strict=True):
                male = _iround(count * male_share * (1 + rng.normal(0, 0.004)))
                pairs.append((male, count - male))
            out[key, year] = pairs
    return out


def population_17(
    design: Design = SAMPLE_DESIGN,
) -> dict[tuple[str, int], list[tuple[int, int]]]:
    """(key, year) → per IT.NRW age group (:data:`AGE_GROUPS_17`) ``(male, female)`` counts."""
    out = {}
    for slot, groups in population(design=design).items():
        parts: list[list[int]] = [[], []]
        for sex in (0, 1):
            for index, group in enumerate(groups):
                weights = [w for _, _, parent, w in AGE_GROUPS_17 if parent == index]
                parts[sex] += _allocate(group[sex], weights)
        out[slot] = list(zip(parts[0], parts[1], strict=True))
    return out


# --------------------------------------------------------------------------------------
# Classic CSV writing


@dataclass
class ClassicTable:
    """A classic GENESIS table before serialisation."""

    code: str
    titles: list[str]
    headers: list[list[str]]
    rows: list[list[str]]
    footnote: str
    stand: str
    line_one: str = "GENESIS-Tabelle"

    @property
    def width(self) -> int:
        return len(self.headers[0])

    def text(self, *, pad_all: bool = False, newline: str = "\n") -> str:
        """The file's text; ``pad_all`` imitates a spreadsheet re-save (every line padded)."""
        pad = ";" * (self.width - 1)
        lines = [f"{self.line_one}: {self.code}" + (pad if pad_all else "")]
        lines += [title + pad for title in self.titles]
        lines += [";".join(cells) for cells in self.headers]
        lines += [";".join(cells) for cells in self.rows]
        for block in (FOOTER, _quoted(self.footnote), _quoted(COPYRIGHT), f"Stand: {self.stand}"):
            lines.append(block + (pad if pad_all else ""))
        return newline.join(lines) + newline


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _write(path: Path, table: ClassicTable) -> Path:
    path.write_bytes(table.text().encode(ENCODING))
    return path


# --------------------------------------------------------------------------------------
# Leavers 21111-02-06-4


def _leaver_breakdown(
    rng: np.random.Generator, total: int, ohne: int, level: str, rounded: bool
) -> dict[str, tuple[int, int]]:
    """Counts (all, female) per certificate; additive categories sum to ``total``."""
    rnd = _r5 if rounded else _iround
    hsa = rnd(total * rng.uniform(0.17, 0.21))
    msa = rnd(total * rng.uniform(0.36, 0.40))
    fhr_s = rnd(total * rng.uniform(0.035, 0.055))
    fhr = {"land": rnd(rng.uniform(35, 60)), "rb": rnd(rng.uniform(0, 14))}.get(level, 0)
    ahr = total - ohne - hsa - msa - fhr
    values = {"ohne": ohne, "hsa": hsa, "msa": msa, "fhr_s": fhr_s, "fhr": fhr, "ahr": ahr}
    out = {}
    for name, value in values.items():
        female = min(
            value, max(0, rnd(value * LEAVER_FEMALE_SHARE[name] * rng.uniform(0.95, 1.05)))
        )
        out[name] = (value, female)
    female_total = sum(out[n][1] for n in ("ohne", "hsa", "msa", "fhr", "ahr"))
    return {"total": (total, female_total)} | out


def _nrw_leavers(rng: np.random.Generator, school_year: str, rounded: bool) -> tuple[int, int]:
    """NRW total and leavers without HSA whose share rounds to NRW_SHARE_WITHOUT_HSA."""
    target = city.NRW_SHARE_WITHOUT_HSA[school_year]
    total = int(rng.integers(180_000, 192_000))
    if rounded:
        total = _r5(total)
    ohne = _r5(total * target / 100) if rounded else _iround(total * target / 100)
    assert round(100 * ohne / total, 1) == target, (school_year, ohne, total)
    return total, ohne


def leaver_tables(design: Design = SAMPLE_DESIGN) -> tuple[ClassicTable, ClassicTable]:
    """The two editions of 21111-02-06-4 (old labels up to 2021, new labels from 2022)."""
    rng = np.random.default_rng([city.SEED, 2])
    pop = population(design=design)
    rows_by_period: dict[int, list[list[str]]] = {}
    for start in YEARS:
        period = start + 1  # the file's year is the year in which the school year ends
        school_year = f"{start}/{period % 100:02d}"
        rounded = period >= 2020  # NRW: 5er-Rundung from school year 2019/20
        nrw_total, nrw_ohne = _nrw_leavers(rng, school_year, rounded)
        nrw_share = nrw_ohne / nrw_total
        rows = []
        for key, name in _regions(design):
            level = _level(key)
            if key == city.NRW:
                total, ohne = nrw_total, nrw_ohne
            elif key == city.KREFELD:
                total, ohne = design.krefeld_leavers[school_year]
            else:
                size = (
                    RB_SHARE[key] * nrw_total
                    if level == "rb"
                    else (sum(sum(p) for p in pop[key, start]) * 0.0101 * rng.uniform(0.95, 1.05))
                )
                total = _r5(size) if rounded else _iround(size)
                share = nrw_share * (
                    _need(key, design) if level == "kreis" else rng.uniform(0.95, 1.05)
                )
                share *= rng.uniform(0.92, 1.08) if level == "kreis" else 1.0
                ohne = _r5(total * share) if rounded else _iround(total * share)
            b = _leaver_breakdown(rng, total, ohne, level, rounded)
            order = ["total", "ohne", "hsa", "msa", "fhr_s", "fhr", "ahr"]
            cells = [_cell(v) for n in order for v in b[n]]
            if key == "05120" and period == 2019:
                cells[9] = "."  # female 'dar. schulischer Teil der FHR' kept secret
            rows.append([str(period), key, name, *cells])
        rows_by_period[period] = rows
    old = _leaver_table(
        LEAVER_LABELS_OLD,
        [r for p in range(2015, 2022) for r in rows_by_period[p]],
        value_label="Absolventen/Abgänger allgemeinbildender Schulen nach dem Abschluss",
        title_head="Absolventen/Abgänger allgemeinbildender Schulen nach",
        stand="14.03.2022 / 10:12:33",
        relabel_note="",
    )
    new = _leaver_table(
        LEAVER_LABELS_NEW,
        [r for p in range(2022, 2026) for r in rows_by_period[p]],
        value_label="Absolvierende/Abgehende allgemeinbildender Schulen nach dem Abschluss",
        title_head="Absolvierende/Abgehende allgemeinbildender Schulen nach",
        stand="12.02.2026 / 09:41:07",
        relabel_note=(
            '\n\nzu "ohne Ersten Schulabschluss":\n'
            "Der Hauptschulabschluss heißt ab 2022 Erster Schulabschluss;\n"
            'bis 2021 "ohne Hauptschulabschluss".'
        ),
    )
    return old, new


def _leaver_table(labels, rows, *, value_label, title_head, stand, relabel_note) -> ClassicTable:
    width = 3 + 2 * len(labels)
    return ClassicTable(
        code="21111-02-06-4",
        titles=[
            title_head,
            "Geschlecht und Abschlussarten - Schuljahr - regionale Tiefe:",
            "Kreise und krfr. Städte",
            "Statistik der allgemeinbildenden Schulen",
            value_label.split(" allgemeinbildender")[0] + " (Anzahl)",
        ],
        headers=[
            ["", "", ""] + [value_label] * (width - 3),
            ["", "", ""] + [label for label in labels for _ in (0, 1)],
            ["", "", ""] + ["Insgesamt", "weiblich"] * len(labels),
        ],
        rows=rows,
        footnote=(
            'zu "gesamte Tabelle":\n'
            "Die Angabe des Berichtsjahres bezieht sich auf das Jahr in\n"
            "dem das Schuljahr endet.\n"
            "Nordrhein-Westfalen: ab 2019/20 sind die Ergebnisse einem\n"
            "5er-Rundungsverfahren unterzogen." + relabel_note + "\n\n" + SYNTHETIC
        ),
        stand=stand,
    )


# --------------------------------------------------------------------------------------
# Schools and pupils 21111-01-03-4


_STUFE = "Klassenstufe / Jahrgangsstufe / Schulbesuchsjahr"
_GRADES = ["7. Klassenstufe", "11. Jahrgangsstufe / Einführungsphase"]


def school_table(design: Design = SAMPLE_DESIGN) -> ClassicTable:
    rng = np.random.default_rng([city.SEED, 3])
    pop = population(design=design)
    has_waldorf = {k: rng.random() < 0.75 for k, _ in _regions(design)}
    has_waldorf[city.KREFELD] = True
    rows = []
    for start in YEARS:
        rounded = start >= 2019
        rnd = _r5 if rounded else _iround
        for key, name in _regions(design):
            pupils_total = sum(sum(p) for p in pop[key, start]) * 0.114 * rng.uniform(0.98, 1.02)
            foreign = min(0.45, 0.17 * _need(key, design) ** 1.5 + 0.004 * (start - 2014))
            sums = [0, 0, 0, 0, 0]
            for schulart, share, size, female_share in SCHOOL_TYPES:
                if schulart.startswith("Schulartunabhängige"):
                    rows.append([str(start), key, name, schulart] + ["x"] * 6)
                    continue
                share = _school_share(key, schulart, share, start, has_waldorf[key], design)
                pupils = rnd(pupils_total * share * rng.uniform(0.96, 1.04))
                schools = 0 if pupils == 0 else max(1, _iround(pupils / size))
                if key == city.KREFELD and schulart == "Hauptschulen":
                    schools = max(0, 4 - (start - 2014) // 2) if start < 2021 else 0
                    pupils = rnd(schools * 290 * rng.uniform(0.9, 1.0))
                female = rnd(pupils * female_share * rng.uniform(0.97, 1.03))
                abroad = rnd(pupils * foreign * rng.uniform(0.8, 1.2))
                grades, grade_values = _grade_cells(schulart, pupils, rnd)
                sums = [
                    sums[0] + pupils, sums[1] + female, sums[2] + abroad,
                    sums[3] + grade_values[0], sums[4] + grade_values[1],
                ]  # fmt: skip
                cells = [_cell(schools), _cell(pupils), _cell(female), _cell(abroad), *grades]
                if key == "05120" and start == 2018 and schulart == "Freie Waldorfschulen":
                    cells[3] = "."  # small count kept secret
                rows.append([str(start), key, name, schulart, *cells])
            rows.append([str(start), key, name, "Insgesamt", "x"] + [_cell(v) for v in sums])
    value = "Schülerinnen und Schüler an allgemeinbildenden Schulen"
    return ClassicTable(
        code="21111-01-03-4",
        titles=[
            "Schulen, Schülerinnen und Schüler nach Schularten -",
            "Stichtag: Schuljahresbeginn - regionale Tiefe: Kreise und",
            "krfr. Städte",
            "Statistik der allgemeinbildenden Schulen",
        ],
        headers=[
            ["", "", "", "", "Allgemeinbildende Schulen", value, value, value, value, value],
            ["", "", "", "", "", "Geschlecht", "Geschlecht", "Nationalität", _STUFE, _STUFE],
            ["", "", "", "", "", "Insgesamt", "weiblich", "ausländisch", *_GRADES],
            ["", "", "", "", "Anzahl", "Anzahl", "Anzahl", "Anzahl", "Anzahl", "Anzahl"],
        ],
        rows=rows,
        footnote=(
            'zu "gesamte Tabelle":\n'
            "Die Angabe des Berichtsjahres bezieht sich auf den Beginn\n"
            "des Schuljahres (Stichtag 15. Oktober).\n"
            "Nordrhein-Westfalen: ab 2019/20 sind die Schülerzahlen einem\n"
            "5er-Rundungsverfahren unterzogen.\n\n"
            'zu "Anzahl der Schulen insgesamt":\n'
            "Schulen mit mehreren Schularten werden je Schulart gezählt;\n"
            'die Summe ist daher nicht sinnvoll ("x").\n\n' + SYNTHETIC
        ),
        stand="12.02.2026 / 09:38:52",
    )


def _school_share(
    key: str, schulart: str, share: float, start: int, waldorf: bool, design: Design
) -> float:
    if schulart == "Freie Waldorfschulen" and not waldorf:
        return 0.0
    if schulart == "Hauptschulen":
        return share * max(0.2, 1 - 0.07 * (start - 2014)) * (_need(key, design) ** 0.5)
    if schulart == "Schularten mit mehreren Bildungsgängen":
        return 0.0 if key == city.KREFELD or int(key[-1:] or 0) % 3 == 0 else share
    return share


# --------------------------------------------------------------------------------------
# Vocational schools 21121-02-02-4 (entrants by Bildungsbereich, iABE)


def vocational_table(design: Design = SAMPLE_DESIGN) -> ClassicTable:
    rng = np.random.default_rng([city.SEED, 4])
    pop = population(design=design)
    rows = []
    for year in YEARS:
        rounded = year >= 2019
        rnd = _r5 if rounded else _iround
        for key, name in _regions(design):
            size = sum(sum(p) for p in pop[key, year]) * 0.0185 * rng.uniform(0.97, 1.03)
            ub_share = (
                0.13 * _need(key, design) * rng.uniform(0.95, 1.05) * (1 - 0.01 * (year - 2014))
            )
            shares = [0.45, 0.18, ub_share, 1 - 0.45 - 0.18 - ub_share]
            counts = [rnd(size * s * rng.uniform(0.97, 1.03)) for s in shares]
            if key == city.KREFELD and year == 2016:
                counts = [KREFELD_ENTRANTS_2016[b] for b, _, _ in BILDUNGSBEREICHE]
            female = [
                rnd(c * f * rng.uniform(0.96, 1.04))
                for c, (_, _, f) in zip(counts, BILDUNGSBEREICHE, strict=True)
            ]
            cells = [_cell(sum(counts)), _cell(sum(female))]
            for count, fem in zip(counts, female, strict=True):
                cells += [_cell(count), _cell(fem)]
            rows.append([str(year), key, name, *cells])
    value = "Anfänger/-innen an beruflichen Schulen"
    labels = ["Insgesamt"] + [b for b, _, _ in BILDUNGSBEREICHE]
    return ClassicTable(
        code="21121-02-02-4",
        titles=[
            "Anfänger/-innen an beruflichen Schulen nach Bildungsbereichen",
            "(iABE) und Geschlecht - Schuljahr - regionale Tiefe: Kreise",
            "und krfr. Städte",
            "Statistik der beruflichen Schulen",
        ],
        headers=[
            ["", "", ""] + [value] * 10,
            ["", "", ""] + [label for label in labels for _ in (0, 1)],
            ["", "", ""] + ["Insgesamt", "weiblich"] * 5,
            ["", "", ""] + ["Anzahl"] * 10,
        ],
        rows=rows,
        footnote=(
            'zu "gesamte Tabelle":\n'
            "Anfänger/-innen im Bildungsgang zum Schuljahresbeginn des\n"
            "angegebenen Jahres, gegliedert nach den Sektoren der\n"
            'integrierten Ausbildungsberichterstattung (iABE); "Übergangs-\n'
            'bereich" = Bildungsgänge ohne vollqualifizierenden Abschluss.\n'
            "Nordrhein-Westfalen: ab 2019/20 sind die Ergebnisse einem\n"
            "5er-Rundungsverfahren unterzogen.\n\n" + SYNTHETIC
        ),
        stand="12.02.2026 / 09:44:16",
    )


# --------------------------------------------------------------------------------------
# Population 12411-02-03-4 (classic and ffcsv)


def population_table(design: Design = SAMPLE_DESIGN) -> ClassicTable:
    pop = population_17(design=design)
    rows = []
    for year in YEARS:
        for key, name in _regions(design):
            groups = pop[key, year]
            total_m = sum(m for m, _ in groups)
            total_f = sum(f for _, f in groups)
            for (label, _, _, _), (male, female) in zip(AGE_GROUPS_17, groups, strict=True):
                rows.append(
                    [
                        f"31.12.{year}",
                        key,
                        name,
                        label,
                        _cell(male + female),
                        _cell(male),
                        _cell(female),
                    ]
                )
            rows.append(
                [
                    f"31.12.{year}",
                    key,
                    name,
                    "Insgesamt",
                    _cell(total_m + total_f),
                    _cell(total_m),
                    _cell(total_f),
                ]
            )
    return ClassicTable(
        code="12411-02-03-4",
        titles=[
            "Bevölkerung nach Geschlecht und Altersgruppen (17) -",
            "Stichtag 31.12. - regionale Tiefe: Kreise und krfr. Städte",
            "Fortschreibung des Bevölkerungsstandes",
            "Bevölkerungsstand (Anzahl)",
        ],
        headers=[["", "", "", "", "Insgesamt", "männlich", "weiblich"]],
        rows=rows,
        footnote=(
            'zu "gesamter Tabelle":\n'
            "Altersgruppen wie in der Regionaldatenbank (17 Gruppen).\n\n" + SYNTHETIC
        ),
        stand="12.02.2026 / 09:47:03",
        line_one="Tabelle",
    )


FFCSV_HEADER = (
    "statistics_code;statistics_label;time_code;time_label;time;"
    "1_variable_code;1_variable_label;1_variable_attribute_code;1_variable_attribute_label;"
    "2_variable_code;2_variable_label;2_variable_attribute_code;2_variable_attribute_label;"
    "3_variable_code;3_variable_label;3_variable_attribute_code;3_variable_attribute_label;"
    "value;value_unit;value_variable_code;value_variable_label"
)


FFCSV_YEARS = range(2022, 2025)
"""The ffcsv copy holds the latest Stichtage only, as a web-service download of recent years."""


def population_ffcsv(design: Design = SAMPLE_DESIGN) -> str:
    """The population table as ffcsv (2025 layout: one value per row, rows unsorted)."""
    pop = population_17(design=design)
    rng = np.random.default_rng([city.SEED, 5])
    names = {k: n.strip() for k, n in _regions(design)}
    sexes = [("", "Insgesamt"), ("GESM", "männlich"), ("GESW", "weiblich")]
    lines = []
    for year in FFCSV_YEARS:
        for key in names:
            groups = pop[key, year]
            ages = [
                (code, label, g)
                for (label, code, _, _), g in zip(AGE_GROUPS_17, groups, strict=True)
            ]
            ages.append(("", "Insgesamt", (sum(m for m, _ in groups), sum(f for _, f in groups))))
            for age_code, age_label, (male, female) in ages:
                for (sex_code, sex_label), value in zip(
                    sexes, (male + female, male, female), strict=True
                ):
                    lines.append(
                        f"12411;Fortschreibung des Bevölkerungsstandes;STAG;Stichtag;{year}-12-31;"
                        f"KREISE;Kreise und kreisfreie Städte;{key};{names[key]};"
                        f"GES;Geschlecht;{sex_code};{sex_label};"
                        f"ALTX17;Altersgruppen (unter 3 bis 75 u. m.);{age_code};{age_label};"
                        f"{_cell(value)};Anzahl;BEVSTD;Bevölkerungsstand"
                    )
    order = rng.permutation(len(lines))
    return "\n".join([FFCSV_HEADER] + [lines[i] for i in order]) + "\n"


# --------------------------------------------------------------------------------------
# Child day care 22543-01-02-4


def day_care_table(design: Design = SAMPLE_DESIGN) -> ClassicTable:
    rng = np.random.default_rng([city.SEED, 6])
    pop = population(design=design)
    rows = []
    for year in range(2015, 2026):
        kr_u3 = 0.258 + 0.0055 * (year - 2015) + rng.uniform(-0.003, 0.003)
        for key, name in _regions(design):
            under3 = sum(pop[key, year - 1][0])  # children at 31.12. of the previous year
            three6 = sum(pop[key, year - 1][1])
            rate_u3 = kr_u3 * (1 + 0.9 * (design.need[city.KREFELD] - _need(key, design)))
            rate_36 = min(0.985, 0.912 + 0.0025 * (year - 2015) - 0.05 * (_need(key, design) - 1.2))
            in_care = [
                _iround(under3 * rate_u3 * rng.uniform(0.99, 1.01)),
                _iround(three6 * rate_36 * rng.uniform(0.99, 1.01)),
            ]
            pflege = [
                _iround(in_care[0] * rng.uniform(0.25, 0.35)),
                _iround(in_care[1] * rng.uniform(0.01, 0.03)),
            ]
            kita = [c - p for c, p in zip(in_care, pflege, strict=True)]
            cells = [_cell(v) for v in (*kita, *pflege, *in_care)]
            if key == "05120" and year == 2020:
                cells[3] = cells[5] = "."  # too few Tagespflege places to publish
            rows.append([f"01.03.{year}", key, name, *cells])
    return ClassicTable(
        code="22543-01-02-4",
        titles=[
            "Betreute Kinder nach Art der Kindertagesbetreuung und",
            "Altersgruppen - Stichtag 01.03. - regionale Tiefe: Kreise",
            "und krfr. Städte",
            "Statistik der Kinder und tätigen Personen in Tageseinrichtungen",
        ],
        headers=[
            ["", "", ""] + ["Betreute Kinder"] * 6,
            [
                "",
                "",
                "",
                "Kindertageseinrichtungen",
                "Kindertageseinrichtungen",
                "Kindertagespflege (ohne Doppelzählung)",
                "Kindertagespflege (ohne Doppelzählung)",
                "Insgesamt",
                "Insgesamt",
            ],
            ["", "", ""] + ["unter 3 Jahre", "3 bis unter 6 Jahre"] * 3,
            ["", "", ""] + ["Anzahl"] * 6,
        ],
        rows=rows,
        footnote=(
            'zu "Kindertagespflege (ohne Doppelzählung)":\n'
            "Kinder in öffentlich geförderter Kindertagespflege, die nicht\n"
            'zusätzlich eine Kindertageseinrichtung besuchen ("ohne\n'
            'Doppelzählung").\n\n' + SYNTHETIC
        ),
        stand="12.02.2026 / 09:51:40",
    )


# --------------------------------------------------------------------------------------
# Entry points


def write_sample(out_dir: Path, design: Design = SAMPLE_DESIGN) -> list[Path]:
    """Write the IT.NRW sample files into ``out_dir/itnrw/`` and return their paths."""
    target = Path(out_dir) / SUBDIR
    target.mkdir(parents=True, exist_ok=True)
    old, new = leaver_tables(design)
    written = [
        _write(target / "21111-02-06-4_2015-2021.csv", old),
        _write(target / "21111-02-06-4_2022-2025.csv", new),
        _write(target / "21111-01-03-4.csv", school_table(design)),
        _write(target / "21121-02-02-4.csv", vocational_table(design)),
        _write(target / "12411-02-03-4.csv", population_table(design)),
        _write(target / "22543-01-02-4.csv", day_care_table(design)),
    ]
    ffcsv = target / "12411-02-03-4_sample_de_flat.csv"
    ffcsv.write_bytes(population_ffcsv(design).encode("utf-8-sig"))
    written.append(ffcsv)
    return written


def write_messy_variants(out_dir: Path) -> list[Path]:
    """Damaged copies of a sample download for parser tests (into ``out_dir`` itself).

    - ``itnrw_genesis_utf8_resaved.csv``: re-saved by a spreadsheet as UTF-8 with BOM, CRLF
      and every line padded with ``;`` — must still parse.
    - ``itnrw_genesis_truncated.csv``: cut in the middle of a data row (no footer) — must
      fail with a clear ``IngestError``.
    """
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    _, new = leaver_tables()
    resaved = target / "itnrw_genesis_utf8_resaved.csv"
    resaved.write_bytes(new.text(pad_all=True, newline="\r\n").encode("utf-8-sig"))
    data = new.text().encode(ENCODING)
    lines = data.split(b"\n")
    first_data = len(new.titles) + len(new.headers) + 1
    cut_line = first_data + (len(new.rows) * 3) // 5
    head = b"\n".join(lines[:cut_line])
    truncated = target / "itnrw_genesis_truncated.csv"
    truncated.write_bytes(head + b"\n" + lines[cut_line][: len(lines[cut_line]) // 2])
    return [resaved, truncated]
