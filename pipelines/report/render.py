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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pipelines import paths
from pipelines.report import pandoc
from pipelines.report.assemble import to_markdown
from pipelines.report.cache import Dependencies, PageCache, slug
from pipelines.report.errors import RenderError
from pipelines.report.execute import Kernel, dependency_prelude, write_kernelspec
from pipelines.report.project import PARAM_ENV, NavItem, Project, load_project, output_name
from pipelines.report.project import copy_sources as copy_sources_to
from pipelines.report.qmd import (
    SETUP_CODE,
    Page,
    build_notebook,
    declared_parameters,
    read_page,
)

T = TypeVar("T")
KernelMode = Literal["shared", "per-page"]
TOC_TITLE = "Auf dieser Seite"  # Quarto's German title of a website page's TOC
LOCAL_REF = re.compile(r'\b(?:href|src)="(?P<url>[^"]*)"')
OUTSIDE = re.compile(r"^(?:[a-zA-Z][\w+.-]*:|//)")
WORKERS = (os.cpu_count() or 1) + 1
"""Pages rendered side by side: one more than cores, as a page waits for Pandoc and Typst."""
PRELOAD_CODE = SETUP_CODE + "\nimport babel.dates, babel.numbers, duckdb, numpy, pandas\n"
"""Run once in each shared kernel as it starts: the setup every page runs, and the libraries
the report's pages import, so that no page waits for them."""


@dataclass(frozen=True)
class RenderResult:
    """What a render produced, in ``project.render`` order."""

    output_dir: Path
    pages: tuple[Path, ...]
    pdfs: tuple[Path, ...]
    renderer: str  # "quarto" or "builtin"
    seconds: float
    page_seconds: Mapping[str, float] = field(default_factory=dict)
    rendered: tuple[str, ...] = ()  # pages executed and converted (project-relative .qmd)
    cached: tuple[str, ...] = ()  # pages copied from the page cache instead

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
    cache_dir: Path | None = None,
    copy_sources: bool = False,
) -> RenderResult:
    """Render every page of ``project_dir`` into ``output_dir`` (HTML pages + PDF editions).

    ``params`` go to each page's parameters cell (``-P key:value`` for Quarto), ``env`` to the
    pre-render scripts and the kernels. ``work_dir`` keeps the intermediate files (notebooks,
    markdown, Typst source) of the built-in renderer; by default they go to a temporary folder
    that is removed. ``renderer="auto"`` uses Quarto when ``quarto`` is on PATH, else the
    built-in renderer, whose ``kernels`` are "shared" (each worker reuses its kernel with a
    fresh namespace per page: fast) or "per-page" (a new kernel per page, as Quarto does).

    ``cache_dir`` turns on the built-in renderer's page cache (``pipelines.report.cache``): a
    page whose source, settings and recorded data are unchanged is copied from there instead
    of being executed and converted. The cache is only updated when the whole render
    succeeded. Without ``cache_dir`` every page renders and nothing is written besides the
    site (and ``work_dir``).

    ``copy_sources`` renders a copy of the project's sources (``project.copy_sources``, in a
    scratch folder removed afterwards) instead of the folder itself, as a pipeline run does:
    the pages the pre-render step generates then never land in the source tree.
    """
    with ExitStack() as stack:
        if copy_sources:
            scratch = stack.enter_context(
                tempfile.TemporaryDirectory(
                    prefix=paths.scratch_prefix("project"), dir=paths.scratch_dir()
                )
            )
            project_dir = copy_sources_to(Path(project_dir), Path(scratch) / "reports")
        return _render_site(
            Path(project_dir), output_dir, params, env, work_dir, renderer, kernels, cache_dir
        )


