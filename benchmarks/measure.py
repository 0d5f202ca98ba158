"""Run one command in this fresh process and report its wall time and peak memory as JSON.

The harness starts this wrapper once per measured run, so ``RUSAGE_CHILDREN`` covers exactly
that run's process tree: its ``ru_maxrss`` is the peak RSS of the largest single process
(the refresh, or a Jupyter kernel / dbt subprocess if larger). psutil (installed with ipykernel)
additionally samples the whole tree, whose summed RSS is the memory the run really needs.

Usage: ``python -m benchmarks.measure OUT.json -- command [args...]``
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

SAMPLE_SECONDS = 0.2


def tree_rss(pid: int) -> int | None:
    """Summed RSS in bytes of ``pid`` and all its descendants; None without psutil."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _sample(pid: int, done: threading.Event, peak: list[int | None]) -> None:
    while not done.wait(SAMPLE_SECONDS):
        rss = tree_rss(pid)
        if rss is None:
            return
        peak[0] = max(peak[0] or 0, rss)


def measure(command: list[str]) -> dict:
    """Run ``command`` (inheriting cwd, environment and output) and measure it."""
    started_at = time.time()
    clock = time.perf_counter()
    process = subprocess.Popen(command)
    done = threading.Event()
    peak: list[int | None] = [None]
    sampler = threading.Thread(target=_sample, args=(process.pid, done, peak), daemon=True)
    sampler.start()
    returncode = process.wait()
    wall = time.perf_counter() - clock
    ended_at = time.time()
    done.set()
    sampler.join()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "returncode": returncode,
        "wall_seconds": wall,
        "started_at": started_at,
        "ended_at": ended_at,
        "max_rss_process_bytes": children.ru_maxrss * 1024,  # Linux reports KiB
        "peak_rss_tree_bytes": peak[0],
        "cpu_user_seconds": children.ru_utime,
        "cpu_system_seconds": children.ru_stime,
    }


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    result = measure(argv[2:])
    Path(argv[0]).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
