"""The published layer: every protected indicator through disclosure control at once, the
internal record of primary and secondary cells, the dbt model that applies them, and the LP
audit that blocks the report."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from pipelines.disclosure.decisions import audit_indicator_values, decide_indicator_values
from pipelines.transform.dbt_sql import model_sql
from quality.sdc.protect import Finding
from quality.sdc.thresholds import Thresholds

CITY = "05114"
BEZIRKE = [f"05114000-{n}" for n in range(1, 5)]


def _mart() -> duckdb.DuckDBPyConnection:
    """Three count indicators for the city and four Stadtbezirke; one Bezirk count is 2."""
    rows = []
    for indicator, bezirk_counts in {
        "a_anzahl": [2, 14, 15, 9],
        "b_anzahl": [20, 14, 15, 9],
        "c_anzahl": [1, 30, 5, 7],
    }.items():
        for period in ("2022", "2023"):
            cells = [(CITY, "Stadt", float(sum(bezirk_counts)))]
            cells += [
                (k, "Stadtbezirk", float(v)) for k, v in zip(BEZIRKE, bezirk_counts, strict=True)
            ]
            for key, level, value in cells:
                rows.append(
                    (indicator, key, level, period, "insgesamt", "insgesamt", "insgesamt",
                     "insgesamt", value, None, value, "Anzahl", None)
                )  # fmt: skip
    columns = [
        "indicator_id", "region_key", "region_level", "period", "geschlecht",
        "staatsangehoerigkeit", "schulform", "kategorie", "numerator", "denominator", "value",
        "unit", "symbol",
    ]  # fmt: skip
    values = pd.DataFrame(rows, columns=columns).astype(
        {"kategorie": "object", "numerator": "float64", "denominator": "float64"}
    )
    regions = pd.DataFrame(
        [(CITY, "Krefeld", "Stadt", None)]
        + [(k, f"Bezirk {k[-1]}", "Stadtbezirk", CITY) for k in BEZIRKE],
        columns=["region_key", "region_name", "region_level", "parent_key"],
    )
    catalogue = pd.DataFrame(
        {
            "indicator_id": ["a_anzahl", "b_anzahl", "c_anzahl"],
            "name_de": ["A", "B", "C"],
            "handlungsfeld": "Rahmenbedingungen",
            "source": "schulen",
        }
    )
    con = duckdb.connect()
    for schema in ("marts", "reference", "published"):
        con.execute(f"create schema {schema}")
    con.register("mart_values", values)
    con.register("mart_regions", regions)
    con.register("mart_catalogue", catalogue)
    con.execute(
        "create table marts.fct_indicator_values as select * replace "
        "(cast(kategorie as varchar) as kategorie, cast(symbol as varchar) as symbol) "
        "from mart_values"
    )
    con.execute("create table marts.dim_region as select * from mart_regions")
    con.execute("create table published.regions as select * from mart_regions")
    con.execute("create table reference.indicator_catalogue as select * from mart_catalogue")
    policy = pd.DataFrame(
        {
            "indicator_id": ["a_anzahl", "b_anzahl", "c_anzahl"],
            "geschuetzte_ebenen": "Stadt|Stadtbezirk",
            "zaehler": ["a", "b", "c"],
            "nenner": None,
            "zaehler_personen": True,
            "kategorien_additiv": False,
            "ausnahme": None,
        }
    )
    con.register("mart_policy", policy)
    con.execute("create table reference.geheimhaltung as select * from mart_policy")
    con.execute(
        "create table reference.geheimhaltung_ausnahmen (ausnahme varchar, gegenstand varchar, "
        "begruendung varchar, beschluss varchar)"
    )
    return con


RELATIONS = {
    "fct_indicator_values": "marts.fct_indicator_values",
    "indicator_catalogue": "reference.indicator_catalogue",
    "dim_region": "marts.dim_region",
    "intern.geheimhaltung": "intern.geheimhaltung",
}


def build_indicator_values(con: duckdb.DuckDBPyConnection, thresholds: Thresholds):
    """The decision, then the dbt model ``published.indicator_values`` that applies it."""
    decisions = decide_indicator_values(con, thresholds)
    sql = model_sql("pub_indicator_values", RELATIONS)
    con.execute(f"create or replace table published.indicator_values as {sql}")
    return decisions


def test_small_counts_and_their_complements_are_hidden_with_one_public_reason():
    con = _mart()
    build = build_indicator_values(con, Thresholds())
    rows = con.execute("select * from published.indicator_values").df()
    hidden = rows[rows["symbol"] == "."]
    assert set(hidden["suppression_reason"]) == {"gesperrt"}
    assert hidden["value"].isna().all()
    # a_anzahl: 2 in one Bezirk; c_anzahl: 1 — in both periods, each with a complement
    assert build.primary == 4 and build.secondary >= 4
    kinds = con.execute("select art, count(*) from intern.geheimhaltung group by 1").fetchall()
    assert dict(kinds)["primaer"] == 4
    assert not (rows["indicator_id"] == "b_anzahl").pipe(lambda b: rows[b]["symbol"] == ".").any()
    assert audit_indicator_values(con, Thresholds()).passed


def test_the_audit_finds_a_complement_published_by_hand():
    con = _mart()
    build_indicator_values(con, Thresholds())
    con.execute(
        "update published.indicator_values set value = numerator, symbol = null, "
        "suppression_reason = null where region_key = '05114'"
    )
    con.execute(
        "update published.indicator_values as p set numerator = t.value, value = t.value, "
        "symbol = null from marts.fct_indicator_values as t where p.indicator_id = "
        "t.indicator_id and p.region_key = t.region_key and p.period = t.period "
        "and p.indicator_id = 'c_anzahl' and t.value >= 3"
    )
    finding = audit_indicator_values(con, Thresholds())
    assert not finding.passed
    assert finding.narrow["cell"].str.startswith("c ").any()


@pytest.mark.parametrize("small_counts", [0, 1])
def test_the_disclosure_audit_checks_the_published_model_and_a_failure_blocks_the_report(
    tmp_path, monkeypatch, small_counts
):
    import dagster as dg

    from pipelines.assets import published
    from pipelines.resources import WarehouseResource

    found = pd.DataFrame(
        {"indicator_id": ["x"] * small_counts, "region_key": ["05114"] * small_counts}
    )
    finding = Finding(pd.DataFrame({"cell": []}), found, 0, 0)
    monkeypatch.setattr(published, "audit_indicator_values", lambda *a, **k: finding)
    ran: list[str] = []

    @dg.asset(key=published.PUBLISHED_VALUES_KEY)
    def indicator_values() -> None:
        """Stands in for the dbt model."""

    @dg.asset(deps=[published.PUBLISHED_VALUES_KEY])
    def report() -> None:
        ran.append("report")

    defs = dg.Definitions(
        assets=[indicator_values, report],
        asset_checks=[published.disclosure_audit],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb"))},
        executor=dg.in_process_executor,
    )
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "no_small_counts_or_narrow_intervals"
    assert evaluation.passed is (small_counts == 0)
    assert evaluation.metadata["small_counts"].value == small_counts
    assert ran == ([] if small_counts else ["report"])
    assert result.success is (small_counts == 0)
