"""What each part of the warehouse was built from, so a refresh can skip what did not change.

Every asset that builds something records a fingerprint of its inputs in the run's staging
warehouse (schema ``pipeline_state``); the release swaps those records in together with the
data they describe. The planner (``pipelines.automation.plan``) compares them with the fingerprints
of the current inputs: a raw table whose deliveries are unchanged, a dbt model whose SQL, config and
macros are unchanged, a report whose sources are unchanged are not rebuilt. A failed run
releases nothing, so its records never claim work that did not land.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import yaml

from pipelines import paths
from quality.sdc.thresholds import Thresholds

SCHEMA = "pipeline_state"
RAW_BUILDS = f"{SCHEMA}.raw_builds"
DBT_NODES = f"{SCHEMA}.dbt_nodes"
SETTINGS = f"{SCHEMA}.settings"
PUBLISHED_INDICATORS = f"{SCHEMA}.published_indicators"

CODE_SETTING = "code"
"""Settings key: the pipeline code and locked packages of the last full run."""
PUBLISHED_SETTING = "published"
"""Settings key: the disclosure thresholds and geometry the published layer was built with."""
REPORT_SETTING = "report"
"""Settings key: the report sources and renderer the released site was rendered with."""

CODE_DIRS = ("pipelines", "quality")
CODE_EXCLUDED = ("pipelines/report", "pipelines/sample")
"""Renderer code is part of the report fingerprint; the sample generator feeds no run."""

VOLATILE_NODE_FIELDS = frozenset(
    {
        "created_at",
        "root_path",
        "build_path",
        "compiled_path",
        "deferred",
        "docs",
        "description",
        "database",
        "relation_name",
        "compiled",
        "compiled_code",
        "extra_ctes",
        "extra_ctes_injected",
    }
)
"""Manifest fields that change with every parse or with the warehouse file's name (dbt-duckdb
names the database after it), that only a build's manifest has (compiled SQL: derived from the
rest), or that do not change what a node builds."""


def digest(parts: Iterable[str | bytes]) -> str:
    """sha256 over ``parts`` (each part length-prefixed, so part boundaries count)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        hasher.update(f"{len(data)}:".encode())
        hasher.update(data)
    return hasher.hexdigest()


def files_fingerprint(root: Path, files: Iterable[Path]) -> str:
    """Names (relative to ``root``) and contents of ``files``, in a stable order."""
    ordered = sorted(files, key=lambda f: f.relative_to(root).as_posix())
    return digest(
        part for f in ordered for part in (f.relative_to(root).as_posix(), f.read_bytes())
    )


def code_fingerprint(repo: Path = paths.REPO_ROOT) -> str:
    """The pipeline's Python code and the locked package versions: a change rebuilds all."""
    files = [
        f
        for folder in CODE_DIRS
        for f in (repo / folder).rglob("*.py")
        if not any(f.relative_to(repo).as_posix().startswith(x) for x in CODE_EXCLUDED)
    ]
    lock = repo / "requirements.lock"
    return files_fingerprint(repo, [*files, *([lock] if lock.exists() else [])])


def report_fingerprint(repo: Path = paths.REPO_ROOT) -> str:
    """The report project's sources (not what a render writes into it: were those
    fingerprinted, a render in the checkout would make the next refresh render again) and the
    renderer; the data a page reads is the page cache's job."""
    reports = repo / "reports"
    files = [
        f
        for f in reports.rglob("*")
        if f.is_file() and not paths.is_report_output(f.relative_to(reports).parts)
    ]
    renderer = list((repo / "pipelines" / "report").rglob("*"))
    renderer = [f for f in renderer if f.is_file() and "__pycache__" not in f.parts]
    return files_fingerprint(repo, [*files, *renderer])


def published_fingerprint(
    data_dir: Path, thresholds: Thresholds, editions: Path | None = None
) -> str:
    """What the published layer depends on besides the marts: the disclosure thresholds, the
    geometry and the editions published so far (their cells count as published)."""
    geometry = sorted((data_dir / "geo").glob("*.geojson"))
    settings = [
        f"count={thresholds.count}",
        f"denominator={thresholds.denominator}",
        f"interval={thresholds.width}",
    ]
    published = sorted(editions.glob("*/indikatoren/*.csv")) if editions else []
    return digest(
        [
            *settings,
            *(part for g in geometry for part in (g.name, g.read_bytes())),
            *(f.relative_to(editions).as_posix() for f in published if editions),
        ]
    )


def raw_fingerprint(assigned: Mapping[str, Iterable[str]]) -> str:
    """A raw table's inputs: which archived delivery supplies which periods."""
    return digest(f"{sha}:{','.join(sorted(periods))}" for sha, periods in sorted(assigned.items()))


VAR_CALL = re.compile(r"""\bvar\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]""")
"""``var('name')`` in a node's SQL or YAML, or in a macro it calls."""


def project_vars(project_dir: Path = paths.DBT_PROJECT_DIR) -> dict[str, Any]:
    """The ``vars:`` of ``dbt_project.yml``: their values are not in the manifest."""
    project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project.get("vars") or {})


