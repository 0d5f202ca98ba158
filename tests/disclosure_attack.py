"""An attacker with nothing but the rendered site: every CSV download, the declared
hierarchies (the seed ``geheimhaltung`` says which figures count the same people, the regions
say which add up) and a generic LP solver.

Deliberately independent of ``quality.sdc``: it builds its own equations from the CSV text and
solves them with ``scipy.optimize.linprog``, so a flaw in the pipeline's audit is not repeated
here. Run it by hand against any site::

    python -m tests.disclosure_attack reports/_site warehouse/bildungsmonitor.duckdb
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "dbt_project" / "seeds" / "geheimhaltung.csv"
DIMS = ("geschlecht", "staatsangehoerigkeit", "schulform", "kategorie")
TOTAL = "insgesamt"

Key = tuple[str, ...]  # population, period, region, *DIMS


@dataclass
class Attack:
    """What the attacker found."""

    known: dict[Key, float] = field(default_factory=dict)
    hidden: set[Key] = field(default_factory=set)
    relations: list[tuple[Key, list[Key]]] = field(default_factory=list)
    by_difference: dict[Key, float] = field(default_factory=dict)
    narrow: dict[Key, tuple[float, float]] = field(default_factory=dict)


def _number(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    return float(text.replace(".", "").replace(",", ".")) if "," in text else float(text)


def _ref(text: str) -> tuple[str, dict[str, str]]:
    match = re.match(r"^([a-z0-9_]+)(?:\[([^\]]*)\])?$", text.strip())
    assert match, text
    fixed = dict(p.split("=") for p in filter(None, (match[2] or "").split(",")))
    return match[1], fixed


def _key(ref: tuple[str, dict[str, str]], row: dict[str, str]) -> Key:
    population, fixed = ref
    dims = tuple(fixed.get(d, row.get(d) or TOTAL) for d in DIMS)
    return (population, row["period"], row["region_key"], *dims)


def read_site(site: Path, parents: dict[str, str]) -> Attack:
    """Known and hidden counts from the downloads, and every declared relation among them."""
    declared = {r["indicator_id"]: r for r in csv.DictReader(SEED.open(encoding="utf-8"))}
    attack = Attack()
    shown_somewhere: set[Key] = set()
    additive: set[str] = set()
    for path in sorted((site / "indikatoren").glob("*.csv")):
        rule = declared.get(path.stem)
        if not rule or not rule["geschuetzte_ebenen"] or rule["ausnahme"]:
            continue
        levels = set(rule["geschuetzte_ebenen"].split("|"))
        num_ref = _ref(rule["zaehler"])
        den_ref = _ref(rule["nenner"]) if rule["nenner"] else None
        if rule["kategorien_additiv"] == "true":
            additive.add(num_ref[0])
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                if row["region_level"] not in levels:
                    continue
                refs = [(num_ref, "numerator")] + ([(den_ref, "denominator")] if den_ref else [])
                for ref, column in refs:
                    key = _key(ref, row)
                    value = _number(row[column])
                    if value is None and column == "numerator" and den_ref:
                        # a share and its denominator give the numerator back
                        share, base = _number(row["value"]), _number(row["denominator"])
                        if share is not None and base is not None:
                            value = round(share * base / 100)
                    if value is None:
                        attack.hidden.add(key)
                    else:
                        attack.known[key] = value
                        shown_somewhere.add(key)
    attack.hidden -= shown_somewhere
    every = set(attack.known) | attack.hidden
    groups: dict[tuple[Key, int], list[Key]] = defaultdict(list)
    for key in every:
        parent = parents.get(key[2])
        if parent:
            total = (*key[:2], parent, *key[3:])
            if total in every:
                groups[(total, 0)].append(key)
        for i, dim in enumerate(DIMS, start=1):
            if key[2 + i] == TOTAL or (dim == "kategorie" and key[0] not in additive):
                continue
            total = (*key[: 2 + i], TOTAL, *key[3 + i :])
            if total in every:
                groups[(total, i)].append(key)
    attack.relations = [(total, parts) for (total, _), parts in sorted(groups.items())]
    return attack


def by_difference(attack: Attack) -> dict[Key, float]:
    """Total minus parts, repeated until nothing new follows."""
    known = dict(attack.known)
    found: dict[Key, float] = {}
    changed = True
    while changed:
        changed = False
        for total, parts in attack.relations:
            members = [total, *parts]
            open_ = [m for m in members if m not in known]
            if len(open_) != 1:
                continue
            (x,) = open_
            rest = sum(known[p] for p in parts if p != x)
            value = known[total] - rest if x != total else rest
            known[x] = found[x] = value
            changed = True
    attack.by_difference = found
    return found


def lp_bounds(attack: Attack, width: float) -> dict[Key, tuple[float, float]]:
    """Hidden counts whose LP interval (x ≥ 0, every relation) is narrower than ``width``."""
    hidden = sorted(attack.hidden)
    index = {k: i for i, k in enumerate(hidden)}
    rows, cols, vals, rhs = [], [], [], []
    for total, parts in attack.relations:
        members = [(total, -1.0), *((p, 1.0) for p in parts)]
        if not any(m in index for m, _ in members):
            continue
        b = 0.0
        r = len(rhs)
        for member, coef in members:
            if member in index:
                rows.append(r)
                cols.append(index[member])
                vals.append(coef)
            else:
                b -= coef * attack.known[member]
        rhs.append(b)
    n = len(hidden)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(rhs), n))
    graph = csr_matrix((np.ones(len(rows)), (cols, np.array(rows) + n)), shape=(n + len(rhs),) * 2)
    _, component = connected_components(graph, directed=False)
    narrow: dict[Key, tuple[float, float]] = {}
    rhs_array = np.array(rhs)
    for block in np.unique(component[:n]):
        variables = np.flatnonzero(component[:n] == block)
        equations = np.flatnonzero(component[n:] == block)
        if len(equations) == 0:
            continue
        a = matrix[equations][:, variables]
        low = np.full(len(variables), np.inf)
        high = np.full(len(variables), -np.inf)
        for j in range(len(variables)):
            for sense in (1.0, -1.0):
                if high[j] - low[j] >= width - 1e-6:
                    break
                c = np.zeros(len(variables))
                c[j] = sense
                result = linprog(
                    c, A_eq=a, b_eq=rhs_array[equations], bounds=(0, None), method="highs"
                )
                if result.status == 3:
                    high[j] = np.inf
                    continue
                assert result.status == 0, result.message
                low, high = np.minimum(low, result.x), np.maximum(high, result.x)
        for j, var in enumerate(variables):
            if high[j] - low[j] < width - 1e-6:
                narrow[hidden[var]] = (float(low[j]), float(high[j]))
    attack.narrow = narrow
    return narrow


def region_parents(warehouse: Path) -> dict[str, str]:
    """School → Stadtbezirk → city, as the site's regions table publishes them."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select region_key, parent_key from published.regions where parent_key is not null"
        ).fetchall()
    return dict(rows)


if __name__ == "__main__":
    site, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
    found = read_site(site, region_parents(warehouse))
    difference = by_difference(found)
    small = {k: v for k, v in difference.items() if 0 < v < 3}
    narrow = lp_bounds(found, 3)
    print(
        f"hidden {len(found.hidden)}, relations {len(found.relations)}, recovered by "
        f"difference {len(difference)} (of them 1 or 2: {len(small)}), LP interval < 3: "
        f"{len(narrow)}"
    )
    for key, value in list(small.items())[:5]:
        print("  ", key, "=", value)
