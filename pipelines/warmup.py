"""Import the heavy libraries of later work while this process waits for other work.

The in-process executor runs one step after the other; during ``dbt build`` this process
mostly waits for dbt's output, so importing great-expectations, pandera and the renderer's
libraries then costs no wall time later. Likewise the refresh planner, once it knows there
is work, imports Dagster and dagster-dbt (≈ 3 s) while ``dbt parse`` runs or new files are
landed. Failures are ignored here: the code that needs a module imports it again and
reports any error itself.
"""

from __future__ import annotations

import importlib
import threading

LATER_STEPS = (
    "great_expectations",
    "nbclient",
    "jupytext",
    "pypandoc",
)
RUN_START = (
    "dagster",
    "dagster_dbt",
    "pandera.pandas",
    "pipelines.resources",
)
"""What loading the Dagster definitions imports, for ``warm_up_run_start``."""

_started: set[tuple[str, ...]] = set()


def warm_up(modules: tuple[str, ...] = LATER_STEPS) -> threading.Thread:
    """Start importing ``modules`` in a background thread; returns the (daemon) thread."""

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the step that needs it reports the error
                continue

    thread = threading.Thread(target=run, name="warm-up-imports", daemon=True)
    thread.start()
    return thread


def warm_up_run_start() -> None:
    """Import what a refresh run needs to start (once per process): called by the planner
    as soon as it knows a run will follow, before its own slow work."""
    if RUN_START not in _started:
        _started.add(RUN_START)
        warm_up(RUN_START)
