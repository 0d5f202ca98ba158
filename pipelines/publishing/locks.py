"""One refresh per warehouse, one publish per web root: OS file locks that name their holder.

The lock is ``flock(2)`` through ``filelock``: the kernel releases it when the holder dies, so
a crashed or killed run leaves no stale lock behind; the file beside it (``<lock>.holder``)
only tells the next caller who holds it (PID, start time, command). The lock is a singleton
per path within a process, so the CLI can hold the refresh lock around planning and running
while the run's warehouse resource takes it again (re-entrant) for runs started from the
Dagster UI or the daemon.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout


class LockBusy(RuntimeError):
    """Another process holds the lock; the message names it."""


def refresh_lock_path(live_warehouse: Path) -> Path:
    return live_warehouse.parent / ".refresh.lock"


def publish_lock_path(web_root: Path) -> Path:
    return web_root / ".publish.lock"


@contextmanager
def held(path: Path, what: str, wait_seconds: float = 0) -> Iterator[dict | None]:
    """Hold the lock at ``path`` for ``what`` ("refresh", "publish"), or raise LockBusy.

    Yields the holder record a killed holder left behind (its process died without
    releasing normally), or None: the caller can look for what that process left undone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, thread_local=False, is_singleton=True)
    outermost = not lock.is_locked
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise LockBusy(busy_message(path, what)) from None
    holder = _holder_file(path)
    stale = _read_holder(holder) if outermost else None
    try:
        if outermost:
            holder.write_text(
                json.dumps(
                    {
                        "pid": os.getpid(),
                        "since": datetime.now().astimezone().isoformat(timespec="seconds"),
                        "command": " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:]),
                    }
                ),
                encoding="utf-8",
            )
        yield stale
    finally:
        if outermost:
            holder.unlink(missing_ok=True)
        lock.release()


def busy_message(path: Path, what: str) -> str:
    """German and English: who holds the lock, so the user knows whom to wait for."""
    info = _read_holder(_holder_file(path)) or {}
    who = (
        f"PID {info.get('pid', '?')}, gestartet {info.get('since', '?')}"
        f" ({info.get('command', '?')})"
        if info
        else "Halter unbekannt"
    )
    return (
        f"Ein anderer {what} läuft bereits ({who}); Sperre {path}. "
        f"Bitte warten, bis er fertig ist. / Another {what} is running ({who})."
    )


def _holder_file(path: Path) -> Path:
    return path.with_name(path.name + ".holder")


def _read_holder(holder: Path) -> dict | None:
    try:
        return json.loads(holder.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
