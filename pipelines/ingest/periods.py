"""The range of periods a delivery may hold: from the catalogue's first year up to today.

A delivery for a school year that has not begun (or a typo like ``2062/63``) used to load and
fail much later in a dbt test that no longer knew the file. Periods are checked here, in their
mart form, by every parser (naming file and row) and by the raw schemas.
"""

from __future__ import annotations

import datetime as dt
import re

EARLIEST_YEAR = 2000
"""First year of the template catalogue (``schuljahr`` from 2000/01); older periods are refused."""
SCHOOL_YEAR_START_MONTH = 8
"""NRW school years begin on 1 August: on 6 December 2026 the running one is 2026/27."""

_SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def current_school_year(today: dt.date) -> str:
    """The school year running on ``today`` (``2026/27`` from 1 August 2026)."""
    start = today.year if today.month >= SCHOOL_YEAR_START_MONTH else today.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def period_problem(
    period: object, today: dt.date | None = None, *, school_years_ahead: int = 0
) -> str | None:
    """Why ``period`` (mart form: ``2016/17``, ``2024``, ``2024-09``, ``2024-12-31``) lies outside
    the range, or ``None`` when it is inside (or not a period form: other checks name that).

    ``school_years_ahead``: how many school years after the running one a school year may be
    (the school guides describe the school year parents register for: the next one)."""
    if not isinstance(period, str):
        return None
    today = today or dt.date.today()
    text = period.strip()
    year = _year_of(text)
    if year is None:
        return None
    if year < EARLIEST_YEAR:
        return f"Zeitraum {text} liegt vor {EARLIEST_YEAR}, dem ersten Jahr des Katalogs"
    if match := _SCHOOL_YEAR.match(text):
        running = current_school_year(today)
        if int(match.group(1)) > int(running[:4]) + school_years_ahead:
            latest = int(running[:4]) + school_years_ahead
            return (
                f"Schuljahr {text} liegt in der Zukunft (laufendes Schuljahr: {running}"
                + (f", spätestens {latest}/{(latest + 1) % 100:02d}" if school_years_ahead else "")
                + ")"
            )
    elif _YEAR.match(text):
        if year > today.year:
            return f"Jahr {text} liegt in der Zukunft (heute: {today:%d.%m.%Y})"
    elif match := _MONTH.match(text):
        if (year, int(match.group(2))) > (today.year, today.month):
            return f"Monat {text} liegt in der Zukunft (heute: {today:%d.%m.%Y})"
    elif _DATE.match(text) and text > today.isoformat():
        return f"Stichtag {text} liegt in der Zukunft (heute: {today:%d.%m.%Y})"
    return None


def _year_of(text: str) -> int | None:
    for pattern in (_SCHOOL_YEAR, _YEAR, _MONTH, _DATE):
        if match := pattern.match(text):
            return int(match.group(1))
    return None
