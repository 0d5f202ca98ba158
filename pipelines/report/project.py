"""Read `_quarto.yml`: the site's pages, navbar, language, stylesheet and execution defaults.

The same file drives real Quarto; here only the keys of the documented subset are accepted,
and the page list must be explicit (``project.render``) so both paths render the same files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import yaml

from pipelines.paths import is_report_output
from pipelines.report import subset
from pipelines.report.errors import RenderError

CONFIG_NAME = "_quarto.yml"


PARAM_ENV = "BILDUNGSMONITOR_PARAM_"
"""``-P key:value`` reaches the pre-render scripts as ``BILDUNGSMONITOR_PARAM_KEY`` (Quarto
gives its scripts no parameters): the guides' school year chooses the pages they write."""


@dataclass(frozen=True)
class NavItem:
    """One navbar link as written in `_quarto.yml` (``href`` may name a .qmd page or a file);
    a drop-down menu has no ``href`` but ``menu`` links."""

    href: str
    text: str
    menu: tuple[NavItem, ...] = ()
    right: bool = False  # in website.navbar.right

    @property
    def target(self) -> str:
        """The rendered file the link points to (``x.qmd`` becomes ``x.html``)."""
        return output_name(self.href, ".html") if self.href.endswith(".qmd") else self.href

    @property
    def links(self) -> tuple[NavItem, ...]:
        """The links behind this entry: itself, or the items of its menu."""
        return self.menu or (self,)


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
    pre_render: tuple[str, ...] = ()
    post_render: tuple[str, ...] = ()
    footer: Mapping[str, str] = field(default_factory=dict)
    favicon: str | None = None

    @property
    def config_file(self) -> Path:
        return self.directory / CONFIG_NAME


def copy_sources(directory: Path, target: Path) -> Path:
    """Copy the project's sources (not its outputs) to ``target`` and return it.

    A pipeline run renders such a copy: the pre-render step writes its generated pages there,
    never into the checkout, so a run leaves the source tree as it was and two runs for
    different warehouses (two municipalities on one installation) cannot mix their pages.
    """
    directory = Path(directory).resolve()

    def ignore(folder: str, names: list[str]) -> set[str]:
        below = Path(folder).relative_to(directory).parts
        return {name for name in names if is_report_output((*below, name))}

    shutil.copytree(directory, target, ignore=ignore)
    return Path(target)


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
    pages = _pages(directory, subset.as_list(data["project"].get("render")), fail)
    hooks = ("pre-render", "post-render")
    scripts = {key: tuple(subset.as_list(data["project"].get(key))) for key in hooks}
    for key, names in scripts.items():
        for script in names:
            if not script.endswith(".py") or not (directory / script).is_file():
                raise fail(
                    f"project.{key}: {script!r} is not a Python script of the project",
                    ("project", key),
                )

    website = data.get("website", {})
    navbar = tuple(
        replace(_nav_item(item, fail), right=side == "right")
        for side in ("left", "right")
        for item in website.get("navbar", {}).get(side, [])
    )
    for item in (link for entry in navbar for link in entry.links):
        if item.href.endswith(".qmd") and item.href not in pages:
            raise fail(f"navbar link {item.href!r} is not in project.render", ("website",))
        if "://" in item.href:
            raise fail(f"navbar link {item.href!r} leaves the site (offline site)", ("website",))

    favicon = website.get("favicon")
    if favicon is not None and not (directory / favicon).is_file():
        raise fail(f"favicon {favicon!r} does not exist", ("website", "favicon"))

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
        pre_render=scripts["pre-render"],
        post_render=scripts["post-render"],
        footer=dict(website.get("page-footer", {})),
        favicon=favicon,
    )


def _pages(
    directory: Path, entries: list[str], fail: Callable[..., RenderError]
) -> tuple[str, ...]:
    """The pages of ``project.render`` in order; a glob adds its matches sorted by path.

    As in Quarto, files and folders starting with ``_`` or ``.`` are never pages. A glob may
    match nothing (generated pages not yet written); a plain entry must exist.
    """
    if not entries:
        raise fail("project.render must list the pages to render", ("project",))
    pages: list[str] = []
    for entry in entries:
        if not entry.endswith(".qmd") or PurePosixPath(entry).name.startswith("_"):
            raise fail(f"project.render: {entry!r} is not a page (.qmd, no _prefix)")
        if any(c in entry for c in "*?["):
            matches = sorted(
                p.relative_to(directory).as_posix()
                for p in directory.glob(entry)
                if p.is_file()
                and not any(part.startswith(("_", ".")) for part in p.relative_to(directory).parts)
            )
        elif (directory / entry).is_file():
            matches = [entry]
        else:
            raise fail(f"project.render: {entry!r} does not exist", ("project", "render"))
        pages.extend(m for m in matches if m not in pages)
    return tuple(pages)


def _nav_item(item: Mapping[str, object], fail: Callable[..., RenderError]) -> NavItem:
    keys = set(item)
    if keys == {"href", "text"}:
        return NavItem(href=str(item["href"]), text=str(item["text"]))
    if keys == {"text", "menu"} and item["menu"]:
        menu = tuple(_nav_item(m, fail) for m in item["menu"])
        return NavItem(href="", text=str(item["text"]), menu=menu)
    raise fail(
        "every navbar item needs href and text (or text and a menu of such items)",
        ("website", "navbar"),
    )
