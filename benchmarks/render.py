"""Render time of the report: this checkout against a baseline commit, same warehouse, same run.

Issue 17 asks that the sample's render stays within 1.1× of the render before it. A timing is
only comparable within one run on one machine, so both are measured here, alternately, each in
a fresh process (``python -m pipelines.report`` with a cold page cache: every page executes)
on the same published warehouse. The baseline is a ``git worktree`` of ``--baseline``; both
run with this checkout's virtualenv (``PYTHONPATH`` puts the worktree's packages first).

Usage: ``python -m benchmarks.render --warehouse W [--baseline REV] [--repeat N] [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.timed import timed_run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def render_once(checkout: Path, warehouse: Path, work: Path) -> float:
    """Seconds for one cold render of ``checkout``'s reports/ from ``warehouse``."""
    project = work / "reports"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(
        checkout / "reports", project, ignore=shutil.ignore_patterns("_site", "indikatoren")
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "BILDUNGSMONITOR_WAREHOUSE": str(warehouse),
        "DO_NOT_TRACK": "1",
    }
    command = [sys.executable, "-m", "pipelines.report", str(project)]
    command += ["--output-dir", str(work / "site"), "--renderer", "builtin"]
    seconds, _ = timed_run(command, checkout, env, f"render of {checkout}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--baseline", default="b2e2a74")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bm-render-bench-") as tmp:
        base = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(base), args.baseline],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        try:
            times: dict[str, list[float]] = {"baseline": [], "current": []}
            for _ in range(args.repeat):
                for label, checkout in (("baseline", base), ("current", ROOT)):
                    times[label].append(
                        render_once(checkout, args.warehouse, Path(tmp) / f"work-{label}")
                    )
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT)
    median = {k: statistics.median(v) for k, v in times.items()}
    ratio = median["current"] / median["baseline"]
    day = dt.date.today().isoformat()
    args.out.mkdir(parents=True, exist_ok=True)
    record = {"baseline": args.baseline, "current": head, "seconds": times, "ratio": ratio,
              "load_average": os.getloadavg(), "warehouse": str(args.warehouse)}  # fmt: skip
    (args.out / f"{day}-render.json").write_text(json.dumps(record, indent=2), "utf-8")
    lines = [
        f"# Render time of the report, {day}",
        "",
        f"Cold render (no page cache) of the sample, {args.repeat} runs each, alternating, "
        f"same machine and warehouse. Load average at the end: {os.getloadavg()[0]:.1f}.",
        "",
        "| checkout | runs (s) | median (s) |",
        "|---|---|---|",
        *(
            f"| {label} ({args.baseline if label == 'baseline' else head}) | "
            f"{', '.join(f'{s:.1f}' for s in v)} | {median[label]:.1f} |"
            for label, v in times.items()
        ),
        "",
        f"Ratio current / baseline: **{ratio:.2f}** (target ≤ 1.10).",
    ]
    (args.out / f"{day}-render.md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