def dbt_node_fingerprints(
    manifest: Mapping[str, Any], variables: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Fingerprint per dbt node (models, seeds, snapshots, tests, unit tests).

    A node's fingerprint covers its own definition (file checksum, config, refs, compiled-
    relevant fields), every macro it calls, transitively, and the value of every project var
    it or those macros read (``variables``, default: the project's ``vars:``; the manifest
    holds the SQL that calls ``var()``, not the value): what dbt's ``state:modified``
    compares, computed without a dbt invocation.
    """
    variables = project_vars() if variables is None else variables
    macros = manifest.get("macros", {})
    memo: dict[str, tuple[str, frozenset[str]]] = {}

    def macro_fp(unique_id: str, seen: frozenset[str] = frozenset()) -> tuple[str, frozenset[str]]:
        """The macro's digest and the vars it reads, both with the macros it calls."""
        if unique_id in memo:
            return memo[unique_id]
        macro = macros.get(unique_id)
        if macro is None or unique_id in seen:
            return unique_id, frozenset()
        sql = macro.get("macro_sql", "")
        called = [
            macro_fp(m, seen | {unique_id}) for m in macro.get("depends_on", {}).get("macros", [])
        ]
        used = frozenset(VAR_CALL.findall(sql)).union(*(names for _, names in called))
        memo[unique_id] = (digest([sql, *(fp for fp, _ in called)]), used)
        return memo[unique_id]

    project = manifest.get("metadata", {}).get("project_name")
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    fingerprints = {}
    for unique_id, node in nodes.items():
        stable = {k: v for k, v in node.items() if k not in VOLATILE_NODE_FIELDS}
        depends_on = node.get("depends_on", {})
        stable["depends_on"] = sorted(depends_on.get("nodes", []))
        definition = json.dumps(stable, sort_keys=True, default=str)
        # The project's own macros; dbt's built-ins change with the dbt version only (in the
        # code fingerprint), and a build adds the materialisation macros it used.
        called = [
            macro_fp(m) for m in sorted(depends_on.get("macros", [])) if m.split(".")[1] == project
        ]
        used = set(VAR_CALL.findall(definition.replace('\\"', '"'))).union(
            *(names for _, names in called)
        )
        values = json.dumps({name: variables.get(name) for name in sorted(used)}, default=str)
        fingerprints[unique_id] = digest([definition, *(fp for fp, _ in called), values])
    return fingerprints


# ------------------------------------------------------------------------ reading and writing
def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"create table if not exists {RAW_BUILDS} (table_name varchar primary key, "
        "fingerprint varchar)"
    )
    con.execute(
        f"create table if not exists {DBT_NODES} (unique_id varchar primary key, "
        "fingerprint varchar)"
    )
    con.execute(f"create table if not exists {SETTINGS} (key varchar primary key, value varchar)")
    con.execute(
        f"create table if not exists {PUBLISHED_INDICATORS} (indicator_id varchar primary key, "
        "fingerprint varchar, run_id varchar)"
    )


def record_raw_build(con: duckdb.DuckDBPyConnection, table_name: str, fingerprint: str) -> None:
    ensure_schema(con)
    con.execute(f"insert or replace into {RAW_BUILDS} values (?, ?)", [table_name, fingerprint])


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], verb: str = "insert"
) -> None:
    """All ``rows`` in one statement (``verb``: insert, insert or replace, insert or ignore):
    DuckDB's ``executemany`` runs one statement per row, ≈ 2 ms each, so ≈ 1 s for the 400
    nodes of a full dbt build."""
    if not rows:
        return
    columns = [list(column) for column in zip(*rows, strict=True)]
    unnested = ", ".join(f"unnest(${i + 1})" for i in range(len(columns)))
    con.execute(f"{verb} into {table} select {unnested}", columns)


def record_dbt_nodes(con: duckdb.DuckDBPyConnection, fingerprints: Mapping[str, str]) -> None:
    ensure_schema(con)
    insert_rows(con, DBT_NODES, list(fingerprints.items()), "insert or replace")


def record_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    ensure_schema(con)
    con.execute(f"insert or replace into {SETTINGS} values (?, ?)", [key, value])


def record_published_indicators(
    con: duckdb.DuckDBPyConnection, indicators: Mapping[str, tuple[str, str]]
) -> None:
    """The indicators in ``published.indicator_values``: the fingerprint of the inputs their
    rows were protected from, and the run that did it; others are forgotten."""
    ensure_schema(con)
    con.execute(f"delete from {PUBLISHED_INDICATORS}")
    rows = [(i, fp, run_id) for i, (fp, run_id) in indicators.items()]
    insert_rows(con, PUBLISHED_INDICATORS, rows)


def published_indicators(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """indicator → (input fingerprint, id of the run that protected it)."""
    return {
        indicator: (fingerprint, run_id)
        for indicator, fingerprint, run_id in _rows(con, PUBLISHED_INDICATORS)
    }


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    schema, name = table.split(".")
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()[0]
    return con.execute(f"select * from {table}").fetchall() if exists else []


def _table(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return dict(_rows(con, table))


def raw_builds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return _table(con, RAW_BUILDS)


def dbt_nodes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return _table(con, DBT_NODES)


def settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return _table(con, SETTINGS)
