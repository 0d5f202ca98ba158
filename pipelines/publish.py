"""Publish the last released report to a web root: a new edition folder, then switch ``current``.

Only a site that the ``release`` asset swapped into place (after every blocking check passed)
carries ``_release.json``; anything else is refused. Earlier editions are kept.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pipelines import paths

RELEASE_MARKER = "_release.json"


class PublishError(RuntimeError):
    """The site cannot be published (no released report, or the web root is unusable)."""


def write_release_marker(site: Path, run_id: str) -> None:
    """Mark a site as released by a run whose gate passed."""
    marker = {"run_id": run_id, "released_at": datetime.now(UTC).isoformat(timespec="seconds")}
    (site / RELEASE_MARKER).write_text(json.dumps(marker, indent=1), encoding="utf-8")


def publish_site(web_root: Path, site: Path | None = None) -> Path:
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
    if not edition.exists():
        partial = editions / f".{edition.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(site, partial)
        os.replace(partial, edition)
    link = web_root / "current"
    tmp_link = web_root / ".current.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(Path("editions") / edition.name, target_is_directory=True)
    os.replace(tmp_link, link)
    return edition
