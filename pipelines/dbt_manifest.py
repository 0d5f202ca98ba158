"""Keep dbt's manifest and partial-parse state current, parsing only when the project changed.

Dagster loads the dbt project from ``target/manifest.json``; it is never parsed at import.
Parsing happens here, before a refresh and in ``make dbt-parse``, and only when a file of the
dbt project differs from the last parse (a stamp in ``target/`` records their fingerprint).
The parse runs with the profile the pipeline's dbt runs use (the warehouse's staging file),
so ``partial_parse.msgpack`` stays valid for them and ``dbt build`` re-reads only what
changed. When files were added or removed, the parse is a full one: dbt's partial parsing
would not notice that a new indicator's registration macro changes ``fct_indicator_values``.

When only the warehouse path changed (a new installation, or a run against another
warehouse), the manifest is still right but dbt's partial-parse state is not: dbt keys it on
the profile. Then the refresh planner starts that parse in the background
(``prepare_manifest(background=True)``) and the run goes on; the dbt step waits for it
(``finish_background_parse``) and only then starts ``dbt build``. The parse (≈ 4 s) then
overlaps Dagster's start and the landing of the inbox instead of delaying them.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines import paths
from pipelines.state import digest, files_fingerprint

PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")
STAMP_NAME = ".parse-stamp.json"
PARTIAL_PARSE = "partial_parse.msgpack"


@dataclass(frozen=True)
class ParseStamp:
    """What the last parse read: the set of file names and their contents, and the profile."""

    names: str
    contents: str
    warehouse: str


@dataclass
class _BackgroundParse:
    """A ``dbt parse`` running beside the run, into a target folder of its own."""

    process: subprocess.Popen[str]
    target: Path
    project_dir: Path
    stamp: ParseStamp


_background: _BackgroundParse | None = None


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so the venv need not be on PATH: the
    ``bildungsmonitor-dbt`` command (``pipelines.dbt_command``: ``--version`` answered
    offline), else plain ``dbt``."""
    for name in ("bildungsmonitor-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


def project_files(project_dir: Path) -> list[Path]:
    files = [project_dir / name for name in PROJECT_FILES if (project_dir / name).is_file()]
    for folder in PROJECT_FOLDERS:
        if (project_dir / folder).is_dir():
            files += [f for f in (project_dir / folder).rglob("*") if f.is_file()]
    return files


def current_stamp(project_dir: Path, staging_warehouse: Path) -> ParseStamp:
    files = project_files(project_dir)
    names = digest(sorted(f.relative_to(project_dir).as_posix() for f in files))
    return ParseStamp(names, files_fingerprint(project_dir, files), str(staging_warehouse))


def _stamp_file(project_dir: Path) -> Path:
    return project_dir / "target" / STAMP_NAME


def read_stamp(project_dir: Path) -> ParseStamp | None:
    try:
        return ParseStamp(**json.loads(_stamp_file(project_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def parse_needed(project_dir: Path, staging_warehouse: Path) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.exists() or read_stamp(project_dir) != current_stamp(
        project_dir, staging_warehouse
    )


def prepare_manifest(
    project_dir: Path = paths.DBT_PROJECT_DIR,
    staging_warehouse: Path | None = None,
    *,
    force: bool = False,
    background: bool = False,
) -> bool:
    """Parse the dbt project if it changed since the last parse; return whether it parsed
    (or, with ``background``, started a parse that only the dbt step needs: see above)."""
    staging_warehouse = staging_warehouse or paths.staging_warehouse_path()
    now = current_stamp(project_dir, staging_warehouse)
    before = read_stamp(project_dir)
    manifest = project_dir / "target" / "manifest.json"
    if not force and manifest.exists() and before == now:
        return False
    same_files = before is not None and (before.names, before.contents) == (now.names, now.contents)
    if background and not force and manifest.exists() and same_files:
        _start_background_parse(project_dir, staging_warehouse, now)
        return True
    partial = before is not None and before.names == now.names and before.warehouse == now.warehouse
    command = _parse_command(project_dir, partial=partial and not force)
    done = subprocess.run(
        command,
        cwd=project_dir,
        env=_parse_env(staging_warehouse),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise RuntimeError(f"dbt parse failed in {project_dir}:\n{tail}")
    _stamp_file(project_dir).write_text(json.dumps(asdict(now)), encoding="utf-8")
    return True


def _parse_command(project_dir: Path, *, partial: bool, target: Path | None = None) -> list[str]:
    command = [dbt_executable(), "parse", "--profiles-dir", str(project_dir), "--quiet"]
    command.append("--partial-parse" if partial else "--no-partial-parse")
    return command + (["--target-path", str(target)] if target else [])


def _parse_env(staging_warehouse: Path) -> dict[str, str]:
    return {
        **os.environ,
        paths.ENV_WAREHOUSE: str(staging_warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def _start_background_parse(project_dir: Path, staging_warehouse: Path, stamp: ParseStamp) -> None:
    global _background
    abandon_background_parse()
    target = Path(
        tempfile.mkdtemp(prefix=paths.scratch_prefix("dbt-parse"), dir=paths.scratch_dir())
    )
    process = subprocess.Popen(
        _parse_command(project_dir, partial=False, target=target),
        cwd=project_dir,
        env=_parse_env(staging_warehouse),
        stdout=subprocess.DEVNULL,  # a failure is dbt build's to report: it parses again
        stderr=subprocess.DEVNULL,
        text=True,
    )
    _background = _BackgroundParse(process, target, project_dir, stamp)


def finish_background_parse() -> bool:
    """Wait for a background parse and make its state the one ``dbt build`` starts from.

    Returns whether there was one and it succeeded. When it failed, nothing changes: ``dbt
    build`` then finds state for another profile, parses in full itself and reports any error.
    """
    global _background
    running, _background = _background, None
    if running is None:
        return False
    try:
        if running.process.wait() != 0:
            return False
        keep_partial_parse(running.target, running.project_dir)
        if current_stamp(running.project_dir, Path(running.stamp.warehouse)) == running.stamp:
            _stamp_file(running.project_dir).write_text(
                json.dumps(asdict(running.stamp)), encoding="utf-8"
            )
        return True
    finally:
        shutil.rmtree(running.target, ignore_errors=True)


def abandon_background_parse() -> None:
    """Stop a background parse nobody will wait for (and remove its folder)."""
    global _background
    running, _background = _background, None
    if running is None:
        return
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()
    shutil.rmtree(running.target, ignore_errors=True)


atexit.register(abandon_background_parse)  # a run that never reached its dbt step


def keep_partial_parse(invocation_target: Path, project_dir: Path = paths.DBT_PROJECT_DIR) -> None:
    """Carry a run's updated partial-parse state back to ``target/`` for the next run."""
    source = invocation_target / PARTIAL_PARSE
    if not source.is_file():
        return
    destination = project_dir / "target" / PARTIAL_PARSE
    partial = destination.with_suffix(".copying")
    shutil.copyfile(source, partial)
    os.replace(partial, destination)


def main() -> None:
    """``make dbt-parse``: parse when the project changed (``--force``: always, in full)."""
    force = "--force" in sys.argv[1:]
    parsed = prepare_manifest(force=force)
    print("dbt-Manifest neu erstellt." if parsed else "dbt-Manifest ist aktuell.")


if __name__ == "__main__":
    main()
