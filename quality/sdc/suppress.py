"""Primary and secondary suppression over the whole published system, until the LP audit
passes: the audit is the proof, suppression only proposes.

1. Primary: a people count in ``1 … count-1`` (a count cell, or a rate's numerator) and a rate
   whose denominator is in ``1 … denominator-1`` (then numerator and denominator). Zero stays.
2. Variables, not cells, are hidden: a variable is hidden in every cell that shows it (else the
   other cell gives it away), and a rate cell is hidden when its numerator or denominator is.
3. Secondary, greedy: while a relation holds exactly one unknown, the cheapest published
   member is hidden (cheap: fewest cells lost, then the smallest non-zero value); then, while
   the audit finds a hidden variable whose interval is narrower than the protection interval,
   the cheapest published variable next to it that widens it is hidden too.

Variables a reader already knows from an earlier edition (same value) count as published and
are never proposed: hiding them now would protect nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quality.sdc.audit import AuditResult, audit, reaudit
from quality.sdc.system import CellSystem
from quality.sdc.thresholds import Thresholds

CANDIDATES = 6
"""Complements tried by LP per failing variable before the cheapest one is taken anyway."""


class SuppressionError(RuntimeError):
    """No published variable is left that could protect a hidden one."""


@dataclass(frozen=True)
class Suppression:
    """Which variables are hidden (primary or secondary) and which cells that hides."""

    primary: np.ndarray  # per variable
    hidden: np.ndarray  # per variable
    cell_hidden: np.ndarray  # per system cell
    cell_primary: np.ndarray  # per system cell
    result: AuditResult
    already_public: np.ndarray  # per variable: primary, but known from an earlier edition


def primary_variables(system: CellSystem, thresholds: Thresholds) -> np.ndarray:
    """Per variable: primary suppression applies."""
    values = system.values
    small_count = system.people & (values > 0) & (values < thresholds.count)
    primary = small_count.copy()
    den = system.cell_den
    rated = den >= 0
    small_den = rated & (values[np.maximum(den, 0)] > 0)
    small_den &= values[np.maximum(den, 0)] < thresholds.denominator
    primary[den[small_den]] = True
    primary[system.cell_num[small_den]] = True
    return primary


class _State:
    """Hidden variables and the cells and knowledge that follow from them."""

    def __init__(self, system: CellSystem, fixed_known: np.ndarray, width: float) -> None:
        self.system = system
        self.width = width
        self.fixed_known = fixed_known
        self.var_cells = system.var_cells()
        self.hidden = np.zeros(system.n_vars, dtype=bool)
        self.cell_hidden = np.zeros(len(system.cells), dtype=bool)
        self.visible = np.array([len(c) for c in self.var_cells], dtype=np.int64)
        self._known = (self.visible > 0) | self.fixed_known

    def known(self) -> np.ndarray:
        """Per variable: some published cell (or an earlier edition) shows it. Kept up to
        date by :meth:`hide` (asked for thousands of times); read-only for callers."""
        return self._known

    def hide(self, variables: np.ndarray) -> None:
        system = self.system
        for var in np.flatnonzero(~self.hidden[variables] & ~self.fixed_known[variables]):
            var = int(variables[var])
            self.hidden[var] = True
            for cell in self.var_cells[var]:
                if not self.cell_hidden[cell]:
                    self.cell_hidden[cell] = True
                    for shown in (system.cell_num[cell], system.cell_den[cell]):
                        if shown >= 0:
                            self.visible[shown] -= 1
                            self._known[shown] = self.visible[shown] > 0 or self.fixed_known[shown]

    def cost(self, var: int) -> tuple:
        value = self.system.values[var]
        lost = int((~self.cell_hidden[self.var_cells[var]]).sum())
        return (lost, value == 0, value < self.width, value, var)


def suppress(
    system: CellSystem,
    thresholds: Thresholds,
    *,
    fixed_known: np.ndarray | None = None,
    label: str = "",
) -> Suppression:
    """Hide variables until :func:`~quality.sdc.audit.audit` passes (see module docstring)."""
    fixed = np.zeros(system.n_vars, bool) if fixed_known is None else fixed_known
    state = _State(system, fixed, thresholds.width)
    primary = primary_variables(system, thresholds)
    state.hide(np.flatnonzero(primary))
    cell_primary = primary[system.cell_num] | (
        (system.cell_den >= 0) & primary[np.maximum(system.cell_den, 0)]
    )
    members = system.members
    relation_vars = _relation_lists(members)
    width = thresholds.width
    cache: dict = {}
    result: AuditResult | None = None
    while True:
        _two_per_relation(state, members, relation_vars, width)
        if result is None:
            result = audit(system, state.known(), width, label=label, cache=cache)
        else:  # only the blocks this round's hidden variables joined are solved again
            result = reaudit(system, result, state.known(), width, label=label, cache=cache)
        failing = result.failing
        if len(failing) == 0:
            break
        # one repair per block and round: the next audit sees what it changed
        done_blocks: set[int] = set()
        for var in failing.tolist():
            block = int(result.blocks[var])
            if block in done_blocks:
                continue
            done_blocks.add(block)
            _repair(state, var, result, relation_vars, members, width, label, cache)
    return Suppression(
        primary=primary,
        hidden=~state.known(),
        cell_hidden=state.cell_hidden,
        cell_primary=cell_primary,
        result=result,
        already_public=primary & fixed,
    )


def _relation_lists(members: np.ndarray) -> list[np.ndarray]:
    if len(members) == 0:
        return []
    starts = np.searchsorted(members[:, 0], np.arange(members[:, 0].max() + 2))
    return [members[starts[r] : starts[r + 1], 1] for r in range(len(starts) - 1)]


def _two_per_relation(
    state: _State, members: np.ndarray, relation_vars: list[np.ndarray], width: float
) -> None:
    """Cheap necessary conditions, to a fixed point, before any LP: a relation with exactly
    one unknown member pins it down; a relation whose total is known bounds its unknown parts
    by their sum, so that sum must reach the protection interval. Either way its cheapest
    published member is hidden too."""
    n_relations = len(relation_vars)
    is_part = members[:, 2] > 0
    values = state.system.values
    while True:
        unknown = ~state.known()
        member_unknown = unknown[members[:, 1]]
        counts = np.bincount(members[:, 0], weights=member_unknown, minlength=n_relations)
        total_known = np.ones(n_relations, dtype=bool)
        total_known[members[~is_part & member_unknown, 0]] = False
        open_sum = np.bincount(
            members[:, 0],
            weights=np.where(is_part & member_unknown, values[members[:, 1]], 0.0),
            minlength=n_relations,
        )
        short = (counts == 1) | (total_known & (counts >= 1) & (open_sum < width - 1e-9))
        hid = False
        for relation in np.flatnonzero(short).tolist():
            variables = relation_vars[relation]
            known = state.known()
            options = [int(v) for v in variables if known[v] and not state.fixed_known[v]]
            if options:  # else the audit names it
                state.hide(np.array([min(options, key=state.cost)]))
                hid = True
        if not hid:
            return


def _repair(
    state: _State,
    var: int,
    result: AuditResult,
    relation_vars: list[np.ndarray],
    members: np.ndarray,
    width: float,
    label: str,
    cache: dict,
) -> None:
    """Hide one published variable that widens ``var``'s interval (see module docstring)."""
    known = state.known()
    own = members[members[:, 1] == var, 0]
    near = _options(state, known, [relation_vars[r] for r in own])
    if not near:
        block = np.flatnonzero(result.blocks == result.blocks[var])
        rels = np.unique(members[np.isin(members[:, 1], block), 0])
        near = _options(state, known, [relation_vars[r] for r in rels])
    if not near:
        raise SuppressionError(
            f"disclosure control{' of ' + label if label else ''}: "
            f"{state.system.describe(var)} cannot be protected, no published value is left "
            "that could be hidden beside it (earlier editions publish them)"
        )
    before = result.high[var] - result.low[var]
    best, best_spread = near[0], before
    for candidate in near[:CANDIDATES]:
        trial = known.copy()
        trial[candidate] = False
        spread = _spread(state, trial, var, width, label, cache)
        if spread >= width:
            best = candidate
            break
        if spread > best_spread:
            best, best_spread = candidate, spread
    state.hide(np.array([best]))


def _options(state: _State, known: np.ndarray, groups: list[np.ndarray]) -> list[int]:
    candidates = {int(v) for g in groups for v in g if known[v] and not state.fixed_known[v]}
    return sorted(candidates, key=state.cost)


def _spread(
    state: _State, known: np.ndarray, var: int, width: float, label: str, cache: dict
) -> float:
    result = audit(state.system, known, width, label=label, focus=var, cache=cache)
    return float(result.high[var] - result.low[var])
