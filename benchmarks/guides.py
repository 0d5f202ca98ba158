"""Render time of the school guides (issue 20: ≤ 10 s for ≈ 60 schools on 2 cores).

Renders only the guides' pages (``schulwegweiser/*.qmd``, ``schulwegweiser/schulen/*.qmd``:
overviews, school pages, map, registration page, both brochures as HTML and PDF) plus the
post-render search index, cold (no page cache), from one published warehouse, each repeat in
a fresh process (``python -m pipelines.report``). The pre-render step runs as in every render
(it writes the indicator pages too, which are not rendered here): its time is included.

Usage: ``python -m benchmarks.guides [--warehouse W] [--repeat N] [--out DIR]``; without
``--warehouse`` it refreshes the bundled sample into a temporary folder first (untimed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from benchmarks.timed import timed_run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
GUIDE_GLOBS = ("schulwegweiser/*.qmd", "schulwegweiser/schulen/*.qmd")
BUDGET_SECONDS = 10.0


def guides_project(target: Path) -> Path:
    """A copy of reports/ whose render list holds only the guides' pages."""
    shutil.copytree(
        ROOT / "reports",
        target,
        ignore=shutil.ignore_patterns("_site", ".quarto", "indikatoren", "schulwegweiser"),
    )
    config = target / "_quarto.yml"
    data = yaml.safe_load(config.read_text("utf-8"))
    data["project"]["render"] = list(GUIDE_GLOBS)
    for key in ("navbar", "page-footer"):  # they link pages this render does not make
        data["website"].pop(key, None)
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return target


def render_once(warehouse: Path, work: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of the render's processes and the pages rendered."""
    shutil.rmtree(work, ignore_errors=True)
    project = guides_project(work / "reports")
    env = {**os.environ, "BILDUNGSMONITOR_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "pipelines.report", str(project)]
    command += ["--output-dir", str(work / "site"), "--renderer", "builtin"]
    seconds, _ = timed_run(command, ROOT, env, "render of the guides")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    pages = len(list((work / "site" / "schulwegweiser").rglob("*.html")))
    return seconds, cpu, pages


def sample_warehouse(work: Path) -> Path:
    """A published warehouse of the bundled sample (one untimed refresh into ``work``)."""
    env = {
        **os.environ,
        "BILDUNGSMONITOR_DATA_DIR": str(ROOT / "data" / "sample"),
        "BILDUNGSMONITOR_WAREHOUSE": str(work / "warehouse" / "bm.duckdb"),
        "BILDUNGSMONITOR_SITE_DIR": str(work / "site"),
        "DAGSTER_HOME": str(work / "dagster"),
        "DO_NOT_TRACK": "1",
    }
    (work / "dagster").mkdir(parents=True, exist_ok=True)
    bildungsmonitor = Path(sys.executable).with_name("bildungsmonitor")
    timed_run([str(bildungsmonitor), "refresh"], ROOT, env, "refresh of the sample")
    return work / "warehouse" / "bm.duckdb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="default: a fresh refresh of the sample")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bm-guides-bench-") as tmp:
        warehouse = (args.warehouse or sample_warehouse(Path(tmp) / "sample")).resolve()
        for i in range(args.repeat):
            runs.append(render_once(warehouse, Path(tmp) / f"run-{i}"))
    wall = statistics.median(r[0] for r in runs)
    day = dt.date.today().isoformat()
    record = {
        "commit": head,
        "runs": runs,
        "median_seconds": wall,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "warehouse": str(args.warehouse or "sample"),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{day}-guides.json").write_text(json.dumps(record, indent=2), "utf-8")
    lines = [
        f"# Render time of the school guides, {day} ({head})",
        "",
        f"Cold render of the guides' pages only, {args.repeat} runs in fresh processes, "
        f"{os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}.",
        "",
        "| run | pages | wall (s) | CPU (s) |",
        "|---|---|---|---|",
        *(f"| {i + 1} | {p} | {w:.1f} | {c:.1f} |" for i, (w, c, p) in enumerate(runs)),
        "",
        f"Median wall time: **{wall:.1f} s** (budget {BUDGET_SECONDS:.0f} s).",
    ]
    (args.out / f"{day}-guides.md").write_text("\n".join(lines) + "\n", "utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