def _render_site(
    project_dir: Path,
    output_dir: Path,
    params: dict[str, Any] | None,
    env: dict[str, str] | None,
    work_dir: Path | None,
    renderer: Literal["auto", "quarto", "builtin"],
    kernels: KernelMode,
    cache_dir: Path | None,
) -> RenderResult:
    started = time.perf_counter()
    project = load_project(Path(project_dir).resolve())
    output_dir = Path(output_dir).resolve()
    params = params or {}
    env = {**parameter_env(params), **(env or {})}
    quarto = shutil.which("quarto") if renderer != "builtin" else None
    if renderer == "quarto" and not quarto:
        raise RenderError(project.config_file, "renderer='quarto' but quarto is not on PATH")
    if quarto:
        project, pages = _prepare(project, env)
        check_parameters(project, pages, params)
        _render_with_quarto(quarto, project, output_dir, params, env)
        return _result(project, pages, output_dir, "quarto", started, {}, set())

    with _work(work_dir) as work, _Kernels(work, env, kernels) as pool:
        if cache_dir is None or not PageCache.has_entries(Path(cache_dir)):
            # every page will run: start the kernels while the pages are read
            pool.prestart(min(WORKERS, len(project.pages)))
        project, pages = _prepare(project, env)
        check_parameters(project, pages, params)
        cache = None
        if cache_dir is not None:
            skip = [output_dir, Path(cache_dir), *([work_dir] if work_dir else [])]
            cache = PageCache(Path(cache_dir), project, params, env, skip=skip)
        try:
            page_seconds, cached = _render_builtin(
                project, pages, output_dir, params, work, pool, cache
            )
            run_post_render(project, output_dir, env)
            result = _result(project, pages, output_dir, "builtin", started, page_seconds, cached)
            check_site_links(output_dir, result.pages, project.config_file)
            if cache is not None:
                cache.commit(project.pages)  # only now: a failed render leaves it as it was
        finally:
            if cache is not None:
                cache.close()
    return result


def parameter_env(params: Mapping[str, Any]) -> dict[str, str]:
    """The environment that hands ``params`` to the pre-render scripts."""
    return {f"{PARAM_ENV}{k.upper()}": str(v) for k, v in params.items() if v is not None}


def page_parameters(page: Page, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a page gets: those its parameters cell declares (all of them when it
    has none, as papermill and Quarto do)."""
    declared = declared_parameters(page)
    return dict(params) if declared is None else {k: v for k, v in params.items() if k in declared}


def check_parameters(project: Project, pages: list[Page], params: Mapping[str, Any]) -> None:
    """Refuse a parameter no page declares (a typo such as ``-P yaer:2016/17``), in a project
    whose pages declare parameters (a page without a parameters cell gets all of them)."""
    declared = set().union(*(declared_parameters(p) or () for p in pages))
    if declared and (unknown := sorted(set(params) - declared)):
        raise RenderError(
            project.config_file,
            f"parameter(s) {unknown} not set in any page's parameters cell "
            f"(declared: {sorted(declared)})",
        )


def _prepare(project: Project, env: Mapping[str, str]) -> tuple[Project, list[Page]]:
    """Run the pre-render scripts, then read and check every page (before anything runs)."""
    run_pre_render(project, env)
    project = load_project(project.directory)  # as Quarto >= 1.5: re-read after pre-render
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
    return project, pages


def _result(
    project: Project,
    pages: list[Page],
    output_dir: Path,
    renderer: str,
    started: float,
    page_seconds: dict[str, float],
    cached: set[str],
) -> RenderResult:
    """The result of a render; refuses one that lacks a page or PDF it should have made."""
    result = RenderResult(
        output_dir=output_dir,
        pages=tuple(output_dir / output_name(p, ".html") for p in project.pages),
        pdfs=_pdfs_of(project, pages, output_dir),
        renderer=renderer,
        seconds=time.perf_counter() - started,
        page_seconds=page_seconds,
        rendered=tuple(p for p in project.pages if p not in cached),
        cached=tuple(p for p in project.pages if p in cached),
    )
    missing = [p for p in (*result.pages, *result.pdfs) if not p.is_file()]
    if missing:
        raise RenderError(
            project.config_file, f"render did not produce {[p.name for p in missing]}"
        )
    return result


def run_pre_render(project: Project, env: Mapping[str, str]) -> None:
    """Run the project's pre-render scripts in the project folder, as Quarto does.

    Quarto runs them with the Python on PATH; here it is this interpreter, so the scripts
    see the same packages as the kernels. A failing script stops the render.
    """
    _run_scripts(project, "pre-render", project.pre_render, env)


def run_post_render(project: Project, output_dir: Path, env: Mapping[str, str]) -> None:
    """Run the project's post-render scripts on the rendered site (the guides' search index),
    with Quarto's ``QUARTO_PROJECT_OUTPUT_DIR``; before the link check, so the files they
    write count as the site's."""
    extra = {**env, "QUARTO_PROJECT_OUTPUT_DIR": str(output_dir)}
    _run_scripts(project, "post-render", project.post_render, extra)


