"""Pause points for the crash tests: where a ``kill -9`` must leave everything consistent.

``BILDUNGSMONITOR_PAUSE_AT`` names one or more points (comma-separated, e.g.
``release:before-switch``); a process reaching one writes ``<name>.paused`` into
``BILDUNGSMONITOR_PAUSE_DIR`` and sleeps, so a test can kill its process group exactly there.
Unset (always, outside the tests) a pause point costs one environment lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_AT = "BILDUNGSMONITOR_PAUSE_AT"
PAUSE_DIR = "BILDUNGSMONITOR_PAUSE_DIR"
MAX_PAUSE_SECONDS = 600


def pause_point(name: str) -> None:
    """Sleep here if the tests asked to (see the module docstring)."""
    wanted = os.environ.get(PAUSE_AT)
    if not wanted or name not in {w.strip() for w in wanted.split(",")}:
        return
    folder = Path(os.environ.get(PAUSE_DIR) or ".")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name.replace(':', '_')}.paused").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(MAX_PAUSE_SECONDS)
