"""Revisions are explicit: which delivery supplies a period, and what is told when it changes.

Unit tests for the ordering (``pipelines.ingest.supersede``), the raw layer's recording of
revisions and registers on a small archive, the quality page and the change log; one
end-to-end test delivers a revised GENESIS table and an updated school register in a second
refresh and follows them to the recorded table, the quality page and the next edition.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pandas as pd
import pytest

from pipelines.assets import raw
from pipelines.assets.landing import DELIVERIES_TABLE, write_delivery_log
from pipelines.assets.raw import RawTable, build_raw_table
from pipelines.automation import fingerprints
from pipelines.ingest import archive as archive_module
from pipelines.ingest.archive import Archive, Delivery
from pipelines.ingest.revisions import (
    REPLACED,
    REVISED,
    DeliveryRevision,
    load_revisions,
    record_revisions,
    revised_cells,
    revision_lines,
)
from pipelines.ingest.supersede import (
    AmbiguousDeliveries,
    ArchivedDelivery,
    assign_periods,
    publisher_date,
)
from pipelines.ingest.tidy import ParsedFile
from pipelines.report.changelog import compare_sites
from pipelines.resources import WarehouseResource
from quality.quality_report import write_quality_report
from tests.conftest import CLI, SAMPLE, Released, copy_workspace, workspace_env

LEAVERS = RawTable("itnrw", "abgaenger", "test", labels=("abschlussart",))
REGISTER = RawTable("schulen", "schulen", "test")


# --------------------------------------------------------------------- ordering (supersede)
RUN_TIMES = {"r1": "2026-01-15T00:00:00+00:00", "r2": "2026-02-15T00:00:00+00:00"}
"""When each run accepted its deliveries: one time for all of a run."""


def _delivery(sha, name, periods, *, run=None, at="2026-01-01T00:00:00", stand=None):
    return ArchivedDelivery(
        sha, name, at, tuple(periods), published_at=stand, batch=run, accepted_at=RUN_TIMES.get(run)
    )


def test_a_later_run_supplies_the_periods_it_delivers_whatever_its_name_or_stand():
    first = _delivery("a", "z_first.csv", ["2019/20", "2020/21"], run="r1", stand="2026-02-01")
    later = _delivery(
        "b", "a_later.csv", ["2020/21"], run="r2", at="2026-03-01T00:00:00", stand="2025-01-01"
    )
    assert assign_periods([later, first]) == {"a": ["2019/20"], "b": ["2020/21"]}


def test_within_one_run_the_newer_stand_wins_not_the_file_name_or_the_receipt():
    newer = _delivery("n", "a.csv", ["2020"], run="r1", at="2026-01-01T00:00:00", stand="2026-03")
    older = _delivery("o", "b.csv", ["2020"], run="r1", at="2026-01-01T00:00:09", stand="2026-02")
    for order in ([newer, older], [older, newer]):
        assert assign_periods(order) == {"n": ["2020"]}


def test_within_one_run_files_without_a_stand_that_differ_are_refused_naming_both():
    dated = _delivery("x", "bevoelkerung.csv", ["2022", "2023"], run="r1", stand="2026-02-12")
    flat = _delivery("y", "bevoelkerung_flat.csv", ["2022", "2023"], run="r1")
    with pytest.raises(AmbiguousDeliveries) as info:
        assign_periods([dated, flat], same_figures=lambda a, b, period: period == "2022")
    message = info.value.message("raw.itnrw__bevoelkerung")
    assert [t.period for t in info.value.ties] == ["2023"]  # 2022 agrees: no conflict there
    assert "'bevoelkerung.csv' (Stand 12.02.2026)" in message
    assert "'bevoelkerung_flat.csv' (ohne Stand)" in message
    assert "Zeitraum 2023" in message and message.startswith("raw.itnrw__bevoelkerung: ")
    # without a way to compare figures, overlapping files of one run always count as different
    with pytest.raises(AmbiguousDeliveries):
        assign_periods([dated, flat])


def test_files_of_one_run_with_the_same_stand_are_refused_unless_they_agree():
    one = _delivery("p", "one.csv", ["2020"], run="r1", stand="2026-02-12")
    two = _delivery("q", "two.csv", ["2020"], run="r1", stand="2026-02-12")
    with pytest.raises(AmbiguousDeliveries, match=r"'one\.csv'.*'two\.csv'"):
        assign_periods([one, two], same_figures=lambda a, b, period: False)
    assert assign_periods([one, two], same_figures=lambda a, b, period: True) in (
        {"p": ["2020"]},
        {"q": ["2020"]},
    )


def test_agreeing_files_of_one_run_are_supplied_by_the_dated_one():
    dated = _delivery("d", "z.csv", ["2022"], run="r1", stand="2026-02-12")
    flat = _delivery("f", "a.csv", ["2022"], run="r1")
    assert assign_periods([flat, dated], same_figures=lambda a, b, period: True) == {"d": ["2022"]}


def test_a_register_is_replaced_as_a_whole():
    old = _delivery("old", "schulen_2024.xlsx", ["2024-10-15"], run="r1")
    new = _delivery("new", "schulen_2025.xlsx", ["2025-10-15"], run="r2", at="2026-05-01T00:00")
    assert assign_periods([old, new], snapshot=True) == {"new": ["2025-10-15"]}
    # two registers in one inbox: the newer Stand (its period) decides
    a = _delivery("a", "x.xlsx", ["2024-10-15"], run="r1", stand="2024-10-15")
    b = _delivery("b", "y.xlsx", ["2025-10-15"], run="r1", stand="2025-10-15")
    assert assign_periods([b, a], snapshot=True) == {"b": ["2025-10-15"]}


def test_the_planners_view_never_refuses():
    """The planner sees name, receipt and periods only: each delivery a run of its own."""
    one = ArchivedDelivery("x", "a.csv", "2026-01-01T00:00:00", ("2020",))
    two = ArchivedDelivery("y", "b.csv", "2026-01-01T00:00:01", ("2020",))
    assert assign_periods([two, one]) == {"y": ["2020"]}
    tied = _delivery("x", "a.csv", ["2020"], run="r1")
    assert tied.plain() == one


def test_publisher_dates_from_notes_and_register_periods():
    assert publisher_date(["Titel: x", "Stand: 12.02.2026 / 09:47:03"], [], snapshot=False) == (
        "2026-02-12T09:47:03"
    )
    assert publisher_date(["Erstellungsdatum: 28.12.2024"], [], snapshot=False) == "2024-12-28"
    assert (
        publisher_date(["Stand: fehlt (Datei im Fußbereich gekürzt?)"], [], snapshot=False) is None
    )
    assert publisher_date([], ["2024-10-15"], snapshot=True) == "2024-10-15"


# ------------------------------------------------------- the raw layer on a small archive
def _leavers(values: dict[str, float], label: str = "ohne Hauptschulabschluss") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "itnrw",
            "table_code": "21111-02-06-4",
            "region_key": "05114",
            "region_name": "Krefeld",
            "period": list(values),
            "abschlussart": label,
            "abschluss_code": "ohne_hsa",
            "geschlecht": "insgesamt",
            "value": list(values.values()),
            "symbol": None,
        }
    )


def _register(stand: str, names: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": "schulen",
            "table_code": "schulen-schulen-v1",
            "region_key": "05114000-1",
            "region_name": "Mitte",
            "period": stand,
            "schulnummer": list(names),
            "name": list(names.values()),
            "schulform": "02",
            "stadtbezirk": "1",
            "traeger": "oeffentlich",
            "value": None,
            "symbol": None,
        }
    )


class Inbox:
    """Deliveries landed into a real archive from hand-made tidy tables, run by run."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        self.tmp_path = tmp_path
        self.archive = Archive(tmp_path / "archive")
        self.parsed: dict[str, ParsedFile] = {}
        self.con = duckdb.connect()
        monkeypatch.setattr(archive_module, "parse_delivery", lambda path: self.parsed[path.name])

    def land(self, name: str, table: RawTable, frame: pd.DataFrame, stand: str | None = None):
        notes = [f"Stand: {stand}"] if stand else []
        code = str(frame["table_code"].iloc[0])
        self.parsed[name] = ParsedFile(table.source, table.table, code, "test", frame, notes)
        path = self.tmp_path / name
        path.write_text(name)  # distinct bytes → distinct archive entries
        return self.archive.land(path)

    def run(self, run_id: str, deliveries: list[Delivery], table: RawTable) -> raw.RawBuild:
        write_delivery_log(self.con, deliveries, run_id=run_id)
        return build_raw_table(self.con, self.archive, table)


