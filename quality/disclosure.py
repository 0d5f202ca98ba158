"""Statistical disclosure control (Geheimhaltung) for the ``published`` layer.

Why
    Indicators for schools and Stadtbezirke rest on small groups of pupils. A published count
    of 1 or 2 ("two pupils of school X left without a diploma"), or a rate on a handful of
    pupils, can identify people. Hiding the small cell alone is not enough: if the total and
    all other parts of a sum are published, the hidden value is one subtraction away.

Method
    The input is the mart's long table (one row per indicator × region × period × breakdown).
    Rows that share ``key_columns`` (by default indicator × period) form one *table*. Inside a
    table, cells are linked by *additive relations* (total = sum of parts):

    - breakdowns: the cell whose breakdown column is ``insgesamt`` is the sum of the cells that
      differ from it only in that column (rows and columns of a 2-D table, every margin of a
      higher-dimensional one);
    - regions: for every mapping ``child → parent`` in ``hierarchies`` (each mapping one
      complete partition, e.g. Stadtbezirke → Krefeld, schools → Krefeld), the parent's cell is
      the sum of its children's cells with the same breakdown.

    For rates the relations hold for numerators and denominators (the rate itself is not
    additive), so a rate cell is protected as a whole: value, numerator and denominator.

    1. Primary suppression: a count in ``1 … count_threshold-1`` (the value of a count row, or
       the numerator of a rate row — rate × denominator gives it back) and a rate whose
       denominator is in ``1 … denominator_threshold-1``. ``0`` is no disclosure risk and stays.
       Cells that arrive hidden with a protecting symbol (``.`` or BA's ``*``) are protected
       the same way.
    2. Secondary suppression, to a fixed point: every relation that contains a suppressed cell
       must contain at least two hidden cells; otherwise the smallest published cell of that
       relation is suppressed too (non-zero cells before zeros, since a hidden zero protects
       little; ties broken by the cell's coordinates, so the result does not depend on row
       order). The total is a member of its relation like any part.
    3. Audit and repair: the "two per relation" rule is necessary but not sufficient (two
       suppressed 2×2 rectangles joined by one suppressed cell satisfy it, yet the joining
       cell is determined). So for each table the published equalities are solved as a linear
       system in the hidden cells: a hidden cell is *derivable* iff it takes the same value
       in every solution, i.e. its coordinate is zero in every null-space vector of the
       constraint matrix restricted to hidden cells. While a protected cell is derivable, the
       smallest published cell whose suppression makes it non-derivable is suppressed, and
       step 2 is repeated.

What is guaranteed
    After :func:`apply_disclosure_control` no protected cell can be computed exactly from the
    published cells of its table through any linear combination of the modelled additive
    relations; no published row carries a count below the threshold; suppressed rows carry
    neither value nor numerator nor denominator.

What is not
    - It is no optimal (minimum-loss) suppression and no interval audit: with non-negativity
      an attacker may still bound a hidden cell (e.g. ``0 ≤ x ≤ 4``); hiding zero cells as
      complements is avoided for that reason but not forbidden when nothing else is left.
    - Relations that are not modelled are not protected: the same count published in two
      different indicators (tables are protected one by one), incomplete hierarchies passed
      as complete, complements of rates (``denominator − numerator`` small), rounding.
    - Breakdown categories are assumed exhaustive (their sum is the ``insgesamt`` cell).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SYMBOL_SUPPRESSED = "."
PROTECTED_SYMBOLS = (".", "*")
TOTAL = "insgesamt"
SECONDARY = "sekundaer"
DEFAULT_KEY_COLUMNS = ("indicator_id", "period")
DEFAULT_BREAKDOWN_COLUMNS = ("geschlecht", "staatsangehoerigkeit", "schulform")
COUNT_UNITS = ("Anzahl",)

Hierarchies = Mapping[str, str] | Sequence[Mapping[str, str]] | None

# A published cell is tried as a repair complement in this many smallest-first candidates
# before falling back to the smallest cell next to the derivable one (bounds the work).
_REPAIR_CANDIDATES = 40


@dataclass(frozen=True)
class Relation:
    """``total = sum(parts)``, cells given by their position in the table."""

    total: int
    parts: tuple[int, ...]

    @property
    def cells(self) -> tuple[int, ...]:
        return (self.total, *self.parts)


def primary_reason_texts(
    count_threshold: int = 3, denominator_threshold: int = 10
) -> tuple[str, str]:
    """The two primary reasons as written into ``suppression_reason``."""
    return (
        f"primaer: Fallzahl < {count_threshold}",
        f"primaer: Nenner < {denominator_threshold}",
    )


def _small(series: pd.Series, threshold: float) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    return (numbers > 0) & (numbers < threshold)


def _is_count_row(frame: pd.DataFrame, unit_column: str, count_units: Sequence[str]) -> pd.Series:
    if unit_column not in frame.columns:
        return pd.Series(True, index=frame.index)
    return frame[unit_column].isin(list(count_units))


def primary_reasons(
    frame: pd.DataFrame,
    *,
    count_threshold: int = 3,
    denominator_threshold: int = 10,
    value_column: str = "value",
    unit_column: str = "unit",
    numerator_column: str = "numerator",
    denominator_column: str = "denominator",
    count_units: Sequence[str] = COUNT_UNITS,
) -> pd.Series:
    """Per row the primary suppression reason, or ``None`` when the row may be published."""
    fallzahl, nenner = primary_reason_texts(count_threshold, denominator_threshold)
    is_count = _is_count_row(frame, unit_column, count_units)
    small_count = is_count & _small(frame[value_column], count_threshold)
    small_denominator = pd.Series(False, index=frame.index)
    if numerator_column in frame.columns:
        small_count |= _small(frame[numerator_column], count_threshold)
    if denominator_column in frame.columns:
        small_denominator = ~is_count & _small(frame[denominator_column], denominator_threshold)
    reasons = pd.Series(None, index=frame.index, dtype=object)
    reasons[small_count] = fallzahl
    reasons[small_denominator] = nenner  # the stronger statement wins when both apply
    return reasons


def find_small_counts(
    frame: pd.DataFrame,
    threshold: int = 3,
    *,
    value_column: str = "value",
    unit_column: str = "unit",
    count_units: Sequence[str] = COUNT_UNITS,
    count_columns: Sequence[str] = ("numerator", "denominator"),
) -> pd.DataFrame:
    """Rows that show a count in ``1 … threshold-1``: a count row's value, or any numerator or
    denominator. Empty for a correctly protected published table; without a unit column every
    value is taken as a count (raw tidy tables)."""
    small = _is_count_row(frame, unit_column, count_units) & _small(frame[value_column], threshold)
    for column in count_columns:
        if column in frame.columns:
            small |= _small(frame[column], threshold)
    return frame[small]


def _hierarchy_list(hierarchies: Hierarchies) -> list[Mapping[str, str]]:
    if hierarchies is None:
        return []
    if isinstance(hierarchies, Mapping):
        return [hierarchies]
    return list(hierarchies)


def hierarchy_from_regions(
    regions: pd.DataFrame,
    child_level: str,
    *,
    key_column: str = "region_key",
    level_column: str = "region_level",
    parent_column: str = "parent_key",
) -> dict[str, str]:
    """``child → parent`` for all regions of one level of the regions seed (e.g. Stadtbezirk).

    Only pass levels whose children add up to the parent: the comparison cities are *not* a
    partition of NRW."""
    rows = regions[(regions[level_column] == child_level) & regions[parent_column].notna()]
    return dict(zip(rows[key_column].astype(str), rows[parent_column].astype(str), strict=True))


@dataclass(frozen=True)
class _CellCodes:
    """The cell coordinates of a frame as integers: per column, the position of the row's
    text among the column's sorted texts. Comparing code tuples orders cells exactly as
    comparing their text tuples, so relations are found and sorted with array operations."""

    columns: tuple[str, ...]
    codes: np.ndarray  # rows × columns
    texts: tuple[np.ndarray, ...]  # per column: the sorted distinct texts

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: Sequence[str]) -> _CellCodes:
        codes, texts = [], []
        for column in columns:
            column_codes, uniques = pd.factorize(frame[column].astype(str), sort=True)
            codes.append(column_codes.astype(np.int64))
            texts.append(np.asarray(uniques, dtype=object))
        matrix = np.column_stack(codes) if codes else np.zeros((len(frame), 0), np.int64)
        return cls(tuple(columns), matrix.reshape(len(frame), len(columns)), tuple(texts))

    def code(self, column: int, text: str) -> int:
        """The code of ``text`` in a column, -1 if the column never holds it."""
        position = int(np.searchsorted(self.texts[column], text))
        found = position < len(self.texts[column]) and self.texts[column][position] == text
        return position if found else -1

    def ranks(self, rows: np.ndarray) -> np.ndarray:
        """Each row's position when the rows are sorted by their coordinates."""
        rank = np.empty(len(rows), dtype=np.int64)
        rank[np.lexsort(self.codes[rows].T[::-1])] = np.arange(len(rows))
        return rank

    @property
    def sizes(self) -> tuple[int, ...]:
        """Distinct texts per column."""
        return tuple(len(t) for t in self.texts)

    def parents(self, hierarchies: Hierarchies) -> list[np.ndarray]:
        """``parent_codes`` of every hierarchy (computed once per frame, used per table)."""
        return [self.parent_codes(m) for m in _hierarchy_list(hierarchies)]

    def parent_codes(self, mapping: Mapping[str, str]) -> np.ndarray:
        """Per region code, the code of its parent region in ``mapping`` (-1: none)."""
        parents = np.full(len(self.texts[0]), -1, dtype=np.int64)
        for child, parent in mapping.items():
            child_code, parent_code = self.code(0, str(child)), self.code(0, str(parent))
            if child_code >= 0 and parent_code >= 0:
                parents[child_code] = parent_code
        return parents


