"""Run a page's notebook in a Jupyter kernel: one kernel per page as Quarto does, or shared.

A fresh kernel per page keeps a page from relying on another page's variables, which real
Quarto would expose. The kernel is this interpreter (a kernelspec written into the work
folder), so a user-level "python3" kernelspec pointing elsewhere cannot take over; it runs
in the page's folder with the caller's extra environment (e.g. the warehouse path).
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from pipelines.report.qmd import Chunk, Line, Page

KERNEL_NAME = "bildungsmonitor-python"
CELL_TIMEOUT_SECONDS = 600
STARTUP_SECONDS = 60  # nbclient's default
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TRACEBACK_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")


def write_kernelspec(work_dir: Path) -> Path:
    """A kernelspec for this interpreter under ``work_dir`` (returns the kernels folder)."""
    kernels = work_dir / "kernels"
    spec_dir = kernels / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python (Bildungsmonitor)",
        "language": "python",
        "metadata": {"supported_encryption": ["curve"]},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return kernels


class Kernel:
    """One running kernel of this interpreter that executes page notebooks one at a time.

    ``shared=False`` is Quarto's way: the kernel runs one page and is shut down. ``shared=True``
    lets a worker reuse its kernel for the next page to save the start-up and import time
    (≈ 1.5 s a page): before each page the user namespace is wiped (``%reset -f``) and the
    working directory moved to the page's folder, so a page that uses another page's variables
    still fails. Module-level state (imported modules, ``sys.path``) does carry over, which is
    why the tests render the report with one kernel per page as well.
    """

    def __init__(
        self,
        kernels: Path,
        env: Mapping[str, str] | None = None,
        *,
        shared: bool,
        preload: str = "",
    ):
        self.shared = shared
        self.broken = False
        self.preload = preload  # code run once right after start (shared kernels only)
        self.manager = KernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
            # local traffic encrypted when libzmq can (ipykernel warns about plain TCP otherwise)
            transport_encryption="auto" if zmq.has("curve") else "disabled",
        )
        self._env = {**os.environ, **(env or {})}
        self._client = None
        self._starting = threading.Lock()

    def start(self, *, quiet: bool = False) -> None:
        """Start the kernel and connect now (else the first ``run`` does): a renderer can
        start its shared kernels while it still reads the pages. ``quiet``: on failure mark
        the kernel broken instead of raising (the renderer then starts another, which
        raises)."""
        with self._starting:
            if self._client is not None or self.broken:
                return
            try:
                # as nbclient starts a kernel: input history in memory, not in ~/.ipython
                self.manager.start_kernel(
                    extra_arguments=["--HistoryManager.hist_file=:memory:"], env=self._env
                )
                client = self.manager.client()
                client.start_channels()
                try:
                    client.wait_for_ready(timeout=STARTUP_SECONDS)
                except BaseException:
                    client.stop_channels()
                    raise
                client.allow_stdin = False
                if self.preload:
                    _execute_quietly(client, self.preload)
                self._client = client
            except Exception:
                self.broken = True
                if self.manager.has_kernel:
                    self.manager.shutdown_kernel(now=True)
                if not quiet:
                    raise

    def run(
        self, page: Page, nb: nbformat.NotebookNode, *, prelude: str = ""
    ) -> nbformat.NotebookNode:
        """Execute ``nb`` (built from ``page``) cell by cell; RenderError at the failing line.

        ``prelude`` is code run first in the setup cell (e.g. ``dependency_prelude``)."""
        setup = nb.cells[0]
        setup.source = prelude + setup.source
        if self.shared:
            setup.source = RESET_CODE.format(cwd=str(page.path.parent)) + setup.source
            self.start()  # or wait until a start ahead of time has finished
        client = NotebookClient(
            nb,
            km=self.manager,
            timeout=CELL_TIMEOUT_SECONDS,
            shutdown_kernel="immediate",  # nothing to flush: the outputs are already in nb
            resources={"metadata": {"path": str(page.path.parent)}},
        )
        client.kc = self._client
        try:
            # cleanup_kc: shut a page's own kernel down afterwards, also on errors
            with client.setup_kernel(cleanup_kc=not self.shared, env=self._env):
                self._client = client.kc
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    try:
                        client.execute_cell(cell, index)
                    except (CellExecutionError, CellTimeoutError) as exc:
                        raise _cell_error(page, cell, exc) from None
        except BaseException:
            self.broken = True  # state unknown: a shared kernel is not reused after an error
            raise
        return nb

    def shutdown(self) -> None:
        """Stop the kernel (a no-op when it is not running)."""
        if self._client is not None:
            self._client.stop_channels()
            self._client = None
        if self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)


def _execute_quietly(client: Any, code: str) -> None:
    """Run ``code`` and wait for its reply, discarding its output; raise if it failed."""
    reply = client.execute_interactive(
        code, timeout=STARTUP_SECONDS, output_hook=lambda _msg: None, store_history=False
    )
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel preload failed: {reply['content'].get('evalue', '')}")


RESET_CODE = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "__import__('gc').freeze()\n"
    "__import__('os').chdir({cwd!r})\n"
)
"""Run first on a shared kernel: a clean namespace in the page's folder, as a new kernel has.