def test_a_revised_period_is_accepted_and_recorded_with_old_and_new_totals(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch)
    first = inbox.land("leavers_2020.csv", LEAVERS, _leavers({"2018/19": 10, "2019/20": 20}),
                       stand="12.02.2025 / 09:00:00")  # fmt: skip
    assert inbox.run("run-1", [first], LEAVERS).revisions == ()

    # the next edition: 2019/20 revised, 2018/19 the same in new words, 2020/21 new
    label = "ohne Ersten Schulabschluss"
    second = inbox.land("leavers_2021.csv", LEAVERS,
                        _leavers({"2018/19": 10, "2019/20": 23, "2020/21": 30}, label),
                        stand="12.02.2026 / 09:00:00")  # fmt: skip
    build = inbox.run("run-2", [first, second], LEAVERS)

    rows = inbox.con.execute(
        "select period, value from raw.itnrw__abgaenger order by period"
    ).fetchall()
    assert rows == [("2018/19", 10.0), ("2019/20", 23.0), ("2020/21", 30.0)]
    (revision,) = build.revisions
    assert (revision.kind, revision.period, revision.old_file, revision.new_file) == (
        REVISED, "2019/20", "leavers_2020.csv", "leavers_2021.csv",
    )  # fmt: skip
    assert (revision.old_total, revision.new_total, revision.rows_changed) == (20.0, 23.0, 1)
    assert revision.new_published_at == "2026-02-12T09:00:00"
    assert build.metadata["revisions"] == 1

    record_revisions(inbox.con, "run-2", build.revisions)
    (line,) = revision_lines(inbox.con, "run-2")
    assert line == (
        "Revidiert: itnrw__abgaenger, Zeitraum 2019/20: leavers_2020.csv (Stand 12.02.2025 "
        "09:00:00) → leavers_2021.csv (Stand 12.02.2026 09:00:00); Summe 20 → 23, "
        "1 Zeile geändert"
    )
    assert revision_lines(inbox.con, "run-1") == []
    # built again from the same log (a full refresh): nothing is revised twice
    assert inbox.run("run-3", [first, second], LEAVERS).revisions == ()


