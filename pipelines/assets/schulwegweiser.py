"""The school guides' check that dbt cannot make: every school lies inside the city outline.

dbt's tests on ``marts.dim_schulwegweiser`` check register, operation, address, contact and
dates; whether a coordinate lies inside the city's polygons needs geometry, which DuckDB
without its spatial extension (not available offline) cannot test. The blocking check runs on
``published/schulwegweiser_schulen`` against ``published/geometrie_stadtbezirke`` in the run's
staging warehouse, before anything reads the guide.
"""

from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.resources import WarehouseResource
from quality.geo_lage import inside

GUIDE_SCHOOLS_KEY = dg.AssetKey(["published", "schulwegweiser_schulen"])
GEOMETRY_KEY = dg.AssetKey(["published", "geometrie_stadtbezirke"])
LOCATION_CHECK = "schulen_im_stadtgebiet"


@dg.multi_asset_check(
    name="schulwegweiser_lage",
    specs=[
        dg.AssetCheckSpec(
            LOCATION_CHECK,
            asset=GUIDE_SCHOOLS_KEY,
            additional_deps=[GEOMETRY_KEY],
            blocking=True,
            description=(
                "Every school of the school guides has WGS84 coordinates inside the city "
                "outline (the union of the Stadtbezirk polygons of the data directory)."
            ),
        )
    ],
)
def schulwegweiser_lage(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    """ERROR, naming each school outside, when a guide school lies outside the city."""
    run_id = context.op_execution_context.run_id
    with duckdb.connect(str(warehouse.staging_path(run_id))) as con:
        schools = con.sql(
            "select school_year, schulnummer, schulname, lon, lat "
            "from published.schulwegweiser_schulen order by school_year, schulnummer"
        ).df()
        districts = [g for (g,) in con.sql("select geojson from published.geometrie_stadtbezirke")
                     .fetchall()]  # fmt: skip
    if not districts:
        outside = schools
    else:
        outside = schools[~inside(schools[["lon", "lat"]].to_numpy(float), districts)]
    lines = [
        f"Schuljahr {r.school_year}, Schulnummer {r.schulnummer} ({r.schulname}): "
        f"lon {r.lon}, lat {r.lat} liegt nicht im Stadtgebiet"
        for r in outside.head(20).itertuples()
    ]
    yield dg.AssetCheckResult(
        check_name=LOCATION_CHECK,
        passed=outside.empty,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "schools": len(schools),
            "outside": len(outside),
            "districts": len(districts),
            "problems": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines) or "_none_"),
        },
        description="; ".join(lines[:3]) or None,
    )
