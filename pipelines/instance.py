"""The Dagster instance folder (DAGSTER_HOME): git-ignored, inside the repository, telemetry off."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import paths

DAGSTER_YAML = """\
# Written by bildungsmonitor: run history lives here; nothing is sent anywhere.
telemetry:
  enabled: false
"""


def ensure_dagster_home() -> Path:
    """Set DAGSTER_HOME (default ``.dagster_home`` in the repository) and write its config."""
    home = Path(os.environ.get("DAGSTER_HOME") or paths.REPO_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")
    return home
