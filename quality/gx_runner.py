"""Run great-expectations 1.x expectations on a pandas frame, with no project on disk.

Why this shape: the checks need GX's expectation semantics (nulls ignored, unexpected rows by
index), not its stores or Data Docs. An ephemeral context holds one pandas data source with a
whole-dataframe batch definition; each call validates one frame. ``great_expectations`` is
imported here, lazily, because importing it costs seconds — Dagster loads the code location
(and tests import the check modules) without paying for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict and the index labels of the frame rows that broke it."""

    expectation: str
    success: bool
    unexpected_index: list[Any]
    result: dict[str, Any]


@cache
def _batch_definition():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return (
        context.data_sources.add_pandas("bildungsmonitor")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole_frame")
    )


def expectations():
    """The ``great_expectations.expectations`` module (imports GX on first use)."""
    import great_expectations as gx

    return gx.expectations


def validate(frame: pd.DataFrame, checks: list[Any]) -> list[ExpectationOutcome]:
    """Validate ``frame`` against each expectation; an empty frame passes trivially."""
    if frame.empty:
        return [ExpectationOutcome(type(c).__name__, True, [], {}) for c in checks]
    read = _columns_read(checks)
    if read is not None:  # GX hashes the whole batch frame: hand it only what it reads
        frame = frame[[c for c in frame.columns if c in read]]
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    outcomes = []
    for check in checks:
        result = batch.validate(check, result_format={"result_format": "COMPLETE"})
        error = _exception_message(result.exception_info)
        if error:
            raise RuntimeError(f"great-expectations: {type(check).__name__} failed: {error}")
        outcomes.append(
            ExpectationOutcome(
                expectation=type(check).__name__,
                success=bool(result.success),
                unexpected_index=list(result.result.get("unexpected_index_list") or []),
                result=dict(result.result),
            )
        )
    return outcomes


COLUMN_FIELDS = ("column", "column_A", "column_B", "column_list")
"""The fields by which GX expectations name the columns they read."""


def _columns_read(checks: list[Any]) -> set[str] | None:
    """The columns ``checks`` read; None if one of them may read more (a table-level check)."""
    read: set[str] = set()
    for check in checks:
        named = [getattr(check, field, None) for field in COLUMN_FIELDS]
        named = [n for n in named if n]
        if not named:
            return None
        for name in named:
            read.update([name] if isinstance(name, str) else name)
    return read


def _exception_message(info: dict | None) -> str | None:
    """GX reports errors either flat or keyed by metric; a failed metric must not pass."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message"))
    return None
