"""The school guides' profile against the state register: the checks a single file cannot make.

A profile (template ``schulprofil``) names schools by Schulnummer; the guides take name,
address, contact and location from the Ministry's register (``msb__schulverzeichnis``). A
school the register does not know, one that is closed, one of another town, or a profile
whose registration dates belong to another enrolment campaign would print a wrong guide.
Checked on the raw tables, so each problem names the delivered file, the row and the column.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipelines.ingest.errors import Problem

SOURCE = "schulen"
IN_OPERATION = "1"
"""``Schulbetriebsschluessel`` of a school in operation (MSB register)."""


def campaign(school_year: str) -> tuple[dt.date, dt.date]:
    """The enrolment campaign for ``school_year`` lies in the school year before it: for
    2025/26 from 1 August 2024 to 31 July 2025."""
    start = int(school_year[:4])
    return dt.date(start - 1, 8, 1), dt.date(start, 7, 31)


def profile_problems(
    profile: pd.DataFrame,
    register: pd.DataFrame | None,
    file_of_row: dict[int, str],
) -> list[Problem]:
    """Problems of the raw profile rows (index = row, as in the other raw checks) against the
    raw register (``None`` when none was delivered) and the enrolment campaign."""
    return register_problems(profile, register, file_of_row) + date_problems(profile, file_of_row)


def register_problems(
    profile: pd.DataFrame, register: pd.DataFrame | None, file_of_row: dict[int, str]
) -> list[Problem]:
    """Each profile row's school in the register, in operation and in the city (the row's own
    ``region_key``, the Gemeindeschlüssel the school administration delivers for)."""
    known = (
        register.drop_duplicates("schulnummer").set_index("schulnummer")
        if register is not None
        else pd.DataFrame(columns=["schulbetriebsschluessel", "gemeindeschluessel"])
    )
    problems: list[Problem] = []
    for row, record in profile.iterrows():
        number = record["schulnummer"]
        if number not in known.index:
            rule = "Schule nicht im Schulverzeichnis des Landes"
        elif known.at[number, "schulbetriebsschluessel"] != IN_OPERATION:
            rule = "Schule laut Schulverzeichnis nicht in Betrieb"
        elif known.at[number, "gemeindeschluessel"] != str(record["region_key"])[:8]:
            rule = "Schule laut Schulverzeichnis nicht in der Stadt"
        else:
            continue
        problems.append(
            Problem(SOURCE, file_of_row.get(row, "?"), rule, row, "schulnummer", number)
        )
    return problems


def date_problems(profile: pd.DataFrame, file_of_row: dict[int, str]) -> list[Problem]:
    """Registration dates inside the campaign for the row's school year, the period in order,
    the open day between the campaign's start and the registration's end."""
    problems: list[Problem] = []
    for row, record in profile.iterrows():

        def problem(column: str, rule: str, row: int = row, record: pd.Series = record) -> None:
            file = file_of_row.get(row, "?")
            problems.append(Problem(SOURCE, file, rule, row, column, record[column]))

        first, last = campaign(str(record["period"]))
        dates = {}
        for column in ("anmeldung_von", "anmeldung_bis", "tag_der_offenen_tuer"):
            text = record.get(column)
            dates[column] = dt.date.fromisoformat(text) if isinstance(text, str) and text else None
        window = f"{first:%d.%m.%Y} bis {last:%d.%m.%Y}"
        for column in ("anmeldung_von", "anmeldung_bis"):
            day = dates[column]
            if day is not None and not first <= day <= last:
                problem(column, f"Datum nicht in der Anmeldezeit für {record['period']} ({window})")
        von, bis, offen = (
            dates["anmeldung_von"],
            dates["anmeldung_bis"],
            dates["tag_der_offenen_tuer"],
        )
        if von and bis and bis < von:
            problem("anmeldung_bis", "Anmeldeschluss vor Anmeldebeginn")
        if offen and bis and not first <= offen <= bis:
            problem(
                "tag_der_offenen_tuer",
                f"Tag der offenen Tür nicht zwischen {first:%d.%m.%Y} und dem Anmeldeschluss",
            )
    return problems
