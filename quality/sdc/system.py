"""The published cells as one linear system a reader could set up.

Why one system: a reader with the downloads combines *every* table. A school's leavers without
a certificate appear as a share's numerator, as one category of the leavers by certificate, in
the school's Stadtbezirk total, and the leavers' total appears as every share's denominator.
Protecting tables one by one leaves such links open.

- *Variables* are counts of a population for one region, period and breakdown
  (:class:`~quality.sdc.declarations.PopulationRef`); a published cell shows its numerator's
  variable and, for rates, its denominator's variable.
- *Relations* ``total = sum(parts)`` come from declared hierarchies only: the regions seed
  (school → Stadtbezirk → city), the ``insgesamt`` margin of every breakdown, and the categories
  of populations declared additive. A relation is kept only when it holds on the true values
  (a reader can only use what is true; this also keeps the audit's LP feasible).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from quality.sdc.declarations import DIMENSIONS, TOTAL, Policy, PopulationRef

KEY = ("population", "period", "region_key", *DIMENSIONS)
CELL_COLUMNS = ("indicator_id", "region_key", "region_level", "period", *DIMENSIONS)
RELATION_TOLERANCE = 1e-6


class DeclarationMismatch(ValueError):
    """The declarations contradict the data (two cells of one variable disagree)."""


@dataclass
class CellSystem:
    """Cells, variables and relations (see module docstring).

    ``cells`` are the positions of the input frame that take part; ``cell_num``/``cell_den``
    their variables (-1: none). ``members`` is the relation table: relation id, variable,
    coefficient (-1 for the total, +1 for a part)."""

    cells: np.ndarray
    cell_num: np.ndarray
    cell_den: np.ndarray
    keys: pd.DataFrame
    values: np.ndarray
    people: np.ndarray  # per variable: counts people (primary rule applies)
    members: np.ndarray  # (k, 3) int: relation, variable, coefficient
    dropped_relations: int

    @property
    def n_vars(self) -> int:
        return len(self.values)

    @property
    def n_relations(self) -> int:
        return int(self.members[:, 0].max()) + 1 if len(self.members) else 0

    @cached_property
    def key_index(self) -> KeyIndex:
        """Variable of a key, for looking up published cells."""
        return KeyIndex(self.keys)

    @cached_property
    def relation_index(self) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Where each relation's rows start in ``members`` (sorted by relation), and per
        variable its relations (CSR: starts, relation ids): built once per system, so that a
        focused audit can walk from one variable to its block without splitting the system."""
        relation_of = self.members[:, 0]
        starts = np.searchsorted(relation_of, np.arange(self.n_relations + 1))
        order = np.argsort(self.members[:, 1], kind="stable")
        var_starts = np.searchsorted(self.members[order, 1], np.arange(self.n_vars + 1))
        return starts, (var_starts, relation_of[order])

    def var_cells(self) -> list[np.ndarray]:
        """Per variable, the positions (into ``cells``) of the cells that show it."""
        rows = np.concatenate([np.arange(len(self.cells))] * 2)
        var = np.concatenate([self.cell_num, self.cell_den])
        keep = var >= 0
        rows, var = rows[keep], var[keep]
        order = np.argsort(var, kind="stable")
        bounds = np.searchsorted(var[order], np.arange(self.n_vars + 1))
        return np.split(rows[order], bounds[1:-1])

    def describe(self, var: int) -> str:
        """A variable in words, for messages."""
        row = self.keys.iloc[var]
        parts = [f"{c}={row[c]}" for c in DIMENSIONS if row[c] != TOTAL]
        return f"{row['population']} {row['region_key']} {row['period']} " + (
            ", ".join(parts) or TOTAL
        )


def _apply(ref: PopulationRef, cells: pd.DataFrame) -> pd.DataFrame:
    keys = cells[["period", "region_key", *DIMENSIONS]].copy()
    keys.insert(0, "population", ref.population)
    for dim, value in ref.fixed:
        keys[dim] = value
    return keys


