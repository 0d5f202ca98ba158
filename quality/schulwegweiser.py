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
    raw register (``None`` when none was delivered). The city is the profile row's own
    ``region_key``, the Gemeindeschlüssel the school administration delivers for."""
    problems: list[Problem] = []

    def problem(row: int, column: str, rule: str, value: object) -> None:
        problems.append(Problem(SOURCE, file_of_row.get(row, "?"), rule, row, column, value))

    known = (
        register.drop_duplicates("schulnummer").set_index("schulnummer")
        if register is not None
        else pd.DataFrame(columns=["schulbetriebsschluessel", "gemeindeschluessel"])
    )
    for row, record in profile.iterrows():
        number = record["schulnummer"]
        if number not in known.index:
            problem(row, "schulnummer", "Schule nicht im Schulverzeichnis des Landes", number)
        elif known.at[number, "schulbetriebsschluessel"] != IN_OPERATION:
            problem(row, "schulnummer", "Schule laut Schulverzeichnis nicht in Betrieb", number)
        elif known.at[number, "gemeindeschluessel"] != str(record["region_key"])[:8]:
            problem(row, "schulnummer", "Schule laut Schulverzeichnis nicht in der Stadt", number)
        first, last = campaign(str(record["period"]))
        dates = {}
        for column in ("anmeldung_von", "anmeldung_bis", "tag_der_offenen_tuer"):
            text = record.get(column)
            dates[column] = dt.date.fromisoformat(text) if isinstance(text, str) and text else None
        window = f"{first:%d.%m.%Y} bis {last:%d.%m.%Y}"
        for column in ("anmeldung_von", "anmeldung_bis"):
            day = dates[column]
            if day is not None and not first <= day <= last:
                rule = f"Datum nicht in der Anmeldezeit für {record['period']} ({window})"
                problem(row, column, rule, record[column])
        von, bis, offen = (
            dates["anmeldung_von"],
            dates["anmeldung_bis"],
            dates["tag_der_offenen_tuer"],
        )
        if von and bis and bis < von:
            problem(
                row, "anmeldung_bis", "Anmeldeschluss vor Anmeldebeginn", record["anmeldung_bis"]
            )
        if offen and bis and not first <= offen <= bis:
            rule = f"Tag der offenen Tür nicht zwischen {first:%d.%m.%Y} und dem Anmeldeschluss"
            problem(row, "tag_der_offenen_tuer", rule, record["tag_der_offenen_tuer"])
    return problems
