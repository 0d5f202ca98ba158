"""Import the heavy libraries of later steps while dbt builds in its own process.

The in-process executor runs one step after the other; during ``dbt build`` this process
mostly waits for dbt's output, so importing great-expectations, pandera and the renderer's
libraries then costs no wall time later. Failures are ignored here: the step that needs a
module imports it again and reports any error itself.
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
