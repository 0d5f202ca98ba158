"""Render the report website and its PDF edition: with Quarto if installed, else built in.

The city's machines run ``quarto render``; these machines cannot install Quarto, so the
built-in path runs the same building blocks — jupytext to read each page, a Jupyter kernel
to execute it, Pandoc with one site template and Lua filters to convert, Typst for the PDFs.
Both paths run the project's pre-render scripts (which generate the indicator pages), read
the same project and refuse the same constructs (every page is checked against the
documented subset before anything runs).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pipelines.report import pandoc
from pipelines.report.assemble import to_markdown
from pipelines.report.errors import RenderError
from pipelines.report.execute import Kernel, write_kernelspec
from pipelines.report.project import NavItem, Project, load_project, output_name
from pipelines.report.qmd import Page, build_notebook, read_page

T = TypeVar("T")
KernelMode = Literal["shared", "per-page"]
TOC_TITLE = "Auf dieser Seite"  # Quarto's German title of a website page's TOC
LOCAL_REF = re.compile(r'\b(?:href|src)="(?P<url>[^"]*)"')
OUTSIDE = re.compile(r"^(?:[a-zA-Z][\w+.-]*:|//)")


@dataclass(frozen=True)
class RenderResult:
    """What a render produced, in ``project.render`` order."""

    output_dir: Path
    pages: tuple[Path, ...]
    pdfs: tuple[Path, ...]
    renderer: str  # "quarto" or "builtin"
    seconds: float
    page_seconds: Mapping[str, float] = field(default_factory=dict)

    @property
    def pdf(self) -> Path | None:
        """The main PDF edition: the first page with ``format: typst`` in render order."""
        return self.pdfs[0] if self.pdfs else None


def render_site(
    project_dir: Path,
    output_dir: Path,
    *,
    params: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    work_dir: Path | None = None,
    renderer: Literal["auto", "quarto", "builtin"] = "auto",
    kernels: KernelMode = "shared",
) -> RenderResult:
    """Render every page of ``project_dir`` into ``output_dir`` (HTML pages + PDF editions).

    ``params`` go to each page's parameters cell (``-P key:value`` for Quarto), ``env`` to the
    pre-render scripts and the kernels. ``work_dir`` keeps the intermediate files (notebooks,
    markdown, Typst source) of the built-in renderer; by default they go to a temporary folder
    that is removed. ``renderer="auto"`` uses Quarto when ``quarto`` is on PATH, else the
    built-in renderer, whose ``kernels`` are "shared" (each worker reuses its kernel with a
    fresh namespace per page: fast) or "per-page" (a new kernel per page, as Quarto does).
    """
    started = time.perf_counter()
    project_dir = Path(project_dir).resolve()
    project = load_project(project_dir)
    run_pre_render(project, env or {})
    project = load_project(project_dir)  # as Quarto >= 1.5: re-read after pre-render
    pages = [
        read_page(
            project.directory / p,
            echo=project.echo,
            warning=project.warning,
            project_dir=project.directory,
        )
        for p in project.pages
    ]
    _check_links(project, pages)
    output_dir = Path(output_dir).resolve()
    quarto = shutil.which("quarto") if renderer != "builtin" else None
    if renderer == "quarto" and not quarto:
        raise RenderError(project.config_file, "renderer='quarto' but quarto is not on PATH")
    if quarto:
        _render_with_quarto(quarto, project, output_dir, params or {}, env or {})
        page_seconds: dict[str, float] = {}
        used = "quarto"
    else:
        with _work(work_dir) as work:
            page_seconds = _render_builtin(
                project, pages, output_dir, params or {}, env or {}, work, kernels
            )
        used = "builtin"
    result = RenderResult(
        output_dir=output_dir,
        pages=tuple(output_dir / output_name(p, ".html") for p in project.pages),
        pdfs=_pdfs_of(project, pages, output_dir),
        renderer=used,
        seconds=time.perf_counter() - started,
        page_seconds=page_seconds,
    )
    missing = [p for p in (*result.pages, *result.pdfs) if not p.is_file()]
    if missing:
        raise RenderError(
            project.config_file, f"render did not produce {[p.name for p in missing]}"
        )
    if used == "builtin":
        check_site_links(output_dir, result.pages, project.config_file)
    return result


def run_pre_render(project: Project, env: Mapping[str, str]) -> None:
    """Run the project's pre-render scripts in the project folder, as Quarto does.

    Quarto runs them with the Python on PATH; here it is this interpreter, so the scripts
    see the same packages as the kernels. A failing script stops the render.
    """
    for script in project.pre_render:
        done = subprocess.run(
            [sys.executable, script],
            cwd=project.directory,
            env={**os.environ, **env, "QUARTO_PROJECT_RENDER_ALL": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
            raise RenderError(project.config_file, f"pre-render script {script} failed:\n{tail}")


def quarto_command(
    quarto: str, project_dir: Path, output_dir: Path, params: Mapping[str, Any]
) -> list[str]:
    """The ``quarto render`` call for the whole project (HTML and PDF in one run)."""
    command = [quarto, "render", str(project_dir), "--output-dir", str(output_dir)]
    for key, value in params.items():
        if value is not None:
            command += ["-P", f"{key}:{value}"]
    return command


def _render_with_quarto(
    quarto: str,
    project: Project,
    output_dir: Path,
    params: Mapping[str, Any],
    env: Mapping[str, str],
) -> None:
    done = subprocess.run(
        quarto_command(quarto, project.directory, output_dir, params),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-20:])
        raise RenderError(project.config_file, f"quarto render failed:\n{tail}")


def _render_builtin(
    project: Project,
    pages: list[Page],
    output_dir: Path,
    params: Mapping[str, Any],
    env: Mapping[str, str],
    work: Path,
    kernels: KernelMode,
) -> dict[str, float]:
    output_dir.mkdir(parents=True, exist_ok=True)
    for asset in (*project.css, *([project.favicon] if project.favicon else [])):
        (output_dir / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.directory / asset, output_dir / asset)
    kernelspecs = write_kernelspec(work)
    local = threading.local()
    running: list[Kernel] = []
    lock = threading.Lock()

    def kernel() -> Kernel:
        """This worker's kernel: a new one per page, or its shared one (restarted if broken)."""
        current = getattr(local, "kernel", None)
        if kernels == "per-page" or current is None or current.broken:
            if current is not None:
                current.shutdown()
            current = Kernel(kernelspecs, env, shared=kernels == "shared")
            local.kernel = current
            with lock:
                running.append(current)
        return current

    def render(page: Page) -> float:
        started = time.perf_counter()
        _render_page(project, page, output_dir, params, work, kernel)
        return round(time.perf_counter() - started, 2)

    # Pages are independent: render them side by side, one per core, longest first (the
    # pages with the most chunks) so that no long page starts last.
    order = sorted(pages, key=lambda p: -len(p.chunks))
    seconds: dict[Path, float] = {}
    try:
        with ThreadPoolExecutor(max_workers=min(len(pages), (os.cpu_count() or 1) + 1)) as pool:
            futures = {pool.submit(render, page): page.path for page in order}
            for future in as_completed(futures):
                if future.exception() is not None:  # stop early: no point in the rest
                    for other in futures:
                        other.cancel()
                    raise future.exception()
                seconds[futures[future]] = future.result()
    finally:
        for started_kernel in running:
            started_kernel.shutdown()
    return {p.path.relative_to(project.directory).as_posix(): seconds[p.path] for p in pages}


