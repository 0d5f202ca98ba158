"""The Dagster instance folder (DAGSTER_HOME): git-ignored, inside the repository, telemetry off."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import paths

WRITTEN_BY_US = "# Written by bildungsmonitor"


def dagster_yaml(home: Path) -> str:
    """The instance config: telemetry off; run monitoring on (the daemon marks a run whose
    process died as failed; the CLI's own runs are checked at the next refresh by
    ``pipelines.publishing.cleanup``); Dagster's own SQLite storage in its usual place
    (``history/``)."""
    return (
        f"{WRITTEN_BY_US}: run history lives here; nothing is sent anywhere.\n"
        "telemetry:\n"
        "  enabled: false\n"
        "# runs the daemon launched and whose process died are marked failed, not left STARTED\n"
        "run_monitoring:\n"
        "  enabled: true\n"
        "  max_resume_run_attempts: 0\n"
    )


def ensure_dagster_home() -> Path:
    """Set DAGSTER_HOME (default ``.dagster_home`` in the repository) and write its config.

    A ``dagster.yaml`` this function wrote earlier is brought up to date; one without its
    header line is the user's own and is left alone.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or paths.REPO_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text(encoding="utf-8") if config.exists() else None
    wanted = dagster_yaml(home)
    if current is None or (current.startswith(WRITTEN_BY_US) and current != wanted):
        config.write_text(wanted, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")
    return home
