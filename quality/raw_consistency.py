"""Within-table consistency of a raw table: no part above its total, additive parts add up.

pandera checks each cell on its own; a leavers table that says 9,999 of 2,500 leavers left
without a certificate passes every cell check and only fails much later as a share above
100 %. These rules catch it in the raw table, where file and row can still be named, and
they run wherever the schema runs (``validate`` and ``refresh``'s blocking raw check).

A rule names one dimension of a table with a total code (``insgesamt``): within a group
(same region, period and other dimensions) every part must be ≤ the total, and where the
dimension is additive (``additive`` lists the parts that make up the whole) the parts must
sum to the total within the table's rounding: IT.NRW rounds school statistics to multiples
of 5 since 2019/20, each cell on its own, so a sum may miss the total by up to half the base
per cell. Cells without a value (``.``, ``x``) take no part; a group with a missing part is
not summed. ``only`` restricts a rule to rows where other columns have given values (a rate
of the under-25s may exceed the overall rate; their counts may not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipelines.ingest.errors import Problem

TOTAL = "insgesamt"


@dataclass(frozen=True)
class Rule:
    """Parts of ``dimension`` are ≤ its total; ``additive`` parts sum to it."""

    dimension: str
    additive: tuple[str, ...] = ()
    only: dict[str, str] = field(default_factory=dict)
    rounding: float = 0.0
    """Rounding base of the published cells (5 for NRW school statistics, 3 for BA)."""
    labels: tuple[str, ...] = ()
    """Columns that only name the dimension's code (``abschlussart`` for ``abschluss_code``)."""


_LEAVER_CERTIFICATES = ("ohne_hsa", "hsa", "msa", "fhr", "ahr")

RULES: dict[str, tuple[Rule, ...]] = {
    "itnrw__abgaenger": (
        Rule("abschluss_code", _LEAVER_CERTIFICATES, rounding=5, labels=("abschlussart",)),
        Rule("geschlecht", rounding=5),
    ),
    "itnrw__bevoelkerung": (
        Rule("geschlecht", additive=("weiblich", "maennlich")),
        Rule("altersgruppe"),
    ),
    "itnrw__kindertagesbetreuung": (Rule("betreuungsart"), Rule("altersgruppe")),
    "itnrw__berufskolleg": (Rule("geschlecht", rounding=5),),
    "ba__arbeitslose": (
        Rule("rechtskreis", additive=("sgb2", "sgb3"), only={"merkmal": "arbeitslose"}),
        Rule("personengruppe", only={"merkmal": "arbeitslose"}),
    ),
}
"""Raw table → its consistency rules; a table without rules has none to check."""

MAX_PROBLEMS = 20


def _where(row: pd.Series, rule: Rule, others: list[str]) -> str:
    region = f"{row['region_key']} {row.get('region_name') or ''}".strip()
    rest = ", ".join(f"{c}={row[c]}" for c in others if row[c] != TOTAL)
    return f"{region}, {row['period']}" + (f" [{rest}]" if rest else "")


def _rule_problems(
    frame: pd.DataFrame,
    rule: Rule,
    source: str,
    file_of_row: dict[int, str],
    default_file: str,
    rows: dict[int, int] | None,
    columns: dict[int, str] | None,
) -> list[Problem]:
    data = frame
    for column, wanted in rule.only.items():
        data = data[data[column] == wanted]
    if rule.dimension not in data.columns or data.empty:
        return []
    fixed = {"source", "table_code", "region_name", "value", "symbol", "file_sha256"}
    skip = fixed | {rule.dimension, "region_key", "period", *rule.labels}
    others = [c for c in data.columns if c not in skip]
    keys = ["region_key", "period", *others]
    valued = data[data["value"].notna()]
    totals = valued[valued[rule.dimension] == TOTAL]
    if totals.empty:
        return []
    totals = totals[[*keys, "value"]].rename(columns={"value": "total_"})
    totals = totals.assign(total_row_=totals.index)
    parts = valued[valued[rule.dimension] != TOTAL]
    merged = parts.reset_index(names="row_").merge(totals, on=keys, how="inner")
    problems: list[Problem] = []

    def row_of(index: int) -> int:
        return rows[index] if rows is not None else int(index) + 1

    def column_of(index: int) -> str:
        return columns[index] if columns is not None else rule.dimension

    over = merged[merged["value"] > merged["total_"]]
    for item in over.itertuples(index=False):
        row = frame.loc[item.row_]
        problems.append(
            Problem(
                source,
                file_of_row.get(item.row_, default_file),
                f"Teil über der Summe: {rule.dimension}={getattr(item, rule.dimension)} "
                f"({item.value:g}) > {rule.dimension}={TOTAL} ({item.total_:g}, "
                f"row {row_of(item.total_row_)}, column {column_of(item.total_row_)!r}) "
                f"für {_where(row, rule, others)}",
                row=row_of(item.row_),
                column=column_of(item.row_),
                value=item.value,
            )
        )
    if rule.additive:
        expected = set(rule.additive)
        candidates = data[data[rule.dimension].isin(expected)]
        grouped = candidates.groupby(keys, dropna=False)
        counts = grouped[rule.dimension].nunique()
        complete = grouped["value"].count()
        sums = grouped["value"].sum()
        table = pd.DataFrame({"parts": counts, "valued": complete, "summe": sums}).reset_index()
        table = table[(table["parts"] == len(expected)) & (table["valued"] == len(expected))]
        checked = table.merge(totals, on=keys, how="inner")
        tolerance = rule.rounding / 2 * (len(expected) + 1)
        off = checked[(checked["summe"] - checked["total_"]).abs() > tolerance + 1e-9]
        for item in off.itertuples(index=False):
            row = frame.loc[item.total_row_]
            problems.append(
                Problem(
                    source,
                    file_of_row.get(item.total_row_, default_file),
                    f"Teile ergeben nicht die Summe: {' + '.join(rule.additive)} = "
                    f"{item.summe:g}, {rule.dimension}={TOTAL} = {item.total_:g} "
                    f"(Toleranz {tolerance:g} wegen Rundung) für {_where(row, rule, others)}",
                    row=row_of(item.total_row_),
                    column=column_of(item.total_row_),
                    value=item.total_,
                )
            )
    return problems


def consistency_problems(
    frame: pd.DataFrame,
    table: str,
    file_of_row: dict[int, str] | None = None,
    *,
    file: str | None = None,
    rows: dict[int, int] | None = None,
    columns: dict[int, str] | None = None,
) -> list[Problem]:
    """Problems of ``frame`` (raw table ``<source>__<table>``) against its :data:`RULES`.

    Rows are named like the schema's problems (frame index + 1) unless ``rows``/``columns``
    map a frame index to the delivered file's line and column label (``validate`` knows them
    for GENESIS files).
    """
    source = table.split("__", 1)[0]
    problems: list[Problem] = []
    for rule in RULES.get(table, ()):
        problems += _rule_problems(
            frame, rule, source, file_of_row or {}, file or "?", rows, columns
        )
    if len(problems) > MAX_PROBLEMS:
        shown = problems[: MAX_PROBLEMS - 1]
        rule = f"insgesamt {len(problems)} Widersprüche, die ersten {len(shown)} stehen oben"
        problems = [*shown, Problem(source, file or "?", rule)]
    return problems