def test_contradicting_files_of_one_run_stop_the_raw_step_naming_both(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch)
    one = inbox.land("abgaenger_a.csv", LEAVERS, _leavers({"2019/20": 20}))
    two = inbox.land("abgaenger_b.csv", LEAVERS, _leavers({"2019/20": 21}))
    same = inbox.land("abgaenger_c.csv", LEAVERS, _leavers({"2019/20": 21}))
    with pytest.raises(AmbiguousDeliveries, match=r"'abgaenger_a\.csv'.*'abgaenger_b\.csv'"):
        inbox.run("run-1", [one, two, same], LEAVERS)

    # through the Dagster step: it fails, names both files, and records nothing
    live = tmp_path / "wh" / "live.duckdb"
    resource = WarehouseResource(path=str(live))
    monkeypatch.setattr(WarehouseResource, "archive_dir", lambda self: inbox.archive.root)

    @dg.asset(name="inbox", required_resource_keys={"warehouse"})
    def fake_inbox(context) -> None:
        with duckdb.connect(
            str(context.resources.warehouse.staging_path(context.run.run_id))
        ) as con:
            write_delivery_log(con, [one, two], run_id=context.run.run_id)

    defs = dg.Definitions(
        assets=[fake_inbox, raw.raw_tables],
        resources={"warehouse": resource},
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        asset_selection=[dg.AssetKey("inbox"), raw.asset_key(LEAVERS)], raise_on_error=False
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = str(failure.step_failure_data.error)
    assert "mehrdeutige Lieferungen" in message
    assert "'abgaenger_a.csv' (ohne Stand) und 'abgaenger_b.csv' (ohne Stand)" in message
    assert "Zeitraum 2019/20" in message and "raw.itnrw__abgaenger" in message


def test_an_updated_register_replaces_the_previous_one(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch)
    old = inbox.land(
        "schulen_2024.xlsx",
        REGISTER,
        _register("2024-10-15", {"100001": "Grundschule A", "100002": "Schule B"}),
    )
    inbox.run("run-1", [old], REGISTER)
    new = inbox.land("schulen_2025.xlsx", REGISTER,
                     _register("2025-10-15", {"100001": "Grundschule A", "100002": "Schule Bee",
                                              "100003": "Schule C"}))  # fmt: skip
    build = inbox.run("run-2", [old, new], REGISTER)

    rows = inbox.con.execute(
        "select schulnummer, name, period from raw.schulen__schulen order by schulnummer"
    ).fetchall()
    assert rows == [
        ("100001", "Grundschule A", "2025-10-15"),
        ("100002", "Schule Bee", "2025-10-15"),
        ("100003", "Schule C", "2025-10-15"),
    ]
    (replaced,) = build.revisions
    assert (replaced.kind, replaced.old_period, replaced.period) == (
        REPLACED, "2024-10-15", "2025-10-15",
    )  # fmt: skip
    assert (replaced.old_rows, replaced.new_rows, replaced.rows_changed) == (2, 3, 2)
    record_revisions(inbox.con, "run-2", build.revisions)
    assert revision_lines(inbox.con) == [
        "Ersetzt: schulen__schulen, Stand 2024-10-15 → 2025-10-15: schulen_2024.xlsx (Stand "
        "15.10.2024) → schulen_2025.xlsx (Stand 15.10.2025); 2 → 3 Zeilen, 2 Zeilen geändert"
    ]
    # the same register again with a new Stand only: replaced, but no figure changed
    restamped = inbox.land("schulen_2026.xlsx", REGISTER,
                           _register("2026-10-15", {"100001": "Grundschule A",
                                                    "100002": "Schule Bee",
                                                    "100003": "Schule C"}))  # fmt: skip
    assert inbox.run("run-3", [old, new, restamped], REGISTER).revisions == ()
    periods = inbox.con.execute("select distinct period from raw.schulen__schulen").fetchall()
    assert periods == [("2026-10-15",)]


def test_the_log_notes_run_and_publisher_date_and_an_old_log_gains_them(tmp_path, monkeypatch):
    inbox = Inbox(tmp_path, monkeypatch)
    dated = inbox.land("a.csv", LEAVERS, _leavers({"2019/20": 1}), stand="12.02.2026 / 09:47:03")
    con = inbox.con
    con.execute("create schema raw")
    con.execute(  # the log as the first version wrote it
        f"create table {DELIVERIES_TABLE} (sha256 varchar primary key, original_name varchar, "
        "size bigint, source varchar, table_name varchar, table_code varchar, parser varchar, "
        "received_at varchar, row_count bigint, periods varchar[], regions varchar[], "
        "notes varchar)"
    )
    con.execute(
        f"insert into {DELIVERIES_TABLE} values (?, ?, 1, 'itnrw', 'abgaenger', 'T', 'test', "
        "'2025-01-01T00:00:00+00:00', 1, ['2019/20'], ['05114'], ?)",
        ["old-sha", "old.csv", json.dumps(["Stand: 01.03.2025"])],
    )
    write_delivery_log(con, [dated], run_id="run-7")
    logged = con.execute(
        f"select sha256, published_at, batch, accepted_at is not null from {DELIVERIES_TABLE} "
        "order by received_at"
    ).fetchall()
    assert logged == [
        ("old-sha", "2025-03-01", None, False),
        (dated.sha256, "2026-02-12T09:47:03", "run-7", True),
    ]


# ------------------------------------------------------------- quality page and change log
def _revision(**changes) -> DeliveryRevision:
    fields = dict(
        source="itnrw", table_name="bevoelkerung", kind=REVISED, period="2020-12-31",
        old_period="2020-12-31", old_sha256="o" * 64, old_file="12411-02-03-4.csv",
        old_published_at="2026-02-12T09:47:03", old_rows=100, old_total=1000.0,
        new_sha256="n" * 64, new_file="12411-02-03-4_rev.csv",
        new_published_at="2026-03-20T08:00:00", new_rows=100, new_total=1400.0, rows_changed=2,
    )  # fmt: skip
    return DeliveryRevision(**(fields | changes))


def test_the_quality_page_lists_the_runs_revisions_and_earlier_ones(tmp_path):
    from quality.check_results import record_check_result

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        record_check_result(con, run_id="run-2", check_name="pandera_schema",
                            asset_key="raw_itnrw__bevoelkerung", severity="ERROR", passed=True,
                            n_failures=0)  # fmt: skip
        record_revisions(con, "run-1", [_revision(period="2019-12-31")],
                         recorded_at=datetime(2026, 3, 1, tzinfo=UTC))  # fmt: skip
        record_revisions(con, "run-2", [_revision()])
    text = write_quality_report(warehouse, tmp_path / "q").read_text(encoding="utf-8")
    assert "1 Revision gelieferter Zahlen</a> übernommen" in text
    section = text[text.index('id="revisionen"') :]
    assert "<td>raw.itnrw__bevoelkerung</td><td>revidiert</td><td>2020-12-31</td>" in section
    assert "<td>12411-02-03-4.csv (Stand 12.02.2026 09:47:03)</td>" in section
    assert '<td class="num">1.000</td><td class="num">1.400</td>' in section
    assert "Frühere Läufe (die letzten 1)" in section and "2019-12-31" in section
    assert section.index("2020-12-31") < section.index("Frühere Läufe") < section.index("2019-12")


HEADER = "indicator_id;indicator_name;region_key;period;geschlecht;staatsangehoerigkeit;schulform;kategorie;value;symbol\n"  # noqa: E501


def _edition(folder: Path, rows: list[str], released_at: str) -> Path:
    (folder / "indikatoren").mkdir(parents=True)
    (folder / "indikatoren" / "bevoelkerung_anzahl.csv").write_text(
        HEADER + "".join(f"bevoelkerung_anzahl;Bevölkerung;{r}\n" for r in rows),
        encoding="utf-8-sig",
    )
    (folder / "_release.json").write_text(json.dumps({"run_id": "r", "released_at": released_at}))
    return folder


def test_the_change_log_says_revidiert_for_a_revised_period_but_not_for_suppressed_cells(
    tmp_path, monkeypatch
):
    old = _edition(tmp_path / "old", [
        "05114;2020;insgesamt;insgesamt;insgesamt;insgesamt;226690;",
        "05114;2020;maennlich;insgesamt;insgesamt;unter_3;3296;",
        "05114;2020;weiblich;insgesamt;insgesamt;unter_3;3132;",
        "05114;2019;insgesamt;insgesamt;insgesamt;insgesamt;226000;",
    ], "2026-03-01T06:00:00+00:00")  # fmt: skip
    new = _edition(tmp_path / "new", [
        "05114;2020;insgesamt;insgesamt;insgesamt;insgesamt;227090;",
        "05114;2020;maennlich;insgesamt;insgesamt;unter_3;3300;",
        "05114;2020;weiblich;insgesamt;insgesamt;unter_3;;.",
        "05114;2019;insgesamt;insgesamt;insgesamt;insgesamt;226100;",
    ], "2026-04-01T06:00:00+00:00")  # fmt: skip

    # the warehouse the new edition was built with: 2020 revised by file n…, 2019 not
    warehouse = tmp_path / "warehouse" / "w.duckdb"
    warehouse.parent.mkdir()
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_indicator_values as select * from (values "
            "('bevoelkerung_anzahl', '05114', '2020', 'insgesamt', 'insgesamt', 'insgesamt', "
            "'insgesamt', 'n'), "
            "('bevoelkerung_anzahl', '05114', '2020', 'maennlich', 'insgesamt', 'insgesamt', "
            "'unter_3', 'n'), "
            "('bevoelkerung_anzahl', '05114', '2020', 'weiblich', 'insgesamt', 'insgesamt', "
            "'unter_3', 'n'), "
            "('bevoelkerung_anzahl', '05114', '2019', 'insgesamt', 'insgesamt', 'insgesamt', "
            "'insgesamt', 'n')) "
            "t(indicator_id, region_key, period, geschlecht, staatsangehoerigkeit, schulform, "
            "kategorie, source_file_sha256)"
        )
        record_revisions(con, "run-x", [_revision(new_sha256="n")],
                         recorded_at=datetime(2026, 3, 15, tzinfo=UTC))  # fmt: skip
        cells = revised_cells(con)
        assert revised_cells(con, since="2026-03-20T00:00:00+00:00") == set()

    assert ("bevoelkerung_anzahl", "05114", "2020", "insgesamt", "insgesamt", "insgesamt",
            "insgesamt") in cells  # fmt: skip
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))  # publish's default
    changes = compare_sites(new, old, edition="new", previous="old")
    shown = {
        (r.period, r.breakdown): (r.before, r.after, r.source_revised) for r in changes.revised
    }
    assert shown == {
        ("2020", "insgesamt"): ("226690", "227090", True),
        ("2020", "maennlich, unter_3"): ("3296", "3300", True),
        ("2020", "weiblich, unter_3"): ("geändert", "geändert", False),  # suppressed now
        ("2019", "insgesamt"): ("226000", "226100", False),  # changed, but not revised
    }
    markdown = changes.to_markdown()
    revised_part = markdown[
        markdown.index("## Revidierte Werte") : markdown.index("## Korrigierte")
    ]
    assert "| bevoelkerung_anzahl | 05114 | 2020 | insgesamt | 226690 | 227090 | revidiert |" in (
        revised_part
    )
    assert "| geändert |" not in revised_part and "2019" not in revised_part
    summary = "\n".join(changes.summary())
    assert "revidierte Werte (neue Lieferung der Quelle): 2 (bevoelkerung_anzahl: 2)" in summary
    assert "korrigierte Werte: 2 (bevoelkerung_anzahl: 2)" in summary
    # the previous edition was released after the revision: nothing counts as revised
    (old / "_release.json").write_text(json.dumps({"released_at": "2026-03-16T00:00:00+00:00"}))
    later = compare_sites(new, old, edition="new", previous="old")
    assert [r.source_revised for r in later.revised] == [False] * 4


