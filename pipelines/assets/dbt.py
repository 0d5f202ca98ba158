"""dbt models, seeds and tests as Dagster assets (dagster-dbt).

The manifest is prepared before a run (``pipelines.transform.dbt_manifest``: parsed only when the
project changed), never parsed on import. dbt runs against this run's staging copy of the
warehouse: every dbt command gets its path as the dbt var ``bildungsmonitor_warehouse``, which
``profiles.yml`` reads. A run that selects part of the graph builds just those models
(dagster-dbt passes the selection to ``dbt build``), and records what each built node was
built from.

Every dbt test is a Dagster asset check, and a run executes exactly the selected ones: source
tests are checks on the raw table they read, a singular test with several parents is a check
on one of them (``attach_singular_tests``), and a partial run names its tests instead of
leaving them to dbt's indirect selection, which would also run tests of unselected models.
A test that ran without being a selected check would only be logged as an observation, with
a warning, and could not block anything.
"""

import json
import os
import shutil
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from pipelines import paths
from pipelines.automation.fingerprints import dbt_node_fingerprints, digest, record_dbt_nodes
from pipelines.resources import WarehouseResource
from pipelines.transform.dbt_manifest import keep_partial_parse, warehouse_vars

dbt_project = DbtProject(project_dir=paths.DBT_PROJECT_DIR, profiles_dir=paths.DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
DOCS_TARGET = paths.DBT_PROJECT_DIR / "target" / "docs"
DOCS_FILES = ("index.html", "manifest.json", "catalog.json")
DOCS_ARGS = ["docs", "generate", "--no-compile", "--partial-parse"]
PLAIN_LOG = ["--no-use-colors"]
"""dbt's log goes to the run's log file (and the console only with ``--verbose``): no ANSI."""
EXACT_TESTS = ["--indirect-selection", "empty"]
"""A partial run names its tests; dbt adds none of its own (see the module docstring)."""
UNIQUE_ID = "dagster_dbt/unique_id"
"""Where dagster-dbt records a spec's dbt node."""
TRANSLATOR = DagsterDbtTranslator(DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))
"""Source tests are checks on the raw asset the source maps to (``meta.dagster.asset_key``)."""


def dbt_build_args(selection: list[str] | None = None) -> list[str]:
    """The dbt CLI arguments of one build (kept pure so it can be unit-tested).

    ``--partial-parse`` overrides the project's default (off, for analysts adding indicator
    files): the pipeline's parse stamp decides when a full parse is needed.
    """
    args = ["build", "--partial-parse"]
    if selection:
        args += ["--select", *selection]
    return args


def attach_singular_tests(manifest: Mapping) -> dict:
    """The manifest with each singular test of several parents attached to one of them.

    dagster-dbt makes such a test an asset check only when its config names the model it
    checks (``meta: {dagster: {ref: {name: ...}}}``); a test that names one keeps it. The
    others get the parent every other parent is upstream of — the node whose children
    ``dbt build`` skips when the test fails (``fct_indicator_values`` for a test that
    compares it with the catalogue); with independent parents, the most upstream one, the
    reference the others are compared with (``indicator_catalogue`` for the test that every
    indicator model matches it). Only the changed test nodes are copied.
    """
    parent_map: Mapping[str, list[str]] = manifest.get("parent_map", {})
    ancestors: dict[str, set[str]] = {}

    def upstream(unique_id: str) -> set[str]:
        if unique_id not in ancestors:
            found: set[str] = set()
            for parent in parent_map.get(unique_id, []):
                found |= {parent, *upstream(parent)}
            ancestors[unique_id] = found
        return ancestors[unique_id]

    nodes = dict(manifest["nodes"])
    for unique_id, node in manifest["nodes"].items():
        config = node.get("config", {})
        declared = (config.get("meta") or node.get("meta") or {}).get("dagster", {}).get("ref")
        parents = [p for p in node.get("depends_on", {}).get("nodes", []) if p in nodes]
        if node.get("resource_type") != "test" or node.get("attached_node") or declared:
            continue
        if len(parents) < 2:
            continue
        downstream = [p for p in parents if set(parents) - {p} <= upstream(p)]
        target = nodes[
            downstream[0] if downstream else min(parents, key=lambda p: len(upstream(p)))
        ]
        ref = {"name": target["name"], "package": target["package_name"]}
        if target.get("version") is not None:
            ref["version"] = target["version"]
        meta = dict(config.get("meta") or {})
        meta["dagster"] = {**meta.get("dagster", {}), "ref": ref}
        nodes[unique_id] = {**node, "config": {**config, "meta": meta}}
    return {**manifest, "nodes": nodes}


