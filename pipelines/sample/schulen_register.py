"""The synthetic city's schools: fictional names and numbers, districts, open and close years.

Every name ends in ``(fiktiv)`` and every Schulnummer starts with ``0`` — real NRW school
numbers do not, so no sample school can be mistaken for a real one, and every file exercises
the leading-zero rule. The history echoes a typical NRW city: Hauptschulen phase out (no new
grade 5 for five years before closing), one Realschule closes, a Gesamtschule and a
Grundschule open and grow a grade a year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.sample import city

FIRST_YEAR = int(city.SCHOOL_YEARS[0][:4])
LAST_YEAR = int(city.SCHOOL_YEARS[-1][:4])

SCHULFORM_NAMES = {
    "02": "Grundschule",
    "04": "Hauptschule",
    "08": "Förderschule",
    "10": "Realschule",
    "14": "Sekundarschule",
    "15": "Gesamtschule",
    "20": "Gymnasium",
    "30": "Berufskolleg",
}

GRADES: dict[str, tuple[int, ...]] = {
    "02": (1, 2, 3, 4),
    "04": (5, 6, 7, 8, 9, 10),
    "08": tuple(range(1, 11)),
    "10": (5, 6, 7, 8, 9, 10),
    "14": (5, 6, 7, 8, 9, 10),
    "15": tuple(range(5, 14)),
    "20": tuple(range(5, 13)),  # G8 grades 5–12 in every sample year
    "30": (11, 12, 13),
}

BURDEN: dict[int, float] = {1: 0.40, 2: 0.75, 3: 0.10, 4: 0.95, 5: 0.85, 6: 0.20, 7: 0.50,
                            8: 0.55, 9: 0.35}  # fmt: skip
"""Social burden of each Stadtbezirk, 0 (least) to 1 (most): drives the uneven shares."""

_CENTRES: dict[int, tuple[int, int]] = {
    1: (328500, 5690500), 2: (331300, 5692600), 3: (326800, 5694300), 4: (331200, 5690000),
    5: (331500, 5688200), 6: (331200, 5686200), 7: (333800, 5688700), 8: (333600, 5691300),
    9: (335900, 5692100),
}  # fmt: skip
_PLZ: dict[int, str] = {1: "47803", 2: "47802", 3: "47839", 4: "47798", 5: "47799", 6: "47807",
                        7: "47809", 8: "47800", 9: "47829"}  # fmt: skip

# (Schulform, name part, Stadtbezirk, private, first year, last year, relative size)
_SPECS: tuple[tuple[str, str, int, bool, int | None, int | None, float], ...] = (
    ("02", "Ahornweg", 1, False, None, None, 1.1),
    ("02", "Birkenhain", 1, False, None, None, 0.9),
    ("02", "Eichenallee", 1, False, None, None, 1.0),
    ("02", "Erlenbruch", 1, False, None, None, 0.8),
    ("02", "Eschenweg", 1, False, None, None, 1.2),
    ("02", "Fliederstraße", 2, False, None, None, 1.3),
    ("02", "Ginsterpfad", 2, False, None, None, 1.0),
    ("02", "Holunderweg", 2, False, None, None, 1.1),
    ("02", "Ilexweg", 2, False, None, None, 0.9),
    ("02", "Kastanienplatz", 3, False, None, None, 1.0),
    ("02", "Lärchenring", 3, False, None, None, 0.8),
    ("02", "Mistelweg", 3, False, None, None, 0.9),
    ("02", "Nussbaumweg", 4, False, None, None, 1.4),
    ("02", "Pappelallee", 4, False, None, None, 1.2),
    ("02", "Quittenweg", 4, False, None, None, 1.3),
    ("02", "Rosenhag", 4, False, None, None, 1.0),
    ("02", "Schlehenweg", 4, False, None, None, 1.1),
    ("02", "Tannenwinkel", 4, True, None, None, 1.6),
    ("02", "Ulmenhof", 5, False, None, None, 1.2),
    ("02", "Vogelbeerweg", 5, False, None, None, 1.0),
    ("02", "Wacholderweg", 5, False, None, None, 1.1),
    ("02", "Weidenbogen", 5, False, 2022, None, 0.8),
    ("02", "Zedernweg", 6, False, None, None, 1.0),
    ("02", "Amselgrund", 6, False, None, None, 1.1),
    ("02", "Buntspechtweg", 6, False, None, None, 0.9),
    ("02", "Drosselgasse", 7, False, None, None, 1.0),
    ("02", "Eisvogelweg", 7, False, None, None, 0.9),
    ("02", "Finkenschlag", 7, False, None, None, 1.0),
    ("02", "Goldammerweg", 7, False, None, None, 0.8),
    ("02", "Haubenlerchenweg", 8, False, None, None, 1.0),
    ("02", "Kiebitzweg", 8, False, None, None, 1.1),
    ("02", "Lerchenfeld", 8, False, None, None, 0.9),
    ("02", "Meisenhof", 8, False, None, None, 1.0),
    ("02", "Nachtigallenweg", 9, False, None, None, 1.1),
    ("02", "Pirolweg", 9, False, None, None, 1.0),
    ("02", "Rotkehlchenweg", 9, False, None, None, 0.9),
    ("02", "Stieglitzweg", 9, False, None, None, 0.8),
    ("04", "Am Mühlenteich", 4, False, None, 2016, 0.8),
    ("04", "Kranichweg", 2, False, None, 2020, 1.0),
    ("04", "Am Sandberg", 5, False, None, 2020, 1.0),
    ("10", "Am Wasserturm", 1, False, None, None, 1.0),
    ("10", "Falkenhorst", 5, False, None, None, 1.1),
    ("10", "Am Brunnenhof", 8, False, None, 2020, 0.8),
    ("10", "Heckenrosenweg", 6, False, None, None, 1.0),
    ("14", "Am Weberplatz", 7, False, None, None, 1.0),
    ("15", "Am Kanalufer", 4, False, None, None, 1.1),
    ("15", "Libellenweg", 3, False, None, None, 1.0),
    ("15", "Am Feldrain", 5, False, None, None, 1.0),
    ("15", "Mohnblumenweg", 9, False, None, None, 0.9),
    ("15", "Am Wiesengrund", 7, False, 2016, None, 1.0),
    ("20", "Am Sternenhof", 4, False, None, None, 1.1),
    ("20", "Kometenweg", 1, False, None, None, 1.0),
    ("20", "Am Eulenturm", 6, False, None, None, 1.1),
    ("20", "Hirschsprung", 9, False, None, None, 0.9),
    ("20", "Am Schwanenteich", 4, True, None, None, 1.0),
    ("20", "Am Kastell", 8, False, None, None, 0.9),
    ("20", "Am Dachsbau", 2, False, None, None, 0.9),
    ("08", "Am Leuchtturm", 4, False, None, None, 1.0),
    ("08", "Sonnenblumenweg", 2, False, None, None, 0.9),
    ("08", "Am Ankerplatz", 8, False, None, None, 0.8),
    ("08", "Am Kirschgarten", 6, False, None, None, 0.7),
    ("30", "Am Ziegelhof", 4, False, None, None, 1.1),
    ("30", "Am Färbertor", 4, False, None, None, 1.0),
    ("30", "Am Hafenkai", 9, False, None, None, 0.9),
    ("30", "Am Messeplatz", 8, False, None, None, 1.0),
)

FOERDERSCHWERPUNKT = {"Am Leuchtturm": "lernen", "Sonnenblumenweg": "sprache",
                      "Am Ankerplatz": "emotionale_soziale_entwicklung",
                      "Am Kirschgarten": "sonstige"}  # fmt: skip
"""The main Förderschwerpunkt of each fictional Förderschule."""


@dataclass(frozen=True)
class School:
    """One fictional school."""

    schulnummer: str
    name: str
    kurzname: str  # the distinguishing part of the name, e.g. "Ahornweg"
    schulform: str
    stadtbezirk: int
    privat: bool
    first_year: int | None  # start year of the first school year in operation
    last_year: int | None
    size: float
    strasse: str
    utm_ost: int
    utm_nord: int

    @property
    def burden(self) -> float:
        """District burden; secondary schools draw from the whole city, so half of it."""
        own = BURDEN[self.stadtbezirk]
        if self.schulform == "02":
            return own
        return 0.5 * own + 0.5 * float(np.mean(list(BURDEN.values())))

    def active(self, year: int) -> bool:
        started = self.first_year is None or year >= self.first_year
        return started and (self.last_year is None or year <= self.last_year)

    def grades(self, year: int) -> tuple[int, ...]:
        """Grades taught in the school year starting in ``year`` (growing or phasing out)."""
        if not self.active(year):
            return ()
        grades = GRADES[self.schulform]
        if self.first_year is not None:
            grades = grades[: year - self.first_year + 1]
        if self.last_year is not None and self.schulform in ("04", "10"):
            grades = tuple(g for g in grades if g >= 10 - (self.last_year - year))
        return grades


def _name(schulform: str, part: str) -> str:
    return f"Beispiel-{SCHULFORM_NAMES[schulform]} {part} (fiktiv)"


def build_register() -> tuple[School, ...]:
    """All sample schools, with deterministic numbers, addresses and coordinates."""
    rng = np.random.default_rng([city.SEED, 1])
    numbers = rng.choice(np.arange(10000, 100000), size=len(_SPECS), replace=False)
    schools = []
    for (form, part, bezirk, privat, first, last, size), number in zip(
        _SPECS, numbers, strict=True
    ):
        east, north = _CENTRES[bezirk]
        schools.append(
            School(
                schulnummer=f"0{number}",
                name=_name(form, part),
                kurzname=part,
                schulform=form,
                stadtbezirk=bezirk,
                privat=privat,
                first_year=first,
                last_year=last,
                size=size,
                strasse=f"{part} {int(rng.integers(1, 120))}",
                utm_ost=int(east + rng.integers(-900, 900)),
                utm_nord=int(north + rng.integers(-700, 700)),
            )
        )
    return tuple(schools)


def plz(school: School) -> str:
    return _PLZ[school.stadtbezirk]


def school_years() -> list[tuple[int, str]]:
    """(start year, ``2016/17``) for every sample school year."""
    return [(int(label[:4]), label) for label in city.SCHOOL_YEARS]