def _run_scripts(
    project: Project, key: str, scripts: tuple[str, ...], env: Mapping[str, str]
) -> None:
    for script in scripts:
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
            raise RenderError(project.config_file, f"{key} script {script} failed:\n{tail}")


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
    work: Path,
    pool: _Kernels,
    cache: PageCache | None,
) -> tuple[dict[str, float], set[str]]:
    """Render the pages (those the cache cannot serve); returns seconds per page and the
    pages that came from the cache."""
    output_dir.mkdir(parents=True, exist_ok=True)
    for asset in _assets(project):
        (output_dir / asset).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.directory / asset, output_dir / asset)
    seconds: dict[Path, float] = {}
    keys: dict[Path, str] = {}
    todo = []
    cached: set[str] = set()
    for page in pages:
        name = _name(project, page)
        if cache is None:
            todo.append(page)
            continue
        started = time.perf_counter()
        keys[page.path] = cache.key(name, page, _conversion(project, page, name))
        if cache.restore(name, keys[page.path], output_dir):
            cached.add(name)
            seconds[page.path] = round(time.perf_counter() - started, 2)
        else:
            todo.append(page)

    def render(page: Page) -> float:
        started = time.perf_counter()
        name = _name(project, page)
        log = None
        if cache is not None:
            log = work / "dependencies" / f"{slug(name)}.jsonl"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.unlink(missing_ok=True)
        outputs, resources = _render_page(project, page, output_dir, params, work, pool.kernel, log)
        if cache is not None:
            dependencies = Dependencies.read(log)
            cache.stage(name, keys[page.path], outputs, output_dir, resources, dependencies)
        return round(time.perf_counter() - started, 2)

    # Pages are independent: render them side by side, one per core, longest first (the
    # pages with the most chunks) so that no long page starts last.
    order = sorted(todo, key=lambda p: -len(p.chunks))
    pool.prestart(min(len(order), WORKERS))  # those not started ahead
    try:
        if order:
            with ThreadPoolExecutor(max_workers=min(len(order), WORKERS)) as workers:
                futures = {workers.submit(render, page): page.path for page in order}
                for future in as_completed(futures):
                    if future.exception() is not None:  # stop early: no point in the rest
                        for other in futures:
                            other.cancel()
                        raise future.exception()
                    seconds[futures[future]] = future.result()
    finally:
        pool.shutdown()
    return {_name(project, p): seconds[p.path] for p in pages}, cached