def built_nodes(manifest: Mapping, selected_ids: set[str]) -> set[str]:
    """The selected nodes and every test or unit test that ran with them (dbt's eager
    indirect selection: a test runs when any of its parents is selected)."""
    built = set(selected_ids)
    for unique_id, node in {**manifest["nodes"], **manifest.get("unit_tests", {})}.items():
        is_test = node.get("resource_type") in {"test", "unit_test"}
        if is_test and selected_ids & set(node.get("depends_on", {}).get("nodes", [])):
            built.add(unique_id)
    return built


def source_asset_keys(manifest: Mapping) -> dict[str, dg.AssetKey]:
    """dbt source → the raw asset it reads (``meta.dagster.asset_key`` in the sources yml)."""
    keys = {}
    for unique_id, source in manifest.get("sources", {}).items():
        key = source.get("meta", {}).get("dagster", {}).get("asset_key")
        if key:
            keys[unique_id] = dg.AssetKey(key)
    return keys


def selected_tests(
    context: dg.AssetExecutionContext, manifest: Mapping, assets: dg.AssetsDefinition
) -> list[str] | None:
    """The dbt tests this step executes, by FQN; ``None`` when it builds all of ``assets``.

    A partial run names them and turns dbt's indirect selection off: its default would add
    every test touching a selected model, also checks of models the run does not build. The
    tests are those of the selected checks (a rebuilt raw table's source tests among them)
    and the unit tests of the selected models.
    """
    checks = {spec.key: spec for spec in assets.check_specs}
    selected_checks = set(context.selected_asset_check_keys)
    selected = set(context.selected_asset_keys)
    if selected == set(assets.keys) and selected_checks == set(checks):
        return None
    ids = {checks[key].metadata[UNIQUE_ID] for key in selected_checks if key in checks}
    models = {spec.metadata[UNIQUE_ID] for spec in assets.specs if spec.key in selected}
    unit_tests = manifest.get("unit_tests", {})
    ids |= {uid for uid, unit in unit_tests.items() if models & set(unit["depends_on"]["nodes"])}
    nodes = {**manifest["nodes"], **unit_tests}
    return sorted(".".join(nodes[uid]["fqn"]) for uid in ids if uid in nodes)


def nodes_run(invocation: DbtCliInvocation) -> set[str]:
    """What ``dbt build`` executed (models, seeds, tests, unit tests), from its run results."""
    results = invocation.get_artifact("run_results.json")["results"]
    return {result["unique_id"] for result in results}


KEPT_INVOCATIONS = 5
"""Per-run dbt target folders kept (each run's dbt.log, compiled SQL, run_results.json)."""


def prune_invocation_targets(current: Path, keep: int = KEPT_INVOCATIONS) -> None:
    """Remove older runs' target folders (≈ 8 MB each, one per run), keeping the newest.

    dagster-dbt gives every invocation a folder ``target/<step>-<run>-<id>`` and never removes
    it; the newest few are enough to look into a recent run. ``current`` is always kept.
    """
    prefix = current.name.split("-", 1)[0] + "-"
    folders = [f for f in current.parent.glob(f"{prefix}*") if f.is_dir() and f != current]
    folders.sort(key=lambda f: f.stat().st_mtime, reverse=True)
    for folder in folders[max(keep - 1, 0) :]:
        shutil.rmtree(folder, ignore_errors=True)


