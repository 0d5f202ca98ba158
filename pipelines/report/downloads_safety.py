"""Keep spreadsheet formulas out of the report's downloads (CSV injection).

The indicator pages tell readers to open the CSV files in a spreadsheet, and the files carry
text that others typed: school names from the school administration's register, labels from
the publishers. Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-``, ``@``,
tab or carriage return as a formula — a school named ``=HYPERLINK("http://…","klick")`` would
become a link on the reader's machine. So every download is written through
:func:`neutralise_frame`, which prefixes such text with ``'`` (OWASP's advice for CSV
injection): the spreadsheet shows the text and runs nothing.

Only text is touched: a number stays a number (``-1,5`` in a value column is a negative value,
not a formula), so the files still read back as data. Small and free of the renderer's
imports: the report's kernels load it (``bm_report.write_csv``), and its code is part of the
page cache's key like the rest of ``pipelines/report``.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP)."""

ESCAPE = "'"


def neutralise(value: object) -> object:
    """``value`` as a download may hold it: text that a spreadsheet would run as a formula
    gets a leading ``'``; everything else (numbers, dates, missing values) is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return ESCAPE + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name passed through
    :func:`neutralise`; numeric columns keep their values and dtype.

    Each distinct text of a column is checked once (a state-sized download has millions of
    rows but few distinct labels), and a column without such text is left untouched.
    """
    out = frame.rename(columns=neutralise)
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        risky = {
            text: neutralise(text)
            for text in column.dropna().unique()
            if isinstance(text, str) and neutralise(text) != text
        }
        if risky:
            out.isetitem(position, column.replace(risky))
    return out