class _Kernels:
    """The workers' kernels: each worker keeps its own (shared mode) or gets a new one per
    page; shared kernels start in the background while the pages are still being read."""

    def __init__(self, work: Path, env: Mapping[str, str], mode: KernelMode):
        self.mode = mode
        self._specs = write_kernelspec(work)
        self._env = env
        self._local = threading.local()
        self._lock = threading.Lock()
        self._ready: list[Kernel] = []
        self._all: list[Kernel] = []
        self._starting: list[threading.Thread] = []

    def __enter__(self) -> _Kernels:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def prestart(self, count: int) -> None:
        """Start shared kernels in the background until ``count`` were started (a no-op for
        per-page kernels: those start in the page's folder, as Quarto's do)."""
        if self.mode != "shared":
            return
        for _ in range(count - len(self._all)):
            kernel = self._new()
            self._ready.append(kernel)
            thread = threading.Thread(target=kernel.start, kwargs={"quiet": True}, daemon=True)
            thread.start()
            self._starting.append(thread)

    def kernel(self) -> Kernel:
        """This worker's kernel: a new one per page, or its shared one (replaced if broken)."""
        current = getattr(self._local, "kernel", None)
        if self.mode == "per-page" or current is None or current.broken:
            if current is not None:
                current.shutdown()
            with self._lock:
                current = self._ready.pop(0) if self._ready else None
            self._local.kernel = current or self._new()
        return self._local.kernel

    def _new(self) -> Kernel:
        shared = self.mode == "shared"
        kernel = Kernel(
            self._specs, self._env, shared=shared, preload=PRELOAD_CODE if shared else ""
        )
        with self._lock:
            self._all.append(kernel)
        return kernel

    def shutdown(self) -> None:
        for thread in self._starting:
            thread.join()
        for kernel in self._all:
            kernel.shutdown()


def _assets(project: Project) -> tuple[str, ...]:
    """The site's own files (stylesheets, favicon), copied once per render."""
    return (*project.css, *([project.favicon] if project.favicon else []))


def _name(project: Project, page: Page) -> str:
    return page.path.relative_to(project.directory).as_posix()


def _conversion(project: Project, page: Page, name: str) -> dict[str, Any]:
    """Everything besides the executed markdown that goes into a page's HTML (and PDF)."""
    conversion: dict[str, Any] = {
        "html": _html_meta(project, page, name),
        "toc": bool(page.meta.get("toc", project.toc)),
    }
    if page.typst is not None:
        conversion["typst"] = {
            **_document_meta(project, page),
            "toc": bool(page.typst.get("toc", False)),
            # the guides' A5 brochure; Quarto passes it to the partials as $papersize$
            **({"papersize": page.typst["papersize"]} if "papersize" in page.typst else {}),
        }
        conversion["partials"] = {
            n: p.read_text("utf-8") for n, p in sorted(_typst_partials(page).items())
        }
    return conversion


