"""SQL style: sqlfluff with the dbt templater lints every model and singular test.

The rules live in ``dbt_project/.sqlfluff``. The templater compiles the whole dbt project
(about half a minute), so the test counts as slow. It runs on a copy of the project, so the
repository's ``target/`` (the manifest Dagster loads) is never rewritten.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"


@pytest.mark.e2e
def test_models_and_tests_pass_sqlfluff(tmp_path):
    missing = [m for m in ("sqlfluff", "sqlfluff_templater_dbt") if not importlib.util.find_spec(m)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not installed: sqlfluff==4.4.0 and "
            "sqlfluff-templater-dbt==4.4.0 are pinned dev dependencies (requirements.lock); "
            "run `make env`"
        )
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    env = {
        **os.environ,
        "BILDUNGSMONITOR_WAREHOUSE": str(tmp_path / "lint.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [sys.executable, "-m", "sqlfluff", "lint", "models", "tests"]
    command += ["--processes", "2", "--disable-progress-bar", "--nocolor"]
    result = subprocess.run(
        command,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "All Finished" in result.stdout
