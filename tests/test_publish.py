"""Publishing: editions are kept, ``current`` moves atomically, unreleased sites are refused."""

from __future__ import annotations

import json

import pytest

from pipelines.publish import RELEASE_MARKER, PublishError, publish_site


def _site(tmp_path, run_id: str, stamp: str):
    site = tmp_path / f"site-{run_id}"
    site.mkdir()
    (site / "index.html").write_text(run_id)
    (site / RELEASE_MARKER).write_text(json.dumps({"run_id": run_id, "released_at": stamp}))
    return site


def test_two_publications_keep_two_editions(tmp_path):
    web = tmp_path / "web"
    first = publish_site(web, _site(tmp_path, "aaaaaaaa1", "2026-11-01T06:00:00+00:00"))
    second = publish_site(web, _site(tmp_path, "bbbbbbbb2", "2026-12-01T06:00:00+00:00"))
    assert sorted(p.name for p in (web / "editions").iterdir()) == [first.name, second.name]
    assert (web / "current").resolve() == second.resolve()
    assert (web / "current" / "index.html").read_text() == "bbbbbbbb2"


def test_site_without_release_marker_is_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("unchecked")
    with pytest.raises(PublishError, match="no released report"):
        publish_site(tmp_path / "web", site)
    assert not (tmp_path / "web" / "current").exists()