# ---------------------------------------------------------------------------- end to end
REVISED_POPULATION = Path("itnrw") / "12411-02-03-4_revidiert.csv"
UPDATED_REGISTER = Path("schulen") / "schulen_2025-10-15.xlsx"
RENAMED = "Beispiel-Förderschule Leuchtturm, umbenannt (fiktiv)"


def _revise_population(inbox: Path) -> None:
    """IT.NRW sends 12411 again: Krefeld's 40- to 45-year-old men on 31.12.2020 plus 100
    (in the indicators' group 25_bis_unter_65)."""
    text = (SAMPLE / "itnrw" / "12411-02-03-4.csv").read_bytes().decode("cp1252")
    for old, new in (
        (";40 bis unter 45 Jahre;14306;7230;7076", ";40 bis unter 45 Jahre;14406;7330;7076"),
        (";Insgesamt;226690;111446;115244", ";Insgesamt;226790;111546;115244"),
        ("Stand: 12.02.2026 / 09:47:03", "Stand: 20.03.2026 / 08:00:00"),
    ):
        line = f"31.12.2020;05114;      Krefeld, kreisfreie Stadt{old}" if old[0] == ";" else old
        assert text.count(line) == 1, line
        text = text.replace(line, line.replace(old, new))
    (inbox / REVISED_POPULATION).write_bytes(text.encode("cp1252"))


