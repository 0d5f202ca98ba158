"""Synthetic Schulformwechsel records: one row per change, the seed year reproduced exactly.

School year 2017/18 holds exactly the changes of the city's concept paper (``shared/domain.md``):
the from × to matrix among Hauptschule, Realschule, Gesamtschule and Gymnasium (119 changes)
and the by-target × grade table over all origins (four more changes, from a Sekundarschule and
a Förderschule). Other years vary those flows by a yearly factor; once the Hauptschulen have
closed, changes that went there go to the Sekundarschule or a Gesamtschule instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.sample.schulen_register import School, school_years
from pipelines.sample.schulen_tables import rng_for

SEED_YEAR = "2017/18"

SEED_FLOWS: tuple[tuple[str, str, int, int], ...] = (
    # (from Schulform, to Schulform, grade entered, changes)
    ("20", "04", 7, 1), ("20", "04", 8, 2), ("20", "04", 9, 5),
    ("10", "04", 7, 1), ("10", "04", 8, 1), ("10", "04", 9, 9), ("10", "04", 10, 1),
    ("15", "04", 10, 1),
    ("08", "04", 9, 1),
    ("04", "10", 7, 1), ("04", "10", 9, 1),
    ("15", "10", 7, 2), ("15", "10", 8, 1), ("15", "10", 9, 1),
    ("20", "10", 7, 40), ("20", "10", 8, 14), ("20", "10", 9, 10), ("20", "10", 10, 6),
    ("10", "15", 8, 2),
    ("20", "15", 6, 3), ("20", "15", 7, 3), ("20", "15", 8, 13), ("20", "15", 9, 1),
    ("14", "15", 8, 1),
    ("14", "20", 7, 1), ("14", "20", 8, 1),
)  # fmt: skip
"""The 2017/18 changes; other years are drawn around them."""

COLUMNS = ["schuljahr", "datensatz_id", "von_schulnummer", "nach_schulnummer", "von_schulform",
           "nach_schulform", "jahrgang"]  # fmt: skip


def schulformwechsel(register: tuple[School, ...]) -> pd.DataFrame:
    """One row per change for every sample school year, in a random (pseudonym) order."""
    rng = rng_for(8)
    frames = []
    for year, label in school_years():
        factor = 1.0 if label == SEED_YEAR else rng.uniform(0.8, 1.2)
        flows: list[Flow] = []
        for origin, target, grade, count in SEED_FLOWS:
            n = count if label == SEED_YEAR else int(rng.poisson(count * factor))
            flows += [Flow(origin, _redirect(register, year, target, grade), grade)] * n
        if label != SEED_YEAR:  # a few arrivals from Gymnasien outside the city
            arrivals = int(rng.integers(0, 3))
            flows += [Flow("20", "10", int(rng.integers(7, 10)), outside=True)] * arrivals
        frames.append(_records(rng, register, year, label, flows))
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Flow:
    """One change of school type: from ``origin`` to ``target`` into ``grade``."""

    origin: str
    target: str
    grade: int
    outside: bool = False  # from a school outside the city: no Schulnummer


def _redirect(register: tuple[School, ...], year: int, target: str, grade: int) -> str:
    """After the Hauptschulen closed, a change 'down' goes to a Sekundarschule or Gesamtschule."""
    if target != "04" or _schools(register, year, "04", grade):
        return target
    return "14" if _schools(register, year, "14", grade) else "15"


def _schools(register: tuple[School, ...], year: int, form: str, grade: int) -> list[School]:
    return [s for s in register if s.schulform == form and grade in s.grades(year)]


def _records(
    rng: np.random.Generator,
    register: tuple[School, ...],
    year: int,
    label: str,
    flows: list[Flow],
) -> pd.DataFrame:
    ids: set[str] = set()
    rows = []
    for flow in flows:
        origins = [s for s in register if s.schulform == flow.origin and s.grades(year)]
        if not origins:  # the origin type has closed: the change did not happen
            continue
        targets = _schools(register, year, flow.target, flow.grade)
        von = "" if flow.outside else origins[int(rng.integers(len(origins)))].schulnummer
        nach = targets[int(rng.integers(len(targets)))].schulnummer
        rows.append([label, _pseudonym(rng, ids), von, nach, flow.origin, flow.target, flow.grade])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("datensatz_id", kind="stable", ignore_index=True)


def _pseudonym(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        candidate = f"{int(rng.integers(0, 16**12)):012x}"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
