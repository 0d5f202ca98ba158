"""The raw layer: the latest delivery supersedes older ones period by period."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from dagster import Failure

from pipelines.assets.landing import write_delivery_log
from pipelines.assets.raw import RawTable, build_raw_table, check_raw_table
from pipelines.ingest import archive as archive_module
from pipelines.ingest.archive import Archive
from pipelines.ingest.supersede import ArchivedDelivery, assign_periods
from pipelines.ingest.tidy import ParsedFile


def test_latest_delivery_wins_per_period():
    old = ArchivedDelivery("a", "abgaenger_2020.csv", "2025-01-01T00:00:00", ("2018/19", "2019/20"))
    new = ArchivedDelivery("b", "abgaenger_2021.csv", "2025-06-01T00:00:00", ("2019/20", "2020/21"))
    assert assign_periods([new, old]) == {"a": ["2018/19"], "b": ["2019/20", "2020/21"]}


def _parsed(values: dict[str, float]) -> ParsedFile:
    frame = pd.DataFrame(
        {
            "source": "itnrw",
            "table_code": "21111-02-06-4",
            "region_key": "05114",
            "region_name": "Krefeld",
            "period": list(values),
            "value": list(values.values()),
            "symbol": None,
        }
    )
    return ParsedFile("itnrw", "abgaenger", "21111-02-06-4", "test", frame)


def test_revised_delivery_replaces_its_periods_and_keeps_the_rest(tmp_path, monkeypatch):
    deliveries = {
        "first.csv": _parsed({"2018/19": 1.0, "2019/20": 2.0}),
        "second.csv": _parsed({"2019/20": 20.0}),
    }
    monkeypatch.setattr(archive_module, "parse_delivery", lambda path: deliveries[path.name])
    archive = Archive(tmp_path / "archive")
    landed = []
    for name in deliveries:
        path = tmp_path / name
        path.write_text(name)  # distinct bytes → distinct archive entries
        landed.append(archive.land(path))
    con = duckdb.connect()
    write_delivery_log(con, landed)
    write_delivery_log(con, landed)  # the same files again change nothing
    build = build_raw_table(con, archive, RawTable("itnrw", "abgaenger", "test"))
    rows = con.execute("select period, value from raw.itnrw__abgaenger order by period").fetchall()
    assert rows == [("2018/19", 1.0), ("2019/20", 20.0)]
    assert build.metadata["rows"] == 2
    assert build.fingerprint  # recorded by the step, so that the planner sees the table built
    assert con.execute("select count(*) from raw._deliveries").fetchone()[0] == 2


def test_table_without_any_delivery_fails_clearly(tmp_path):
    con = duckdb.connect()
    write_delivery_log(con, [])
    with pytest.raises(Failure, match="No delivery for itnrw table 'abgaenger'"):
        build_raw_table(con, Archive(tmp_path), RawTable("itnrw", "abgaenger", "test"))


def test_check_validates_whole_periods_and_names_the_row_in_the_whole_table():
    rows = [
        ("2016/17", "ohne_hsa", 174.0, "sha-a"),
        ("2017/18", "ohne_hsa", 160.0, "sha-b"),
        ("2017/18", "hsa", -5.0, "sha-b"),
        ("2016/17", "hsa", 300.0, "sha-a"),
    ]
    frame = pd.DataFrame(
        {
            "source": "itnrw",
            "table_code": "21111-02-06-4",
            "region_key": "05114",
            "region_name": "Krefeld",
            "period": [r[0] for r in rows],
            "abschlussart": "Abschluss",
            "abschluss_code": [r[1] for r in rows],
            "geschlecht": "insgesamt",
            "value": [r[2] for r in rows],
            "symbol": None,
            "file_sha256": [r[3] for r in rows],
        }
    )
    con = duckdb.connect()
    con.execute("create schema raw")
    con.register("leavers", frame)
    con.execute("create table raw.itnrw__abgaenger as select * from leavers")
    con.execute(
        "create table raw._deliveries as select * from (values "
        "('sha-a', 'abgaenger_2017.csv'), ('sha-b', 'abgaenger_2018.csv')) t(sha256, original_name)"
    )
    for batch_rows in (1, 2, 1000):  # a period per batch, or all periods at once
        problems, checked = check_raw_table(con, RawTable("itnrw", "abgaenger", "test"), batch_rows)
        assert checked == 4
        assert [(p.file, p.row, p.column, p.value) for p in problems] == [
            ("abgaenger_2018.csv", 3, "value", -5.0)
        ]


@pytest.mark.parametrize("problems", [[], ["row 5, column 'schulform': unknown code"]])
def test_the_pandera_checks_run_in_the_raw_step_and_a_failure_blocks_downstream(
    tmp_path, monkeypatch, problems
):
    import dagster as dg

    from pipelines.assets import raw
    from pipelines.resources import WarehouseResource

    failing = "schulen__schulen"

    def check(con, table):
        return (problems if table.name == failing else [], 3)

    monkeypatch.setattr(raw, "build_raw_table", lambda con, archive, table: raw.RawBuild({}, "fp"))
    monkeypatch.setattr(raw, "check_raw_table", check)
    ran: list[str] = []

    @dg.asset(name="inbox", required_resource_keys={"warehouse"})
    def inbox(context) -> None:
        # stands in for the inbox the raw assets depend on: an empty delivery log
        staging = context.resources.warehouse.staging_path(context.run.run_id)
        with duckdb.connect(str(staging)) as con:
            write_delivery_log(con, [])

    @dg.asset(deps=["raw_schulen__schulen", "raw_ba__sgb2"])
    def downstream() -> None:
        ran.append("downstream")

    defs = dg.Definitions(
        assets=[inbox, raw.raw_tables, downstream],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb"))},
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(raise_on_error=False)
    evaluations = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert len(evaluations) == len(raw.RAW_TABLES)  # every table checked, the failure too
    assert {e.check_name for e in evaluations.values()} == {"pandera_schema"}
    assert evaluations[f"raw_{failing}"].passed is (not problems)
    assert evaluations[f"raw_{failing}"].severity == dg.AssetCheckSeverity.ERROR
    assert all(e.passed for k, e in evaluations.items() if k != f"raw_{failing}")
    assert ran == ([] if problems else ["downstream"])
    assert result.success is (not problems)
    staging = WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb")).staging_file()
    with duckdb.connect(str(staging)) as con:
        recorded = con.execute(
            "select asset_key, passed from quality.check_results order by asset_key"
        ).fetchall()
    assert len(recorded) == len(raw.RAW_TABLES)
    assert (f"raw_{failing}", not problems) in recorded


def test_a_partial_run_builds_and_checks_only_the_selected_raw_tables(tmp_path, monkeypatch):
    import dagster as dg

    from pipelines.assets import raw
    from pipelines.resources import WarehouseResource

    built: list[str] = []

    def build(con, archive, table):
        built.append(table.name)
        return raw.RawBuild({}, "fp")

    monkeypatch.setattr(raw, "build_raw_table", build)
    monkeypatch.setattr(raw, "check_raw_table", lambda con, table: ([], 1))
    defs = dg.Definitions(
        assets=[raw.raw_tables],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb"))},
        executor=dg.in_process_executor,
    )
    live = tmp_path / "wh" / "live.duckdb"
    live.parent.mkdir()
    with duckdb.connect(str(live)) as con:  # the last release's delivery log
        write_delivery_log(con, [])
    job = defs.resolve_implicit_global_asset_job_def()
    selection = [dg.AssetKey("raw_ba__sgb2")]
    result = job.execute_in_process(asset_selection=selection, raise_on_error=False)
    assert result.success
    assert built == ["ba__sgb2"]
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.asset_key == dg.AssetKey("raw_ba__sgb2")
