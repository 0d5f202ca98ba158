"""German labels and natural order of the codes the published tables carry.

Read from ``published.bezeichnungen`` (the dbt seed ``bezeichnungen``): one table names every
code of the breakdown columns (``02`` → Grundschule, ``10_bis_unter_15`` → 10 bis unter 15
Jahre, ``maennlich`` → männlich), the suppression reason and the downloads' column headers
(merkmal ``spalte``), so pages, PDF, CSV and XLSX say the same thing in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bm_daten import query, remembered

HEADERS = "spalte"
"""The merkmal whose rows name the download columns."""


@remembered
def _table() -> Mapping[str, Mapping[str, tuple[str, int]]]:
    rows = query(
        "SELECT merkmal, code, bezeichnung, sortierung FROM published.bezeichnungen "
        "ORDER BY merkmal, sortierung, code"
    )
    table: dict[str, dict[str, tuple[str, int]]] = {}
    for merkmal, code, label, order in rows.itertuples(index=False, name=None):
        table.setdefault(merkmal, {})[code] = (label, int(order))
    return table


def code_labels(merkmal: str) -> dict[str, str]:
    """code → label of one merkmal (a column such as ``schulform``, or ``spalte``)."""
    return {code: label for code, (label, _) in _table().get(merkmal, {}).items()}


def code_label(merkmal: str, code: object) -> str:
    """The label of a code; a code the table lacks is shown as it is (the dbt test
    ``bezeichnungen_cover_mart_codes`` keeps the marts' codes covered)."""
    entry = _table().get(merkmal, {}).get(str(code))
    return entry[0] if entry else str(code)


def code_order(merkmal: str, code: object) -> tuple[int, int, str]:
    """Sort key in the label table's natural order (``insgesamt`` first, age groups by
    age); codes without a label after all others, by code."""
    entry = _table().get(merkmal, {}).get(str(code))
    return (0, entry[1], "") if entry else (1, 0, str(code))


def sorted_codes(merkmal: str, codes: Iterable[object]) -> list[object]:
    """The codes in their natural order."""
    return sorted(codes, key=lambda code: code_order(merkmal, code))


def column_headers(columns: Iterable[str]) -> list[str]:
    """The German headers of published columns (``region_key`` → Regionalschlüssel)."""
    names = code_labels(HEADERS)
    return [names.get(column, column) for column in columns]
