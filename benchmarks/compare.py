"""This checkout against a baseline commit, interleaved (ABAB), on the same machine in one run.

Timings are only comparable within one run on one machine, and a machine's speed drifts over
minutes; alternating the two checkouts lets the drift fall on both. Both commits are checked out
as git worktrees (so editing this checkout during the benchmark changes nothing); each gets
its own workspace (warehouse, site, Dagster home) and runs with this checkout's virtualenv,
its own code first on ``PYTHONPATH``. An untimed first refresh builds each workspace; then, per
repeat and checkout: ``refresh --full`` (everything rebuilt and rendered) and a no-op
``refresh`` (nothing changed).

Usage: ``python -m benchmarks.compare --baseline REV [--current REV] [--repeat N] [--name NAME]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.machine import describe
from benchmarks.timed import timed_run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
STAGE_LINE = re.compile(r"^(?P<stage>\S.*?)\s{2,}fertig: .*\((?P<seconds>[\d.,]+) s\)\s*$")


def cli_code(checkout: Path) -> str:
    """The command line of ``checkout`` (its module moved in issue 19)."""
    module = "cli" if (checkout / "pipelines" / "cli.py").exists() else "command_line.cli"
    return f"from pipelines.{module} import entry_point; entry_point()"


def refresh(checkout: Path, work: Path, *args: str) -> tuple[float, dict[str, float]]:
    """Wall seconds of one ``bildungsmonitor refresh`` and the stage seconds it printed."""
    env = {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "BILDUNGSMONITOR_WAREHOUSE": str(work / "warehouse" / "bildungsmonitor.duckdb"),
        "BILDUNGSMONITOR_SITE_DIR": str(work / "site"),
        "BILDUNGSMONITOR_DATA_DIR": str(checkout / "data" / "sample"),
        "DAGSTER_HOME": str(work / "dagster_home"),
        "DO_NOT_TRACK": "1",
    }
    command = [sys.executable, "-c", cli_code(checkout), "refresh", *args]
    seconds, done = timed_run(command, checkout, env, f"refresh {args} in {checkout}")
    stages = {
        m["stage"]: float(m["seconds"].replace(",", "."))
        for m in map(STAGE_LINE.match, done.stdout.splitlines())
        if m
    }
    return seconds, stages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="commit to compare with")
    parser.add_argument("--current", default="HEAD", help="commit measured against it")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--name", default="compare", help="results file: <date>-<name>.md")
    args = parser.parse_args(argv)

    def rev(ref: str) -> str:
        command = ["git", "rev-parse", "--short", ref]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True).stdout.strip()

    head, base = rev(args.current), rev(args.baseline)
    runs: dict[str, dict[str, list]] = {
        side: {"full": [], "noop": [], "stages": []} for side in ("baseline", "current")
    }
    with tempfile.TemporaryDirectory(prefix="bm-compare-") as tmp:
        checkouts = {"baseline": Path(tmp) / "baseline", "current": Path(tmp) / "current"}
        (Path(tmp) / "shared").symlink_to(ROOT.parent / "shared")
        for checkout, commit in zip(checkouts.values(), (base, head), strict=True):
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(checkout), commit],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        try:
            works = {side: Path(tmp) / f"work-{side}" for side in checkouts}
            for side, checkout in checkouts.items():
                refresh(checkout, works[side])  # untimed: builds the workspace
            for _ in range(args.repeat):
                for side, checkout in checkouts.items():
                    seconds, stages = refresh(checkout, works[side], "--full")
                    runs[side]["full"].append(round(seconds, 1))
                    runs[side]["stages"].append(stages)
                    runs[side]["noop"].append(round(refresh(checkout, works[side])[0], 2))
                    print(side, runs[side]["full"][-1], runs[side]["noop"][-1], flush=True)
        finally:
            for checkout in checkouts.values():
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(checkout)],
                    cwd=ROOT,
                    check=False,
                    capture_output=True,
                )
    load = os.getloadavg()[0]
    today = dt.date.today().isoformat()
    args.out.mkdir(parents=True, exist_ok=True)
    record = {"baseline": base, "current": head, "machine": describe(ROOT), "runs": runs}
    (args.out / f"{today}-{args.name}.json").write_text(json.dumps(record, indent=2) + "\n")
    lines = [
        f"# {args.name}: {head} against {base}, {today}",
        "",
        f"Interleaved (ABAB), {args.repeat} repeats, same machine and run; "
        f"load average at the end: {load:.1f}.",
        "",
        "| checkout | full refresh (s) | median | no-op refresh (s) | median |",
        "|---|---|---|---|---|",
    ]
    for side in ("baseline", "current"):
        full, noop = runs[side]["full"], runs[side]["noop"]
        lines.append(
            f"| {side} ({base if side == 'baseline' else head}) | "
            f"{', '.join(map(str, full))} | {statistics.median(full):.1f} | "
            f"{', '.join(map(str, noop))} | {statistics.median(noop):.2f} |"
        )
    ratio = statistics.median(runs["current"]["full"]) / statistics.median(runs["baseline"]["full"])
    lines += ["", f"Full refresh current / baseline: **{ratio:.2f}**.", "", "Stages (median s):"]
    stages = sorted({s for side in runs.values() for run in side["stages"] for s in run})
    lines += ["", "| stage | baseline | current |", "|---|---|---|"]
    for stage in stages:
        cells = []
        for side in ("baseline", "current"):
            values = [run[stage] for run in runs[side]["stages"] if stage in run]
            cells.append(f"{statistics.median(values):.1f}" if values else "–")
        lines.append(f"| {stage} | {cells[0]} | {cells[1]} |")
    (args.out / f"{today}-{args.name}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
