"""The built-in renderer's page cache: a page whose inputs did not change is copied, not run.

Real Quarto's ``freeze`` knows a page's source only; this report's pages change when the
*data* changes. So an entry is used only if two things still hold:

- its **key** is the same: the page's source with every include, the conversion settings
  (title, navbar with this page marked, TOC, the PDF's Typst partials), ``_quarto.yml``, the
  project's Python modules (``bm_report.py``, ``bm_charts.py``, …), the parameters, the
  environment given to the kernels (except the variable naming the warehouse: its data is
  checked instead), the renderer's own code and the versions of the tools that make the
  output (Python, Jupyter, pandas, matplotlib, Pandoc, Typst, …); a page (or project module)
  that reads the clock adds today's date;
- its **dependencies** are the same: every query the page ran (recorded by ``bm_report``,
  see ``kernel_deps``) returns the same rows from today's warehouse — the renderer re-runs
  them and compares a digest of the result — and every project file it opened has the same
  content. A query that fails (a table gone) or a page that read the warehouse in a way
  that was not recorded simply renders again.

New entries are staged while the render runs and moved into place (one directory rename
per page) only after the whole render succeeded, so a failed render never leaves an entry a
later render would trust. Only the latest entry of each page is kept, and pages that left
the project lose theirs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # kernels import this module for ``frame_digest``: keep it light
    from pipelines.report.project import Project
    from pipelines.report.qmd import Page

CACHE_FORMAT = 1
DATA_ENV = frozenset({"BILDUNGSMONITOR_WAREHOUSE"})
"""Variables that name the data the pages read: their value (a run's staging copy) is not
part of the key — the recorded queries check the data itself."""
TOOLCHAIN = (
    "babel",
    "duckdb",
    "ipykernel",
    "ipython",
    "jupyter-client",
    "jupytext",
    "matplotlib",
    "matplotlib-inline",
    "nbclient",
    "nbformat",
    "numpy",
    "pandas",
    "pypandoc-binary",
    "pyyaml",
    "typst",
)
"""Packages whose version can change a rendered page."""
DATA_FILES = ("_impressum.yml",)
"""Project files besides the Python modules whose content the pages print (the imprint).
The footer values of ``_variables.yml`` are not among them: the pre-render step writes that
file during the render, and they reach the key through the conversion settings (the filled
page footer)."""
CLOCK = re.compile(r"\b(?:date\.today|datetime\.(?:now|utcnow|today)|time\.time)\s*\(")
STALE_STAGING_SECONDS = 24 * 3600
RENDERER_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Dependencies:
    """What one executed page read, from its dependency file."""

    queries: tuple[Mapping[str, Any], ...] = ()
    files: tuple[str, ...] = ()  # project files read (project-relative)
    written: tuple[str, ...] = ()  # project files written, e.g. a CSV download
    untracked: bool = False

    @classmethod
    def read(cls, log: Path | None) -> Dependencies:
        if log is None or not log.is_file():
            return cls()
        queries: dict[str, Mapping[str, Any]] = {}
        files: dict[str, None] = {}
        written: dict[str, None] = {}
        untracked = False
        for line in log.read_text("utf-8").splitlines():
            record = json.loads(line)
            kind = record.get("kind")
            if kind == "query":
                queries[_canonical(_query_id(record))] = record
            elif kind in ("file", "wrote"):
                (files if kind == "file" else written)[record["path"]] = None
            else:
                untracked = True
        read = tuple(f for f in files if f not in written)  # what it wrote itself is output
        return cls(tuple(queries.values()), read, tuple(written), untracked)


class PageCache:
    """One render's view of the cache folder: look pages up, stage new entries, commit."""

    def __init__(
        self,
        directory: Path,
        project: Project,
        params: Mapping[str, Any],
        env: Mapping[str, str],
        *,
        skip: Iterable[Path] = (),
    ):
        self.directory = Path(directory).resolve()
        self.entries = self.directory / "pages"
        self.project = project
        self.kernel_env = {**os.environ, **env}
        self._skip = [Path(p).resolve() for p in skip]
        self._modules = self._project_modules()
        self._common = self._common_key(params, env)
        self._lock = threading.Lock()
        self._digests: dict[str, str | None] = {}
        self._connections: dict[str, Any] = {}
        self._staging = self.directory / f"staging-{uuid.uuid4().hex}"
        self._staged: dict[str, Path] = {}
        self._used: dict[str, Path] = {}
        self.directory.mkdir(parents=True, exist_ok=True)
        self._remove_stale_staging()

    @staticmethod
    def has_entries(directory: Path) -> bool:
        """Whether the cache folder holds any page yet (else every page will render)."""
        try:
            return any((directory / "pages").iterdir())
        except OSError:
            return False

    # ------------------------------------------------------------------ keys

    def key(self, name: str, page: Page, conversion: Mapping[str, Any]) -> str:
        """The static part of a page's identity (everything known before it runs)."""
        code = "\n".join(chunk.code for chunk in page.chunks) + "\n".join(
            expr for cell in page.cells for expr in getattr(cell, "expressions", ())
        )
        parts = {
            "common": self._common,
            "page": name,
            "source": _sha(page.path.read_bytes()),
            "expanded": _sha("\n".join(line.text for line in page.lines).encode()),
            "conversion": conversion,
            "clock": date.today().isoformat() if CLOCK.search(code) else None,
        }
        return _sha(_canonical(parts).encode())

    def _common_key(self, params: Mapping[str, Any], env: Mapping[str, str]) -> str:
        versions = {}
        for package in TOOLCHAIN:
            try:
                versions[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                versions[package] = None
        renderer = {
            p.relative_to(RENDERER_DIR).as_posix(): _sha(p.read_bytes())
            for p in sorted(RENDERER_DIR.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        }
        modules = {name: _sha(data) for name, data in self._modules.items()}
        clock = any(
            CLOCK.search(data.decode("utf-8", "replace")) for data in self._modules.values()
        )
        parts = {
            "format": CACHE_FORMAT,
            "python": sys.version,
            "toolchain": versions,
            "renderer": renderer,
            "config": _sha(self.project.config_file.read_bytes()),
            "modules": modules,
            "params": {str(k): repr(v) for k, v in params.items()},
            "env": {k: v for k, v in env.items() if k not in DATA_ENV},
            "clock": date.today().isoformat() if clock else None,
        }
        return _sha(_canonical(parts).encode())

    def _project_modules(self) -> dict[str, bytes]:
        """The project's own Python files (the pages import them) and the data files they
        read besides the warehouse — the editorial texts (``texte/``), the imprint and the
        render's variables — by relative path."""
        directory = self.project.directory
        found = [
            *directory.rglob("*.py"),
            *directory.glob("texte/**/*.md"),
            *(directory / name for name in DATA_FILES if (directory / name).is_file()),
        ]
        modules = {}
        for path in sorted(found):
            relative = path.relative_to(self.project.directory)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            if any(path.resolve().is_relative_to(skip) for skip in self._skip):
                continue
            modules[relative.as_posix()] = path.read_bytes()
        return modules

    # ------------------------------------------------------------------ look-up

    def restore(self, name: str, key: str, output_dir: Path) -> bool:
        """Copy the page's outputs from a valid entry; False if there is none."""
        folder = self.entries / slug(name)
        try:  # newest first (a crash between commit and clean-up can leave two)
            candidates = sorted(
                (d for d in folder.glob("*") if (d / "entry.json").is_file()),
                key=lambda d: -d.stat().st_mtime,
            )
        except OSError:
            return False
        for entry_dir in candidates:
            try:
                entry = json.loads((entry_dir / "entry.json").read_text("utf-8"))
                if entry.get("format") != CACHE_FORMAT or entry.get("key") != key:
                    continue
                if not self._still_valid(entry):
                    continue
                _copy_tree(entry_dir / "site", output_dir)
                _copy_tree(entry_dir / "project", self.project.directory, only_changed=True)
            except (OSError, ValueError):
                continue  # removed meanwhile or unreadable: render the page instead
            with self._lock:
                self._used[name] = entry_dir
            return True
        return False

    def _still_valid(self, entry: Mapping[str, Any]) -> bool:
        files = entry["files"]
        if any(self._file_digest(f["path"]) != f["sha256"] for f in files):
            return False
        return all(self._query_digest(q) == q["digest"] for q in entry["queries"])

    def _query_digest(self, record: Mapping[str, Any]) -> str | None:
        """A digest of the query's rows in today's warehouse (None if it cannot run)."""
        database = self.kernel_env.get(record.get("database_env") or "") or record["database"]
        memo = _canonical({**_query_id(record), "database": str(Path(database).resolve())})
        with self._lock:
            if memo not in self._digests:
                self._digests[memo] = self._run_digest(database, record)
            return self._digests[memo]

    def _run_digest(self, database: str, record: Mapping[str, Any]) -> str | None:
        import duckdb  # only a render with a cache needs it in this process

        try:
            if database not in self._connections:
                if not Path(database).is_file():
                    return None
                self._connections[database] = duckdb.connect(database, read_only=True)
            frame = self._connections[database].execute(record["sql"], record["params"]).df()
            return frame_digest(frame)
        except Exception:  # whatever the reason: the page renders again
            return None

    def _file_digest(self, relative: str) -> str | None:
        """The content's digest; None for a missing file (its absence is what was read)."""
        path = self.project.directory / relative
        return _sha(path.read_bytes()) if path.is_file() else None

    # ------------------------------------------------------------------ new entries

    def stage(
        self,
        name: str,
        key: str,
        outputs: Iterable[Path],
        output_dir: Path,
        resources: Iterable[Path],
        dependencies: Dependencies,
    ) -> None:
        """Keep a rendered page's outputs for ``commit`` (nothing visible before that).

        ``outputs`` are files under ``output_dir``; ``resources`` the project files the page
        links (copied into the site). Those the page wrote are put back into the project
        when the entry is used; the others are inputs like any file it read.
        """
        outputs = list(outputs)
        if dependencies.untracked or not all(o.is_relative_to(output_dir) for o in outputs):
            return  # read something it did not record, or wrote outside the site: not cached
        queries = []
        for record in dependencies.queries:
            # the kernel digested the result it read; else run the query here once more
            digest = record.get("digest") or self._query_digest(record)
            if digest is None:
                return
            queries.append({**_query_id(record), "database_env": record.get("database_env"),
                            "database": record["database"], "digest": digest})  # fmt: skip
        root = self.project.directory
        linked = [r.relative_to(root).as_posix() for r in resources]
        written = [w for w in dependencies.written if (root / w).is_file()]
        read = dict.fromkeys([*dependencies.files, *(r for r in linked if r not in written)])
        files = [{"path": r, "sha256": self._file_digest(r)} for r in read]
        entry = {"format": CACHE_FORMAT, "page": name, "key": key, "queries": queries,
                 "files": files}  # fmt: skip
        entry["id"] = _sha(_canonical(entry).encode())[:20]
        staged = self._staging / slug(name)
        if staged.exists():
            shutil.rmtree(staged)
        for source in outputs:
            _copy_file(source, staged / "site" / source.relative_to(output_dir))
        for relative in written:
            _copy_file(root / relative, staged / "project" / relative)
        (staged / "entry.json").write_text(json.dumps(entry, indent=1), encoding="utf-8")
        with self._lock:
            self._staged[name] = staged

    def commit(self, names: Iterable[str]) -> None:
        """After a successful render: move the staged entries into place, keep one entry
        per page (the one just written or used) and drop the entries of removed pages."""
        keep_slugs = set()
        for name in names:
            keep_slugs.add(slug(name))
            folder = self.entries / slug(name)
            keep = self._used.get(name)
            if name in self._staged:
                entry = json.loads((self._staged[name] / "entry.json").read_text("utf-8"))
                keep = folder / entry["id"]
                folder.mkdir(parents=True, exist_ok=True)
                if keep.exists():
                    shutil.rmtree(self._staged[name])  # the same entry is already there
                else:
                    os.rename(self._staged[name], keep)  # atomic: complete or absent
            for other in folder.glob("*") if folder.is_dir() else ():
                if other != keep:
                    _remove(other)
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        for folder in self.entries.glob("*") if self.entries.is_dir() else ():
            if folder.name not in keep_slugs:
                _remove(folder)

    def close(self) -> None:
        """Drop what was staged but not committed and close the warehouse connections."""
        shutil.rmtree(self._staging, ignore_errors=True)
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _remove_stale_staging(self) -> None:
        """Staging folders of renders that crashed (a running render's folder is young)."""
        now = time.time()
        for folder in self.directory.glob("staging-*"):
            try:
                if now - folder.stat().st_mtime > STALE_STAGING_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue


def frame_digest(frame: Any) -> str:
    """A digest of a query result that ignores the row order (a rebuilt table may return
    the same rows in another order; pages sort what they show)."""
    import numpy as np
    import pandas as pd

    digest = hashlib.sha256()
    digest.update(_canonical([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    digest.update(str(len(frame)).encode())
    try:
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        digest.update(np.sort(rows).tobytes())
    except (TypeError, ValueError):  # unhashable cells (lists, dicts): their text instead
        for row in sorted(_sha(repr(r).encode()) for r in frame.itertuples(index=False)):
            digest.update(row.encode())
    return digest.hexdigest()


def _query_id(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"sql": record["sql"], "params": list(record.get("params") or [])}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slug(name: str) -> str:
    """A folder name for a page (readable, and unique even where '/' and '__' collide)."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", name.removesuffix(".qmd").replace("/", "__"))
    return f"{readable}-{_sha(name.encode())[:8]}"


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _copy_tree(source: Path, target: Path, *, only_changed: bool = False) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        destination = target / path.relative_to(source)
        if only_changed and destination.is_file() and destination.read_bytes() == path.read_bytes():
            continue  # keeps the project file's mtime
        _copy_file(path, destination)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
