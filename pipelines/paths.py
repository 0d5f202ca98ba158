"""Where things live: the repository's own folders and the configurable locations.

Configurable locations are read from the environment when a run needs them, never at import,
so tests and the CLI can point one process at several warehouses.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
REPORTS_DIR = REPO_ROOT / "reports"
SAMPLE_DATA_DIR = REPO_ROOT / "data" / "sample"

ENV_DATA_DIR = "BILDUNGSMONITOR_DATA_DIR"
ENV_WAREHOUSE = "BILDUNGSMONITOR_WAREHOUSE"
ENV_SITE_DIR = "BILDUNGSMONITOR_SITE_DIR"


def data_dir() -> Path:
    """The inbox the pipeline reads (default: the bundled synthetic sample)."""
    return Path(os.environ.get(ENV_DATA_DIR) or SAMPLE_DATA_DIR).resolve()


def warehouse_path() -> Path:
    """The live DuckDB warehouse (default: ``warehouse/bildungsmonitor.duckdb``)."""
    default = REPO_ROOT / "warehouse" / "bildungsmonitor.duckdb"
    return Path(os.environ.get(ENV_WAREHOUSE) or default).resolve()


def staging_warehouse_path(live: Path | None = None) -> Path:
    """A run's working copy of the warehouse: one path for every run (dbt's partial parse
    is keyed on it), in ``staging/`` beside the live file and with the same name."""
    live = live or warehouse_path()
    return live.parent / "staging" / live.name


def editions_register(live: Path | None = None) -> Path:
    """Where ``publish`` keeps a copy of each edition's downloads (beside the warehouse)."""
    return (live or warehouse_path()).parent / "editionen"


def site_dir() -> Path:
    """The last good rendered report (default: ``reports/_site``)."""
    return Path(os.environ.get(ENV_SITE_DIR) or REPORTS_DIR / "_site").resolve()
