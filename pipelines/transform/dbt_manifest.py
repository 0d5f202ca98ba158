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
the profile, so the project is parsed in full once more (≈ 4 s, before the run starts).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines import paths
from pipelines.automation.fingerprints import digest, files_fingerprint

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


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so the venv need not be on PATH: the
    ``bildungsmonitor-dbt`` command (``pipelines.transform.dbt_command``: ``--version`` answered
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
) -> bool:
    """Parse the dbt project if it changed since the last parse; return whether it parsed."""
    staging_warehouse = staging_warehouse or paths.staging_warehouse_path()
    now = current_stamp(project_dir, staging_warehouse)
    before = read_stamp(project_dir)
    manifest = project_dir / "target" / "manifest.json"
    if not force and manifest.exists() and before == now:
        return False
    partial = before is not None and before.names == now.names and before.warehouse == now.warehouse
    command = _parse_command(project_dir, staging_warehouse, partial=partial and not force)
    done = subprocess.run(
        command,
        cwd=project_dir,
        env=_parse_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise RuntimeError(f"dbt parse failed in {project_dir}:\n{tail}")
    _stamp_file(project_dir).write_text(json.dumps(asdict(now)), encoding="utf-8")
    return True


WAREHOUSE_VAR = "bildungsmonitor_warehouse"
"""The dbt var ``profiles.yml`` takes the warehouse path from (before the environment)."""


def warehouse_vars(warehouse: Path) -> list[str]:
    """dbt arguments that point the profile at ``warehouse``: passed on the command line, so
    no process environment is changed for it. Parse and build pass the same value (dbt keeps
    its partial-parse state only for the vars it was parsed with)."""
    return ["--vars", json.dumps({WAREHOUSE_VAR: str(warehouse)})]


def _parse_command(project_dir: Path, staging_warehouse: Path, *, partial: bool) -> list[str]:
    command = [dbt_executable(), "parse", "--profiles-dir", str(project_dir), "--quiet"]
    command += warehouse_vars(staging_warehouse)
    return [*command, "--partial-parse" if partial else "--no-partial-parse"]


def _parse_env() -> dict[str, str]:
    return {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


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
