"""One refresh per warehouse, one publish per web root: the lock names its holder, survives
no crash, and is re-entrant within one process (CLI around the run's resource)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.publishing.locks import LockBusy, held

HOLD = """
import sys, time
from pathlib import Path
from pipelines.publishing.locks import held
with held(Path(sys.argv[1]), "refresh"):
    Path(sys.argv[2]).write_text("held")
    time.sleep(120)
"""


def _holder(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    lock, ready = tmp_path / ".refresh.lock", tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(lock), str(ready)])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    return process, lock


def test_a_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    process, lock = _holder(tmp_path)
    try:
        with (
            pytest.raises(
                LockBusy, match=rf"Ein anderer refresh läuft bereits \(PID {process.pid}"
            ),
            held(lock, "refresh"),
        ):
            pass
    finally:
        process.kill()
        process.wait()


def test_a_killed_holder_leaves_no_lock_but_is_reported_as_killed(tmp_path: Path) -> None:
    process, lock = _holder(tmp_path)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    with held(lock, "refresh") as killed:
        assert killed is not None and killed["pid"] == process.pid
    with held(lock, "refresh") as killed:  # released normally: nothing to report
        assert killed is None


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    lock = tmp_path / ".refresh.lock"
    with held(lock, "refresh") as outer, held(lock, "refresh") as inner:
        assert outer is None and inner is None
    with held(lock, "refresh"):
        pass