def _render_page(
    project: Project,
    page: Page,
    output_dir: Path,
    params: Mapping[str, Any],
    work: Path,
    kernel: Callable[[], Kernel],
) -> None:
    """Execute one page in a kernel, then write its HTML (and PDF edition)."""
    name = page.path.relative_to(project.directory).as_posix()
    page_work = work / name.removesuffix(".qmd").replace("/", "__")
    page_work.mkdir(parents=True, exist_ok=True)
    nb = None
    if page.chunks:  # like Quarto: a page without code is not executed
        nb = kernel().run(page, build_notebook(page, params))
    figure_dir = page_work / f"{Path(name).stem}_files" / "figure-html"  # Quarto's layout
    markdown = to_markdown(page, nb, figure_dir)
    (page_work / "page.md").write_text(markdown, encoding="utf-8")

    html = _convert(
        page,
        lambda: pandoc.to_html(
            markdown,
            _html_meta(project, page, name),
            page_work,
            toc=bool(page.meta.get("toc", project.toc)),
        ),
    )
    target = output_dir / output_name(name, ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    if figure_dir.exists():
        figures = target.parent / figure_dir.relative_to(page_work)
        shutil.copytree(figure_dir, figures, dirs_exist_ok=True)
    _copy_resources(project, page, html, target)

    if page.typst is not None:
        meta = {**_document_meta(project, page), "toc": bool(page.typst.get("toc", False))}
        partials = _typst_partials(page)
        source = page_work / f"{Path(name).stem}.typ"
        typst_text = _convert(page, lambda: pandoc.to_typst(markdown, meta, page_work, partials))
        source.write_text(typst_text, encoding="utf-8")
        _convert(page, lambda: pandoc.compile_pdf(source, output_dir / output_name(name, ".pdf")))


def _copy_resources(project: Project, page: Page, html: str, target: Path) -> None:
    """Copy the project files a page links to (e.g. a CSV its code wrote), as Quarto's
    website resource discovery does; pages and figures are produced by the render itself."""
    for url in _local_refs(html):
        path = url.split("#", 1)[0].split("?", 1)[0]
        if not path or path.endswith((".html", ".pdf")) or (target.parent / path).exists():
            continue
        source = (page.path.parent / path).resolve()
        if source.is_file() and source.is_relative_to(project.directory):
            destination = target.parent / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)