def additive_relations(
    table: pd.DataFrame,
    *,
    region_column: str = "region_key",
    breakdown_columns: Sequence[str] = DEFAULT_BREAKDOWN_COLUMNS,
    hierarchies: Hierarchies = None,
    total_label: str = TOTAL,
) -> list[Relation]:
    """All ``total = sum(parts)`` relations between the rows of one table (positions 0…n-1)."""
    cells = _CellCodes.of(table, [region_column, *breakdown_columns])
    parents = cells.parents(hierarchies)
    return _relations_of(cells, np.arange(len(table)), parents, total_label)


def _relations_of(
    cells: _CellCodes, rows: np.ndarray, parents: Sequence[np.ndarray], total_label: str
) -> list[Relation]:
    """``additive_relations`` of the table made of ``rows`` of a coded frame; ``parents``
    are its hierarchies as ``_CellCodes.parents`` gives them.

    Parts are ordered by their coordinates, relations by their total's and then their parts'
    coordinates; a cell's rank in the table stands in for its coordinates."""
    codes = cells.codes[rows]
    k = codes.shape[1]
    _unique_cells(cells, codes)
    rank = cells.ranks(rows)
    found: dict[tuple[int, tuple[int, ...]], Relation] = {}

    for axis in range(1, k):
        # along one breakdown: rows equal in every other column, the total among them
        others = [codes[:, j] for j in range(k) if j != axis]
        totals = codes[:, axis] == cells.code(axis, total_label)
        _add_groups(found, codes[:, axis], others, totals)

    region = codes[:, 0]
    rest = _combined([codes[:, j] for j in range(1, k)], cells.sizes[1:]).tolist()
    row_of = {key: i for i, key in enumerate(zip(region.tolist(), rest, strict=True))}
    for parent_of in parents:
        # along the regions: the children of a region, equal in every breakdown
        parent = parent_of[region]
        children = np.flatnonzero(parent >= 0).tolist()
        pairs = [(row_of.get((int(parent[c]), rest[c])), c) for c in children]
        pairs = [(total, child) for total, child in pairs if total is not None]
        if not pairs:
            continue
        totals = np.array([total for total, _ in pairs], dtype=np.int64)
        members = np.array([child for _, child in pairs], dtype=np.int64)
        order = np.lexsort((region[members], totals))  # by total, then child coordinates
        totals, members = totals[order], members[order].tolist()
        starts = np.flatnonzero(np.r_[True, totals[1:] != totals[:-1]]).tolist()
        for start, end in zip(starts, [*starts[1:], len(members)], strict=True):
            total, parts = int(totals[start]), tuple(members[start:end])
            found.setdefault((total, parts), Relation(total, parts))

    ranks = rank.tolist()
    relations = sorted(found.values(), key=lambda r: (ranks[r.total], ranks[r.parts[0]]))
    first = [(r.total, r.parts[0]) for r in relations]
    if len(set(first)) < len(first):  # two relations share total and first part: full order
        relations.sort(key=lambda r: (ranks[r.total], [ranks[p] for p in r.parts]))
    return relations


