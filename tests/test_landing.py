"""Landing an inbox in worker processes gives what landing it file by file gives."""

from __future__ import annotations

import dataclasses
import shutil
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import duckdb
import pytest

from pipelines.assets.landing import land_all
from pipelines.ingest import archive as archive_module
from pipelines.ingest.archive import Archive, Delivery
from pipelines.ingest.errors import IngestError
from tests.conftest import SAMPLE

INBOX_FILES = [
    "ba/arbeitslose_2024.xlsx",
    "ba/ausbildungsmarkt_2023-24.xlsx",
    "ba/sgb2_quoten_2024-12.xlsx",
    "itnrw/21111-02-06-4_2022-2025.csv",
    "itnrw/12411-02-03-4_sample_de_flat.csv",
    "schulen/schueler_2024-25.xlsx",
    "schulen/schueler_2018-19.csv",
    "schulen/schulen_2024-10-15.xlsx",
    "schulen/schulformwechsel_2023-24.xlsx",
    "schulen/uebergaenge_2016-17.csv",
]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    for name in INBOX_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE / name, folder / name)
    return folder


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use worker processes however small the inbox."""
    monkeypatch.setattr(archive_module, "PARALLEL_MIN_BYTES", 0)


def _comparable(delivery: Delivery) -> Delivery:
    return dataclasses.replace(delivery, received_at="")


def _tidy(archive: Archive, delivery: Delivery) -> list[tuple]:
    path = archive.tidy_parquet(delivery).as_posix()
    with duckdb.connect() as con:
        schema = con.execute(f"describe select * from '{path}'").fetchall()
        return schema + con.execute(f"select * from '{path}'").fetchall()


def test_workers_land_what_one_process_lands(tmp_path: Path, inbox: Path, parallel) -> None:
    serial_archive, parallel_archive = Archive(tmp_path / "a"), Archive(tmp_path / "b")
    serial = land_all(inbox, serial_archive, workers=1)
    in_workers = land_all(inbox, parallel_archive, workers=2)
    assert [d.original_name for d in in_workers] == [Path(n).name for n in sorted(INBOX_FILES)]
    assert list(map(_comparable, in_workers)) == list(map(_comparable, serial))
    for one, other in zip(serial, in_workers, strict=True):
        assert _tidy(serial_archive, one) == _tidy(parallel_archive, other)
    assert land_all(inbox, parallel_archive, workers=2) == in_workers  # archived: found again


def test_problems_of_all_files_in_inbox_order(tmp_path: Path, inbox: Path, parallel) -> None:
    (inbox / "schulen" / "a_kaputt.csv").write_text("schuljahr;schulnummer\n2016/17;1\n")
    (inbox / "zzz_unbekannt.csv").write_text("irgendwas;anderes\n1;2\n")
    reports = []
    for workers, folder in ((1, "a"), (2, "b")):
        with pytest.raises(IngestError) as info:
            land_all(inbox, Archive(tmp_path / folder), workers=workers)
        reports.append(info.value.problems)
        landed = list((tmp_path / folder).rglob("meta.json"))
        assert len(landed) == len(INBOX_FILES)  # the good files are archived all the same
    assert reports[0] == reports[1]
    assert reports[0][0].file == "a_kaputt.csv"
    assert reports[0][-1].file == "zzz_unbekannt.csv"


def test_same_bytes_under_two_names_land_once(tmp_path: Path, inbox: Path, parallel) -> None:
    shutil.copyfile(inbox / INBOX_FILES[0], inbox / "ba" / "zz_kopie.xlsx")
    deliveries = land_all(inbox, Archive(tmp_path / "archive"), workers=2)
    assert len(deliveries) == len(INBOX_FILES) + 1
    twins = [d for d in deliveries if d.sha256 == deliveries[0].sha256]
    assert len(twins) == 2 and twins[0] == twins[1]  # the copy finds the first one's entry
    assert twins[1].original_name == Path(INBOX_FILES[0]).name
    assert len(list((tmp_path / "archive").rglob("meta.json"))) == len(INBOX_FILES)


class _BrokenPool:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        raise BrokenProcessPool("a worker could not start")

    def __exit__(self, *exc):
        return False


def test_broken_workers_fall_back_to_this_process(
    tmp_path: Path, inbox: Path, parallel, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    monkeypatch.setattr(archive_module, "ProcessPoolExecutor", _BrokenPool)
    deliveries = land_all(inbox, Archive(tmp_path / "archive"), workers=2)
    assert len(deliveries) == len(INBOX_FILES)
    assert "landing workers stopped" in caplog.text


class _NoPool:
    def __init__(self, *args, **kwargs):
        raise AssertionError("no worker processes expected")


def test_small_inbox_is_landed_without_workers(
    tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "ProcessPoolExecutor", _NoPool)
    deliveries = land_all(inbox, Archive(tmp_path / "archive"), workers=2)  # 1 MB: too small
    assert len(deliveries) == len(INBOX_FILES)


def _unused_files(folder: Path) -> list[str]:
    """A GENESIS table no indicator uses and an SVWS code list, as a working group would
    leave them beside the deliveries."""
    table = (SAMPLE / "itnrw/21111-02-06-4_2022-2025.csv").read_bytes()
    other = table.replace(b"Tabelle: 21111-02-06-4", b"Tabelle: 99999-01-01-4", 1)
    assert other != table
    (folder / "itnrw/99999-01-01-4.csv").write_bytes(other)
    (folder / "Statkue_Abgangsart.csv").write_text(
        "SF;Art;Beschreibung;KZ_Bereich;KZ_Bereich_JG;AbgangsJG;Flag;geaendert;gueltigVon;"
        "gueltigBis\nGY;0A;Ohne Abschluss;12;4;**;1;2018-05-03 13:36:08;;\n",
        encoding="utf-8",
    )
    return ["99999-01-01-4.csv", "Statkue_Abgangsart.csv"]


def test_unused_files_are_listed_not_loaded_and_do_not_fail_the_inbox(inbox, tmp_path):
    from pipelines.assets.landing import land_inbox

    names = _unused_files(inbox)
    landed = land_inbox(inbox, Archive(tmp_path / "archive"), workers=1)
    assert len(landed.deliveries) == len(INBOX_FILES)
    assert sorted(p.file for p in landed.unused) == sorted(names)
    genesis = next(p for p in landed.unused if p.file == names[0])
    assert "GENESIS-Tabelle 99999-01-01-4" in genesis.rule
    assert "wird von keinem Indikator verwendet" in genesis.rule
    assert not any(p.blocking for p in landed.unused)


def test_an_unrecognised_file_still_fails_the_inbox(inbox, tmp_path):
    (inbox / "notiz.csv").write_text("Liebe Kolleginnen;\nbitte laden\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"notiz\.csv: not recognised"):
        land_all(inbox, Archive(tmp_path / "archive"), workers=1)