def _local_refs(html: str) -> list[str]:
    return [m["url"] for m in LOCAL_REF.finditer(html) if not OUTSIDE.match(m["url"])]


def check_site_links(output_dir: Path, pages: tuple[Path, ...], config_file: Path) -> None:
    """Refuse a site with a broken local link: every href/src of every page must name a file
    of the site, and a ``#fragment`` an element id of its target page."""
    ids: dict[Path, set[str]] = {}

    def ids_of(html_file: Path) -> set[str]:
        if html_file not in ids:
            text = html_file.read_text("utf-8")
            ids[html_file] = set(re.findall(r'\bid="([^"]+)"', text))
        return ids[html_file]

    broken = []
    for page in pages:
        for url in _local_refs(page.read_text("utf-8")):
            path, _, fragment = url.partition("#")
            target = (page.parent / path.split("?", 1)[0]).resolve() if path else page
            if not target.is_file() or not target.is_relative_to(output_dir):
                broken.append(f"{page.relative_to(output_dir)}: {url}")
            elif fragment and target.suffix == ".html" and fragment not in ids_of(target):
                broken.append(f"{page.relative_to(output_dir)}: {url} (no such anchor)")
    if broken:
        raise RenderError(config_file, "broken links in the rendered site:\n" + "\n".join(broken))


def _html_meta(project: Project, page: Page, name: str) -> dict[str, Any]:
    """Template variables of a page: title, navbar (current page marked), CSS, other formats."""
    current = output_name(name, ".html")

    def link(item: NavItem) -> dict[str, Any]:
        return {
            "href": _relative(item.target, name),
            "text": item.text,
            "active": item.target == current,
        }

    navbar: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for item in project.navbar:
        entry = link(item) if not item.menu else {"text": item.text, "href": ""}
        if item.menu:
            entry["menu"] = [link(m) for m in item.menu]
            entry["active"] = any(m["active"] for m in entry["menu"])
        navbar[item.right].append(entry)
    meta = {
        **_document_meta(project, page),
        "website-title": project.title,
        "css": [_relative(sheet, name) for sheet in project.css],
        "navbar": navbar[False],
        "navbar-right": navbar[True],
        "toc-title": TOC_TITLE,
    }
    if project.favicon:
        meta["favicon"] = _relative(project.favicon, name)
    if "index.qmd" in project.pages:
        meta["home"] = _relative("index.html", name)
    if project.footer:
        meta["page-footer"] = dict(project.footer)
    if page.typst is not None:
        meta["other-formats"] = [{"href": Path(output_name(name, ".pdf")).name, "text": "PDF"}]
    return meta


def _document_meta(project: Project, page: Page) -> dict[str, Any]:
    meta = {
        "lang": project.lang,
        "title": page.meta.get("title", ""),
        "pagetitle": page.meta.get("title", ""),
    }
    if "subtitle" in page.meta:
        meta["subtitle"] = page.meta["subtitle"]
    return meta


def _convert(page: Page, run: Callable[[], T]) -> T:
    """Run a Pandoc/Typst step; place a refusal at the page line its snippet comes from."""
    try:
        return run()
    except pandoc.PandocError as exc:
        at = page.locate(exc.snippet) if exc.snippet else None
        raise page.fail(str(exc), at=at) from None


def _typst_partials(page: Page) -> dict[str, Path]:
    partials = {Path(p).name: page.path.parent / p for p in page.typst.get("template-partials", [])}
    missing = [n for n in pandoc.TYPST_PARTIALS if n not in partials or not partials[n].is_file()]
    if missing:
        raise page.fail(f"format typst needs template-partials {missing} (title page, TOC)")
    return partials


def _relative(target: str, page: str) -> str:
    """A site-root-relative path as seen from ``page`` (pages may sit in subfolders)."""
    depth = len(Path(page).parent.parts)
    return "../" * depth + target


def _pdfs_of(project: Project, pages: list[Page], output_dir: Path) -> tuple[Path, ...]:
    """The PDF editions: one per page with ``format: typst``, in render order."""
    return tuple(
        output_dir / output_name(p.path.relative_to(project.directory).as_posix(), ".pdf")
        for p in pages
        if p.typst is not None
    )


def _check_links(project: Project, pages: list[Page]) -> None:
    produced = {output_name(p, ".html") for p in project.pages} | {
        output_name(p.path.relative_to(project.directory).as_posix(), ".pdf")
        for p in pages
        if p.typst is not None
    }
    for item in (link for entry in project.navbar for link in entry.links):
        if item.target not in produced and not (project.directory / item.href).is_file():
            raise RenderError(project.config_file, f"navbar link {item.href!r}: nothing renders it")


@contextmanager
def _work(work_dir: Path | None) -> Iterator[Path]:
    if work_dir is not None:
        work_dir.mkdir(parents=True, exist_ok=True)
        yield work_dir.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="bm-render-") as tmp:
        yield Path(tmp)
