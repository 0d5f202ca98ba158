"""Render the report website and its PDF edition: with Quarto if installed, else built in.

The city's machines run ``quarto render``; these machines cannot install Quarto, so the
built-in path runs the same building blocks — jupytext to read each page, a Jupyter kernel
per page to execute it, Pandoc with one site template and Lua filters to convert, Typst for
the PDF. Both paths read the same project and refuse the same constructs (every page is
checked against the documented subset before anything runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pipelines.report import pandoc
from pipelines.report.assemble import to_markdown
from pipelines.report.errors import RenderError
from pipelines.report.execute import run_page, write_kernelspec
from pipelines.report.project import Project, load_project, output_name
from pipelines.report.qmd import Page, build_notebook, read_page

T = TypeVar("T")
TOC_TITLE = "Auf dieser Seite"  # Quarto's German title of a website page's TOC


@dataclass(frozen=True)
class RenderResult:
    """What a render produced, in ``project.render`` order."""

    output_dir: Path
    pages: tuple[Path, ...]
    pdf: Path | None
    renderer: str  # "quarto" or "builtin"
    seconds: float
    page_seconds: Mapping[str, float] = field(default_factory=dict)


def render_site(
    project_dir: Path,
    output_dir: Path,
    *,
    params: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    work_dir: Path | None = None,
    renderer: Literal["auto", "quarto", "builtin"] = "auto",
) -> RenderResult:
    """Render every page of ``project_dir`` into ``output_dir`` (HTML pages + PDF edition).

    ``params`` go to each page's parameters cell (``-P key:value`` for Quarto), ``env`` to the
    kernels. ``work_dir`` keeps the intermediate files (notebooks, markdown, Typst source) of
    the built-in renderer; by default they go to a temporary folder that is removed.
    ``renderer="auto"`` uses Quarto when ``quarto`` is on PATH, else the built-in renderer.
    """
    started = time.perf_counter()
    project = load_project(Path(project_dir).resolve())
    pages = [
        read_page(project.directory / p, echo=project.echo, warning=project.warning)
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
                project, pages, output_dir, params or {}, env or {}, work
            )
        used = "builtin"
    result = RenderResult(
        output_dir=output_dir,
        pages=tuple(output_dir / output_name(p, ".html") for p in project.pages),
        pdf=_pdf_of(project, pages, output_dir),
        renderer=used,
        seconds=time.perf_counter() - started,
        page_seconds=page_seconds,
    )
    missing = [p for p in (*result.pages, result.pdf) if p is not None and not p.is_file()]
    if missing:
        raise RenderError(
            project.config_file, f"render did not produce {[p.name for p in missing]}"
        )
    return result


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
) -> dict[str, float]:
    output_dir.mkdir(parents=True, exist_ok=True)
    for sheet in project.css:
        (output_dir / sheet).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project.directory / sheet, output_dir / sheet)
    kernels = write_kernelspec(work)

    def render(page: Page) -> float:
        started = time.perf_counter()
        _render_page(project, page, output_dir, params, env, work, kernels)
        return round(time.perf_counter() - started, 2)

    # Pages are independent (one kernel each): render them side by side, one per core.
    with ThreadPoolExecutor(max_workers=min(len(pages), os.cpu_count() or 1)) as pool:
        futures = [pool.submit(render, page) for page in pages]
    return {page.path.name: future.result() for page, future in zip(pages, futures, strict=True)}


def _render_page(
    project: Project,
    page: Page,
    output_dir: Path,
    params: Mapping[str, Any],
    env: Mapping[str, str],
    work: Path,
    kernels: Path,
) -> None:
    """Execute one page in its own kernel, then write its HTML (and PDF edition)."""
    name = page.path.relative_to(project.directory).as_posix()
    page_work = work / name.removesuffix(".qmd").replace("/", "__")
    page_work.mkdir(parents=True, exist_ok=True)
    nb = None
    if page.chunks:  # like Quarto: a page without code is not executed
        nb = run_page(page, build_notebook(page, params), kernels=kernels, env=env)
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

    if page.typst is not None:
        meta = {**_document_meta(project, page), "toc": bool(page.typst.get("toc", False))}
        partials = _typst_partials(page)
        source = page_work / f"{Path(name).stem}.typ"
        typst_text = _convert(page, lambda: pandoc.to_typst(markdown, meta, page_work, partials))
        source.write_text(typst_text, encoding="utf-8")
        _convert(page, lambda: pandoc.compile_pdf(source, output_dir / output_name(name, ".pdf")))


def _html_meta(project: Project, page: Page, name: str) -> dict[str, Any]:
    """Template variables of a page: title, navbar (current page marked), CSS, other formats."""
    meta = {
        **_document_meta(project, page),
        "website-title": project.title,
        "css": [_relative(sheet, name) for sheet in project.css],
        "navbar": [
            {
                "href": _relative(item.target, name),
                "text": item.text,
                "active": item.target == output_name(name, ".html"),
            }
            for item in project.navbar
        ],
        "toc-title": TOC_TITLE,
    }
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


def _pdf_of(project: Project, pages: list[Page], output_dir: Path) -> Path | None:
    pdfs = [
        output_dir / output_name(p.path.relative_to(project.directory).as_posix(), ".pdf")
        for p in pages
        if p.typst is not None
    ]
    if len(pdfs) > 1:
        raise RenderError(
            project.config_file, "only one page may have the PDF edition (format: typst)"
        )
    return pdfs[0] if pdfs else None


def _check_links(project: Project, pages: list[Page]) -> None:
    produced = {output_name(p, ".html") for p in project.pages} | {
        output_name(p.path.relative_to(project.directory).as_posix(), ".pdf")
        for p in pages
        if p.typst is not None
    }
    for item in project.navbar:
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
