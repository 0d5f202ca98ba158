"""The warehouse table ``quality.check_results``: one row per check evaluation of a run.

Why a table: Dagster keeps check results in its own event log, but the working group reads a
plain HTML page (``quality.quality_report``), and the page must be buildable from the warehouse
alone — also for a run that failed, whose staging warehouse holds the evidence. Every check
layer writes here: the pandera raw checks, the mart expectations, the cross-source checks.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

TABLE = "quality.check_results"
MAX_ROWS = 200
"""Offending rows kept per result: enough to act on, small enough for the warehouse."""

SEVERITIES = ("WARN", "ERROR")

DDL = f"""
create schema if not exists quality;
create table if not exists {TABLE} (
    run_id varchar not null,
    check_name varchar not null,
    asset_key varchar not null,
    severity varchar not null,
    passed boolean not null,
    n_failures integer not null,
    details_json varchar,
    checked_at timestamp not null
);
"""
"""``asset_key`` as Dagster's user string (``marts/fct_indicator_values``); ``severity`` is
``WARN`` or ``ERROR`` (the severity of the result, which for a passed check is the severity it
would have failed with); ``details_json`` holds ``summary`` (German text), ``metadata`` (counts)
and ``rows`` (offending rows as records, at most ``MAX_ROWS``) plus ``rows_total``."""


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _plain(value: Any) -> Any:
    """JSON-safe scalar: numpy numbers become Python numbers, NaN/NA/NaT become None."""
    if value is None or isinstance(value, list | dict | tuple):
        return value
    if pd.isna(value):
        return None
    if isinstance(value, datetime | pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return str(value)
    return value


def rows_as_records(rows: pd.DataFrame | None, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    if rows is None or rows.empty:
        return []
    return [
        {str(k): _plain(v) for k, v in record.items()}
        for record in rows.head(limit).to_dict(orient="records")
    ]


def record_check_result(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    check_name: str,
    asset_key: str,
    severity: str,
    passed: bool,
    n_failures: int,
    summary: str = "",
    metadata: Mapping[str, Any] | None = None,
    rows: pd.DataFrame | None = None,
    checked_at: datetime | None = None,
) -> None:
    """Append one check result (creating the table on first use).

    ``rows`` are the offending rows (any columns); only the first ``MAX_ROWS`` are stored, with
    their total in ``rows_total``. The pandera raw checks can pass their problems as a one-column
    frame (``pd.DataFrame({"problem": [str(p) for p in problems]})``).
    """
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
    details = {
        "summary": summary,
        "metadata": {str(k): _plain(v) for k, v in (metadata or {}).items()},
        "rows": rows_as_records(rows),
        "rows_total": 0 if rows is None else len(rows),
    }
    ensure_table(con)
    con.execute(
        f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            check_name,
            asset_key,
            severity,
            passed,
            int(n_failures),
            json.dumps(details, ensure_ascii=False, default=str),
            (checked_at or datetime.now(UTC)).replace(tzinfo=None),
        ],
    )


def load_check_results(
    con: duckdb.DuckDBPyConnection, run_id: str | None = None
) -> tuple[str | None, pd.DataFrame]:
    """The results of ``run_id`` (default: the run with the latest result) and that run's id."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'quality' and table_name = 'check_results'"
    ).fetchone()[0]
    if not exists:
        return None, pd.DataFrame()
    if run_id is None:
        row = con.execute(
            f"select run_id from {TABLE} group by run_id order by max(checked_at) desc limit 1"
        ).fetchone()
        if row is None:
            return None, pd.DataFrame()
        run_id = row[0]
    frame = con.execute(
        f"select * from {TABLE} where run_id = ? order by checked_at, asset_key, check_name",
        [run_id],
    ).df()
    frame["details"] = [json.loads(d) if d else {} for d in frame.pop("details_json")]
    return run_id, frame
