"""The sample's rows for the school guides: each fictional school's profile and its
registrations against places (templates ``schulprofil`` and ``anmeldungen``).

Admissions are the school's entry grade in the pupil table (grade 1 at a Grundschule, grade 5
at a secondary school), so the two tables agree; places are the school's classes (Zügigkeit)
times the class size it plans with; registrations exceed admissions only where a school is
full. The profile is written for the guide's school year (the one after the last sample
year), with registration dates of the enrolment campaign before it. All invented, all for
fictional schools (``pipelines.sample.schulen_register``).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from pipelines.sample import city
from pipelines.sample.schulen_register import School
from pipelines.sample.schulen_tables import grade_counts, rng_for

ENTRY_GRADE = {"02": 1, "04": 5, "10": 5, "14": 5, "15": 5, "20": 5}
"""Schulformen in the guides (Grundschulen; weiterführende Schulen) and their entry grade."""
CLASS_SIZE = {"02": 25, "04": 24, "10": 27, "14": 25, "15": 27, "20": 28}
"""Class size a school plans its places with (the Klassenfrequenzrichtwert, rounded)."""

ANMELDUNGEN_COLUMNS = ["schuljahr", "schulnummer", "aufnahmekapazitaet", "anmeldungen",
                       "aufnahmen"]  # fmt: skip
PROFIL_COLUMNS = [
    "schuljahr", "schulnummer", "ganztag", "ganztag_bis", "fremdsprachen", "profil",
    "gemeinsames_lernen", "zuege", "anmeldung_von", "anmeldung_bis", "tag_der_offenen_tuer",
    "barrierefrei", "abschluesse", "oberstufe", "zweite_fremdsprache_ab", "hinweise",
]  # fmt: skip
PROFILES = ("MINT", "Musik", "Sport", "bilingual (Englisch)", "Kunst und Theater", "")
ABSCHLUESSE = {
    "04": "ESA, EESA, MSA",
    "10": "ESA, EESA, MSA",
    "14": "ESA, EESA, MSA",
    "15": "ESA, EESA, MSA, FHR, AHR",
    "20": "ESA, EESA, MSA, FHR, AHR",
}


def guide_year() -> tuple[int, str]:
    """The school year the guides are for: the one after the sample's last school year."""
    last = int(city.SCHOOL_YEARS[-1][:4]) + 1
    return last, f"{last}/{(last + 1) % 100:02d}"


def _zuege(admitted: int, schulform: str) -> int:
    return max(1, math.ceil(admitted / CLASS_SIZE[schulform]))


def anmeldungen(register: tuple[School, ...], pupils: pd.DataFrame) -> pd.DataFrame:
    """Places, registrations and admissions per school and school year of admission."""
    rng = rng_for(11)
    counts = grade_counts(pupils).set_index(["schuljahr", "schulnummer", "jahrgang"])["schueler"]
    rows = []
    for label in city.SCHOOL_YEARS:
        for school in (s for s in register if s.schulform in ENTRY_GRADE):
            admitted = int(
                counts.get((label, school.schulnummer, ENTRY_GRADE[school.schulform]), 0)
            )
            if admitted == 0:
                continue
            places = _zuege(admitted, school.schulform) * CLASS_SIZE[school.schulform]
            full = admitted >= places - 2  # nearly full schools turn children away
            extra = int(rng.integers(1, 1 + max(2, admitted // 6))) if full else 0
            rows.append([label, school.schulnummer, max(places, admitted), admitted + extra,
                         admitted])  # fmt: skip
    return pd.DataFrame(rows, columns=ANMELDUNGEN_COLUMNS)


def schulprofil(register: tuple[School, ...], pupils: pd.DataFrame) -> pd.DataFrame:
    """Each guide school's profile for the guide year (active schools of the guides' forms)."""
    rng = rng_for(12)
    year, label = guide_year()
    last = city.SCHOOL_YEARS[-1]
    counts = grade_counts(pupils).set_index(["schuljahr", "schulnummer", "jahrgang"])["schueler"]
    rows = []
    for school in sorted(register, key=lambda s: s.schulnummer):
        if school.schulform not in ENTRY_GRADE or not school.active(year):
            continue
        primary = school.schulform == "02"
        entry = int(counts.get((last, school.schulnummer, ENTRY_GRADE[school.schulform]), 0))
        von, bis = _campaign(year, primary, rng)
        open_day = von - dt.timedelta(days=int(rng.integers(7, 21)))
        languages = "Englisch" if primary else _languages(school.schulform, rng)
        rows.append({
            "schuljahr": label,
            "schulnummer": school.schulnummer,
            "ganztag": "ogs" if primary else str(rng.choice(["gebunden", "teilgebunden",
                                                             "halbtag"], p=[0.6, 0.25, 0.15])),
            "ganztag_bis": "16:00" if primary else str(rng.choice(["15:30", "16:00"])),
            "fremdsprachen": languages,
            "profil": str(rng.choice(PROFILES)),
            "gemeinsames_lernen": "ja" if rng.random() < 0.55 else "nein",
            "zuege": _zuege(max(entry, 1), school.schulform),
            "anmeldung_von": von,
            "anmeldung_bis": bis,
            "tag_der_offenen_tuer": open_day if rng.random() < 0.85 else None,
            "barrierefrei": str(rng.choice(["ja", "teilweise", "nein"], p=[0.4, 0.4, 0.2])),
            "abschluesse": "" if primary else ABSCHLUESSE[school.schulform],
            "oberstufe": "" if primary else _oberstufe(school.schulform),
            "zweite_fremdsprache_ab": None if primary else (6 if school.schulform == "20" else 7),
            "hinweise": _hinweise(primary),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=PROFIL_COLUMNS, dtype=object)  # None stays None


def _campaign(year: int, primary: bool, rng: np.random.Generator) -> tuple[dt.date, dt.date]:
    """Registration window: November before the school year for Grundschulen, February of
    the year itself for secondary schools (as in NRW's enrolment calendar)."""
    start = dt.date(year - 1, 11, 3) if primary else dt.date(year, 2, 16)
    start += dt.timedelta(days=int(rng.integers(0, 4)))
    return start, start + dt.timedelta(days=11 if primary else 8)


def _languages(schulform: str, rng: np.random.Generator) -> str:
    second = ["Französisch", "Latein", "Spanisch"] if schulform == "20" else ["Französisch"]
    count = int(rng.integers(1, len(second) + 1))
    return ", ".join(["Englisch", *second[:count]])


def _oberstufe(schulform: str) -> str:
    return {"15": "eigene", "20": "eigene", "14": "kooperation"}.get(schulform, "keine")


def _hinweise(primary: bool) -> str:
    if primary:
        return "Bitte Geburtsurkunde und Schulanmeldebogen mitbringen."
    return "Bitte das Halbjahreszeugnis der Klasse 4 und den Anmeldeschein mitbringen."
