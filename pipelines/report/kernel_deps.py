"""Runs inside the kernel: record which project files a page reads (for the page cache).

The renderer sends this module's source in a page's setup cell when the page cache is on
(the kernel need not be able to import ``pipelines``). ``start()`` names the page's
dependency file in ``$BM_RENDER_DEPENDENCIES`` — the project's data helper (``bm_report``)
appends the queries it runs there — and an audit hook adds every file inside the project
that the page opens for reading (``file``) or writing (``wrote``: e.g. its CSV download,
which a cached page must put back). Audit hooks cannot be removed, so one hook serves every
page of a reused kernel; ``start()`` only points it at the next page. A hook must never
raise (that would fail the ``open()`` it watches), hence the broad ``except``.
"""

from __future__ import annotations

import json
import os
import sys

ENV = "BM_RENDER_DEPENDENCIES"
_page: dict = {"log": None, "root": None, "seen": set()}


def start(log: str, root: str) -> None:
    """Record the next page's reads into ``log``; files count if they lie under ``root``."""
    log = os.path.realpath(log)
    _page.update(log=log, root=os.path.join(os.path.realpath(root), ""), seen=set())
    os.environ[ENV] = log
    if not _page.get("hooked"):
        sys.addaudithook(_audit)
        _page["hooked"] = True


def _audit(event: str, args: tuple) -> None:
    if event != "open" or _page["log"] is None:
        return
    try:
        path, mode, flags = args
        if not isinstance(path, str | bytes):
            return  # a file descriptor
        if isinstance(mode, str):
            reads, writes = "r" in mode or "+" in mode, any(c in mode for c in "wax+")
        else:  # os.open: only flags
            access = (flags or 0) & os.O_ACCMODE
            reads, writes = access != os.O_WRONLY, access != os.O_RDONLY
        full = os.path.realpath(os.fsdecode(path))
        if not full.startswith(_page["root"]) or full == _page["log"] or "__pycache__" in full:
            return
        for kind, happened in (("file", reads), ("wrote", writes)):
            if happened and (kind, full) not in _page["seen"]:
                _page["seen"].add((kind, full))
                _write({"kind": kind, "path": os.path.relpath(full, _page["root"])})
    except Exception:  # see the module docstring: never raise from an audit hook
        pass


def _write(record: dict) -> None:
    with open(_page["log"], "a", encoding="utf-8") as handle:  # an "a" open: not recorded
        handle.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
