"""Immutable, content-addressed archive of every delivered file.

Each file is stored once under its sha256 with its metadata (original name, size, table code,
time received) and the tidy table parsed from it. Loading the same bytes twice finds the
archived copy and changes nothing; a newer delivery of the same table is a new archive entry
and supersedes the older one period by period in the raw layer, without deleting it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.ingest.identify import parse_file


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
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Archive:
    """The archive folder: ``<root>/<sha[:2]>/<sha>/{original file, meta.json, tidy.parquet}``."""

    def __init__(self, root: Path):
        self.root = root

    def _entry(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def tidy_parquet(self, delivery: Delivery) -> Path:
        """The delivery's tidy table as Parquet (DuckDB loads it straight into the raw layer)."""
        return self._entry(delivery.sha256) / "tidy.parquet"

    def land(self, path: Path) -> Delivery:
        """Archive and parse ``path`` unless its bytes are archived already.

        Parsing happens before anything is written, so a file that fails leaves no entry.
        """
        sha = sha256_of(path)
        entry = self._entry(sha)
        meta_file = entry / "meta.json"
        if meta_file.exists():
            return Delivery(**json.loads(meta_file.read_text(encoding="utf-8")))
        parsed = parse_file(path)
        frame = parsed.frame.copy()
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
            periods=sorted({str(p) for p in frame["period"].dropna()}),
            regions=sorted({str(r) for r in frame["region_key"].dropna()}),
            notes=list(parsed.notes),
        )
        partial = entry.with_name(entry.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        shutil.copyfile(path, partial / path.name)
        _write_parquet(frame, partial / "tidy.parquet")
        (partial / "meta.json").write_text(
            json.dumps(asdict(delivery), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        os.replace(partial, entry)
        return delivery


def _write_parquet(frame, target: Path) -> None:
    with duckdb.connect() as con:
        con.register("tidy", frame)
        quoted = target.as_posix().replace("'", "''")
        # An all-empty symbol column would otherwise be typed NULL and clash across files.
        con.execute(
            "COPY (SELECT * REPLACE (CAST(symbol AS VARCHAR) AS symbol) FROM tidy) "
            f"TO '{quoted}' (FORMAT parquet)"
        )
