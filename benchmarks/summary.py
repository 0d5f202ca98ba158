"""Turn measured runs into the figures of the results file and its Markdown table."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence

from benchmarks.stages import STAGES

TARGET_SECONDS: dict[str, float] = {
    "full": 60.0,
    "noop": 10.0,
    "new-ba-file": 25.0,
    "model-edit": 25.0,
    "scale": 600.0,
}
"""Median wall-time targets of issue 8 (2 cores, 24 GB)."""
SCALE_MEMORY_TARGET_BYTES = 4 * 1024**3
OVERHEAD_TARGET = 1.3
"""Full refresh ÷ (bare ``dbt build`` + bare report render), at most."""
DISCLOSURE_TARGET_SECONDS: dict[str, float] = {"sample": 3.0, "state": 60.0}
"""Issue 15: disclosure control + LP audit (median wall seconds, in process)."""
DISCLOSURE_MEMORY_TARGET_BYTES = int(1.5 * 1024**3)
"""Issue 15: peak memory of the published step on the state-sized data."""


def spread(values: Iterable[float | None]) -> dict[str, float] | None:
    """Median, min and max of the values present; None when there is none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return {
        "median": statistics.median(present),
        "min": min(present),
        "max": max(present),
        "n": len(present),
    }


def summarise_runs(samples: Sequence[Mapping]) -> dict:
    """Wall time, memory and median stage split over the successful samples of a scenario."""
    ok = [s for s in samples if s.get("returncode") == 0]
    stages = {}
    for stage in (*STAGES, "dbt_parse"):
        values = [s["stages"][stage] for s in ok if stage in s.get("stages", {})]
        if values:
            stages[stage] = statistics.median(values)
    return {
        "runs": len(samples),
        "failed": len(samples) - len(ok),
        "wall_seconds": spread(s["wall_seconds"] for s in ok),
        "peak_rss_tree_bytes": spread(s.get("peak_rss_tree_bytes") for s in ok),
        "max_rss_process_bytes": spread(s.get("max_rss_process_bytes") for s in ok),
        "stages_median_seconds": stages,
    }


def meets_target(scenario: str, summary: Mapping) -> bool | None:
    """Whether the median wall time (and for ``scale`` the peak memory) meets the target."""
    target = TARGET_SECONDS.get(scenario)
    wall = summary.get("wall_seconds")
    if target is None or not wall:
        return None
    met = wall["median"] <= target
    if scenario == "scale":
        memory = summary.get("peak_rss_tree_bytes") or summary.get("max_rss_process_bytes")
        met = met and bool(memory) and memory["max"] <= SCALE_MEMORY_TARGET_BYTES
    return met


def summarise_disclosure(timing: Mapping, step: Mapping | None = None) -> dict:
    """The figures of one disclosure measurement (``benchmarks/disclosure.py`` output):
    spreads over its rounds, the sizes of the problem, and the whole step's time and peak."""
    rounds = timing.get("rounds", [])

    def over(*keys: str) -> dict[str, float] | None:
        return spread(
            sum(r[k] for k in keys) if all(k in r for k in keys) else None for r in rounds
        )

    return {
        "rounds": len(rounds),
        "passed": all(r.get("passed") for r in rounds) if rounds else None,
        "protect_seconds": over("protect_seconds"),
        "audit_seconds": over("audit_seconds"),
        "total_seconds": over("protect_seconds", "audit_seconds"),
        "total_cpu_seconds": over("protect_cpu_seconds", "audit_cpu_seconds"),
        "core_total_seconds": over("core_protect_seconds", "core_audit_seconds"),
        **{k: timing.get(k) for k in ("rows", "primary", "secondary", "hidden", "lp_solves")},
        "step_seconds": (step or {}).get("step_seconds"),
        "step_peak_rss_bytes": (step or {}).get("peak_rss_bytes"),
        "step_rss_after_imports_bytes": (step or {}).get("rss_after_imports_bytes"),
    }


