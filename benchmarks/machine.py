"""The machine a benchmark ran on: results are only comparable with this next to them."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import subprocess
from pathlib import Path

PACKAGES: tuple[str, ...] = (
    "dagster",
    "dagster-dbt",
    "dbt-core",
    "dbt-duckdb",
    "duckdb",
    "pandas",
    "pandera",
    "great-expectations",
    "nbclient",
    "ipykernel",
    "jupytext",
    "pypandoc-binary",
    "typst",
    "psutil",
)


def cpu_model(cpuinfo: str) -> str | None:
    """The first ``model name`` of /proc/cpuinfo (x86) or its ``Hardware``/``Model`` line."""
    for field in ("model name", "Hardware", "Model"):
        for line in cpuinfo.splitlines():
            name, sep, value = line.partition(":")
            if sep and name.strip() == field and value.strip():
                return value.strip()
    return None


def memory_bytes(meminfo: str) -> int | None:
    """``MemTotal`` of /proc/meminfo in bytes."""
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            amount, unit = line.split(":", 1)[1].split()
            return int(amount) * (1024 if unit.lower() == "kb" else 1)
    return None


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _command_output(command: list[str], cwd: Path | None = None) -> str | None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def describe(repo: Path) -> dict:
    """CPU, cores, memory, load, Python, package versions, renderer and the code's commit."""
    quarto = shutil.which("quarto")
    status = _command_output(["git", "status", "--porcelain", "--untracked-files=no"], repo)
    return {
        "cpu_model": cpu_model(_read("/proc/cpuinfo")),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_bytes": memory_bytes(_read("/proc/meminfo")),
        "load_average_at_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "quarto": _command_output([quarto, "--version"]) if quarto else None,
        "git_commit": _command_output(["git", "rev-parse", "HEAD"], repo),
        "git_dirty": bool(status) if status is not None else None,
    }
