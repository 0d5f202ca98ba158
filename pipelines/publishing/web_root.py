"""Publish the last released report to a web root: a new edition folder, then switch ``current``.

Only a site that the ``release`` asset made current (after every blocking check passed)
carries ``_release.json``, with the sha256 of every file of the site; anything else is refused
and the web root is left as it was. One publish per web root at a time (``.publish.lock``).
The edition is built in a temporary folder, checked file by file against the release's
hashes, and only then renamed into place; an edition folder that exists already is reused
only if it passes the same check (a half-copied one is rebuilt). Earlier editions are kept.
Each edition gets a change log against the edition ``current`` pointed to before
(``aenderungen.md`` and ``aenderungen.json``, from the published CSV files of the two
editions), written before the edition becomes visible.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines import paths
from pipelines.publishing.faults import pause_point
from pipelines.publishing.locks import LockBusy, held, publish_lock_path
from pipelines.publishing.releases import sha256_file, tree_hashes
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


def write_release_marker(site: Path, run_id: str, released_at: str | None = None) -> None:
    """Mark a site as released by a run whose gate passed, with the sha256 of each file:
    ``publish`` checks its copy against them."""
    marker = {
        "run_id": run_id,
        "released_at": released_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "files": tree_hashes(site),
    }
    (site / RELEASE_MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")


def publish_site(web_root: Path, site: Path | None = None) -> Publication:
    """Copy ``site`` (default: the live one) to a new edition; point ``current`` at it."""
    web_root = paths.absolute(web_root)
    try:
        with held(publish_lock_path(web_root), "publish"):
            return _publish(web_root, site or paths.site_dir())
    except LockBusy as error:
        raise PublishError(str(error)) from None


def _publish(web_root: Path, site: Path) -> Publication:
    site = site.resolve()  # the release current now: a refresh switching meanwhile is harmless
    marker = site / RELEASE_MARKER
    if not marker.is_file():
        raise PublishError(
            f"{site} holds no released report (missing {RELEASE_MARKER}): run "
            "`bildungsmonitor refresh` until its quality gate passes."
        )
    release = json.loads(marker.read_text(encoding="utf-8"))
    if "files" not in release:
        raise PublishError(
            f"{marker} lists no file hashes (a release from before the manifest): run "
            "`bildungsmonitor refresh --full` once, then publish."
        )
    damaged = _mismatches(site, release["files"])
    if damaged:
        raise PublishError(f"{site} does not match its release manifest: {'; '.join(damaged)}")
    editions = web_root / "editions"
    editions.mkdir(parents=True, exist_ok=True)
    stamp = release["released_at"].replace(":", "").replace("-", "").replace("+0000", "Z")
    edition = editions / f"{stamp}_{release['run_id'][:8]}"
    link = web_root / "current"
    changes = _read_changelog(edition) if edition.is_dir() else None
    if changes is not None and not _mismatches(edition, release["files"]):
        # published before, complete: keep it and the change log it got then
        previous = editions / changes.previous if changes.previous else None
    else:
        previous = _previous_edition(link, editions, excluding=edition)
        partial = editions / f".{edition.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(site, partial)
        changes = compare_sites(
            partial, previous, edition=edition.name, previous=previous.name if previous else None
        )
        (partial / CHANGELOG_MD).write_text(changes.to_markdown(), encoding="utf-8")
        (partial / CHANGELOG_JSON).write_text(changes.to_json(), encoding="utf-8")
        damaged = _mismatches(partial, release["files"])
        if damaged:
            shutil.rmtree(partial, ignore_errors=True)
            raise PublishError(f"copy of {site} is incomplete: {'; '.join(damaged)}")
        if edition.exists():  # an incomplete edition of an earlier, interrupted publish
            broken = editions / f".{edition.name}.broken-{os.getpid()}"
            os.replace(edition, broken)
            shutil.rmtree(broken, ignore_errors=True)
        pause_point("publish:before-rename")
        os.replace(partial, edition)
    for leftover in editions.glob(".*.partial-*"):  # of publishes killed earlier
        shutil.rmtree(leftover, ignore_errors=True)
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


def _previous_edition(link: Path, editions: Path, excluding: Path) -> Path | None:
    """The edition readers saw until now: ``current``'s target, else the newest one."""
    if link.is_symlink():
        target = (link.parent / os.readlink(link)).resolve()
        if target.is_dir() and target != excluding:
            return target
    names = sorted(
        p
        for p in editions.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p != excluding
    )
    return names[-1] if names else None


def _mismatches(folder: Path, files: dict[str, str]) -> list[str]:
    """Files of the release missing from ``folder`` or different there (first few named)."""
    found = []
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            found.append(f"{name} fehlt")
        elif sha256_file(path) != digest:
            found.append(f"{name} weicht ab")
        if len(found) >= 5:
            found.append("…")
            break
    return found


def _read_changelog(edition: Path) -> Changelog | None:
    path = edition / CHANGELOG_JSON
    return Changelog.from_json(path.read_text("utf-8")) if path.is_file() else None
