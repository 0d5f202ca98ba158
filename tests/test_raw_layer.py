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


def test_same_receipt_time_is_ordered_by_file_name():
    one = ArchivedDelivery("x", "a.csv", "t", ("2020",))
    two = ArchivedDelivery("y", "b.csv", "t", ("2020",))
    assert assign_periods([two, one]) == {"y": ["2020"]}


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
    monkeypatch.setattr(archive_module, "parse_file", lambda path: deliveries[path.name])
    archive = Archive(tmp_path / "archive")
    landed = []
    for name in deliveries:
        path = tmp_path / name
        path.write_text(name)  # distinct bytes → distinct archive entries
        landed.append(archive.land(path))
    con = duckdb.connect()
    write_delivery_log(con, landed)
    write_delivery_log(con, landed)  # the same files again change nothing
    meta = build_raw_table(con, archive, RawTable("itnrw", "abgaenger", "test"))
    rows = con.execute("select period, value from raw.itnrw__abgaenger order by period").fetchall()
    assert rows == [("2018/19", 1.0), ("2019/20", 20.0)]
    assert meta["rows"] == 2
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
def test_the_pandera_check_runs_in_the_raw_step_and_a_failure_blocks_downstream(
    tmp_path, monkeypatch, problems
):
    import dagster as dg

    from pipelines.assets import raw
    from pipelines.resources import WarehouseResource

    monkeypatch.setattr(raw, "build_raw_table", lambda con, archive, table: {"rows": 3})
    monkeypatch.setattr(raw, "check_raw_table", lambda con, table: (problems, 3))
    table = raw.RawTable("schulen", "schulen", "test")
    ran: list[str] = []

    @dg.asset(name="inbox")
    def inbox() -> None:  # stands in for the inbox the raw asset depends on
        pass

    @dg.asset(deps=[f"raw_{table.name}"])
    def downstream() -> None:
        ran.append("downstream")

    defs = dg.Definitions(
        assets=[inbox, raw._raw_asset(table), downstream],
        resources={"warehouse": WarehouseResource(path=str(tmp_path / "wh" / "live.duckdb"))},
        executor=dg.in_process_executor,
    )
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "pandera_schema"
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.passed is (not problems)
    assert ran == ([] if problems else ["downstream"])
    assert result.success is (not problems)
