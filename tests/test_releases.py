"""Releases: warehouse and site become current together, and a killed run leaves no mix.

The crash tests with a real ``kill -9`` of a refresh are in ``test_crash_consistency.py``;
these cover the store's own states, including the ones a kill leaves behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from pipelines.publishing.releases import ReleaseError, ReleaseStore
from pipelines.publishing.web_root import write_release_marker


def _store(tmp_path: Path) -> ReleaseStore:
    return ReleaseStore(tmp_path / "wh" / "live.duckdb", tmp_path / "www" / "site")


def _stage(store: ReleaseStore, run_id: str, value: int) -> Path:
    """A run's staging warehouse and rendered site, as the assets leave them."""
    staging = store.live_warehouse.parent / "staging" / store.live_warehouse.name
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    with duckdb.connect(str(staging)) as con:
        con.execute(f"create table t as select {value} as x")
    site = store.staging_site(run_id)
    site.mkdir(parents=True)
    (site / "index.html").write_text(f"Lauf {run_id}")
    write_release_marker(site, run_id)
    return staging


def _value(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select x from t").fetchone()[0]


def test_commit_switches_warehouse_and_site_together(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first = store.commit("run-one", _stage(store, "run-one", 1))
    assert _value(store.live_warehouse) == 1
    assert (store.live_site / "index.html").read_text() == "Lauf run-one"
    assert store.live_warehouse.is_symlink() and store.live_site.is_symlink()
    assert store.problems() == [] and store.verify(first) == []

    second = store.commit("run-two", _stage(store, "run-two", 2))
    assert store.current().release_id == second.release_id
    assert _value(store.live_warehouse) == 2
    assert (store.live_site / "index.html").read_text() == "Lauf run-two"
    assert not store.partial("run-two").exists()
    manifest = json.loads((second.folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {"live.duckdb", "site/index.html", "site/_release.json"}


def test_a_kill_before_the_switch_leaves_the_old_release_current_and_is_cleaned_up(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    store.commit("run-one", _stage(store, "run-one", 1))
    _stage(store, "run-two", 2)  # rendered, then killed before release: a partial folder
    (store.partial("run-two") / "live.duckdb").write_bytes(b"half")
    assert store.problems() == []
    assert _value(store.live_warehouse) == 1

    done = store.recover()

    assert any("run-two" in line for line in done)
    assert not store.partial("run-two").exists()
    assert [r.run_id for r in store.releases()] == ["run-one"]


def test_a_kill_after_the_switch_before_the_links_is_repaired(tmp_path: Path) -> None:
    """First release of a legacy installation: killed after ``current`` moved, before the
    fixed paths became links (the one moment the store cannot make atomic)."""
    store = _store(tmp_path)
    store.live_warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(store.live_warehouse)) as con:
        con.execute("create table t as select 0 as x")
    store.live_site.mkdir(parents=True)
    (store.live_site / "index.html").write_text("alt")
    release = store.commit("run-one", _stage(store, "run-one", 1))
    # undo the links, as if the kill came right after the switch
    store.live_warehouse.unlink()
    store.live_site.unlink()
    aside = store.live_site.with_name(".site.legacy")
    aside.mkdir()
    assert store.problems()

    store.recover()

    assert store.problems() == []
    assert _value(store.live_warehouse) == 1
    assert not aside.exists()
    assert store.verify(release) == []


def test_old_releases_are_pruned_but_never_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILDUNGSMONITOR_KEEP_RELEASES", "2")
    store = _store(tmp_path)
    for number in range(4):
        store.commit(f"run-{number}", _stage(store, f"run-{number}", number))
    assert [r.run_id for r in store.releases()] == ["run-2", "run-3"]
    assert store.current().run_id == "run-3"


def test_a_changed_file_fails_verification(tmp_path: Path) -> None:
    store = _store(tmp_path)
    release = store.commit("run-one", _stage(store, "run-one", 1))
    (release.folder / "site" / "index.html").write_text("manipuliert")
    assert store.verify(release) == ["site/index.html: Inhalt weicht vom Manifest ab"]


def test_a_site_link_to_another_release_is_a_problem_the_planner_sees(tmp_path: Path) -> None:
    store = _store(tmp_path)
    old = store.commit("run-one", _stage(store, "run-one", 1))
    store.commit("run-two", _stage(store, "run-two", 2))
    tmp_link = store.live_site.with_name("tmp-link")
    tmp_link.symlink_to(old.folder / "site")
    os.replace(tmp_link, store.live_site)
    assert store.problems() == [f"{store.live_site} zeigt nicht auf die aktuelle Freigabe"]


def test_commit_without_a_rendered_site_is_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    staging = tmp_path / "staging.duckdb"
    staging.write_bytes(b"")
    with pytest.raises(ReleaseError, match="kein gerenderter Bericht"):
        store.commit("run-x", staging)


def test_a_bad_keep_setting_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILDUNGSMONITOR_KEEP_RELEASES", "0")
    store = _store(tmp_path)
    with pytest.raises(ReleaseError, match="KEEP_RELEASES"):
        store.prune()