def disclosure_meets_target(size: str, summary: Mapping) -> bool | None:
    """Median protect + audit within the size's target; for the state-sized data also the
    published step's peak memory."""
    target = DISCLOSURE_TARGET_SECONDS.get(size)
    total = summary.get("total_seconds")
    if target is None or not total:
        return None
    met = total["median"] <= target
    if size == "state":
        peak = summary.get("step_peak_rss_bytes")
        met = met and peak is not None and peak <= DISCLOSURE_MEMORY_TARGET_BYTES
    return met


def overhead_ratio(refresh_median: float | None, baseline_medians: Sequence[float | None]):
    """Refresh ÷ sum of the bare steps; None when a part is missing."""
    if refresh_median is None or any(b is None for b in baseline_medians):
        return None
    bare = sum(baseline_medians)
    return refresh_median / bare if bare > 0 else None


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value / 1024**2:.0f}"


def _verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "–"}[met]


def markdown(results: Mapping) -> str:
    """The human-readable table of one results file."""
    lines = [
        f"# Benchmark {results['date']}",
        "",
        *machine_lines(results["machine"]),
        f"Repeats: {results['repeat']} per scenario, each in fresh processes.",
    ]
    if results.get("note"):
        lines += ["", f"Note: {results['note']}"]
    refreshes = [(n, s) for n, s in results["scenarios"].items() if s.get("summary")]
    if refreshes:  # the disclosure scenario alone has its own table below
        lines += [
            "",
            "| scenario | runs | wall median s | min | max | target s | met | peak RSS tree MiB "
            "| largest process MiB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
    for name, scenario in refreshes:
        summary = scenario["summary"]
        wall = summary.get("wall_seconds") or {}
        tree = summary.get("peak_rss_tree_bytes") or {}
        proc = summary.get("max_rss_process_bytes") or {}
        failed = f" ({summary['failed']} failed)" if summary.get("failed") else ""
        lines.append(
            f"| {name}: {scenario['title']} | {summary['runs']}{failed} "
            f"| {_seconds(wall.get('median'))} | {_seconds(wall.get('min'))} "
            f"| {_seconds(wall.get('max'))} | {_seconds(TARGET_SECONDS.get(name))} "
            f"| {_verdict(scenario.get('meets_target'))} | {_mib(tree.get('max'))} "
            f"| {_mib(proc.get('max'))} |"
        )
    lines += _stage_table(results["scenarios"])
    lines += _scale_data_lines(results["scenarios"].get("scale"))
    lines += _failure_lines(results["scenarios"])
    lines += _overhead_lines(results.get("overhead"))
    lines += disclosure_lines(results["scenarios"].get("disclosure"))
    unavailable = [
        (name, s) for name, s in results["scenarios"].items() if s.get("status") != "measured"
    ]
    if unavailable:
        lines += ["", "## Not measured", ""]
        lines += [f"- **{name}** ({s['title']}): {s.get('reason')}" for name, s in unavailable]
    return "\n".join(lines) + "\n"


def machine_lines(machine: Mapping) -> list[str]:
    """What the figures were measured on, in two lines."""
    packages = machine.get("packages", {})
    memory = machine.get("memory_bytes")
    renderer = f"Quarto {machine['quarto']}" if machine.get("quarto") else "built-in renderer"
    commit = str(machine.get("git_commit"))[:10] + (" (dirty)" if machine.get("git_dirty") else "")
    load = ", ".join(f"{x:.2f}" for x in machine.get("load_average_at_start", []))
    return [
        f"Machine: {machine.get('cpu_model')}, {machine.get('cpus_usable')} usable cores, "
        + (f"{memory / 1024**3:.1f} GiB memory" if memory else "memory unknown")
        + f"; load average at start {load}.",
        f"Python {machine.get('python')}, dagster {packages.get('dagster')}, dbt-core "
        f"{packages.get('dbt-core')}, duckdb {packages.get('duckdb')}, {renderer}; "
        f"commit {commit}.",
    ]


def _stage_table(scenarios: Mapping) -> list[str]:
    rows = [
        (name, s["summary"]["stages_median_seconds"])
        for name, s in scenarios.items()
        if s.get("summary") and s["summary"].get("stages_median_seconds")
    ]
    if not rows:
        return []
    columns = [c for c in ("dbt_parse", *STAGES) if any(c in stages for _, stages in rows)]
    lines = [
        "",
        "## Time by stage (median seconds)",
        "",
        "| scenario | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name, stages in rows:
        lines.append(f"| {name} | " + " | ".join(_seconds(stages.get(c)) for c in columns) + " |")
    return lines


def _scale_data_lines(scale: Mapping | None) -> list[str]:
    """How the scale scenario's data was made: generated once, not part of the timing."""
    data = (scale or {}).get("data")
    if not data:
        return []
    return [
        "",
        "## Scale data (generated once per harness run, not timed as part of the refresh)",
        "",
        f"- `python -m pipelines.sample.generate --scale {data['scale']}`: "
        f"{_seconds(data['seconds'])} s, {data['files']} files, {_mib(data['bytes'])} MiB, "
        f"peak RSS tree {_mib(data.get('peak_rss_tree_bytes'))} MiB",
    ]


def _failure_lines(scenarios: Mapping) -> list[str]:
    """The end of the log of every failed measured run: the reason is what one looks for."""
    lines = []
    for name, scenario in scenarios.items():
        for sample in scenario.get("samples", []):
            tail = sample.get("log_tail")
            if sample.get("returncode") and tail:
                lines += ["", f"**{name}** failed (rc={sample['returncode']}), log tail:", ""]
                lines += ["```", *tail[-8:], "```"]
    return ["", "## Failed runs", *lines] if lines else []


def disclosure_lines(scenario: Mapping | None) -> list[str]:
    """The disclosure scenario's table: one row per data size."""
    sizes = (scenario or {}).get("sizes") or {}
    rows = [(size, entry) for size, entry in sizes.items() if entry.get("summary")]
    if not rows:
        return []
    lines = [
        "",
        "## Disclosure control and LP audit (in process, issue 15)",
        "",
        "| data | rounds | protect s | audit s | protect + audit s (min–max) | CPU s "
        "| SDC core s | target s | published step s | step peak RSS MiB | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, entry in rows:
        s = entry["summary"]

        def median(key: str, s: Mapping = s) -> str:
            return _seconds((s.get(key) or {}).get("median"))

        total = s.get("total_seconds") or {}
        target = DISCLOSURE_TARGET_SECONDS.get(size)
        memory = "" if size != "state" else f" (≤ {_mib(DISCLOSURE_MEMORY_TARGET_BYTES)})"
        lines.append(
            f"| {size} | {s['rounds']} | {median('protect_seconds')} "
            f"| {median('audit_seconds')} "
            f"| {_seconds(total.get('median'))} ({_seconds(total.get('min'))}–"
            f"{_seconds(total.get('max'))}) "
            f"| {median('total_cpu_seconds')} | {median('core_total_seconds')} "
            f"| {_seconds(target)} | {_seconds(s.get('step_seconds'))} "
            f"| {_mib(s.get('step_peak_rss_bytes'))}{memory} "
            f"| {_verdict(entry.get('meets_target'))} |"
        )
    lines.append("")
    for size, entry in rows:
        s = entry["summary"]
        lines.append(
            f"- {size}: {s.get('rows')} published rows, {s.get('primary')} primary and "
            f"{s.get('secondary')} secondary suppressions, the audit: {s.get('hidden')} hidden "
            f"variables, {s.get('lp_solves')} LPs; RSS after imports "
            f"{_mib(s.get('step_rss_after_imports_bytes'))} MiB"
        )
    return lines


def _overhead_lines(overhead: Mapping | None) -> list[str]:
    if not overhead:
        return []
    lines = ["", "## Orchestration overhead (same run)", ""]
    for label, key in (
        ("bare `dbt build` median s", "dbt_build_seconds"),
        ("bare report render median s", "render_seconds"),
        ("full refresh median s", "refresh_seconds"),
    ):
        lines.append(f"- {label}: {_seconds(overhead.get(key))}")
    ratio = overhead.get("ratio")
    verdict = "–" if ratio is None else ("yes" if ratio <= OVERHEAD_TARGET else "**no**")
    shown = "–" if ratio is None else f"{ratio:.2f}×"
    target = f"target ≤ {OVERHEAD_TARGET}×: {verdict}"
    lines.append(f"- refresh ÷ (dbt build + render): {shown} ({target})")
    return lines
