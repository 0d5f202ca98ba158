"""Releases: the warehouse and the rendered site of one run, made current by one atomic switch.

Layout beside the live warehouse (``BILDUNGSMONITOR_WAREHOUSE``)::

    <dir>/releases/<release id>/<warehouse name>   the run's warehouse
    <dir>/releases/<release id>/site/              the run's rendered site
    <dir>/releases/<release id>/manifest.json      run id, time, sha256 of every file above
    <dir>/releases/current -> <release id>         the one pointer that is switched
    <dir>/<warehouse name> -> releases/current/<warehouse name>     (fixed symlink)
    <site dir>             -> <dir>/releases/current/site           (fixed symlink)

A run renders into ``releases/.<run id>.partial/site`` and moves its staging warehouse beside
it; the manifest is written last, the folder renamed to its release id, and only then is
``current`` replaced (``rename(2)`` of a symlink: atomic). A ``kill -9`` at any point leaves
either the old release or the new one current, never a mix; :func:`recover` (run at the start
of every refresh, under the refresh lock) removes what a killed run left behind. Warehouse and
site are therefore always of the same release, and the planner can trust that the site
belongs to the warehouse it reads.

An installation from before releases (a real warehouse file and a real site folder) is moved
over at its first release: the file is replaced by the symlink atomically; the site folder
cannot be (a directory cannot be renamed over), so there is one moment without a site at that
first release, repaired by :func:`recover` if a kill hits it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines import paths
from pipelines.publishing.faults import pause_point

MANIFEST = "manifest.json"
CURRENT = "current"
SITE = "site"
KEEP_ENV = "BILDUNGSMONITOR_KEEP_RELEASES"
DEFAULT_KEEP = 3
"""Releases kept besides the current one's predecessors: current + 2 to roll back to."""


class ReleaseError(RuntimeError):
    """A release cannot be made or does not match its manifest."""


