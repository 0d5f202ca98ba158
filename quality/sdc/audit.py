"""Interval audit by linear programming, the method of τ-ARGUS and sdcTable.

Why intervals: a hidden cell is not safe just because no equation pins it down exactly. With
non-negativity a reader bounds it: ``0 ≤ x ≤ 2`` tells that one or two pupils are meant. For
every hidden variable the audit minimises and maximises it subject to every relation, every
known value and ``x ≥ 0`` (HiGHS, through ``highspy``); the variable is
protected when ``max − min`` is at least the protection interval.

The hidden variables fall apart into blocks linked by shared relations; each block is its own
LP. Every solution found is a feasible point for all variables of its block, so a variable
whose spread over the points already seen reaches the interval needs no LP of its own: most
variables are proven by the points of their neighbours. One HiGHS model per block is re-solved
with a new objective each time, warm-started from the last basis.

A *focused* audit (secondary suppression trying a complement for one variable) needs that one
variable's interval only: it finds the variable's block by walking the relations from it
(instead of splitting the whole system into blocks) and solves at most its two LPs. Between
rounds of secondary suppression, :func:`reaudit` solves only the blocks that hold a newly
hidden variable and keeps the others' bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from scipy.sparse import csc_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from quality.sdc.system import CellSystem

SLACK = 1e-6


class AuditError(RuntimeError):
    """The solver failed on a block (named in the message): nothing may be published."""


@dataclass(frozen=True)
class AuditResult:
    """Per hidden variable its feasible interval; ``failing`` are those narrower than
    ``width``. ``blocks`` maps a hidden variable to its block id (-1: in no relation)."""

    hidden: np.ndarray
    low: np.ndarray
    high: np.ndarray
    width: float
    blocks: np.ndarray
    lp_solves: int

    @property
    def failing(self) -> np.ndarray:
        return np.flatnonzero(self.hidden & (self.high - self.low < self.width - SLACK))


def audit(
    system: CellSystem,
    known: np.ndarray,
    width: float,
    *,
    label: str = "",
    focus: int | None = None,
    cache: dict | None = None,
) -> AuditResult:
    """The interval of every variable that is not ``known`` (see module docstring); with
    ``focus``, only of that variable (its block gets id 0, every other variable -1). ``cache``
    (a dict kept by the caller across audits of one system) remembers the bounds of blocks
    already solved: a block's bounds depend only on which of its variables are hidden."""
    n = system.n_vars
    hidden = ~known
    low = np.where(known, system.values, 0.0)
    high = np.where(known, system.values, np.inf)
    if focus is not None:
        return _audit_focus(system, hidden, low, high, width, focus, label, cache)
    members = system.members
    involved = members[hidden[members[:, 1]]]
    relations = np.unique(involved[:, 0])
    blocks = np.full(n, -1, dtype=np.int64)
    if len(relations) == 0:
        return AuditResult(hidden, low, high, width, blocks, 0)
    # bipartite graph: hidden variables and the relations they appear in
    rel_pos = np.searchsorted(relations, involved[:, 0])
    hidden_vars = np.flatnonzero(hidden)
    var_pos = np.searchsorted(hidden_vars, involved[:, 1])
    size = len(hidden_vars) + len(relations)
    graph = csr_matrix(
        (np.ones(len(involved)), (var_pos, len(hidden_vars) + rel_pos)), shape=(size, size)
    )
    _, component = connected_components(graph, directed=False)
    blocks[hidden_vars] = component[: len(hidden_vars)]
    rel_block = component[len(hidden_vars) :]
    solves = 0
    # all members of the involved relations, known ones too (they form the right-hand side)
    rel_members = members[np.isin(members[:, 0], relations)]
    order = np.argsort(rel_block[np.searchsorted(relations, rel_members[:, 0])], kind="stable")
    rel_members = rel_members[order]
    member_block = rel_block[np.searchsorted(relations, rel_members[:, 0])]
    starts = np.searchsorted(member_block, np.unique(member_block))
    ends = np.r_[starts[1:], len(rel_members)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        solves += _audit_block(
            system, rel_members[start:end], hidden, low, high, width, label, cache
        )
    return AuditResult(hidden, low, high, width, blocks, solves)


def reaudit(
    system: CellSystem,
    previous: AuditResult,
    known: np.ndarray,
    width: float,
    *,
    label: str = "",
    cache: dict | None = None,
) -> AuditResult:
    """The same result as :func:`audit` of ``known`` (block ids aside), from the audit of an
    earlier state in which fewer variables were hidden: a block without a newly hidden
    variable has the same members and the same hidden ones, so its bounds stand; the blocks
    of the new ones are found by walking from them and solved (or taken from ``cache``).
    Falls back to :func:`audit` when a variable was revealed since."""
    hidden = ~known
    if width != previous.width or (previous.hidden & ~hidden).any():
        return audit(system, known, width, label=label, cache=cache)
    low, high, blocks = previous.low.copy(), previous.high.copy(), previous.blocks.copy()
    new = np.flatnonzero(hidden & ~previous.hidden)
    low[new], high[new], blocks[new] = 0.0, np.inf, -1
    starts, _ = system.relation_index
    next_block = int(blocks.max()) + 1
    done = np.zeros(system.n_vars, dtype=bool)
    solves = 0
    for var in new.tolist():
        if done[var]:
            continue
        relations = _block_relations(system, hidden, var)
        done[var] = True
        if len(relations) == 0:
            continue
        rows = system.members[_gather(starts, np.arange(len(system.members)), relations)]
        block_vars = np.unique(rows[hidden[rows[:, 1]], 1])
        blocks[block_vars] = next_block
        done[block_vars] = True
        next_block += 1
        solves += _audit_block(system, rows, hidden, low, high, width, label, cache)
    return AuditResult(hidden, low, high, width, blocks, solves)


def _audit_focus(
    system: CellSystem,
    hidden: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    width: float,
    focus: int,
    label: str,
    cache: dict | None,
) -> AuditResult:
    """The interval of ``focus`` alone. Its block is the one the full audit would form (the
    relations reachable from it through hidden variables, members in the same order), so a
    cached block gives the same bounds; otherwise only ``focus``'s own LPs run, which give
    its exact interval wherever it is narrower than ``width``."""
    blocks = np.full(system.n_vars, -1, dtype=np.int64)
    if not hidden[focus]:
        return AuditResult(hidden, low, high, width, blocks, 0)
    relations = _block_relations(system, hidden, focus)
    if len(relations) == 0:
        return AuditResult(hidden, low, high, width, blocks, 0)
    starts, _ = system.relation_index
    rows = system.members[_gather(starts, np.arange(len(system.members)), relations)]
    blocks[np.unique(rows[hidden[rows[:, 1]], 1])] = 0
    solves = _audit_block(system, rows, hidden, low, high, width, label, cache, only=focus)
    return AuditResult(hidden, low, high, width, blocks, solves)


def _gather(starts: np.ndarray, data: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``data[starts[i]:starts[i + 1]]`` for every ``i`` of ``index``, concatenated."""
    first, lengths = starts[index], starts[index + 1] - starts[index]
    offsets = np.cumsum(lengths) - lengths
    return data[np.repeat(first - offsets, lengths) + np.arange(int(lengths.sum()))]


def _block_relations(system: CellSystem, hidden: np.ndarray, var: int) -> np.ndarray:
    """The relations of ``var``'s block (sorted): those reachable from it through relations
    and their hidden members."""
    starts, relations_of = system.relation_index
    var_starts, var_relations = relations_of
    members = system.members[:, 1]
    seen_vars = np.zeros(system.n_vars, dtype=bool)
    seen_relations = np.zeros(len(starts) - 1, dtype=bool)
    seen_vars[var] = True
    frontier = np.array([var])
    while len(frontier):
        relations = np.unique(_gather(var_starts, var_relations, frontier))
        relations = relations[~seen_relations[relations]]
        seen_relations[relations] = True
        reached = np.unique(_gather(starts, members, relations))
        frontier = reached[hidden[reached] & ~seen_vars[reached]]
        seen_vars[frontier] = True
    return np.flatnonzero(seen_relations)


def _audit_block(
    system: CellSystem,
    rows: np.ndarray,
    hidden: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    width: float,
    label: str,
    cache: dict | None,
    only: int | None = None,
) -> int:
    """Fill ``low``/``high`` for the hidden variables of one block (with ``only``: for that
    variable, unless the block is cached); returns the LP count."""
    unknown = hidden[rows[:, 1]]
    block_vars, var_index = np.unique(rows[unknown, 1], return_inverse=True)
    key = (width, block_vars.tobytes())
    if cache is not None and key in cache:
        low[block_vars], high[block_vars] = cache[key]
        return 0
    rel_ids, rel_index = np.unique(rows[:, 0], return_inverse=True)
    coef = rows[:, 2].astype(float)
    rhs = np.zeros(len(rel_ids))
    np.add.at(rhs, rel_index[~unknown], -coef[~unknown] * system.values[rows[~unknown, 1]])
    matrix = csr_matrix(
        (coef[unknown], (rel_index[unknown], var_index)), shape=(len(rel_ids), len(block_vars))
    )
    truth = system.values[block_vars]
    seen_low, seen_high = truth.copy(), truth.copy()
    exact = np.zeros(len(block_vars), dtype=bool)
    counts = np.diff(matrix.indptr)
    single = np.flatnonzero(counts == 1)  # an equation with one unknown pins it down
    exact[matrix.indices[matrix.indptr[single]]] = True
    solver: _Block | None = None
    solves = 0
    wanted = range(len(block_vars)) if only is None else [int(np.searchsorted(block_vars, only))]
    for j in wanted:
        if exact[j]:
            continue
        for sense in (1.0, -1.0):
            if seen_high[j] - seen_low[j] >= width - SLACK:
                break
            solver = solver or _Block(matrix, rhs)
            point = solver.optimise(j, sense)
            solves += 1
            if point is None:  # unbounded: only when maximising
                seen_high[j] = np.inf
                continue
            if isinstance(point, str):
                where = system.describe(int(block_vars[j]))
                raise AuditError(
                    f"disclosure audit{' of ' + label if label else ''}: the LP solver "
                    f"failed for {where} ({point})"
                )
            seen_low = np.minimum(seen_low, point)
            seen_high = np.maximum(seen_high, point)
    if only is not None:  # the other variables' spreads are incomplete: not for the cache
        j = wanted[0]
        low[only], high[only] = (truth[j], truth[j]) if exact[j] else (seen_low[j], seen_high[j])
        return solves
    low[block_vars] = np.where(exact, truth, seen_low)
    high[block_vars] = np.where(exact, truth, seen_high)
    if cache is not None:
        cache[key] = (low[block_vars].copy(), high[block_vars].copy())
    return solves


class _Block:
    """One block's LP ``A x = b, x ≥ 0`` in HiGHS, re-solved per objective (warm start)."""

    def __init__(self, matrix: csr_matrix, rhs: np.ndarray) -> None:
        columns = csc_matrix(matrix)
        n = columns.shape[1]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, columns.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, highspy.kHighsInf)
        lp.row_lower_ = lp.row_upper_ = rhs
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = columns.indptr
        lp.a_matrix_.index_ = columns.indices
        lp.a_matrix_.value_ = columns.data
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.n = n
        self.columns = np.arange(n, dtype=np.int32)
        self.last: int | None = None

    def optimise(self, j: int, sense: float) -> np.ndarray | str | None:
        """The optimal point for ``min sense·x_j`` (None: unbounded; str: solver failure)."""
        if self.last is not None and self.last != j:
            self.highs.changeColCost(self.last, 0.0)
        self.highs.changeColCost(j, sense)
        self.last = j
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return np.asarray(self.highs.getSolution().col_value)
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return None
        return self.highs.modelStatusToString(status)
