"""Land the inbox in the background while a full refresh starts.

A full refresh (first run, ``--full``, changed pipeline code) lands every inbox file in its
``inbox`` step: about two seconds of parsing for the bundled sample, on one core, after
Dagster's start-up (imports, instance, run creation) has kept the same core busy while the
other idled. The planner knows the files before Dagster is imported, so it starts landing them
here, in worker processes, and the ``inbox`` step waits for that (:func:`finish_landing_ahead`)
before it lands the inbox itself, finding the files archived.

Landing is idempotent and atomic per file (:meth:`Archive.land`), so a background landing that
fails or is cut short changes nothing but speed: the ``inbox`` step lands whatever is missing
and reports every problem with file, row and column, as without it.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from pipelines.ingest.archive import PARALLEL_MIN_BYTES, Archive
from pipelines.ingest.identify import delivery_files

log = logging.getLogger(__name__)

_pending: threading.Thread | None = None


def ahead_workers(files: list[Path]) -> int:
    """Parsing processes: one for an inbox too small to repay more (this process imports
    Dagster meanwhile, on the other core), one per CPU for a large one (``PARALLEL_MIN_BYTES``,
    as the inbox step would use), whose landing takes far longer than Dagster's start."""
    if sum(path.stat().st_size for path in files) < PARALLEL_MIN_BYTES:
        return 1
    return os.cpu_count() or 1


def start_landing_ahead(archive_root: Path, data_dir: Path) -> bool:
    """Start landing every file of ``data_dir`` into the archive; False if there is none."""
    global _pending
    if _pending is not None or not data_dir.is_dir():
        return False
    files = delivery_files(data_dir)
    if not files:
        return False

    workers = ahead_workers(files)

    def land() -> None:
        try:
            Archive(archive_root).land_many(files, workers=workers, background=True)
        except Exception:  # the inbox step lands the files again and reports the error
            log.debug("landing ahead stopped", exc_info=True)

    _pending = threading.Thread(target=land, name="landing-ahead", daemon=True)
    _pending.start()
    return True


def finish_landing_ahead() -> None:
    """Wait for a landing started by :func:`start_landing_ahead` (no-op if none runs): the
    ``inbox`` step must not land the same file at the same time."""
    global _pending
    pending, _pending = _pending, None
    if pending is not None:
        pending.join()
