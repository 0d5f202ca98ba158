"""Publish the last released report to a web root: a new edition folder, then switch ``current``.

Only a site that the ``release`` asset swapped into place (after every blocking check passed)
carries ``_release.json``; anything else is refused and the web root is left as it was.
Earlier editions are kept. Each edition gets a change log against the edition ``current``
pointed to before (``aenderungen.md`` and ``aenderungen.json``, from the published CSV files
of the two editions), written before the edition becomes visible.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines import paths
from pipelines.report.changelog import Changelog, compare_sites

RELEASE_MARKER = "_release.json"
CHANGELOG_MD = "aenderungen.md"
CHANGELOG_JSON = "aenderungen.json"


class PublishError(RuntimeError):
    """The site cannot be published (no released report, or the web root is unusable)."""


@dataclass(frozen=True)
class Publication:
    """A published edition and what changed since the previous one.

    ``str()`` is the edition's path, so callers that print the result keep working.
    """

    edition: Path
    previous: Path | None
    changes: Changelog

    def __str__(self) -> str:
        return str(self.edition)

    def __fspath__(self) -> str:
        return str(self.edition)


def write_release_marker(site: Path, run_id: str) -> None:
    """Mark a site as released by a run whose gate passed."""
    marker = {"run_id": run_id, "released_at": datetime.now(UTC).isoformat(timespec="seconds")}
    (site / RELEASE_MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")


def publish_site(web_root: Path, site: Path | None = None) -> Publication:
    """Copy ``site`` (default: the live one) to a new edition; point ``current`` at it."""
    site = site or paths.site_dir()
    marker = site / RELEASE_MARKER
    if not marker.is_file():
        raise PublishError(
            f"{site} holds no released report (missing {RELEASE_MARKER}): run "
            "`bildungsmonitor refresh` until its quality gate passes."
        )
    release = json.loads(marker.read_text(encoding="utf-8"))
    editions = web_root / "editions"
    editions.mkdir(parents=True, exist_ok=True)
    stamp = release["released_at"].replace(":", "").replace("-", "").replace("+0000", "Z")
    edition = editions / f"{stamp}_{release['run_id'][:8]}"
    link = web_root / "current"
    if edition.exists():  # published before: keep it and the change log it got then
        changes = _read_changelog(edition)
        previous = editions / changes.previous if changes and changes.previous else None
        if changes is None:
            changes = compare_sites(edition, None, edition=edition.name, previous=None)
    else:
        previous = _previous_edition(link, editions)
        partial = editions / f".{edition.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(site, partial)
        changes = compare_sites(
            partial, previous, edition=edition.name, previous=previous.name if previous else None
        )
        (partial / CHANGELOG_MD).write_text(changes.to_markdown(), encoding="utf-8")
        (partial / CHANGELOG_JSON).write_text(changes.to_json(), encoding="utf-8")
        os.replace(partial, edition)
    _register(edition)
    tmp_link = web_root / ".current.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(Path("editions") / edition.name, target_is_directory=True)
    os.replace(tmp_link, link)
    return Publication(edition=edition, previous=previous, changes=changes)


def _register(edition: Path) -> None:
    """Keep a copy of the edition's downloads beside the warehouse: what readers can download
    stays published, so the next refresh's disclosure audit counts it as known."""
    target = paths.editions_register() / edition.name / "indikatoren"
    if target.is_dir():
        return
    partial = target.parent / ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for csv_file in sorted((edition / "indikatoren").glob("*.csv")):
        shutil.copy2(csv_file, partial / csv_file.name)
    os.replace(partial, target)


def _previous_edition(link: Path, editions: Path) -> Path | None:
    """The edition readers saw until now: ``current``'s target, else the newest one."""
    if link.is_symlink():
        target = (link.parent / os.readlink(link)).resolve()
        if target.is_dir():
            return target
    names = sorted(p for p in editions.iterdir() if p.is_dir() and not p.name.startswith("."))
    return names[-1] if names else None


def _read_changelog(edition: Path) -> Changelog | None:
    path = edition / CHANGELOG_JSON
    return Changelog.from_json(path.read_text("utf-8")) if path.is_file() else None