def build_system(frame: pd.DataFrame, policy: Policy, parents: Mapping[str, str]) -> CellSystem:
    """The system of the protected cells of ``frame`` (mart-shaped rows with numerator,
    denominator, value). ``parents`` maps a region to the region it adds up to."""
    declared = policy.protected()
    # per indicator its rows, found once (comparing the id column per indicator was slow)
    positions = frame.groupby("indicator_id", sort=False).indices
    has_num = pd.to_numeric(frame["numerator"], errors="coerce").notna().to_numpy()
    has_den_value = pd.to_numeric(frame["denominator"], errors="coerce").notna().to_numpy()
    in_scope = np.zeros(len(frame), dtype=bool)
    people_of: dict[str, bool] = {}
    for indicator, decl in declared.items():
        rows = positions.get(indicator, np.zeros(0, dtype=np.int64))
        keep = frame["region_level"].iloc[rows].isin(decl.levels).to_numpy() & has_num[rows]
        if decl.denominator is not None:
            keep &= has_den_value[rows]
        in_scope[rows[keep]] = True
        if decl.numerator is not None:
            people_of[decl.numerator.population] = decl.numerator_counts_people
        if decl.denominator is not None:
            people_of.setdefault(decl.denominator.population, True)
    cells = np.flatnonzero(in_scope)
    scoped = frame.iloc[cells]
    num_parts: list[tuple[np.ndarray, pd.DataFrame]] = []
    den_parts: list[tuple[np.ndarray, pd.DataFrame]] = []
    has_den = np.zeros(len(scoped), dtype=bool)
    for indicator, rows in scoped.groupby("indicator_id", sort=False).indices.items():
        decl = declared[indicator]
        part = scoped.iloc[rows]
        num_parts.append((rows, _apply(decl.numerator, part)))
        if decl.denominator is not None:
            den_parts.append((rows, _apply(decl.denominator, part)))
            has_den[rows] = True
    num_keys = _in_order(num_parts)
    den_keys = _in_order(den_parts)  # the rows with a denominator, in scoped order
    numerators = num_keys.assign(_value=pd.to_numeric(scoped["numerator"]).to_numpy())
    den_rows = den_keys.assign(_value=pd.to_numeric(scoped["denominator"]).to_numpy()[has_den])
    every = pd.concat([numerators, den_rows], ignore_index=True).astype({c: str for c in KEY})
    keys = every[list(KEY)].drop_duplicates().sort_values(list(KEY)).reset_index(drop=True)
    index = KeyIndex(keys)
    var_of = index.get_indexer(every)
    values = np.full(len(keys), np.nan)
    _check_agreement(every, var_of, values, scoped, has_den)
    cell_num = var_of[: len(scoped)]
    cell_den = np.full(len(scoped), -1, dtype=np.int64)
    cell_den[has_den] = var_of[len(scoped) :]
    people = keys["population"].map(people_of).fillna(True).to_numpy(dtype=bool)
    members, dropped = _relations(keys, index, values, parents, policy.additive_categories())
    return CellSystem(
        cells, cell_num.astype(np.int64), cell_den, keys, values, people, members, dropped
    )


class KeyIndex:
    """Row of a key (``KEY`` columns) in a table of distinct keys, or -1.

    Why not a ``pd.MultiIndex``: building one factorises every level of the looked-up frame
    again, which made most of the system's build time. Here each column is coded once against
    the table's values and the codes are combined into one integer per key.
    """

    def __init__(self, keys: pd.DataFrame) -> None:
        self.levels = [pd.Index(pd.unique(keys[c])) for c in KEY]
        if np.prod([float(max(len(level), 1)) for level in self.levels]) >= 2.0**62:
            raise ValueError("too many distinct keys to code them in one integer")
        codes = self._codes(keys)
        self.order = np.argsort(codes, kind="stable")
        self.sorted = codes[self.order]

    def _codes(self, frame: pd.DataFrame) -> np.ndarray:
        code = np.zeros(len(frame), dtype=np.int64)
        missing = np.zeros(len(frame), dtype=bool)
        for level, column in zip(self.levels, KEY, strict=True):
            part = level.get_indexer(frame[column])
            missing |= part < 0
            code = code * len(level) + part
        code[missing] = -1
        return code

    def get_indexer(self, frame: pd.DataFrame) -> np.ndarray:
        """Per row of ``frame``, the row of its key in the table (-1: not there)."""
        if len(self.sorted) == 0:
            return np.full(len(frame), -1, dtype=np.int64)
        code = self._codes(frame)
        at = np.minimum(np.searchsorted(self.sorted, code), len(self.sorted) - 1)
        found = (self.sorted[at] == code) & (code >= 0)
        return np.where(found, self.order[at], -1).astype(np.int64)