def _update_register(inbox: Path) -> None:
    """The school administration's register of 15.10.2025: one school renamed."""
    book = openpyxl.load_workbook(SAMPLE / "schulen" / "schulen_2024-10-15.xlsx")
    sheet = book["Daten"]
    header = [cell.value for cell in sheet[1]]
    stand, name = header.index("stand") + 1, header.index("name") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, stand).value = datetime(2025, 10, 15)
    sheet.cell(2, name).value = RENAMED
    book.save(inbox / UPDATED_REGISTER)


def _refresh(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), "refresh"], env=env, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def revised(tmp_path_factory, released_sample: Released):
    """Publish the session's released sample; deliver a revised table and an updated register;
    refresh and publish again."""
    from pipelines.publishing.web_root import publish_site

    tmp = copy_workspace(released_sample.path, tmp_path_factory.mktemp("revisions") / "w")
    inbox = tmp / "inbox"
    env = workspace_env(tmp)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("BILDUNGSMONITOR_WAREHOUSE", "BILDUNGSMONITOR_SITE_DIR"):
            patch.setenv(name, env[name])
        publish_site(tmp / "web")
        _revise_population(inbox)
        _update_register(inbox)
        second = _refresh(env)
        assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
        (tmp / "second_refresh.txt").write_text(second.stdout, encoding="utf-8")
        edition = publish_site(tmp / "web")
    return tmp, edition


