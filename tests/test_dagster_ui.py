"""``dagster dev`` serves the UI on 127.0.0.1 and its asset graph runs raw → dbt → report."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.command_line.dagster_home import dagster_yaml
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.e2e

QUERY = """{ assetNodes { assetKey { path } dependencyKeys { path }
  assetChecksOrError { ... on AssetChecks { checks { name blocking } } } } }"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dagster_dev_serves_the_asset_graph(tmp_path):
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, DAGSTER_HOME=str(tmp_path), PATH=f"{bin_dir}:{os.environ['PATH']}")
    (tmp_path / "dagster.yaml").write_text(dagster_yaml(tmp_path))  # as `make dev` writes it
    process = subprocess.Popen(
        [str(bin_dir / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1",
         "-p", str(port)],
        cwd=REPO_ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        graph = None
        while time.monotonic() < deadline and graph is None:
            try:
                graph = _graphql(port)
            except OSError:
                time.sleep(1)
        assert graph is not None, "the UI did not answer on 127.0.0.1"
        nodes = {
            "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
            for n in graph["data"]["assetNodes"]
        }
        checks = {
            "/".join(n["assetKey"]["path"]): {
                c["name"]: c["blocking"] for c in n["assetChecksOrError"].get("checks", [])
            }
            for n in graph["data"]["assetNodes"]
        }
        # the raw table's own pandera check and dbt's source tests on it, all blocking
        assert checks["raw_itnrw__abgaenger"] == {
            "pandera_schema": True,
            "source_not_null_itnrw_itnrw__abgaenger_period": True,
            "source_not_null_itnrw_itnrw__abgaenger_region_key": True,
        }
        assert checks["marts/fct_indicator_values"]["value_ranges"] is True
        assert "inbox" in nodes["raw_itnrw__abgaenger"]
        assert "raw_itnrw__abgaenger" in nodes["staging/stg_itnrw__abgaenger"]
        assert "marts/fct_indicator_values" in nodes["intern/geheimhaltung"]
        assert "intern/geheimhaltung" in nodes["published/indicator_values"]
        assert "published/indicator_values" in nodes["report_site"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
