"""``make bench``: measure the refresh loop of issue 8 in fresh processes and record the figures.

Each scenario runs ``bildungsmonitor refresh`` as a new process tree with its own warehouse,
site, Dagster home and inbox in a work folder, so runs neither share state nor touch the
repository's warehouse. Untimed setup runs bring a workspace into the scenario's starting state
once; a snapshot of it is restored before every measured repeat.

The ``disclosure`` scenario times disclosure control and its LP audit in process instead
(``benchmarks/disclosure.py``), on a copy of a refreshed sample warehouse and of a state-sized
one.

Usage: ``python -m benchmarks.run [--repeat N] [--scenarios full,noop,...] [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.machine import describe
from benchmarks.stages import read_run, split_stages, step_seconds
from benchmarks.summary import (
    disclosure_meets_target,
    markdown,
    meets_target,
    overhead_ratio,
    summarise_disclosure,
    summarise_runs,
)

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
MEASURE = Path(__file__).resolve().with_name("measure.py")
DISCLOSURE = "benchmarks.disclosure"
DISCLOSURE_SIZES = ("sample", "state")
SAMPLE = Path("data") / "sample"
HELD_BACK = Path("ba") / "arbeitslose_2025.xlsx"
SCALE = "state"
"""The ``--scale`` of ``python -m pipelines.sample.generate`` the scale scenario runs on."""
EDITED_MODEL = Path("dbt_project/models/intermediate/indicators/ind_arbeitslosenquote.sql")

SCENARIOS: dict[str, str] = {
    "full": "full refresh, empty warehouse",
    "noop": "no-op refresh, nothing changed",
    "new-ba-file": "one new monthly BA file in the inbox",
    "model-edit": "one dbt model edited (comment), manifest re-parsed",
    "scale": "state-sized data, full refresh",
    "baseline": "bare dbt build + bare report render",
    "disclosure": "disclosure control + LP audit in process (sample, state-sized)",
}
NUMBERS = {str(i): name for i, name in enumerate(SCENARIOS, start=1)}
DEFAULT_SCENARIOS = (
    "full", "noop", "new-ba-file", "model-edit", "scale", "baseline", "disclosure",
)  # fmt: skip


class SetupError(RuntimeError):
    """A setup run failed: the scenario's starting state could not be reached."""


def parse_scenarios(text: str) -> list[str]:
    """Scenario names from ``a,b`` (names or the numbers 1–7), in the canonical order."""
    chosen = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name = NUMBERS.get(item, item)
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {item!r}; choose from {', '.join(SCENARIOS)}")
        chosen.add(name)
    return [name for name in SCENARIOS if name in chosen]


@dataclass(frozen=True)
class Workspace:
    """One isolated installation: warehouse, site, Dagster home, inbox, the code it runs."""

    root: Path
    inbox: Path
    code: Path = REPO

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse" / "bildungsmonitor.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster_home"

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "BILDUNGSMONITOR_WAREHOUSE": str(self.warehouse),
            "BILDUNGSMONITOR_SITE_DIR": str(self.root / "site" / "_site"),
            "BILDUNGSMONITOR_DATA_DIR": str(self.inbox),
            "DAGSTER_HOME": str(self.dagster_home),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
        if self.code != REPO:  # run the copy's packages, whose paths point into the copy
            env["PYTHONPATH"] = str(self.code)
        return env


def copy_checkout(destination: Path) -> None:
    """Copy the working tree (tracked files as they are now, plus new files not ignored) into
    ``destination``: a module added but not yet committed must come along with its users."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def edit_model(model: Path, counter: int) -> None:
    """Change a model's checksum without changing its result: append a SQL comment."""
    with model.open("a", encoding="utf-8") as handle:
        handle.write(f"\n-- benchmark edit {counter}\n")