def _combined(columns: Sequence[np.ndarray], sizes: Sequence[int]) -> np.ndarray:
    """Several code columns as one integer per row (mixed radix; same order, same ties)."""
    key = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        key = key * max(size, 1) + column
    return key


def _add_groups(
    found: dict[tuple[int, tuple[int, ...]], Relation],
    within: np.ndarray,
    by: list[np.ndarray],
    is_total: np.ndarray,
) -> None:
    """Relations total = sum(others) among rows equal in ``by``, parts in ``within`` order."""
    n = len(within)
    if n < 2:
        return
    order = np.lexsort([within, *reversed(by)])
    keys = np.column_stack([b[order] for b in by])
    starts = np.flatnonzero(np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)])
    ends = np.r_[starts[1:], n]
    total_at = np.flatnonzero(is_total[order])  # at most one total per group
    group_of_total = np.searchsorted(starts, total_at, side="right") - 1
    useful = ends[group_of_total] - starts[group_of_total] >= 2
    rows = order.tolist()
    for start, end, at in zip(
        starts[group_of_total[useful]].tolist(),
        ends[group_of_total[useful]].tolist(),
        total_at[useful].tolist(),
        strict=True,
    ):
        total = rows[at]
        parts = tuple(rows[start:at] + rows[at + 1 : end])
        found.setdefault((total, parts), Relation(total, parts))


