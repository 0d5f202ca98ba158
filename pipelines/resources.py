"""The run's one settings resource: warehouse (with its per-run staging copy), site, inbox and
disclosure thresholds, resolved once when the run starts.

A run never writes the live warehouse. Its first writer copies the live file to
``<warehouse dir>/staging/<live file name>`` (the marker beside it names the run that owns
the copy); every asset of the run works on that copy; the report is rendered into the run's
unfinished release folder; the ``release`` asset — which only runs when every upstream step
and blocking check passed — makes warehouse and site current together with one atomic switch
(``pipelines.publishing.releases``). A failed or killed run leaves the live warehouse and site
untouched.

The resource holds the refresh lock for the whole run (``pipelines.publishing.locks``), so a run
started from the Dagster UI or the daemon cannot overlap a CLI refresh, and cleans up what a killed
run left behind before it starts.

The staging file keeps one path across runs on purpose: dbt keys its partial-parse state on
the profile's connection (path and database name), so a per-run file name would force a
full parse of the project at every start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Generator
from pathlib import Path

import dagster as dg

from pipelines import paths
from pipelines.publishing.locks import held, refresh_lock_path
from pipelines.publishing.releases import ReleaseStore
from quality.sdc.thresholds import Thresholds


class WarehouseResource(dg.ConfigurableResource):
    """The run's settings: the DuckDB warehouse, the site, the inbox and the disclosure
    thresholds. Empty fields fall back to the ``BILDUNGSMONITOR_*`` variables (through
    ``pipelines.paths`` and ``quality.sdc.thresholds``), read once when a run starts: every
    step of the run gets the same, resolved values (:meth:`resolved`)."""

    path: str | None = None
    site_dir: str | None = None
    data_dir: str | None = None
    min_count: int | None = None
    min_denominator: int | None = None
    protection_interval: int | None = None

    def resolved(self) -> WarehouseResource:
        """A copy with every empty field filled from the environment, once."""
        from_env = Thresholds.from_env()
        return self.model_copy(
            update={
                "path": str(self.live_path()),
                "site_dir": str(self.live_site_dir()),
                "data_dir": str(self.inbox_dir()),
                "min_count": self.min_count or from_env.count,
                "min_denominator": self.min_denominator or from_env.denominator,
                "protection_interval": self.protection_interval or from_env.interval,
            }
        )

    def inbox_dir(self) -> Path:
        """The inbox with the deliveries of all sources."""
        return paths.absolute(self.data_dir) if self.data_dir else paths.data_dir()

    def thresholds(self) -> Thresholds:
        """The disclosure thresholds (set fields, else the environment's)."""
        from_env = Thresholds.from_env()
        return Thresholds(
            count=self.min_count or from_env.count,
            denominator=self.min_denominator or from_env.denominator,
            interval=self.protection_interval or from_env.interval,
        )

    def live_path(self) -> Path:
        """The fixed warehouse path (a symlink into the current release once released)."""
        return paths.absolute(self.path) if self.path else paths.warehouse_path()

    def live_site_dir(self) -> Path:
        return paths.absolute(self.site_dir) if self.site_dir else paths.site_dir()

    def releases(self) -> ReleaseStore:
        return ReleaseStore(self.live_path(), self.live_site_dir())

    @contextlib.contextmanager
    def yield_for_execution(
        self, context: dg.InitResourceContext
    ) -> Generator[WarehouseResource, None, None]:
        """Hold the refresh lock while the run executes (re-entrant for the CLI, which holds
        it already) and clear a killed run's leftovers first."""
        from pipelines.publishing.cleanup import stop_orphans, sweep_scratch, tidy_run_history

        live = self.live_path()
        with held(refresh_lock_path(live), "refresh"):
            done = stop_orphans(live) + self.releases().recover()
            done += sweep_scratch(paths.scratch_dir(live))
            run_id = context.run.run_id if context.run else None
            done += tidy_run_history(context.instance, live, current_run_id=run_id)
            for line in done:
                context.log.info(line)
            yield self.resolved()

    def editions_register(self) -> Path:
        """Copies of the downloads of every published edition, next to the warehouse: the
        disclosure audit counts them as published (a reader can still download them)."""
        return paths.editions_register(self.live_path())

    def archive_dir(self) -> Path:
        """Immutable archive of every delivered file, next to the warehouse."""
        return self.live_path().parent / "archive"

    def staging_file(self) -> Path:
        """Where a run's working copy lives (one path for every run; see the module docstring)."""
        return paths.staging_warehouse_path(self.live_path())

    def staging_owner(self) -> str | None:
        """The run whose working copy the staging file is, if any."""
        marker = _owner_marker(self.staging_file())
        return marker.read_text(encoding="utf-8").strip() if marker.exists() else None

    def staging_path(self, run_id: str) -> Path:
        """This run's working copy of the warehouse, created from the live file on first use.

        A copy left by another run (one that failed, or an earlier run's leftovers) is
        replaced by a fresh copy of the live file.
        """
        staging = self.staging_file()
        if staging.exists() and self.staging_owner() == run_id:
            return staging
        staging.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (staging, Path(f"{staging}.wal")):
            leftover.unlink(missing_ok=True)
        live = self.live_path()
        if live.exists():
            partial = staging.with_suffix(".copying")
            shutil.copyfile(live, partial)
            os.replace(partial, staging)
        _owner_marker(staging).write_text(run_id, encoding="utf-8")
        return staging

    def render_cache_dir(self) -> Path:
        """Rendered pages by the inputs they were rendered from (see pipelines/report)."""
        return self.live_path().parent / "render-cache"

    def quality_dir(self) -> Path:
        """The working group's quality page: beside the public site, never inside it."""
        site = self.live_site_dir()
        return site.parent / "_qualitaet"

    def staging_site_dir(self, run_id: str) -> Path:
        """Where the run renders its site: inside its unfinished release folder."""
        return self.releases().staging_site(run_id)

    def release(self, run_id: str) -> tuple[Path, Path]:
        """Make this run's warehouse and rendered site current together (one atomic switch)."""
        staging = self.staging_path(run_id)
        self.releases().commit(run_id, staging)
        _owner_marker(staging).unlink(missing_ok=True)
        return self.live_path(), self.live_site_dir()


def _owner_marker(staging: Path) -> Path:
    return staging.with_name(staging.name + ".run")
