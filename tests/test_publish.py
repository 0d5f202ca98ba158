"""Publishing: editions are kept, ``current`` moves atomically, unreleased sites are refused,
and each edition carries a change log against the one before (from the published CSVs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.publishing.web_root import (
    CHANGELOG_JSON,
    CHANGELOG_MD,
    PublishError,
    publish_site,
    write_release_marker,
)
from pipelines.report.changelog import Changelog

HEADER = (
    "indicator_id;indicator_name;region_key;period;geschlecht;staatsangehoerigkeit;schulform;"
    "value;symbol\n"
)


@pytest.fixture(autouse=True)
def _own_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """publish keeps each edition's downloads beside the warehouse: never beside the real one."""
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(tmp_path / "warehouse" / "w.duckdb"))


def test_each_edition_is_kept_beside_the_warehouse_for_the_audit(tmp_path: Path) -> None:
    site = _site(tmp_path, "aaaaaaaa", "2026-11-01T06:00:00+00:00", {"quote": ["a;1"]})
    publication = publish_site(tmp_path / "web", site)
    kept = tmp_path / "warehouse" / "editionen" / publication.edition.name / "indikatoren"
    assert sorted(p.name for p in kept.iterdir()) == sorted(
        p.name for p in (publication.edition / "indikatoren").glob("*.csv")
    )


def _site(tmp_path: Path, run_id: str, stamp: str, data: dict[str, list[str]]) -> Path:
    """A released site whose indicator pages offer ``data`` (id → CSV rows) for download."""
    site = tmp_path / f"site-{run_id}"
    (site / "indikatoren").mkdir(parents=True)
    (site / "index.html").write_text(run_id)
    for indicator, rows in data.items():
        (site / "indikatoren" / f"{indicator}.csv").write_text(
            HEADER + "".join(f"{indicator};Name {indicator};{row}\n" for row in rows),
            encoding="utf-8-sig",
        )
    write_release_marker(site, run_id, released_at=stamp)
    return site


FIRST = {
    "abgang_ohne_abschluss_quote": [
        "05114;2015/16;insgesamt;insgesamt;insgesamt;7,82;",
        "05114;2016/17;insgesamt;insgesamt;insgesamt;8,06;",
        "05114;2016/17;weiblich;insgesamt;insgesamt;6,5;",
    ],
    "alte_quote": ["05114;2016;insgesamt;insgesamt;insgesamt;1,0;"],
}
SECOND = {
    "abgang_ohne_abschluss_quote": [
        "05114;2015/16;insgesamt;insgesamt;insgesamt;7,82;",
        "05114;2016/17;insgesamt;insgesamt;insgesamt;8,11;r",  # revised
        "05114;2016/17;weiblich;insgesamt;insgesamt;;.",  # now kept secret
        "05114;2017/18;insgesamt;insgesamt;insgesamt;8,4;",  # a new school year
    ],
    "neue_quote": ["05114;2017;insgesamt;insgesamt;insgesamt;3,0;"],
}


def test_two_publications_keep_two_editions_and_log_the_changes(tmp_path: Path) -> None:
    web = tmp_path / "web"
    first = publish_site(web, _site(tmp_path, "aaaaaaaa1", "2026-11-01T06:00:00+00:00", FIRST))
    second = publish_site(web, _site(tmp_path, "bbbbbbbb2", "2026-12-01T06:00:00+00:00", SECOND))

    assert sorted(p.name for p in (web / "editions").iterdir()) == [
        first.edition.name,
        second.edition.name,
    ]
    assert (web / "current").resolve() == second.edition.resolve()
    assert (web / "current" / "index.html").read_text() == "bbbbbbbb2"
    assert str(second) == str(second.edition)  # what the CLI prints

    assert first.previous is None and first.changes.summary() == [
        "Erste Ausgabe: 2 Kennzahlen veröffentlicht."
    ]
    changes = second.changes
    assert second.previous == first.edition.resolve()
    assert changes.previous == first.edition.name
    assert changes.added == ("neue_quote",) and changes.removed == ("alte_quote",)
    assert [(r.period, r.breakdown, r.before, r.after) for r in changes.revised] == [
        ("2016/17", "insgesamt", "8,06", "8,11 r"),
        ("2016/17", "weiblich", "geändert", "geändert"),  # a suppressed cell: no values
    ]
    assert dict(changes.new_rows) == {"abgang_ohne_abschluss_quote": 1}

    # written into the edition, and printed by the CLI
    logged = Changelog.from_json((second.edition / CHANGELOG_JSON).read_text("utf-8"))
    assert logged == changes
    markdown = (web / "current" / CHANGELOG_MD).read_text("utf-8")
    assert "## Korrigierte Werte" in markdown
    assert (
        "| abgang_ohne_abschluss_quote | 05114 | 2016/17 | insgesamt | 8,06 | 8,11 r |" in markdown
    )
    assert "Name neue_quote (`neue_quote`)" in markdown
    summary = "\n".join(changes.summary())
    assert "korrigierte Werte: 2 (abgang_ohne_abschluss_quote: 2)" in summary
    assert "neue Kennzahlen (1): neue_quote" in summary


def test_publishing_the_same_release_again_changes_nothing(tmp_path: Path) -> None:
    web = tmp_path / "web"
    site = _site(tmp_path, "aaaaaaaa1", "2026-11-01T06:00:00+00:00", FIRST)
    publish_site(web, site)
    second = _site(tmp_path, "bbbbbbbb2", "2026-12-01T06:00:00+00:00", SECOND)
    before = publish_site(web, second)
    again = publish_site(web, second)
    assert again.edition == before.edition and again.changes == before.changes
    assert len(list((web / "editions").iterdir())) == 2


def test_unchanged_data_is_logged_as_unchanged(tmp_path: Path) -> None:
    web = tmp_path / "web"
    publish_site(web, _site(tmp_path, "aaaaaaaa1", "2026-11-01T06:00:00+00:00", FIRST))
    again = publish_site(web, _site(tmp_path, "cccccccc3", "2026-11-02T06:00:00+00:00", FIRST))
    assert again.changes.unchanged
    assert again.changes.summary()[1].startswith("  keine")


def test_site_without_release_marker_is_refused_and_current_stays(tmp_path: Path) -> None:
    web = tmp_path / "web"
    published = publish_site(web, _site(tmp_path, "aaaaaaaa1", "2026-11-01T06:00:00+00:00", FIRST))
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("unchecked")
    with pytest.raises(PublishError, match="no released report"):
        publish_site(web, site)
    assert (web / "current").resolve() == published.edition.resolve()
    assert [p.name for p in (web / "editions").iterdir()] == [published.edition.name]
    with pytest.raises(PublishError, match="no released report"):
        publish_site(tmp_path / "leer", site)
    assert not (tmp_path / "leer" / "current").exists()
