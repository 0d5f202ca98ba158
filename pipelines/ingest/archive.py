"""Immutable, content-addressed archive of every delivered file.

Each file is stored once under its sha256 with its metadata (original name, size, table code,
time received) and the tidy table parsed from it. Loading the same bytes twice finds the
archived copy and changes nothing; a newer delivery of the same table is a new archive entry
and supersedes the older one in the raw layer (period by period, a register as a whole; see
``pipelines.ingest.supersede``), without deleting it: the raw layer compares the two when it
records a revision (``pipelines.ingest.revisions``).

:meth:`Archive.land_many` lands a whole inbox: files already archived are looked up, new ones
are parsed in worker processes when there are enough of them to repay the workers' start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.ingest.errors import IngestError, Problem
from pipelines.ingest.identify import parse_delivery
from pipelines.ingest.limits import unreadable

PARALLEL_MIN_BYTES = 8 * 1024 * 1024
"""New files smaller than this in total are landed in this process. Workers take about a second
to start and did not make the bundled sample (3 MB, 106 files, ~2 s on one core) faster on two
cores; a state-sized inbox (70 MB of 100 000-row files, ~1 min of CPU) lands almost twice as
fast."""
WORKER_MODULES = (
    "pipelines.ingest.archive",
    "pipelines.ingest.genesis",
    "pipelines.ingest.ba",
    "pipelines.ingest.schulen",
)
"""Imported once by the fork server, so that each worker starts without importing them."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One archived file and what it holds."""

    sha256: str
    original_name: str
    size: int
    source: str
    table: str
    table_code: str
    parser: str
    received_at: str
    rows: int
    periods: list[str]
    regions: list[str]
    notes: list[str]


