"""Time disclosure control and its LP audit in process, on a refreshed warehouse (issue 15).

Why in process and not from a refresh's stage split: the published step also builds the other
published tables, and a refresh's timing mixes in Dagster. Here the two calls the target is
about run alone, each timed by wall clock and CPU, on a warehouse that a refresh has built:

- ``protect``: :func:`pipelines.disclosure.decisions.build_indicator_values` (primary and secondary
  suppression over the whole published system, writing ``published.indicator_values``);
- ``audit``: :func:`pipelines.disclosure.decisions.audit_indicator_values` (the LP audit of that
  table);
- ``core`` (unless ``--no-core``): the same two steps without DuckDB,
  :func:`quality.sdc.protect.protect` and :func:`quality.sdc.protect.audit_published` on
  frames read beforehand.

``--step`` instead runs the whole published step once (every ``published.*`` table, then the
audit) in this fresh process and reports its peak RSS (``ru_maxrss``) next to the RSS after the
imports: the step's memory without Dagster's.

Usage: ``python -m benchmarks.disclosure WAREHOUSE OUT.json [--repeat N] [--no-core]``
or ``... --step [--data-dir D]``
(the warehouse is changed: give it a copy).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the imports stay lazy: --step measures them
    import duckdb

    from pipelines.disclosure.decisions import Decisions
    from quality.sdc.thresholds import Thresholds


def _timed(function: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """The result, wall seconds and CPU seconds (this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _current_rss() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process().memory_info().rss


PUBLISHED_VALUES_RELATIONS = {
    "fct_indicator_values": "marts.fct_indicator_values",
    "indicator_catalogue": "reference.indicator_catalogue",
    "dim_region": "marts.dim_region",
    "intern.geheimhaltung": "intern.geheimhaltung",
}


def build_indicator_values(con: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> Decisions:
    """The pipeline's published indicator values: the decision (``intern.geheimhaltung``),
    then the dbt model applying it, run as its SQL on this connection."""
    from pipelines.disclosure.decisions import decide_indicator_values
    from pipelines.transform.dbt_sql import model_sql

    decisions = decide_indicator_values(con, thresholds)
    sql = model_sql("pub_indicator_values", PUBLISHED_VALUES_RELATIONS)
    con.execute("create schema if not exists published")
    con.execute(f"create or replace table published.indicator_values as {sql}")
    return decisions


def time_disclosure(warehouse: Path, repeat: int, core: bool = True) -> dict:
    """``repeat`` rounds of protect + audit through the pipeline (and, with ``core``, on the
    SDC core alone)."""
    import duckdb

    from pipelines.disclosure.decisions import (
        VALUES_QUERY,
        audit_indicator_values,
        read_policy_from,
        region_parents,
    )
    from quality.sdc.protect import audit_published, protect
    from quality.sdc.thresholds import Thresholds

    thresholds = Thresholds.from_env()
    rounds = []
    with duckdb.connect(str(warehouse)) as con:
        if core:  # held through the rounds: its memory counts in this process's peak
            values = con.execute(VALUES_QUERY).df()
            policy = read_policy_from(con)
            parents = region_parents(con.execute("select * from marts.dim_region").df())
        for _ in range(repeat):
            built, protect_wall, protect_cpu = _timed(build_indicator_values, con, thresholds)
            finding, audit_wall, audit_cpu = _timed(audit_indicator_values, con, thresholds)
            figures = {
                "protect_seconds": protect_wall,
                "protect_cpu_seconds": protect_cpu,
                "audit_seconds": audit_wall,
                "audit_cpu_seconds": audit_cpu,
                "passed": finding.passed,
            }
            if core:
                protection, core_protect, _ = _timed(protect, values, policy, parents, thresholds)
                _, core_audit, _ = _timed(
                    audit_published, protection.frame, values, policy, parents, thresholds
                )
                figures |= {"core_protect_seconds": core_protect, "core_audit_seconds": core_audit}
            rounds.append(figures)
    return {
        "rows": built.rows,
        "primary": built.primary,
        "secondary": built.secondary,
        "hidden": finding.hidden,
        "lp_solves": finding.lp_solves,
        "thresholds": {"count": thresholds.count, "denominator": thresholds.denominator},
        "rounds": rounds,
        "peak_rss_bytes": _peak_rss(),
    }


def run_step(warehouse: Path, data_dir: Path | None) -> dict:
    """The whole published step once: its time and this process's peak memory."""
    import duckdb

    from pipelines.disclosure.decisions import audit_indicator_values
    from quality.sdc.thresholds import Thresholds

    after_imports = _current_rss()
    thresholds = Thresholds.from_env()

    def step() -> bool:
        """The decision, the published model applying it, and the audit."""
        with duckdb.connect(str(warehouse)) as con:
            build_indicator_values(con, thresholds)
            return audit_indicator_values(con, thresholds).passed

    passed, wall, cpu = _timed(step)
    return {
        "step_seconds": wall,
        "step_cpu_seconds": cpu,
        "passed": passed,
        "rss_after_imports_bytes": after_imports,
        "peak_rss_bytes": _peak_rss(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.disclosure", description=__doc__)
    parser.add_argument("warehouse", type=Path, help="a refreshed warehouse (it is changed)")
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-core", action="store_true", help="skip the DuckDB-free timing")
    parser.add_argument("--step", action="store_true", help="the whole published step, once")
    parser.add_argument("--data-dir", type=Path, help="for --step: the inbox (its geometry)")
    args = parser.parse_args(argv)
    if args.step:
        result = run_step(args.warehouse, args.data_dir)
    else:
        result = time_disclosure(args.warehouse, max(1, args.repeat), core=not args.no_core)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
