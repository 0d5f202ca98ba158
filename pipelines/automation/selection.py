"""Turn a refresh plan into the asset selection of one ``refresh`` run.

The changed assets and everything downstream of them: a new BA file selects its raw table,
the dbt models built from it, the checks on those, the disclosure decision
and the published models, the report and the release — and nothing that does not depend on it.
"""

from __future__ import annotations

import json

import dagster as dg

from pipelines.assets.dbt import DBT_ASSETS, dbt_project, source_asset_keys
from pipelines.assets.graph import ASSETS, asset_keys
from pipelines.assets.published import DECISION_KEYS
from pipelines.automation.plan import RefreshPlan

INBOX = dg.AssetKey("inbox")
REPORT = dg.AssetKey("report_site")


def selected_keys(plan: RefreshPlan) -> list[dg.AssetKey] | None:
    """The asset keys to run, or ``None`` for the whole job."""
    if plan.full:
        return None
    roots: set[dg.AssetKey] = {dg.AssetKey(f"raw_{t}") for t in plan.raw_tables}
    roots |= set(dbt_keys(plan.dbt_nodes))
    if plan.published:  # the disclosure decision, and the published models after it
        roots |= set(DECISION_KEYS)
    if plan.report:
        roots.add(REPORT)
    known = roots & asset_keys()
    keys = set(dg.AssetSelection.assets(*known).downstream().resolve(ASSETS)) if known else set()
    if plan.inbox:  # landing only: its downstream raw tables are selected by fingerprint
        keys.add(INBOX)
    return sorted(keys, key=lambda k: k.to_user_string())


def dbt_keys(unique_ids: set[str]) -> list[dg.AssetKey]:
    """Asset keys of dbt nodes; a changed test selects what it tests (model or raw table)."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    by_id = {
        spec.metadata.get("dagster_dbt/unique_id"): spec.key
        for assets in DBT_ASSETS
        for spec in assets.specs
    } | source_asset_keys(manifest)  # a changed source test reruns with its raw table
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    keys = []
    for unique_id in unique_ids:
        if unique_id in by_id:
            keys.append(by_id[unique_id])
            continue
        parents = nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
        keys += [by_id[p] for p in parents if p in by_id]
    return keys


def run_request(plan: RefreshPlan, run_key: str | None = None) -> dg.RunRequest:
    """The schedule's and the sensor's request for the plan's part of the ``refresh`` job."""
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=selected_keys(plan),
        tags={"bildungsmonitor/plan": "; ".join(plan.reasons)[:1000]},
    )