def _unique_cells(cells: _CellCodes, codes: np.ndarray) -> None:
    """A table holds each cell once; name the first duplicate otherwise."""
    if len(codes) < 2:
        return
    order = np.lexsort(codes.T[::-1])
    same = np.all(codes[order][1:] == codes[order][:-1], axis=1)
    if same.any():
        row = codes[order][int(np.flatnonzero(same)[0])]
        cell = {c: str(cells.texts[j][row[j]]) for j, c in enumerate(cells.columns)}
        raise ValueError(f"duplicate cell {cell} in a table")


def derivable_cells(
    relations: Sequence[Relation], hidden: Sequence[bool], targets: Iterable[int]
) -> set[int]:
    """The targets (hidden positions) whose value follows from the published cells.

    Unknowns are the hidden cells; each relation gives one linear equation in them. A hidden
    cell is determined iff it is zero in every vector of the null space of that system. The
    system falls apart into independent blocks (hidden cells linked by shared equations), and
    each block is decomposed on its own: a state-sized table with thousands of hidden school
    cells is then many small SVDs instead of one dense one of thousands × thousands."""
    wanted = [t for t in targets if hidden[t]]
    if not wanted:
        return set()
    blocks = _linked_blocks(relations, hidden)
    equations: dict[int, list[Relation]] = defaultdict(list)
    for relation in relations:
        root = blocks.relation_root(relation)
        if root is not None:
            equations[root].append(relation)
    targets_of: dict[int, list[int]] = defaultdict(list)
    for target in wanted:
        targets_of[blocks.root(target)].append(target)
    found: set[int] = set()
    for block, block_targets in targets_of.items():
        found |= _determined_in_block(equations.get(block, []), hidden, block_targets)
    return found


