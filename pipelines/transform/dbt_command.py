"""The ``dbt`` command the pipeline runs: dbt itself, except that ``--version`` stays local.

dagster-dbt learns the dbt version by running ``<dbt_executable> --version`` (public field of
``DbtCliResource``), and dbt's ``--version`` asks PyPI for the latest release. A run must send
nothing anywhere, so this command answers ``--version`` from the installed packages and hands
every other command to dbt unchanged. Installed as the ``bildungsmonitor-dbt`` console script.
"""

from __future__ import annotations

import importlib.metadata
import sys


def version_text() -> str:
    """What ``dbt --version`` prints, without the "latest" line that needs the network."""
    core = importlib.metadata.version("dbt-core")
    duckdb = importlib.metadata.version("dbt-duckdb")
    return f"Core:\n  - installed: {core}\n\nPlugins:\n  - duckdb: {duckdb}\n"


def main() -> None:
    """Console script entry point."""
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(version_text())
        return
    from dbt.cli.main import cli

    sys.exit(cli())


if __name__ == "__main__":
    main()