def sha256_of(path: Path) -> str:
    """The file's content hash; :class:`IngestError` (one line) if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:
        raise unreadable("inbox", path, error) from None
    return digest.hexdigest()


class Archive:
    """The archive folder: ``<root>/<sha[:2]>/<sha>/{original file, meta.json, tidy.parquet}``."""

    def __init__(self, root: Path):
        self.root = root

    def _entry(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def land_many(
        self,
        paths: Sequence[Path],
        *,
        workers: int | None = None,
        background: bool = False,
    ) -> list[Delivery | list[Problem]]:
        """Each file's delivery or problems, in the order of ``paths``: as :meth:`land` one
        after the other would give them, the new files parsed by up to ``workers`` processes
        (default: one per CPU) when they are large enough to repay the workers' start.

        ``background``: the caller is a thread beside other work of this process, so new
        files are always parsed in worker processes (even one), never in this process."""
        shas: list[str] = []
        outcomes: list[Delivery | list[Problem] | None] = []
        for path in paths:
            try:
                sha = sha256_of(path)
            except IngestError as error:  # unreadable: its problem is its outcome
                shas.append("")
                outcomes.append(error.problems)
                continue
            shas.append(sha)
            outcomes.append(self.known(sha))
        new: dict[str, int] = {}
        for index, sha in enumerate(shas):
            if outcomes[index] is None and sha not in new:
                new[sha] = index
        landed = self._land_new([paths[i] for i in new.values()], list(new), workers, background)
        for index, outcome in zip(new.values(), landed, strict=True):
            outcomes[index] = outcome
        for index, sha in enumerate(shas):
            if outcomes[index] is None:  # the same bytes under a second name, as land() sees it
                outcomes[index] = _land_one(str(self.root), str(paths[index]), sha)
        return outcomes  # type: ignore[return-value]

    def _land_new(
        self, paths: list[Path], shas: list[str], workers: int | None, background: bool
    ) -> list[Delivery | list[Problem]]:
        if not paths:
            return []
        root = str(self.root)
        sizes = [path.stat().st_size for path in paths]
        workers = min(workers or os.cpu_count() or 1, len(paths))
        landed: dict[int, Delivery | list[Problem]] = {}
        if background or (workers > 1 and sum(sizes) >= PARALLEL_MIN_BYTES):
            # largest first, so that no big file starts last while the other workers idle
            order = sorted(range(len(paths)), key=lambda i: -sizes[i])
            try:
                with ProcessPoolExecutor(workers, mp_context=_pool_context()) as pool:
                    futures = {
                        pool.submit(_land_one, root, str(paths[i]), shas[i]): i for i in order
                    }
                    for future in as_completed(futures):
                        landed[futures[future]] = future.result()
            except BrokenProcessPool as exc:
                log.warning(
                    "landing workers stopped (%s); the remaining files are landed in this "
                    "process. A script that lands files must guard its entry point with "
                    "`if __name__ == '__main__':`",
                    exc,
                )
        for i, (path, sha) in enumerate(zip(paths, shas, strict=True)):
            if i not in landed:
                landed[i] = _land_one(root, str(path), sha)
        return [landed[i] for i in range(len(paths))]

    def tidy_parquet(self, delivery: Delivery) -> Path:
        """The delivery's tidy table as Parquet (DuckDB loads it straight into the raw layer)."""
        return self._entry(delivery.sha256) / "tidy.parquet"

    def known(self, sha: str) -> Delivery | None:
        """The archived delivery with these bytes, if any."""
        meta_file = self._entry(sha) / "meta.json"
        if meta_file.exists():
            return Delivery(**json.loads(meta_file.read_text(encoding="utf-8")))
        return None

    def land(self, path: Path, *, sha: str | None = None) -> Delivery:
        """Archive and parse ``path`` unless its bytes are archived already.

        Parsing happens before anything is written, so a file that fails leaves no entry.
        ``sha`` is the file's sha256 when the caller has computed it already.
        """
        sha = sha or sha256_of(path)
        entry = self._entry(sha)
        archived = self.known(sha)
        if archived is not None:
            return archived
        parsed = parse_delivery(path)
        frame = parsed.frame
        delivery = Delivery(
            sha256=sha,
            original_name=path.name,
            size=path.stat().st_size,
            source=parsed.source,
            table=parsed.table,
            table_code=parsed.table_code,
            parser=parsed.parser,
            received_at=datetime.now(UTC).isoformat(timespec="seconds"),
            rows=len(frame),
            periods=_distinct_text(frame["period"]),
            regions=_distinct_text(frame["region_key"]),
            notes=list(parsed.notes),
        )
        entry.parent.mkdir(parents=True, exist_ok=True)
        # a folder of its own: another process may land the same bytes at the same time
        partial = Path(tempfile.mkdtemp(prefix=f"{entry.name}.partial-", dir=entry.parent))
        partial.chmod(0o755)  # mkdtemp's 0700 would hide the entry from other readers
        try:
            shutil.copyfile(path, partial / path.name)
            _write_parquet(frame, partial / "tidy.parquet")
            (partial / "meta.json").write_text(
                json.dumps(asdict(delivery), ensure_ascii=False, indent=1), encoding="utf-8"
            )
            os.replace(partial, entry)
        except OSError:
            landed = self.known(sha)
            if landed is None:
                raise
            return landed  # the other landing came first; its entry stands
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        return delivery


def _land_one(root: str, path: str, sha: str) -> Delivery | list[Problem]:
    """Land one file (in a worker process): its problems are returned, not raised, because
    :class:`IngestError` does not survive pickling."""
    try:
        return Archive(Path(root)).land(Path(path), sha=sha)
    except IngestError as error:
        return error.problems


def _pool_context() -> multiprocessing.context.BaseContext:
    """Workers fork from a fresh server process that has imported the parsers once ("forkserver"):
    forking this process itself is unsafe (Dagster and DuckDB run threads), and "spawn" would
    import pandas and the parsers again in every worker."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))
    return context


def _distinct_text(column: pd.Series) -> list[str]:
    return sorted({str(v) for v in column.dropna().unique()})


_local = threading.local()


def _connection() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per thread: opening one costs more than writing a small file."""
    con = getattr(_local, "con", None)
    if con is None:
        # one thread: files are written one at a time per process, and in parallel by workers
        con = _local.con = duckdb.connect(config={"threads": 1})
        con.execute("SET enable_progress_bar = false")  # no bars in the run's log
    return con


def _write_parquet(frame: pd.DataFrame, target: Path) -> None:
    con = _connection()
    con.register("tidy", frame)
    try:
        quoted = target.as_posix().replace("'", "''")
        # An all-empty symbol column would otherwise be typed NULL and clash across files.
        con.execute(
            "COPY (SELECT * REPLACE (CAST(symbol AS VARCHAR) AS symbol) FROM tidy) "
            f"TO '{quoted}' (FORMAT parquet)"
        )
    finally:
        con.unregister("tidy")