``%reset`` ends with a full garbage collection, which walks every object of the modules the
pages imported (pandas, matplotlib: ≈ 0.1 s a page); ``gc.freeze()`` moves the survivors out
of the collector's sight, so the next reset only looks at what the last page created."""


DEPENDENCY_MODULE = "_bm_render_deps"
PRELUDE = """import sys as __bm_sys, types as __bm_types
if {module!r} not in __bm_sys.modules:
    __bm_module = __bm_types.ModuleType({module!r})
    exec({source!r}, __bm_module.__dict__)
    __bm_sys.modules[{module!r}] = __bm_module
    del __bm_module
__bm_sys.modules[{module!r}].start({log!r}, {root!r})
del __bm_sys, __bm_types
"""


def dependency_prelude(log: Path, root: Path) -> str:
    """Setup code that records what the page reads into ``log`` (see ``kernel_deps``): the
    module's source goes along, so the kernel needs no access to this package."""
    source = (Path(__file__).parent / "kernel_deps.py").read_text("utf-8")
    return PRELUDE.format(module=DEPENDENCY_MODULE, source=source, log=str(log), root=str(root))


def run_page(
    page: Page,
    nb: nbformat.NotebookNode,
    *,
    kernels: Path,
    env: Mapping[str, str] | None = None,
) -> nbformat.NotebookNode:
    """Execute ``nb`` in a kernel of its own (started and stopped here)."""
    kernel = Kernel(kernels, env, shared=False)
    try:
        return kernel.run(page, nb)
    finally:
        kernel.shutdown()


def _cell_error(page: Page, cell: nbformat.NotebookNode, exc: Exception) -> Exception:
    """Place a failing cell's error at the page line an editor has to look at."""
    info = cell.metadata["bm"]
    traceback = ANSI.sub("", str(exc))
    summary = (
        f"{exc.ename}: {exc.evalue}" if isinstance(exc, CellExecutionError) else str(exc)
    ).strip()
    if info["role"] == "setup":
        return page.fail(f"the kernel's setup cell failed (is matplotlib installed?): {summary}")
    target = page.cells[info["cell"]] if info["cell"] is not None else None
    if info["role"] == "inline":
        line = page.locate(cell.source)
        return page.fail(f"inline expression `{cell.source}` failed: {summary}", at=line)
    if isinstance(target, Chunk):
        lines = [int(n) for n in TRACEBACK_LINE.findall(traceback)]
        if info["role"] == "chunk" and lines:  # the line inside the chunk, #| lines included
            at = Line(text="", source=target.source, number=target.line + lines[0])
            return page.fail(f"cell failed: {summary}", at=at)
        return page.fail(f"cell failed: {summary}", at=target)
    return page.fail(f"cell failed: {summary}\n{traceback}")
