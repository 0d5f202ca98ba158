"""Disclosure control and its audit on long indicator frames (mart rows or published cells).

Why the audit takes the published cells and nothing else: it must judge what a reader gets.
The same function audits ``published.indicator_values`` in the published step and the CSV
downloads of the rendered site before the swap (:func:`read_downloads`), and the cells of
earlier editions count as published in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from quality.sdc.audit import audit
from quality.sdc.declarations import DIMENSIONS, Policy
from quality.sdc.downloads import read_download
from quality.sdc.suppress import primary_variables, suppress
from quality.sdc.system import build_system, shown_in
from quality.sdc.thresholds import Thresholds

SYMBOL = "."
PUBLIC_REASON = "gesperrt"
"""One symbol and one reason for every suppressed cell: which were primary is internal."""
PUBLIC_NOTE = (
    "„.“ = gesperrt: Der Wert wird zum Schutz einzelner Schülerinnen und Schüler nicht "
    "veröffentlicht (Geheimhaltung)."
)
NUMBER_COLUMNS = ("numerator", "denominator", "value")


@dataclass(frozen=True)
class Protection:
    """The protected frame and what the internal quality page may know about it."""

    frame: pd.DataFrame
    kinds: pd.Series  # per row: "primaer", "sekundaer" or None (internal only)
    lp_solves: int
    already_public: int
    dropped_relations: int


@dataclass(frozen=True)
class Finding:
    """The audit of published cells: hidden variables narrower than the interval, and
    published protected cells that show a small count."""

    narrow: pd.DataFrame  # cell, low, high
    small: pd.DataFrame  # cell: published variables that show a small count
    hidden: int
    lp_solves: int

    @property
    def passed(self) -> bool:
        return self.narrow.empty and self.small.empty


def protect(
    frame: pd.DataFrame,
    policy: Policy,
    parents: Mapping[str, str],
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> Protection:
    """Suppress what the policy protects; every other row is published as delivered."""
    system = build_system(frame, policy, parents)
    fixed = shown_in(system, earlier, policy) if earlier is not None else None
    result = suppress(system, thresholds, fixed_known=fixed)
    rows = system.cells[result.cell_hidden]
    out = frame.copy()
    hide = np.zeros(len(out), dtype=bool)
    hide[rows] = True
    for column in NUMBER_COLUMNS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64").mask(hide)
    out["symbol"] = out.get("symbol", pd.Series(None, index=out.index)).astype(object)
    out.loc[hide, "symbol"] = SYMBOL
    out["suppression_reason"] = pd.Series(None, index=out.index, dtype=object)
    out.loc[hide, "suppression_reason"] = PUBLIC_REASON
    kinds = pd.Series(None, index=out.index, dtype=object)
    primary_rows = system.cells[result.cell_hidden & result.cell_primary]
    kinds.iloc[rows] = "sekundaer"
    kinds.iloc[primary_rows] = "primaer"
    return Protection(
        out,
        kinds,
        result.result.lp_solves,
        int(result.already_public.sum()),
        system.dropped_relations,
    )


def audit_published(
    published: pd.DataFrame,
    truth: pd.DataFrame,
    policy: Policy,
    parents: Mapping[str, str],
    thresholds: Thresholds,
    *,
    earlier: pd.DataFrame | None = None,
) -> Finding:
    """Audit cells as published against the true values (the mart): every variable no
    published cell shows must have an interval at least ``thresholds.width`` wide, and no
    published protected cell may show a small count. Cells of ``earlier`` editions count as
    published where their value is still the true one."""
    system = build_system(truth, policy, parents)
    shown = shown_in(system, published, policy, same_value=False)
    known = shown.copy()
    if earlier is not None:
        known |= shown_in(system, earlier, policy)
    result = audit(system, known, thresholds.width)
    failing = result.failing
    narrow = pd.DataFrame(
        {
            "cell": [system.describe(int(v)) for v in failing],
            "low": result.low[failing],
            "high": result.high[failing],
        }
    )
    small_vars = primary_variables(system, thresholds) & shown
    small = pd.DataFrame({"cell": [system.describe(int(v)) for v in np.flatnonzero(small_vars)]})
    return Finding(narrow, small, int(result.hidden.sum()), result.lp_solves)


def read_downloads(paths: Iterable[Path]) -> pd.DataFrame:
    """The cells of published CSV downloads (German headers, labels and number format), as
    codes, text and floats."""
    frames = []
    for path in paths:
        rows = read_download(Path(path))  # German headers and labels back to codes
        if rows:
            frames.append(pd.DataFrame(rows).assign(_file=Path(path).name))
    if not frames:
        return pd.DataFrame(
            columns=["indicator_id", "region_key", "region_level", "period", *DIMENSIONS]
        )
    out = pd.concat(frames, ignore_index=True)
    for column in NUMBER_COLUMNS:
        if column in out:
            out[column] = pd.to_numeric(
                out[column].str.replace(",", ".", regex=False), errors="coerce"
            )
    for dim in DIMENSIONS:
        if dim not in out:
            out[dim] = "insgesamt"
    for column in ("indicator_id", "region_key", "region_level", "period"):
        if column not in out:
            out[column] = ""
    return out