@pytest.mark.e2e
def test_an_updated_register_loads_in_a_second_refresh(revised):
    tmp, _edition = revised
    with duckdb.connect(str(tmp / "warehouse" / "bm.duckdb"), read_only=True) as con:
        stands = con.execute("select distinct period from raw.schulen__schulen").fetchall()
        names = {r[0] for r in con.execute("select name from raw.schulen__schulen").fetchall()}
        twice = con.execute(
            "select count(*) - count(distinct schulnummer) from raw.schulen__schulen"
        ).fetchone()[0]
        staged = con.execute("select distinct stand from staging.stg_schulen__schulen").fetchall()
    assert stands == [("2025-10-15",)] and twice == 0
    assert RENAMED in names
    assert [str(s[0]) for s in staged] == ["2025-10-15"]


@pytest.mark.e2e
def test_a_revised_period_is_recorded_shown_on_the_quality_page_and_in_the_change_log(revised):
    tmp, edition = revised
    with duckdb.connect(str(tmp / "warehouse" / "bm.duckdb"), read_only=True) as con:
        recorded = {(r.kind, r.source, r.table_name): r for r in load_revisions(con)}
        run_id = recorded[(REVISED, "itnrw", "bevoelkerung")].run_id
        lines = revision_lines(con, run_id)
    assert set(recorded) == {
        (REVISED, "itnrw", "bevoelkerung"),
        (REPLACED, "schulen", "schulen"),
    }
    population = recorded[(REVISED, "itnrw", "bevoelkerung")]
    assert (population.period, population.old_file, population.new_file) == (
        "2020-12-31", "12411-02-03-4.csv", REVISED_POPULATION.name,
    )  # fmt: skip
    assert population.new_total - population.old_total == 400  # 4 rows (total, men) + 100
    assert population.rows_changed == 4
    assert recorded[(REPLACED, "schulen", "schulen")].run_id == run_id  # the second refresh's
    assert population.new_published_at == "2026-03-20T08:00:00"
    # newest first: the two raw assets of one run record in either order (CI saw both)
    assert len(lines) == 2
    revised_line, replaced_line = sorted(lines)[::-1]  # "Revidiert: …" sorts after "Ersetzt: …"
    assert revised_line.startswith("Revidiert: itnrw__bevoelkerung, Zeitraum 2020-12-31: ")
    assert replaced_line.startswith("Ersetzt: schulen__schulen, Stand 2024-10-15 → 2025-10-15: ")
    summary = (tmp / "second_refresh.txt").read_text(encoding="utf-8")  # the run's summary
    assert revised_line in summary and replaced_line in summary

    page = (tmp / "_qualitaet" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="revisionen"') :]
    assert REVISED_POPULATION.name in section and "2020-12-31" in section
    assert "schulen_2025-10-15.xlsx" in section

    revised_rows = [r for r in edition.changes.revised if r.source_revised]
    city = {(r.indicator_id, r.period, r.breakdown) for r in revised_rows if r.region == "05114"}
    assert ("bevoelkerung_anzahl", "2020", "25_bis_unter_65") in city
    assert ("bevoelkerung_anzahl", "2020", "maennlich, 25_bis_unter_65") in city
    assert all("geändert" not in (r.before, r.after) for r in revised_rows)  # never a "." cell
    assert all(r.period == "2020" for r in revised_rows)
    markdown = (edition.edition / "aenderungen.md").read_text(encoding="utf-8")
    assert "## Revidierte Werte" in markdown
    assert "| bevoelkerung_anzahl | 05114 | 2020 | 25_bis_unter_65 |" in markdown


@pytest.mark.e2e
def test_after_a_revision_the_planner_sees_every_raw_table_built(revised):
    """What the raw step recorded is what the planner computes from the delivery log, so the
    next refresh rebuilds nothing (a register that replaced another included)."""
    tmp, _edition = revised
    with duckdb.connect(str(tmp / "warehouse" / "bm.duckdb"), read_only=True) as con:
        recorded = fingerprints.raw_builds(con)
        log = con.execute(
            f"select source || '__' || table_name, sha256, original_name, received_at, periods "
            f"from {DELIVERIES_TABLE}"
        ).fetchall()
    by_table: dict[str, list[ArchivedDelivery]] = {}
    for table, sha, name, received_at, periods in log:  # as pipelines.automation.plan reads the log
        by_table.setdefault(table, []).append(
            ArchivedDelivery(sha, name, received_at, tuple(periods))
        )
    planned = {t: fingerprints.raw_fingerprint(assign_periods(d)) for t, d in by_table.items()}
    assert planned == recorded
    assert len(by_table["schulen__schulen"]) == 2  # both registers stay in the log
