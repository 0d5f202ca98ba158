"""The blocking checks of a raw table, in one place for ``refresh`` and ``validate``.

``refresh`` runs them on each raw table before anything is built from it (an asset check of
severity ERROR); ``validate`` runs the same function on each file, so a file that
``validate`` accepts is not refused by the run for a reason ``validate`` did not look at.
"""

from __future__ import annotations

import pandas as pd

from pipelines.ingest.errors import Problem
from quality.raw_consistency import consistency_problems
from quality.raw_schemas import validate_tidy


def raw_problems(
    frame: pd.DataFrame,
    table: str,
    file_of_row: dict[int, str] | None = None,
    *,
    file: str | None = None,
    rows: dict[int, int] | None = None,
    columns: dict[int, str] | None = None,
) -> list[Problem]:
    """Schema (pandera, cell by cell) and consistency (parts and totals) problems of a raw
    table ``<source>__<table>``; an empty list means it passes.

    ``rows``/``columns`` map a frame index to the delivered file's line and column, where the
    parser knows them, for the consistency messages."""
    problems = validate_tidy(frame, table, file_of_row, file=file)
    problems += consistency_problems(
        frame, table, file_of_row, file=file, rows=rows, columns=columns
    )
    return problems
