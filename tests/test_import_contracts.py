"""Import contracts (import-linter): which parts of the code may import which.

The contracts live in ``[tool.importlinter]`` of ``pyproject.toml``: the parsers import neither
Dagster nor DuckDB, ``quality`` never imports the report page helpers in ``reports/``, and the
layers ``pipelines.assets`` → ``pipelines.report`` → ``pipelines.ingest`` are only imported
downwards. ``lint-imports`` runs with ``--no-cache`` so it never writes a cache into the
repository; building the import graph takes about a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _config() -> dict:
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]


def _contract(contract_id: str) -> dict:
    return next(c for c in _config()["contracts"] if c["id"] == contract_id)


def _lint_imports(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(
            f"{LINT_IMPORTS} not found: import-linter==2.16 is a pinned dev dependency "
            "(requirements.lock); run `make env`"
        )
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        # Wide enough that rich does not wrap contract names or import chains.
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _toml(config: dict) -> str:
    """``[tool.importlinter]`` as TOML (strings, booleans and string lists only)."""
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config.get("contracts", []):
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


def test_import_contracts_are_kept():
    result = _lint_imports()
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"lint-imports found broken import contracts:\n{output}"
    assert f"{len(_config()['contracts'])} kept, 0 broken" in output, output


def test_a_broken_contract_fails_the_check(tmp_path):
    # The Dagster code location cannot help importing Dagster: this contract is always broken.
    config = _config() | {
        "contracts": [
            {
                "id": "definitions-without-dagster",
                "name": "pipelines.definitions does not import dagster",
                "type": "forbidden",
                "source_modules": ["pipelines.definitions"],
                "forbidden_modules": ["dagster"],
            }
        ]
    }
    config_file = tmp_path / "importlinter.toml"
    config_file.write_text(_toml(config), encoding="utf-8")
    result = _lint_imports("--config", str(config_file))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "0 kept, 1 broken" in output, output
    assert "pipelines.definitions is not allowed to import dagster" in output, output


def test_the_contracts_catch_indirect_and_function_level_imports(tmp_path):
    """The repository's own contracts, run on a small sandbox project that breaks them."""
    files = {
        "quality/__init__.py": "",
        # reports/ is no package: Quarto imports its helpers as top-level modules.
        "quality/checks.py": "def render():\n    import bm_daten\n",
        "pipelines/__init__.py": "",
        "pipelines/helpers.py": "import pipelines.assets\n",
        "pipelines/assets/__init__.py": "",
        "pipelines/report/__init__.py": "",
        "pipelines/ingest/__init__.py": "",
        "pipelines/ingest/parser.py": "from pipelines import helpers\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    # The parser contract names the real parser modules, which the sandbox does not have.
    config = _config() | {"contracts": [_contract("quality-not-reports"), _contract("layers")]}
    (tmp_path / "importlinter.toml").write_text(_toml(config), encoding="utf-8")
    result = _lint_imports("--config", "importlinter.toml", cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "0 kept, 2 broken" in output, output
    assert "quality.checks -> bm_daten" in output, output
    assert "pipelines.ingest.parser -> pipelines.helpers" in output, output
    assert "pipelines.helpers -> pipelines.assets" in output, output


def test_the_reports_contract_names_every_report_helper():
    helpers = {path.stem for path in (REPO_ROOT / "reports").glob("*.py")}
    forbidden = set(_contract("quality-not-reports")["forbidden_modules"])
    assert helpers, "no Python modules found in reports/"
    assert not (REPO_ROOT / "reports" / "__init__.py").exists(), (
        "reports/ became a package: make it a root package of [tool.importlinter] instead"
    )
    missing = sorted(helpers - forbidden - {"reports"})
    assert not missing, f"add {missing} to the forbidden_modules of quality-not-reports"
    stale = sorted(forbidden - helpers - {"reports"})
    assert not stale, f"remove {stale} from the forbidden_modules of quality-not-reports"