def _render_page(
    project: Project,
    page: Page,
    output_dir: Path,
    params: Mapping[str, Any],
    work: Path,
    kernel: Callable[[], Kernel],
    dependencies: Path | None = None,
) -> tuple[list[Path], list[Path]]:
    """Execute one page in a kernel, then write its HTML (and PDF edition).

    Returns the files written into ``output_dir`` and the project files copied along (the
    page's resources). With ``dependencies``, the kernel records what the page reads there.
    """
    name = _name(project, page)
    conversion = _conversion(project, page, name)
    page_work = work / name.removesuffix(".qmd").replace("/", "__")
    page_work.mkdir(parents=True, exist_ok=True)
    nb = None
    if page.chunks:  # like Quarto: a page without code is not executed
        prelude = dependency_prelude(dependencies, project.directory) if dependencies else ""
        notebook = build_notebook(page, page_parameters(page, params))
        nb = kernel().run(page, notebook, prelude=prelude)
    figure_dir = page_work / f"{Path(name).stem}_files" / "figure-html"  # Quarto's layout
    markdown = to_markdown(page, nb, figure_dir)
    (page_work / "page.md").write_text(markdown, encoding="utf-8")

    html = _convert(
        page,
        lambda: pandoc.to_html(markdown, conversion["html"], page_work, toc=conversion["toc"]),
    )
    target = output_dir / output_name(name, ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")
    outputs = [target]
    if figure_dir.exists():
        figures = target.parent / figure_dir.relative_to(page_work)
        shutil.copytree(figure_dir, figures, dirs_exist_ok=True)
        outputs += [figures / f.relative_to(figure_dir) for f in figure_dir.rglob("*")
                    if f.is_file()]  # fmt: skip
    assets = {output_dir / asset for asset in _assets(project)}
    copied = _copy_resources(project, page, html, target, {*outputs, *assets})
    outputs += copied.values()

    if "typst" in conversion:
        source = page_work / f"{Path(name).stem}.typ"
        typst_text = _convert(
            page,
            lambda: pandoc.to_typst(
                markdown, conversion["typst"], page_work, _typst_partials(page)
            ),
        )
        source.write_text(typst_text, encoding="utf-8")
        pdf = output_dir / output_name(name, ".pdf")
        _convert(page, lambda: pandoc.compile_pdf(source, pdf))
        outputs.append(pdf)
    return outputs, list(copied)


def _copy_resources(
    project: Project, page: Page, html: str, target: Path, produced: set[Path]
) -> dict[Path, Path]:
    """Copy the project files a page links to (e.g. a CSV its code wrote), as Quarto's
    website resource discovery does; pages and figures are produced by the render itself.
    Returns project file → copy in the site."""
    copied: dict[Path, Path] = {}
    for url in _local_refs(html):
        path = url.split("#", 1)[0].split("?", 1)[0]
        destination = (target.parent / path).resolve()
        if not path or path.endswith((".html", ".pdf")) or destination in produced:
            continue
        source = (page.path.parent / path).resolve()
        if source.is_file() and source.is_relative_to(project.directory):
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            copied[source] = destination
    return copied


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
        meta["page-footer"] = _page_footer(project, name)
    if page.typst is not None:
        meta["other-formats"] = [{"href": Path(output_name(name, ".pdf")).name, "text": "PDF"}]
    return meta


def _page_footer(project: Project, name: str) -> dict[str, str]:
    """The page footer as Quarto makes it: ``{{< var key >}}`` filled from the project's
    ``_variables.yml`` (edition and date of the render: the pre-render step writes it) and
    site-root links (``/impressum.qmd``) made relative to the page. Other shortcodes and
    unknown variables are refused, never printed as they are."""
    import yaml

    variables_file = project.directory / "_variables.yml"
    variables = {}
    if variables_file.is_file():
        variables = yaml.safe_load(variables_file.read_text(encoding="utf-8")) or {}

    def var(match: re.Match[str]) -> str:
        value: Any = variables
        for part in match["key"].split("."):
            if not isinstance(value, Mapping) or part not in value:
                raise RenderError(
                    project.config_file,
                    f"website.page-footer: unknown var {match['key']!r} "
                    f"({variables_file.name} {'lacks it' if variables else 'is missing'})",
                )
            value = value[part]
        return "" if value is None else str(value)

    footer = {}
    for side, text in project.footer.items():
        text = re.sub(r"\{\{<\s*var\s+(?P<key>[\w.-]+)\s*>\}\}", var, text)
        if "{{<" in text:
            raise RenderError(
                project.config_file, f"website.page-footer.{side}: only {{{{< var >}}}} allowed"
            )
        footer[side] = re.sub(
            r"\]\(/(?P<target>[^)\s]+)\)", lambda m: f"]({_relative(m['target'], name)})", text
        )
    return footer


def _document_meta(project: Project, page: Page) -> dict[str, Any]:
    meta = {
        "lang": project.lang,
        "title": page.meta.get("title", ""),
        "pagetitle": page.meta.get("title", ""),
    }
    for key in ("subtitle", "titelei"):  # titelei: the PDF title page's imprint (brochures)
        if key in page.meta:
            meta[key] = page.meta[key]
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
    with tempfile.TemporaryDirectory(
        prefix=paths.scratch_prefix("render"), dir=paths.scratch_dir()
    ) as tmp:
        yield Path(tmp)
