"""The archive is content-addressed and immutable; failed files leave no trace."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipelines.ingest import archive as archive_module
from pipelines.ingest.archive import Archive, sha256_of
from pipelines.ingest.errors import IngestError
from pipelines.ingest.tidy import ParsedFile


def _fake_parse(path):
    if "bad" in path.name:
        raise IngestError.single("itnrw", path, "truncated file", row=3)
    frame = pd.DataFrame(
        {
            "source": ["itnrw"],
            "table_code": ["T"],
            "region_key": ["05"],
            "region_name": ["NRW"],
            "period": ["2020"],
            "value": [1.0],
            "symbol": [None],
        }
    )
    return ParsedFile("itnrw", "t", "T", "test", frame)


def test_landing_twice_returns_the_same_entry(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "parse_delivery", _fake_parse)
    source = tmp_path / "good.csv"
    source.write_text("content")
    archive = Archive(tmp_path / "archive")
    first = archive.land(source)
    second = archive.land(source)
    assert first == second
    entry = tmp_path / "archive" / first.sha256[:2] / first.sha256
    assert json.loads((entry / "meta.json").read_text())["original_name"] == "good.csv"
    assert (entry / "good.csv").read_text() == "content"
    assert first.sha256 == sha256_of(source)


def test_failed_file_is_not_archived(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "parse_delivery", _fake_parse)
    bad = tmp_path / "bad.csv"
    bad.write_text("x")
    archive = Archive(tmp_path / "archive")
    with pytest.raises(IngestError, match="row 3: truncated file"):
        archive.land(bad)
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").rglob("meta.json"))


def test_a_landing_that_comes_second_keeps_the_first_entry(tmp_path, monkeypatch):
    """Two landings of the same bytes at once (the planner's landing ahead and a run's inbox
    step, or two processes): each writes its own partial folder, the first rename wins and
    the other returns the entry it finds."""
    source = tmp_path / "good.csv"
    source.write_text("content")
    archive = Archive(tmp_path / "archive")
    inner: list = []

    def parse_while_another_lands(path):
        if not inner:  # the other landing finishes while this one parses
            inner.append(None)
            inner[0] = archive.land(path)
        return _fake_parse(path)

    monkeypatch.setattr(archive_module, "parse_delivery", parse_while_another_lands)
    outer = archive.land(source)
    assert outer == inner[0]
    shard = tmp_path / "archive" / outer.sha256[:2]
    assert [p.name for p in shard.iterdir()] == [outer.sha256]  # no partial folder left
