"""Dagster's SQLite event log, keeping its database connections open between events.

Dagster's ``SqliteEventLogStorage`` creates a new SQLAlchemy engine and SQLite connection for
every event it stores and closes them right after. Closing the last connection to a WAL
database checkpoints the log into the database file and deletes it, with an fsync each time:
≈ 7 ms an event. A full refresh stores ≈ 900 events (the dbt tests surfaced as asset checks
make most of them), so that was ≈ 7 s of a 50 s refresh, all on the run's critical path.

This subclass keeps one engine with one pooled connection per database file (the run's shard
and the cross-run index) for the life of the storage, and sets SQLite's
``synchronous=NORMAL``, which in WAL mode never corrupts the file (a power cut may lose the
last events, a crashed process loses nothing). Files, schema and locking are Dagster's own,
so the Dagster UI, the daemon and older runs read the history as before. Only a few recently
used files stay open, so a long-running Dagster UI browsing many runs does not collect open
files. ``pipelines.instance`` writes it into the instance's ``dagster.yaml``.
"""

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.event_api import EventHandlerFn
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool
from watchdog.events import FileSystemEvent
from watchdog.observers import Observer

OPEN_FILES = 8
"""Database files whose connection stays open: the current run's shard and the index, plus
a few runs the Dagster UI shows."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with an open connection per database file (see the module)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        self._tables_present: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> "PooledSqliteEventLogStorage":
        return cls(config_value["base_dir"], inst_data=inst_data)  # the parent makes its own class

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None)
            if engine is None:
                engine = db.create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=QueuePool,
                    pool_size=1,
                    max_overflow=4,  # a second one only while Dagster creates a file
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,  # Dagster's event watcher is a thread
                    },
                )
                db.event.listen(engine, "connect", _sqlite_pragmas)
            self._engines[shard] = engine  # most recently used last
            while len(self._engines) > OPEN_FILES:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Whether the index has ``table_name`` (asked for every asset check event): a table
        once there stays, so only its absence is asked again."""
        if table_name in self._tables_present:
            return True
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            present = bool(engine.dialect.has_table(conn, table_name))
        if present:
            self._tables_present.add(table_name)
        return present

    def watch(self, run_id: str, cursor: str | None, callback: EventHandlerFn) -> None:
        """Follow a run's new events (the Dagster UI does, for a run it shows live), woken by
        writes to the run's WAL file as well: with connections kept open, the database file
        itself only changes at checkpoints, which Dagster's watcher alone waits for."""
        if not self._obs:
            self._obs = Observer()
            self._obs.start()
        watchdog = _RunEventsWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (
            watchdog,
            self._obs.schedule(watchdog, self._base_dir, recursive=True),
        )

    def _close_all(self) -> None:
        with self._engines_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        self._tables_present.clear()

    def wipe(self) -> None:
        self._close_all()  # the files are deleted: no connection may keep them
        super().wipe()

    def delete_events(self, run_id: str) -> None:
        """Dagster deletes a run's rows but keeps its shard file (≈ 1.5 MB for a refresh);
        pruning the history (``pipelines.cleanup``) should free that space, so the file goes."""
        super().delete_events(run_id)
        with self._engines_lock:
            engine = self._engines.pop(run_id, None)
            if engine is not None:
                engine.dispose()
        self._initialized_dbs.discard(run_id)
        shard = os.path.join(self._base_dir, f"{run_id}.db")
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(shard + suffix)

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


class _RunEventsWatchdog(SqliteEventLogStorageWatchdog):
    """Dagster's watcher of one run's shard, matching the shard's WAL file too."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]

    def on_modified(self, event: FileSystemEvent) -> None:
        self._process_log()