class Bench:
    """Runs the scenarios in a work folder and collects their samples."""

    def __init__(
        self,
        work: Path,
        repeat: int,
        log: Callable[[str], None],
        disclosure_sizes: tuple[str, ...] = DISCLOSURE_SIZES,
    ) -> None:
        self.work = work
        self.repeat = repeat
        self.log = log
        self.counter = 0
        self.scale_data: dict | None = None
        self.scale_warehouse: Path | None = None  # a refreshed state-sized warehouse
        self.scale_data_dir: Path | None = None  # the inbox it was refreshed from
        self.disclosure_sizes = disclosure_sizes

    # -- measuring ---------------------------------------------------------------------
    def measured(self, label: str, command: list[str], ws: Workspace, cwd: Path, env=None):
        """Run ``command`` in a fresh wrapper process; its wall time, memory and log tail."""
        self.counter += 1
        out = self.work / "logs" / f"{self.counter:03d}-{label}.json"
        log_file = out.with_suffix(".log")
        out.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("w", encoding="utf-8") as log:
            subprocess.run(
                [str(BIN / "python"), str(MEASURE), str(out), "--", *command],
                cwd=cwd,
                env=env or ws.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        result = json.loads(out.read_text(encoding="utf-8"))
        if result["returncode"] != 0:
            tail = log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
            result["log_tail"] = tail
        self.log(f"  {label}: rc={result['returncode']} {result['wall_seconds']:.1f} s")
        return result

    def refresh(self, ws: Workspace, label: str) -> dict:
        sample = self.measured(label, [str(BIN / "bildungsmonitor"), "refresh"], ws, ws.code)
        run = read_run(ws.dagster_home, sample["started_at"])
        if run is not None:
            sample["run_id"] = run.run_id
            sample["run_status"] = run.status
            sample["stages"] = split_stages(run, sample["started_at"], sample["ended_at"])
            sample["steps"] = step_seconds(run)
        return sample

    # -- states ------------------------------------------------------------------------
    def snapshot_of(self, ws: Workspace) -> Path:
        return ws.root.with_name(ws.root.name + ".snapshot")

    def save(self, ws: Workspace) -> None:
        snapshot = self.snapshot_of(ws)
        shutil.rmtree(snapshot, ignore_errors=True)
        shutil.copytree(ws.root, snapshot, symlinks=True)

    def restore(self, ws: Workspace) -> None:
        """Back to the saved state, at the same absolute paths the state was built at."""
        shutil.rmtree(ws.root, ignore_errors=True)
        shutil.copytree(self.snapshot_of(ws), ws.root, symlinks=True)

    def prepare(self, ws: Workspace, setup: Callable[[Workspace], None] | None = None) -> None:
        """Bring ``ws`` to its scenario's starting state: a successful refresh (untimed)."""
        if self.snapshot_of(ws).exists():
            self.restore(ws)
            return
        shutil.rmtree(ws.root, ignore_errors=True)
        ws.root.mkdir(parents=True)
        if setup:
            setup(ws)
        result = self.refresh(ws, f"setup-{ws.root.name}")
        if result["returncode"] != 0:
            raise SetupError("\n".join(result.get("log_tail", [])))
        self.save(ws)

    def sample_ws(self) -> Workspace:
        return Workspace(self.work / "sample", REPO / SAMPLE)

    # -- scenarios ---------------------------------------------------------------------
    def full(self) -> list[dict]:
        ws = self.sample_ws()
        samples = []
        for i in range(self.repeat):
            shutil.rmtree(ws.root, ignore_errors=True)
            ws.root.mkdir(parents=True)
            samples.append(self.refresh(ws, f"full-{i + 1}"))
        if samples[-1]["returncode"] == 0 and not self.snapshot_of(ws).exists():
            self.save(ws)  # the starting state of noop and baseline
        return samples

    def noop(self) -> list[dict]:
        ws = self.sample_ws()
        samples = []
        for i in range(self.repeat):
            self.prepare(ws)
            samples.append(self.refresh(ws, f"noop-{i + 1}"))
        return samples

    def new_ba_file(self) -> list[dict]:
        ws = Workspace(self.work / "new-ba-file", self.work / "new-ba-file" / "inbox")

        def without_file(ws: Workspace) -> None:
            shutil.copytree(REPO / SAMPLE, ws.inbox, ignore=shutil.ignore_patterns(HELD_BACK.name))

        samples = []
        for i in range(self.repeat):
            self.prepare(ws, without_file)
            shutil.copy2(REPO / SAMPLE / HELD_BACK, ws.inbox / HELD_BACK)
            samples.append(self.refresh(ws, f"new-ba-file-{i + 1}"))
        return samples

    def model_edit(self) -> list[dict]:
        checkout = self.work / "model-edit" / "checkout"
        ws = Workspace(self.work / "model-edit", checkout / SAMPLE, code=checkout)

        def with_checkout(ws: Workspace) -> None:
            copy_checkout(checkout)
            parsed = self.dbt_parse(ws, "setup-dbt-parse")
            if parsed["returncode"] != 0:
                raise SetupError("\n".join(parsed.get("log_tail", [])))

        samples = []
        for i in range(self.repeat):
            self.prepare(ws, with_checkout)
            edit_model(checkout / EDITED_MODEL, i + 1)
            # the refresh notices the edit and re-parses the project itself (its start-up)
            samples.append(self.refresh(ws, f"model-edit-{i + 1}"))
        return samples

    def dbt_parse(self, ws: Workspace, label: str) -> dict:
        """``make dbt-parse`` in the workspace's checkout: the manifest the job loads, parsed
        with the profile the pipeline's dbt runs use (as the refresh itself would)."""
        command = [str(BIN / "python"), "-m", "pipelines.transform.dbt_manifest"]
        return self.measured(label, command, ws, ws.code)

    def scale_inbox(self) -> Path:
        """The state-sized data, generated once per harness run (its own time and size are
        kept in ``self.scale_data``, not in any refresh's figures)."""
        data = self.work / "scale-data"
        if self.scale_data is None:
            shutil.rmtree(data, ignore_errors=True)
            command = [str(BIN / "python"), "-m", "pipelines.sample.generate"]
            command += ["--scale", SCALE, "--out", str(data)]
            ws = Workspace(self.work / "scale", data)
            generated = self.measured("scale-generate", command, ws, REPO)
            if generated["returncode"] != 0:
                raise SetupError("\n".join(generated.get("log_tail", [])))
            self.scale_data = generation_summary(generated, data)
        return data

    def scale(self) -> list[dict]:
        """Full refreshes from an empty warehouse on state-sized data."""
        ws = Workspace(self.work / "scale", self.scale_inbox())
        samples = []
        for i in range(self.repeat):
            shutil.rmtree(ws.root, ignore_errors=True)
            ws.root.mkdir(parents=True)
            samples.append(self.refresh(ws, f"scale-{i + 1}"))
        if samples[-1]["returncode"] == 0:
            self.scale_warehouse = ws.warehouse  # the disclosure scenario's state-sized input
            self.scale_data_dir = ws.inbox
        return samples

    def disclosure(self) -> dict:
        """Protect + audit timed in process on copies of refreshed warehouses (the sample's
        from scenario 1's state; the state-sized one from the scale scenario when it ran,
        else from an untimed setup refresh), and the whole published step once for its
        peak memory."""
        sizes = {}
        for size in self.disclosure_sizes:
            if size == "sample":
                ws = self.sample_ws()
                self.prepare(ws)
                warehouse, repeat = ws.warehouse, self.repeat
            elif self.scale_warehouse is not None and self.scale_warehouse.exists():
                # the scale scenario's, or one given with --scale-warehouse (the geometry for
                # the step is the same schematic file in every inbox)
                ws = Workspace(self.work / "scale-disclosure", self.scale_data_dir or REPO / SAMPLE)
                warehouse, repeat = self.scale_warehouse, 1  # a state-sized round takes minutes
            else:
                ws = Workspace(self.work / "scale-disclosure", self.scale_inbox())
                self.prepare(ws)
                warehouse, repeat = ws.warehouse, 1
            sizes[size] = self.disclosure_size(size, ws, warehouse, repeat)
        return sizes

    def disclosure_size(self, size: str, ws: Workspace, warehouse: Path, repeat: int) -> dict:
        folder = self.work / "disclosure" / size
        folder.mkdir(parents=True, exist_ok=True)
        runs = {}
        for mode, extra in (
            ("timing", ["--repeat", str(repeat)] + (["--no-core"] if size == "state" else [])),
            ("step", ["--step", "--data-dir", str(ws.inbox)]),
        ):
            copy = folder / f"{mode}.duckdb"
            shutil.copy2(warehouse, copy)
            out = folder / f"{mode}.json"
            command = [str(BIN / "python"), "-m", DISCLOSURE, str(copy), str(out), *extra]
            measured = self.measured(f"disclosure-{size}-{mode}", command, ws, REPO)
            copy.unlink(missing_ok=True)
            if measured["returncode"] != 0 or not out.exists():
                return {"status": "failed", "reason": "\n".join(measured.get("log_tail", []))}
            runs[mode] = json.loads(out.read_text(encoding="utf-8")) | {"process": measured}
        summary = summarise_disclosure(runs["timing"], runs["step"])
        return {
            "status": "measured",
            "summary": summary,
            "meets_target": disclosure_meets_target(size, summary),
            "runs": runs,
        }

    def baseline(self) -> list[dict]:
        ws = self.sample_ws()
        self.prepare(ws)
        bare = self.work / "baseline"
        samples = []
        for i in range(self.repeat):
            shutil.rmtree(bare, ignore_errors=True)
            bare.mkdir(parents=True)
            warehouse = bare / "bildungsmonitor.duckdb"
            shutil.copy2(self.snapshot_of(ws) / "warehouse" / warehouse.name, warehouse)
            target = bare / "target"
            target.mkdir()
            partial = REPO / "dbt_project" / "target" / "partial_parse.msgpack"
            if partial.exists():  # dagster-dbt starts from it too
                shutil.copy2(partial, target / partial.name)
            env = {**ws.env(), "BILDUNGSMONITOR_WAREHOUSE": str(warehouse)}
            site_args = ["--output-dir", str(bare / "site")]
            target_args = ["--target-path", str(target), "--log-path", str(bare / "logs")]
            dbt = self.measured(
                f"baseline-dbt-build-{i + 1}",
                [str(BIN / "dbt"), "build", "--profiles-dir", ".", *target_args],
                ws,
                REPO / "dbt_project",
                env,
            )
            render = self.measured(
                f"baseline-render-{i + 1}",
                [str(BIN / "python"), "-m", "pipelines.report", "reports", *site_args],
                ws,
                REPO,
                env,
            )
            samples.append(
                {
                    "dbt_build": dbt,
                    "render": render,
                    **combine_sequential(dbt, render),
                }
            )
        return samples


def combine_sequential(first: dict, second: dict) -> dict:
    """Two processes run one after the other, as one sample: times add, memory is the max."""
    combined = dict(second)
    combined["returncode"] = first["returncode"] or second["returncode"]
    combined["wall_seconds"] = first["wall_seconds"] + second["wall_seconds"]
    combined["started_at"] = first["started_at"]
    for key in ("peak_rss_tree_bytes", "max_rss_process_bytes"):
        values = [v for v in (first.get(key), second.get(key)) if v is not None]
        combined[key] = max(values) if values else None
    if "stages" in second:
        combined["stages"] = {**second["stages"], "dbt_parse": first["wall_seconds"]}
    return combined


def generation_summary(generated: dict, data: Path) -> dict:
    """What generating the scale data took and produced (not part of the refresh figures)."""
    files = [p for p in data.rglob("*") if p.is_file()]
    return {
        "scale": SCALE,
        "seconds": generated["wall_seconds"],
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "peak_rss_tree_bytes": generated.get("peak_rss_tree_bytes"),
    }


def run_scenario(bench: Bench, name: str) -> dict:
    entry: dict = {"title": SCENARIOS[name]}
    if name == "disclosure":
        try:
            sizes = bench.disclosure()
        except SetupError as error:
            return entry | {"status": "failed", "reason": f"setup run failed:\n{error}"}
        failed = [s for s, r in sizes.items() if r["status"] != "measured"]
        return entry | {
            "status": "failed" if failed else "measured",
            "reason": "; ".join(f"{s}: {sizes[s]['reason']}" for s in failed),
            "sizes": sizes,
            "data": bench.scale_data if "state" in sizes else None,
        }
    method = {
        "full": bench.full,
        "noop": bench.noop,
        "new-ba-file": bench.new_ba_file,
        "model-edit": bench.model_edit,
        "scale": bench.scale,
        "baseline": bench.baseline,
    }[name]
    try:
        samples = method()
    except SetupError as error:
        return entry | {"status": "failed", "reason": f"setup run failed:\n{error}"}
    summary = summarise_runs(samples)
    if name == "scale":
        entry["data"] = bench.scale_data
    if name == "baseline":
        summary["dbt_build_seconds"] = summarise_runs([s["dbt_build"] for s in samples])
        summary["render_seconds"] = summarise_runs([s["render"] for s in samples])
    return entry | {
        "status": "measured",
        "summary": summary,
        "meets_target": meets_target(name, summary),
        "samples": samples,
    }


def overhead(scenarios: dict) -> dict | None:
    """Full refresh over the bare dbt build + render of the same run."""
    base = scenarios.get("baseline", {}).get("summary")
    full = scenarios.get("full", {}).get("summary")
    if not base:
        return None

    def median(summary: dict | None) -> float | None:
        wall = (summary or {}).get("wall_seconds")
        return wall["median"] if wall else None

    dbt, render, refresh = (
        median(base["dbt_build_seconds"]),
        median(base["render_seconds"]),
        median(full),
    )
    return {
        "dbt_build_seconds": dbt,
        "render_seconds": render,
        "refresh_seconds": refresh,
        "ratio": overhead_ratio(refresh, [dbt, render]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="measured runs per scenario")
    parser.add_argument(
        "--scenarios",
        default=",".join(DEFAULT_SCENARIOS),
        help=f"comma-separated names or numbers 1-7: {', '.join(SCENARIOS)}",
    )
    parser.add_argument(
        "--scale-warehouse",
        type=Path,
        help="disclosure: a state-sized warehouse refreshed before (copied, not changed), "
        "instead of generating the data and an untimed setup refresh",
    )
    parser.add_argument(
        "--disclosure-sizes",
        default=",".join(DISCLOSURE_SIZES),
        help="data the disclosure scenario runs on: sample, state or both",
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--work-dir", type=Path, help="default: <out>/tmp (removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and logs")
    parser.add_argument("--note", default="", help="recorded with the results, e.g. machine load")
    args = parser.parse_args(argv)
    try:
        names = parse_scenarios(args.scenarios)
    except ValueError as error:
        parser.error(str(error))
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = tuple(s for s in args.disclosure_sizes.split(",") if s)
    if not sizes or set(sizes) - set(DISCLOSURE_SIZES):
        parser.error(f"--disclosure-sizes: choose from {', '.join(DISCLOSURE_SIZES)}")
    out = args.out.resolve()
    work = (args.work_dir or out / "tmp").resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = dt.datetime.now().astimezone()
    results: dict = {
        "date": started.date().isoformat(),
        "started_at": started.isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "note": args.note,
        "machine": describe(REPO),
        "scenarios": {},
    }
    bench = Bench(work, args.repeat, log, sizes)
    bench.scale_warehouse = args.scale_warehouse
    clock = time.perf_counter()
    for name in names:
        log(f"{name}: {SCENARIOS[name]}")
        results["scenarios"][name] = run_scenario(bench, name)
    results["overhead"] = overhead(results["scenarios"])
    results["harness_seconds"] = time.perf_counter() - clock
    out.mkdir(parents=True, exist_ok=True)
    json_file = out / f"{results['date']}.json"
    json_file.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", "utf-8")
    md_file = json_file.with_suffix(".md")
    md_file.write_text(markdown(results), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    log(f"wrote {json_file} and {md_file}")
    failed = [n for n, s in results["scenarios"].items() if s.get("status") == "failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
