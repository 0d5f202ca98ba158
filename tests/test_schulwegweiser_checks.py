"""The school guides' profile against the state register (quality.schulwegweiser)."""

from __future__ import annotations

import pandas as pd

from quality.schulwegweiser import campaign, profile_problems

REGISTER = pd.DataFrame(
    {
        "schulnummer": ["100001", "100002", "100003"],
        "schulbetriebsschluessel": ["1", "9", "1"],  # 9: closed
        "gemeindeschluessel": ["05114000", "05114000", "05166012"],  # the last in Kreis Viersen
    }
)


def _profile(**changes: object) -> pd.DataFrame:
    row = {
        "region_key": "05114000",
        "period": "2025/26",
        "schulnummer": "100001",
        "anmeldung_von": "2024-11-04",
        "anmeldung_bis": "2024-11-15",
        "tag_der_offenen_tuer": "2024-10-12",
    }
    frame = pd.DataFrame([row | changes])
    frame.index = pd.Index([7])  # the raw table's row
    return frame


def _problems(**changes: object) -> list[str]:
    found = profile_problems(_profile(**changes), REGISTER, {7: "schulprofil_2025-26.xlsx"})
    return [str(p) for p in found]


def test_a_school_of_the_register_in_operation_with_this_campaigns_dates_passes() -> None:
    assert _problems() == []


def test_the_campaign_is_the_school_year_before() -> None:
    first, last = campaign("2025/26")
    assert (first.isoformat(), last.isoformat()) == ("2024-08-01", "2025-07-31")


def test_unknown_closed_and_foreign_schools_name_file_row_and_column() -> None:
    (unknown,) = _problems(schulnummer="999999")
    assert unknown == (
        "schulen: schulprofil_2025-26.xlsx, row 7, column 'schulnummer': "
        "Schule nicht im Schulverzeichnis des Landes (value: '999999')"
    )
    (closed,) = _problems(schulnummer="100002")
    assert "nicht in Betrieb" in closed and "row 7" in closed
    (foreign,) = _problems(schulnummer="100003")
    assert "nicht in der Stadt" in foreign


def test_last_years_dates_fail_naming_the_column() -> None:
    found = _problems(anmeldung_von="2023-11-06", anmeldung_bis="2023-11-17",
                      tag_der_offenen_tuer="2023-10-14")  # fmt: skip
    assert [p.split(", ")[2].split(":")[0] for p in found] == [
        "column 'anmeldung_von'",
        "column 'anmeldung_bis'",
        "column 'tag_der_offenen_tuer'",
    ]
    assert "Anmeldezeit für 2025/26 (01.08.2024 bis 31.07.2025)" in found[0]


def test_a_period_that_ends_before_it_begins_and_an_open_day_after_it() -> None:
    (reversed_,) = _problems(anmeldung_bis="2024-11-01")
    assert "Anmeldeschluss vor Anmeldebeginn" in reversed_
    (late,) = _problems(tag_der_offenen_tuer="2024-12-01")
    assert "Tag der offenen Tür" in late


def test_without_a_register_every_school_is_unknown() -> None:
    found = profile_problems(_profile(), None, {7: "schulprofil_2025-26.xlsx"})
    assert [p.column for p in found] == ["schulnummer"]