class _LinkedBlocks:
    """Union-find over hidden cells: two hidden cells are linked when an equation holds both."""

    def __init__(self, hidden: Sequence[bool]) -> None:
        self.hidden = hidden
        self.parent: dict[int, int] = {}

    def root(self, cell: int) -> int:
        self.parent.setdefault(cell, cell)
        while self.parent[cell] != cell:
            self.parent[cell] = self.parent[self.parent[cell]]
            cell = self.parent[cell]
        return cell

    def link(self, cells: Sequence[int]) -> None:
        first = self.root(cells[0])
        for cell in cells[1:]:
            self.parent[self.root(cell)] = first

    def relation_root(self, relation: Relation) -> int | None:
        unknowns = [c for c in relation.cells if self.hidden[c]]
        return self.root(unknowns[0]) if unknowns else None


def _linked_blocks(relations: Sequence[Relation], hidden: Sequence[bool]) -> _LinkedBlocks:
    blocks = _LinkedBlocks(hidden)
    for relation in relations:
        unknowns = [c for c in relation.cells if hidden[c]]
        if unknowns:
            blocks.link(unknowns)
    return blocks


def _determined_in_block(
    relations: Sequence[Relation], hidden: Sequence[bool], targets: Sequence[int]
) -> set[int]:
    """The targets of one block that its equations determine (null-space test)."""
    cells = sorted({c for r in relations for c in r.cells if hidden[c]} | set(targets))
    column = {cell: j for j, cell in enumerate(cells)}
    rows = []
    for relation in relations:
        row = np.zeros(len(cells))
        for cell, sign in ((relation.total, -1.0), *((p, 1.0) for p in relation.parts)):
            if hidden[cell]:
                row[column[cell]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.vstack(rows)
    # vh must span all unknowns (its rows past the rank are the null space), but U is not
    # needed: with more equations than unknowns the reduced SVD already gives the whole vh and
    # avoids building an equations × equations matrix.
    _, singular, vh = np.linalg.svd(matrix, full_matrices=matrix.shape[0] < matrix.shape[1])
    tolerance = max(matrix.shape) * np.finfo(float).eps * (singular[0] if singular.size else 0.0)
    rank = int((singular > tolerance).sum())
    null_space = vh[rank:]
    free = np.linalg.norm(null_space, axis=0) > 1e-8 if null_space.size else np.zeros(0, bool)
    return {t for t in targets if not (free.size and free[column[t]])}


def _protect_table(
    relations: Sequence[Relation],
    hidden: list[bool],
    protected: set[int],
    order_key: Sequence[tuple],
) -> set[int]:
    """Secondary suppression for one table; returns the positions suppressed in addition."""
    added: set[int] = set()

    def hide(cell: int) -> None:
        hidden[cell] = True
        added.add(cell)

    def published(cells: Iterable[int]) -> list[int]:
        return sorted({c for c in cells if not hidden[c]}, key=lambda c: order_key[c])

    while True:
        changed = True
        while changed:
            changed = False
            for relation in relations:
                hidden_cells = [c for c in relation.cells if hidden[c]]
                if len(hidden_cells) == 1 and (
                    hidden_cells[0] in protected or hidden_cells[0] in added
                ):
                    hide(published(relation.cells)[0])
                    changed = True
        derivable = derivable_cells(relations, hidden, protected)
        if not derivable:
            return added
        target = min(derivable, key=lambda c: order_key[c][2:])
        near = published(c for r in relations if target in r.cells for c in r.cells)
        frontier = published(
            c for r in relations if any(hidden[x] for x in r.cells) for c in r.cells
        )
        for candidate in frontier[:_REPAIR_CANDIDATES]:
            hidden[candidate] = True
            still = derivable_cells(relations, hidden, [target])
            hidden[candidate] = False
            if not still:
                hide(candidate)
                break
        else:
            if not (near or frontier):
                raise RuntimeError("disclosure control: a protected cell stays derivable")
            hide((near or frontier)[0])


def _tables(frame: pd.DataFrame, key_columns: Sequence[str]) -> list[np.ndarray]:
    """Row positions of each table (rows sharing the key columns)."""
    if not key_columns:
        return [np.arange(len(frame))]
    groups = frame.groupby(list(key_columns), dropna=False, sort=False).indices
    return list(groups.values())


def _as_float(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def primary_suppression(
    frame: pd.DataFrame,
    *,
    count_threshold: int = 3,
    denominator_threshold: int = 10,
    value_column: str = "value",
    unit_column: str = "unit",
    numerator_column: str = "numerator",
    denominator_column: str = "denominator",
    count_units: Sequence[str] = COUNT_UNITS,
) -> pd.DataFrame:
    """Primary suppression only (no protection against subtraction): for audits and tests."""
    reasons = primary_reasons(
        frame,
        count_threshold=count_threshold,
        denominator_threshold=denominator_threshold,
        value_column=value_column,
        unit_column=unit_column,
        numerator_column=numerator_column,
        denominator_column=denominator_column,
        count_units=count_units,
    )
    return _suppress(frame, reasons, value_column, numerator_column, denominator_column)


def _suppress(
    frame: pd.DataFrame,
    reasons: pd.Series,
    value_column: str,
    numerator_column: str,
    denominator_column: str,
) -> pd.DataFrame:
    out = frame.copy()
    hide = reasons.notna()
    for column in (value_column, numerator_column, denominator_column):
        if column in out.columns:
            out[column] = _as_float(out[column]).mask(hide)
    symbol = out["symbol"].astype(object) if "symbol" in out.columns else None
    if symbol is None:
        symbol = pd.Series(None, index=out.index, dtype=object)
    out["symbol"] = symbol.mask(hide, SYMBOL_SUPPRESSED).where(lambda s: s.notna(), None)
    out["suppression_reason"] = reasons.astype(object).where(hide, None)
    return out


def apply_disclosure_control(
    frame: pd.DataFrame,
    *,
    count_threshold: int = 3,
    denominator_threshold: int = 10,
    key_columns: Sequence[str] = DEFAULT_KEY_COLUMNS,
    breakdown_columns: Sequence[str] = DEFAULT_BREAKDOWN_COLUMNS,
    region_column: str = "region_key",
    value_column: str = "value",
    unit_column: str = "unit",
    numerator_column: str = "numerator",
    denominator_column: str = "denominator",
    hierarchies: Hierarchies = None,
    count_units: Sequence[str] = COUNT_UNITS,
    protected_symbols: Sequence[str] = PROTECTED_SYMBOLS,
    total_label: str = TOTAL,
) -> pd.DataFrame:
    """Primary and secondary suppression of a long indicator table (see module docstring).

    Returns a copy with the same index and rows; suppressed rows have ``value``, ``numerator``
    and ``denominator`` set to NaN, ``symbol`` ``"."`` and ``suppression_reason`` set
    (``"primaer: …"`` or ``"sekundaer"``); other rows keep their values and ``symbol`` and have
    ``suppression_reason`` ``None``."""
    missing = [
        c
        for c in (*key_columns, region_column, *breakdown_columns, value_column)
        if c not in frame.columns
    ]
    if missing:
        raise ValueError(f"disclosure control: missing columns {missing}")
    reasons = primary_reasons(
        frame,
        count_threshold=count_threshold,
        denominator_threshold=denominator_threshold,
        value_column=value_column,
        unit_column=unit_column,
        numerator_column=numerator_column,
        denominator_column=denominator_column,
        count_units=count_units,
    )
    values = _as_float(frame[value_column])
    is_count = _is_count_row(frame, unit_column, count_units)
    weight = values.copy()
    if denominator_column in frame.columns:
        denominators = _as_float(frame[denominator_column])
        weight = weight.where(is_count | denominators.isna(), denominators)
    symbols = frame["symbol"] if "symbol" in frame.columns else pd.Series(None, index=frame.index)
    arrived_protected = values.isna() & symbols.isin(list(protected_symbols))

    cells = _CellCodes.of(frame, [region_column, *breakdown_columns])
    parents = cells.parents(hierarchies)
    is_primary = reasons.notna().to_numpy()
    is_missing = values.isna().to_numpy()
    arrived = arrived_protected.to_numpy()
    all_weights = weight.to_numpy()
    secondary: list[int] = []
    for rows in _tables(frame, key_columns):
        relations = _relations_of(cells, rows, parents, total_label)
        if not relations:
            continue
        primary = is_primary[rows]
        hidden = (primary | is_missing[rows]).tolist()
        protected = set(np.flatnonzero(primary | arrived[rows]).tolist())
        # cheapest first: zero weight, then the smallest weight, then the coordinates (rank)
        weights = all_weights[rows]
        order_key = list(
            zip(
                (weights == 0).tolist(),
                np.where(np.isnan(weights), np.inf, weights).tolist(),
                cells.ranks(rows).tolist(),
                strict=True,
            )
        )
        secondary += [rows[p] for p in _protect_table(relations, hidden, protected, order_key)]
    if secondary:
        reasons.iloc[secondary] = SECONDARY
    return _suppress(frame, reasons, value_column, numerator_column, denominator_column)


def find_derivable_cells(
    frame: pd.DataFrame,
    *,
    key_columns: Sequence[str] = DEFAULT_KEY_COLUMNS,
    breakdown_columns: Sequence[str] = DEFAULT_BREAKDOWN_COLUMNS,
    region_column: str = "region_key",
    value_column: str = "value",
    hierarchies: Hierarchies = None,
    protected_symbols: Sequence[str] = PROTECTED_SYMBOLS,
    total_label: str = TOTAL,
) -> pd.DataFrame:
    """Audit of a published table: the protected rows whose value follows from published ones.

    Protected are hidden rows with a protecting symbol, except those marked ``sekundaer``
    (a derivable complement reveals nothing by itself). Empty when the table is safe; meant
    for the blocking check on ``published_*``."""
    values = _as_float(frame[value_column])
    symbols = frame["symbol"] if "symbol" in frame.columns else pd.Series(None, index=frame.index)
    protected_mask = values.isna() & symbols.isin(list(protected_symbols))
    if "suppression_reason" in frame.columns:
        protected_mask &= frame["suppression_reason"].ne(SECONDARY)
    cells = _CellCodes.of(frame, [region_column, *breakdown_columns])
    parents = cells.parents(hierarchies)
    is_missing = values.isna().to_numpy()
    is_protected = protected_mask.to_numpy()
    hits: list[int] = []
    for rows in _tables(frame, key_columns):
        targets = np.flatnonzero(is_protected[rows]).tolist()
        if not targets:
            continue  # nothing protected in this table, so nothing can be derived
        relations = _relations_of(cells, rows, parents, total_label)
        hidden = is_missing[rows].tolist()
        hits.extend(rows[i] for i in derivable_cells(relations, hidden, targets))
    return frame.iloc[sorted(hits)]
