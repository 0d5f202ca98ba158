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


REPORT_OUTPUTS = frozenset(
    {"_site", "_qualitaet", "_freeze", "indikatoren", "schulwegweiser", "_variables.yml"}
)
"""What a render writes into the report project ``reports/`` (site, quality page, the pages
the pre-render step generates: ``generate_pages.OUTPUT_DIR``, ``generate_guides.OUTPUT_DIR``,
and the footer values in ``_variables.yml``, dated each render): outputs, not sources.
Matched against the first part of a path below the project folder."""


def is_report_output(parts: tuple[str, ...]) -> bool:
    """A path below the project folder (as parts) that a render writes, or a cache or hidden
    file: not one of the project's sources."""
    return (
        parts[0] in REPORT_OUTPUTS
        or "__pycache__" in parts
        or any(part.startswith(".") for part in parts)
    )


def absolute(path: str | Path) -> Path:
    """``path`` made absolute and normalised *without* following symlinks: the live warehouse
    and site are symlinks into the current release (``pipelines.publishing.releases``), and every
    caller must keep using the fixed path, not the release it points to today."""
    return Path(os.path.abspath(path))


def data_dir() -> Path:
    """The inbox the pipeline reads (default: the bundled synthetic sample)."""
    return Path(os.environ.get(ENV_DATA_DIR) or SAMPLE_DATA_DIR).resolve()


def warehouse_path() -> Path:
    """The live DuckDB warehouse (default: ``warehouse/bildungsmonitor.duckdb``)."""
    default = REPO_ROOT / "warehouse" / "bildungsmonitor.duckdb"
    return absolute(os.environ.get(ENV_WAREHOUSE) or default)


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
    return absolute(os.environ.get(ENV_SITE_DIR) or REPORTS_DIR / "_site")


def scratch_dir(live: Path | None = None) -> Path:
    """Temporary folders of runs (dbt parse targets, render work, kernel specs), in one place
    beside the warehouse: removed when a run ends and swept at the next refresh's start if a
    killed run left them (``pipelines.publishing.cleanup``)."""
    folder = (live or warehouse_path()).parent / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scratch_prefix(kind: str) -> str:
    """``bm-<kind>-<pid>-``: the sweep removes a folder only when its process is gone."""
    return f"bm-{kind}-{os.getpid()}-"


def env_count(name: str, default: int) -> int:
    """A positive whole number from the environment (``default`` when unset); ValueError
    naming the variable otherwise."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}={raw!r}: erwartet wird eine ganze Zahl ≥ 1")
    return int(raw)
