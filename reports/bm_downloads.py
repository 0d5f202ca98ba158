"""The CSV downloads of the indicator pages, written in batches from the published rows."""

from __future__ import annotations

from pathlib import Path

from bm_daten import Edition, edition_periods, published_columns, query, read_values

CSV_BATCH_ROWS = 200_000
"""Rows written to a download at once: whole periods, at least one."""


def write_csv(indicator_id: str, ausgabe: Edition, path: Path | str) -> int:
    """Write the indicator's published rows as CSV for download; returns the row count.

    German spreadsheet conventions: UTF-8 with BOM, ``;`` between fields, decimal comma.
    Empty ``value`` with a ``symbol`` means: not published (see the page's footnotes).
    Text a spreadsheet would run as a formula (a school name from the register starting with
    ``=``) is written with a leading ``'`` (``pipelines.report.downloads_safety``), numbers
    as they are.
    Written in batches of whole periods, so a state-sized indicator never sits in memory.
    """
    from pipelines.report.downloads_safety import neutralise_frame

    columns = list(published_columns("indicator_values"))
    periods = edition_periods(indicator_id, ausgabe)
    counts = dict(
        query(
            "SELECT period, count(*) AS n FROM published.indicator_values "
            "WHERE indicator_id = ? GROUP BY period",
            [indicator_id],
        ).itertuples(index=False, name=None)
    )
    batches: list[list[str]] = [[]]
    size = 0
    for period in periods:
        if batches[-1] and size + counts.get(period, 0) > CSV_BATCH_ROWS:
            batches.append([])
            size = 0
        batches[-1].append(period)
        size += counts.get(period, 0)
    written = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        for index, batch in enumerate(batches):
            frame = neutralise_frame(read_values(indicator_id, batch)[columns])
            frame.to_csv(handle, sep=";", decimal=",", index=False, header=index == 0)
            written += len(frame)
    return written