def sha256_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` by its POSIX path relative to ``root``."""
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def keep_releases() -> int:
    """How many releases to keep (current included), from ``BILDUNGSMONITOR_KEEP_RELEASES``."""
    try:
        return paths.env_count(KEEP_ENV, DEFAULT_KEEP)
    except ValueError as error:
        raise ReleaseError(str(error)) from None


@dataclass(frozen=True)
class Release:
    """One complete release folder."""

    folder: Path
    manifest: dict

    @property
    def release_id(self) -> str:
        return self.folder.name

    @property
    def run_id(self) -> str:
        return str(self.manifest["run_id"])


@dataclass(frozen=True)
class ReleaseStore:
    """The releases of one warehouse; see the module docstring."""

    live_warehouse: Path
    """The fixed path readers open (``BILDUNGSMONITOR_WAREHOUSE``), absolute, not resolved."""
    live_site: Path
    """The fixed site path (``BILDUNGSMONITOR_SITE_DIR``), absolute, not resolved."""

    @property
    def root(self) -> Path:
        return self.live_warehouse.parent / "releases"

    @property
    def current_link(self) -> Path:
        return self.root / CURRENT

    def partial(self, run_id: str) -> Path:
        """Where a run builds its release (renders its site into ``<partial>/site``)."""
        return self.root / f".{run_id}.partial"

    def staging_site(self, run_id: str) -> Path:
        return self.partial(run_id) / SITE

    # ------------------------------------------------------------------ reading
    def current(self) -> Release | None:
        """The current release, or None (no release yet, or a legacy installation)."""
        if not self.current_link.is_symlink():
            return None
        folder = self.root / os.readlink(self.current_link)
        return _read(folder)

    def releases(self) -> list[Release]:
        """Complete releases (those with a manifest), oldest first."""
        if not self.root.is_dir():
            return []
        found = [_read(p) for p in sorted(self.root.iterdir()) if _is_release_folder(p)]
        return [r for r in found if r is not None]

    def problems(self) -> list[str]:
        """Why warehouse, site and manifest might not agree ('' list: they agree).

        Cheap (no hashing): the fixed paths point into ``current`` and the site's release
        marker names the manifest's run. ``verify`` compares every hash.
        """
        current = self.current()
        if current is None:
            return []  # nothing released through the store yet
        found = []
        wanted = self.current_link / self.live_warehouse.name
        if not self.live_warehouse.is_symlink() or _target(self.live_warehouse) != wanted:
            found.append(f"{self.live_warehouse} zeigt nicht auf die aktuelle Freigabe")
        if not self.live_site.is_symlink() or _target(self.live_site) != self.current_link / SITE:
            found.append(f"{self.live_site} zeigt nicht auf die aktuelle Freigabe")
        marker = current.folder / SITE / "_release.json"
        if not marker.is_file():
            found.append(f"{marker} fehlt")
        elif json.loads(marker.read_text(encoding="utf-8")).get("run_id") != current.run_id:
            found.append(f"Bericht und Warehouse der Freigabe {current.release_id} passen nicht")
        return found

    def verify(self, release: Release) -> list[str]:
        """Files of ``release`` whose content differs from its manifest, or that are missing."""
        expected: dict[str, str] = release.manifest["files"]
        found = []
        for name, digest in expected.items():
            path = release.folder / name
            if not path.is_file():
                found.append(f"{name}: fehlt")
            elif sha256_file(path) != digest:
                found.append(f"{name}: Inhalt weicht vom Manifest ab")
        return found

    # ------------------------------------------------------------------ writing
    def commit(self, run_id: str, staging_warehouse: Path) -> Release:
        """Make the run's staging warehouse and rendered site the current release."""
        partial = self.partial(run_id)
        if not (partial / SITE).is_dir():
            raise ReleaseError(f"{partial / SITE}: kein gerenderter Bericht für Lauf {run_id}")
        pause_point("release:before-move")
        os.replace(staging_warehouse, partial / self.live_warehouse.name)
        released_at = datetime.now(UTC)
        manifest = {
            "run_id": run_id,
            "released_at": released_at.isoformat(timespec="seconds"),
            "warehouse": self.live_warehouse.name,
            "files": tree_hashes(partial),
        }
        _write_durably(partial / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        release_id = f"{released_at:%Y%m%dT%H%M%SZ}_{run_id[:8]}"
        folder = self.root / release_id
        os.replace(partial, folder)
        _fsync_dir(self.root)
        pause_point("release:before-switch")
        _point(self.current_link, Path(release_id))  # the switch
        pause_point("release:after-switch")
        self.link_live_paths()
        self.prune()
        return Release(folder=folder, manifest=manifest)

    def link_live_paths(self) -> None:
        """Point the fixed warehouse and site paths through ``current`` (idempotent)."""
        wanted = Path(self.root.name) / CURRENT / self.live_warehouse.name
        linked = self.live_warehouse.is_symlink()
        if not (linked and os.readlink(self.live_warehouse) == str(wanted)):
            # a WAL of the replaced file belongs to no release
            Path(f"{self.live_warehouse}.wal").unlink(missing_ok=True)
            _point(self.live_warehouse, wanted)
        site_target = self.current_link / SITE
        if self.live_site.is_symlink():
            if _target(self.live_site) != site_target:
                _point(self.live_site, site_target)
            return
        self.live_site.parent.mkdir(parents=True, exist_ok=True)
        if self.live_site.exists():  # a legacy site folder: moved aside, then the link
            aside = self.live_site.with_name(f".{self.live_site.name}.legacy")
            shutil.rmtree(aside, ignore_errors=True)
            os.replace(self.live_site, aside)
            _point(self.live_site, site_target)
            shutil.rmtree(aside, ignore_errors=True)
        else:
            _point(self.live_site, site_target)

    def prune(self, keep: int | None = None) -> list[Path]:
        """Remove the oldest complete releases beyond ``keep`` (never the current one)."""
        keep = keep_releases() if keep is None else keep
        current = self.current()
        complete = self.releases()
        removed = []
        for release in complete[: max(len(complete) - keep, 0)]:
            if current is not None and release.folder == current.folder:
                continue
            shutil.rmtree(release.folder, ignore_errors=True)
            removed.append(release.folder)
        return removed

    def recover(self) -> list[str]:
        """Clean up after a killed run; call only while holding the refresh lock.

        Removes unfinished release folders, stray temporary links and legacy leftovers of the
        site swap, and re-creates the fixed links if a kill hit the first (legacy) release.
        Returns what was done, for the run log.
        """
        done = []
        if self.root.is_dir():
            for path in self.root.iterdir():
                if path.name.startswith(".") and path.name.endswith(".partial"):
                    shutil.rmtree(path, ignore_errors=True)
                    done.append(f"unfertige Freigabe entfernt: {path.name}")
                elif path.name.startswith(".") and path.is_symlink():
                    path.unlink(missing_ok=True)
                elif _is_release_folder(path) and _read(path) is None:
                    shutil.rmtree(path, ignore_errors=True)  # renamed without manifest: impossible
                    done.append(f"Freigabe ohne Manifest entfernt: {path.name}")
        parent = self.live_site.parent
        if parent.is_dir():
            for path in parent.glob(f".{self.live_site.name}.*"):
                name = path.name
                if name.endswith(".legacy") or ".staging-" in name or ".old-" in name:
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path, ignore_errors=True)
                    else:
                        path.unlink(missing_ok=True)
                    done.append(f"Rest eines abgebrochenen Laufs entfernt: {path.name}")
        for path in self.live_warehouse.parent.glob(f".{self.live_warehouse.name}.link-*"):
            path.unlink(missing_ok=True)
        if self.current() is not None and self.problems():
            self.link_live_paths()
            done.append("Verweise auf die aktuelle Freigabe wiederhergestellt")
        return done


def _is_release_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not path.name.startswith(".")


def _read(folder: Path) -> Release | None:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return None
    try:
        return Release(folder=folder, manifest=json.loads(manifest.read_text(encoding="utf-8")))
    except json.JSONDecodeError:
        return None


def _target(link: Path) -> Path:
    """A symlink's target as an absolute, lexically normalised path (no resolving)."""
    raw = Path(os.readlink(link))
    return Path(os.path.normpath(raw if raw.is_absolute() else link.parent / raw))


def _point(link: Path, target: Path) -> None:
    """Make ``link`` a symlink to ``target`` with one atomic rename."""
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.link-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    os.replace(tmp, link)
    _fsync_dir(link.parent)


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