def _in_order(parts: list[tuple[np.ndarray, pd.DataFrame]]) -> pd.DataFrame:
    """Key frames of groups of rows, back in the rows' order."""
    if not parts:
        return pd.DataFrame(columns=list(KEY), dtype=object)
    frame = pd.concat([keys for _, keys in parts], ignore_index=True)
    order = np.argsort(np.concatenate([rows for rows, _ in parts]), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _check_agreement(
    every: pd.DataFrame,
    var_of: np.ndarray,
    values: np.ndarray,
    scoped: pd.DataFrame,
    has_den: np.ndarray,
) -> None:
    """Every cell of a variable shows the same true value; else a declaration is wrong."""
    observed = every["_value"].to_numpy(dtype=float)
    first = pd.Series(observed).groupby(var_of).first()
    values[first.index.to_numpy()] = first.to_numpy()
    off = np.abs(observed - values[var_of]) > RELATION_TOLERANCE
    if off.any():
        at = int(np.flatnonzero(off)[0])
        rows = np.concatenate([np.arange(len(scoped)), np.flatnonzero(has_den)])
        other = int(np.flatnonzero(var_of == var_of[at])[0])
        a, b = scoped.iloc[rows[at]], scoped.iloc[rows[other]]
        raise DeclarationMismatch(
            "disclosure declarations (seed geheimhaltung): "
            f"{a['indicator_id']} and {b['indicator_id']} are declared to count the same "
            f"population ({every.iloc[at]['population']}) for {a['region_key']} {a['period']}, "
            f"but show {observed[at]:g} and {observed[other]:g}"
        )


def _relations(
    keys: pd.DataFrame,
    index: KeyIndex,
    values: np.ndarray,
    parents: Mapping[str, str],
    additive_categories: frozenset[str],
) -> tuple[np.ndarray, int]:
    """The relation table (relation, variable, coefficient) and how many declared relations
    did not hold on the data."""
    groups: list[tuple[np.ndarray, np.ndarray]] = []  # (total var per part, part var)
    # regions: the parent's variable with the same breakdown
    parent_keys = keys.assign(region_key=keys["region_key"].map(parents))
    has_parent = parent_keys["region_key"].notna().to_numpy()
    total = np.full(len(keys), -1, dtype=np.int64)
    total[has_parent] = index.get_indexer(parent_keys[has_parent])
    groups.append((total, np.arange(len(keys))))
    # breakdowns: the same variable with this dimension at its total
    for dim in DIMENSIONS:
        usable = keys[dim] != TOTAL
        if dim == "kategorie":
            usable &= keys["population"].isin(additive_categories)
        total = np.full(len(keys), -1, dtype=np.int64)
        rows = usable.to_numpy()
        total[rows] = index.get_indexer(keys[rows].assign(**{dim: TOTAL}))
        groups.append((total, np.arange(len(keys))))
    relation_parts = []
    for total, part in groups:
        keep = total >= 0
        relation_parts.append(np.column_stack([total[keep], part[keep]]))
    pairs = np.concatenate(relation_parts) if relation_parts else np.zeros((0, 2), np.int64)
    # one relation per (total, kind): a total can sum several partitions (regions, sex, ...)
    kind = np.concatenate(
        [np.full(int((g[0] >= 0).sum()), k) for k, g in enumerate(groups)]
    ).astype(np.int64)
    frame = pd.DataFrame({"total": pairs[:, 0], "kind": kind, "part": pairs[:, 1]})
    frame["rel"] = frame.groupby(["total", "kind"], sort=True).ngroup()
    sums = frame.assign(v=values[frame["part"]]).groupby("rel")["v"].sum()
    totals = frame.groupby("rel")["total"].first()
    holds = np.abs(sums.to_numpy() - values[totals.to_numpy()]) <= RELATION_TOLERANCE
    good = pd.Index(sums.index[holds])
    frame = frame[frame["rel"].isin(good)]
    frame = frame.assign(rel=pd.factorize(frame["rel"], sort=True)[0])
    totals = frame.groupby("rel")["total"].first()
    members = np.concatenate(
        [
            np.column_stack([totals.index, totals.to_numpy(), -np.ones(len(totals))]),
            np.column_stack([frame["rel"], frame["part"], np.ones(len(frame))]),
        ]
    ).astype(np.int64)
    return members[np.lexsort((members[:, 1], members[:, 0]))], int((~holds).sum())


def shown_in(
    system: CellSystem, published: pd.DataFrame, policy: Policy, *, same_value: bool = True
) -> np.ndarray:
    """Per variable: some cell of ``published`` shows it (with ``same_value``: with the value
    it has now — for earlier editions, whose figures may since have been revised)."""
    known = np.zeros(system.n_vars, dtype=bool)
    if published.empty or system.n_vars == 0:
        return known
    index = system.key_index
    columns = ["region_level", "period", "region_key", *DIMENSIONS, "numerator", "denominator"]
    cells = published[[c for c in columns if c in published]]
    positions = published.groupby("indicator_id", sort=False).indices
    parts: list[pd.DataFrame] = []
    shown_values: list[np.ndarray] = []
    for indicator, decl in policy.protected().items():
        if indicator not in positions:
            continue
        rows = cells.iloc[positions[indicator]]
        rows = rows[rows["region_level"].isin(decl.levels).to_numpy()]
        for ref, column in ((decl.numerator, "numerator"), (decl.denominator, "denominator")):
            if ref is None or rows.empty:
                continue
            shown = pd.to_numeric(rows[column], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
            present = ~np.isnan(shown)
            parts.append(_apply(ref, rows[present]))
            shown_values.append(shown[present])
    if not parts:
        return known
    var = index.get_indexer(pd.concat(parts, ignore_index=True).astype(str))
    same = var >= 0
    if same_value:
        shown = np.concatenate(shown_values)
        same &= np.abs(shown - system.values[np.maximum(var, 0)]) <= RELATION_TOLERANCE
    known[var[same]] = True
    return known
