"""Parsing + blocking raw checks of every real publisher file (issue 18): time and peak memory.

The real files in ``../shared/realdata`` together, as the working group would check a folder
of downloads: one fresh process of ``bildungsmonitor validate`` over all of them (recognise,
parse, pandera schema, consistency rules), repeated. Wall time is measured around the
process; peak memory is that process's ``ru_maxrss`` (``RUSAGE_CHILDREN``; each repeat in its
own wrapper process, so the figure is the one run's peak). Goal: under 20 s and 1 GiB.

Usage: ``python -m benchmarks.realdata [--realdata DIR] [--repeat N] [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks import machine

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
REALDATA = ROOT.parent / "shared" / "realdata"

_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(seconds, peak, done.returncode, done.stdout.count("\\nOK ") + done.stdout.startswith("OK "),
      done.stdout.count("NICHT VERWENDET"))
"""


def real_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "PROVENANCE.md")


def measure_once(files: list[Path]) -> dict:
    """One fresh ``validate`` process over ``files``: seconds, peak bytes, counts."""
    command = [sys.executable, "-m", "pipelines.command_line.cli", "validate", *map(str, files)]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    seconds, peak, code, accepted, unused = done.stdout.split()
    return {
        "seconds": float(seconds),
        "peak_bytes": int(peak),
        "exit": int(code),
        "accepted": int(accepted),
        "unused": int(unused),
    }


def report(samples: list[dict], files: list[Path], info: dict) -> str:
    seconds = [s["seconds"] for s in samples]
    peak = max(s["peak_bytes"] for s in samples)
    first = samples[0]
    return "\n".join(
        [
            f"# Real publisher files: parse + raw checks ({dt.date.today().isoformat()})",
            "",
            f"`python -m benchmarks.realdata`: `bildungsmonitor validate` over all {len(files)} "
            "files of `../shared/realdata` in one fresh process, "
            f"{len(samples)} repeats. Goal (issue 18): under 20 s and 1 GiB on 2 cores.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| wall time, median | {statistics.median(seconds):.1f} s |",
            f"| wall time, min – max | {min(seconds):.1f} – {max(seconds):.1f} s |",
            f"| peak memory (largest process) | {peak / 2**20:.0f} MiB |",
            f"| files accepted / not used | {first['accepted']} / {first['unused']} |",
            f"| exit status | {first['exit']} |",
            "",
            f"Machine: {info.get('cpu_model')}, {info.get('cpus_usable')} usable cores, "
            f"git {str(info.get('git_commit'))[:8]}.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    files = real_files(args.realdata)
    if not files:
        print(f"no files in {args.realdata}", file=sys.stderr)
        return 2
    samples = [measure_once(files) for _ in range(args.repeat)]
    info = machine.describe(ROOT)
    stem = args.out / f"{dt.date.today().isoformat()}-realdata"
    args.out.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(
        json.dumps({"machine": info, "files": len(files), "samples": samples}, indent=1),
        encoding="utf-8",
    )
    text = report(samples, files, info)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
