"""Run one command of a benchmark and time it; a failed command stops the benchmark with its
output (a timing of a failed run would compare nothing)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def timed_run(
    command: Sequence[str], cwd: Path, env: Mapping[str, str], what: str
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds and the finished process; RuntimeError naming ``what`` if it failed."""
    start = time.perf_counter()
    done = subprocess.run(
        list(command), cwd=cwd, env=dict(env), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds, done
