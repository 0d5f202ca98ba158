"""Read `_quarto.yml`: the site's pages, navbar, language, stylesheet and execution defaults.

The same file drives real Quarto; here only the keys of the documented subset are accepted,
and the page list must be explicit (``project.render``) so both paths render the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from pipelines.report import subset
from pipelines.report.errors import RenderError

CONFIG_NAME = "_quarto.yml"


@dataclass(frozen=True)
class NavItem:
    """One navbar link as written in `_quarto.yml` (``href`` may name a .qmd page or a file)."""

    href: str
    text: str

    @property
    def target(self) -> str:
        """The rendered file the link points to (``x.qmd`` becomes ``x.html``)."""
        return output_name(self.href, ".html") if self.href.endswith(".qmd") else self.href


@dataclass(frozen=True)
class Project:
    """The settings of one Quarto website project."""

    directory: Path
    title: str
    lang: str
    pages: tuple[str, ...]
    navbar: tuple[NavItem, ...]
    css: tuple[str, ...]
    toc: bool
    echo: bool
    warning: bool

    @property
    def config_file(self) -> Path:
        return self.directory / CONFIG_NAME


def output_name(page: str, suffix: str) -> str:
    """The output file of a page: ``schulabschluss.qmd`` → ``schulabschluss.html``."""
    return str(PurePosixPath(page).with_suffix(suffix))


def load_project(directory: Path) -> Project:
    """Read and check ``directory/_quarto.yml``; raise RenderError on anything unsupported."""
    config_file = directory / CONFIG_NAME
    if not config_file.is_file():
        raise RenderError(config_file, "no _quarto.yml: not a Quarto project")
    text = config_file.read_text(encoding="utf-8")

    def fail(message: str, path: tuple[str, ...] = ()) -> RenderError:
        return RenderError(config_file, message, line=subset.line_of(text, path))

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise fail(f"invalid YAML: {exc}") from exc
    if problems := subset.problems(data, subset.PROJECT):
        raise fail(problems[0][1], problems[0][0])

    if data.get("project", {}).get("type") != "website":
        raise fail("project.type must be 'website'", ("project",))
    pages = tuple(subset.as_list(data["project"].get("render")))
    if not pages:
        raise fail("project.render must list the pages to render", ("project",))
    for page in pages:
        if not page.endswith(".qmd") or "*" in page or PurePosixPath(page).name.startswith("_"):
            raise fail(f"project.render: {page!r} is not a page (.qmd, no glob, no _prefix)")
        if not (directory / page).is_file():
            raise fail(f"project.render: {page!r} does not exist", ("project", "render"))

    website = data.get("website", {})
    items = [i for side in ("left", "right") for i in website.get("navbar", {}).get(side, [])]
    if any(set(item) != {"href", "text"} for item in items):
        raise fail("every navbar item needs href and text", ("website", "navbar"))
    navbar = tuple(NavItem(href=item["href"], text=item["text"]) for item in items)
    for item in navbar:
        if item.href.endswith(".qmd") and item.href not in pages:
            raise fail(f"navbar link {item.href!r} is not in project.render", ("website",))
        if "://" in item.href:
            raise fail(f"navbar link {item.href!r} leaves the site (offline site)", ("website",))

    html = data.get("format", {}).get("html", {})
    css = tuple(subset.as_list(html.get("css")))
    for sheet in css:
        if not (directory / sheet).is_file():
            raise fail(f"stylesheet {sheet!r} does not exist", ("format", "html", "css"))
    execute = data.get("execute", {})
    return Project(
        directory=directory,
        title=website.get("title", ""),
        lang=data.get("lang", "en"),
        pages=pages,
        navbar=navbar,
        css=css,
        toc=html.get("toc", False),
        echo=execute.get("echo", True),
        warning=execute.get("warning", True),
    )
