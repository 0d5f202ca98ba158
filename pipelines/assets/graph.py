"""Every asset and asset check of the ``refresh`` job, in one place.

The Definitions (``pipelines.definitions``) list them, and the refresh selection
(``pipelines.automation.selection``) resolves what lies downstream of a change among them
(Dagster's ``AssetSelection.resolve``), without importing the Definitions, whose sensors and
schedule use that selection.
"""

from __future__ import annotations

import dagster as dg

from pipelines.assets.dbt import bildungsmonitor_dbt_assets, published_dbt_assets
from pipelines.assets.landing import inbox
from pipelines.assets.mart_checks import mart_checks
from pipelines.assets.published import disclosure_audit, geheimhaltung
from pipelines.assets.raw import raw_tables
from pipelines.assets.report import release, report_site
from pipelines.assets.schulwegweiser import schulwegweiser_lage

ASSETS = (
    inbox,
    raw_tables,
    bildungsmonitor_dbt_assets,
    geheimhaltung,
    published_dbt_assets,
    report_site,
    release,
)
ASSET_CHECKS = (*mart_checks, disclosure_audit, schulwegweiser_lage)


def asset_keys() -> set[dg.AssetKey]:
    """The keys of every asset of the job."""
    return {key for assets in ASSETS for key in assets.keys}