def _publish_docs(
    build_target: Path, dbt: DbtCliResource, staging: Path, project_digest: str
) -> None:
    """``dbt docs generate`` on the build's own manifest (no second compile), for make dbt-docs.

    Only when the project changed since the docs were last generated: the catalog lists
    relations and their columns, which only a changed model can change. ``--partial-parse``
    reuses the state the build just left in its target folder; without it (the project's
    default is off) dbt would parse the whole project once more.
    """
    stamp = DOCS_TARGET / ".project-digest"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == project_digest:
        return
    dbt.cli(DOCS_ARGS + PLAIN_LOG + warehouse_vars(staging), target_path=build_target).wait()
    DOCS_TARGET.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    for name in DOCS_FILES:
        source = build_target / name
        if source.is_file():
            partial = DOCS_TARGET / f".{name}.copying"
            shutil.copyfile(source, partial)
            os.replace(partial, DOCS_TARGET / name)
    stamp.write_text(project_digest, encoding="utf-8")


PUBLISHED_SELECTION = "path:models/published"
"""The published layer: dbt models of their own step, after the disclosure decision (a Python
asset reading the marts), so the two dbt steps and the decision form no cycle."""
MANIFEST = attach_singular_tests(json.loads(dbt_project.manifest_path.read_bytes()))


@dbt_assets(
    manifest=MANIFEST,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    exclude=PUBLISHED_SELECTION,
)
def bildungsmonitor_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """Seeds, staging, intermediate models and marts, with their tests."""
    yield from _build(context, dbt, warehouse, bildungsmonitor_dbt_assets)


@dbt_assets(
    manifest=MANIFEST,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    select=PUBLISHED_SELECTION,
    name="published_dbt_assets",
)
def published_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """The published models: the marts after the disclosure decisions, with their tests."""
    yield from _build(context, dbt, warehouse, published_dbt_assets)


DBT_ASSETS: tuple[dg.AssetsDefinition, ...] = (bildungsmonitor_dbt_assets, published_dbt_assets)
"""Both dbt steps (their specs and checks together are the whole project)."""


def dbt_check_keys() -> set[dg.AssetCheckKey]:
    """The keys of every dbt test's asset check."""
    return {spec.key for assets in DBT_ASSETS for spec in assets.check_specs}


def full_build(manifest: Mapping, assets: dg.AssetsDefinition) -> set[str]:
    """The nodes a full build of ``assets`` built: the published models with their tests, or
    every other node of the project (sources' tests among them)."""
    published = built_nodes(
        manifest, {spec.metadata[UNIQUE_ID] for spec in published_dbt_assets.specs}
    )
    if assets is published_dbt_assets:
        return published
    return set(dbt_node_fingerprints(manifest)) - published


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    assets: dg.AssetsDefinition,
) -> Iterator:
    """One ``dbt build`` of ``assets`` (or the selected part of it) on the run's staging copy.

    dagster-dbt adds the step's own selection (``select``/``exclude`` of the definition)."""
    staging = warehouse.staging_path(context.run_id)
    prepared = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    tests = selected_tests(context, prepared, assets)
    args = dbt_build_args([" ".join(tests)] if tests else None) + PLAIN_LOG
    if tests is not None:  # a partial run: exactly these tests (one argument for dagster-dbt)
        args += EXACT_TESTS
    invocation = dbt.cli(args + warehouse_vars(staging), context=context)
    build_target = Path(invocation.target_path)
    pruning = threading.Thread(target=prune_invocation_targets, args=(build_target,))
    pruning.start()  # while dbt works: deleting old runs' folders takes ≈ 0.5 s
    yield from invocation.stream()
    keep_partial_parse(build_target)
    manifest = json.loads((build_target / "manifest.json").read_text(encoding="utf-8"))
    fingerprints = dbt_node_fingerprints(manifest)
    built = full_build(manifest, assets) if tests is None else nodes_run(invocation)
    with duckdb.connect(str(staging)) as con:
        record_dbt_nodes(con, {uid: fingerprints[uid] for uid in built if uid in fingerprints})
    _publish_docs(build_target, dbt, staging, digest(sorted(fingerprints.values())))
    pruning.join()
