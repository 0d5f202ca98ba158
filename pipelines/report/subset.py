"""The supported Quarto subset as data, and the check of YAML settings against it.

One place lists every `_quarto.yml` key, page front-matter key and `#|` chunk option the
built-in renderer understands (see reports/README.md). Anything else is refused with its
line, so a setting that real Quarto would honour is never silently ignored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class ListOf:
    """A YAML list whose items all match ``item``."""

    item: Any


@dataclass(frozen=True)
class OneOf:
    """A scalar that must be one of a few literal values."""

    values: tuple[Any, ...]


@dataclass(frozen=True)
class Requires:
    """A mapping (keys as in ``spec``) that must hold the keys ``required``; ``why`` says
    what goes wrong without them."""

    spec: dict[str, Any]
    required: tuple[str, ...]
    why: str


NAV_LINK = {"href": str, "text": str}
NAV_ITEM = {"href": str, "text": str, "menu": ListOf(NAV_LINK)}
"""A navbar entry: a link (href + text) or a drop-down menu (text + menu of links)."""

PROJECT = {
    "project": {
        "type": OneOf(("website",)),
        "output-dir": str,
        # explicit pages; globs such as indikatoren/*.qmd pick up generated pages
        "render": ListOf(str),
        # Python scripts run before rendering (Quarto >= 1.5 re-reads the render list after)
        "pre-render": ListOf(str),
        # Python scripts run after rendering, on the rendered site (the guides' search index)
        "post-render": ListOf(str),
    },
    "lang": str,
    "execute": {"echo": bool, "warning": bool},
    "website": {
        "title": str,
        "favicon": str,
        "search": bool,
        "navbar": {"left": ListOf(NAV_ITEM), "right": ListOf(NAV_ITEM)},
        "page-footer": {"left": str, "center": str, "right": str},
    },
    "format": {
        "html": {
            # Bootswatch themes (cosmo, …) @import Google Fonts: the site must work offline
            "theme": OneOf(("default",)),
            "css": ListOf(str),
            "toc": bool,
            "fig-format": OneOf(("svg",)),
            # no <colgroup> widths from the Markdown source: the browser sizes the columns
            # (the built-in renderer always does so, filters/colwidths.lua)
            "tbl-colwidths": OneOf((False,)),
        }
    },
}
"""Keys of ``_quarto.yml``."""

FRONT_MATTER = {
    "title": str,
    "subtitle": str,
    "toc": bool,
    # plain metadata for the Typst partials: the title page's imprint (the brochures write it
    # here; the report's pages print it from a chunk, _typst/_titelei.qmd)
    "titelei": {"datum": str, "herausgeber": str, "kontakt": str, "lizenz": str, "hinweis": str},
    "format": Requires(
        {
            # the website page, with the project's settings from _quarto.yml
            "html": OneOf(("default",)),
            "typst": {
                "toc": bool,
                "fig-format": OneOf(("svg",)),
                # Quarto passes it to the partials as $papersize$ (the guides' brochures)
                "papersize": OneOf(("a4", "a5")),
                "template-partials": ListOf(str),
            },
        },
        required=("html",),
        why="real Quarto renders only the formats a page lists, and every page of the "
        "site is an HTML page (write 'html: default')",
    ),
}
"""Keys of a page's front matter; ``format: typst`` adds the PDF edition. A page that lists
formats lists ``html`` too: Quarto renders a page in exactly the formats its front matter
names (the project's formats only when it names none), the built-in renderer always writes
the HTML page, so both make the same files."""

CHUNK_OPTIONS = {
    "label": str,
    "echo": bool,
    "output": OneOf((True, False, "asis")),
    "warning": bool,
    "fig-cap": str,
    "fig-alt": str,
    "tbl-cap": str,
    "tags": ListOf(OneOf(("parameters",))),
}
"""``#|`` options of a ```` ```{python} ```` chunk."""


def problems(data: Any, spec: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Every place where ``data`` leaves ``spec``, as (key path, what is wrong)."""
    if isinstance(spec, Requires):
        found = problems(data, spec.spec, path)
        if isinstance(data, dict):
            found.extend(
                (path, f"{'.'.join(path)}: add {key!r}: {spec.why}")
                for key in spec.required
                if key not in data
            )
        return found
    if isinstance(spec, dict):
        if not isinstance(data, dict):
            return [(path, f"{'.'.join(path) or 'settings'}: expected a mapping, got {data!r}")]
        found = []
        for key, value in data.items():
            if key not in spec:
                key_path = (*path, str(key))
                found.append((key_path, f"unsupported key {'.'.join(key_path)!r}"))
                continue
            found.extend(problems(value, spec[key], (*path, str(key))))
        return found
    if isinstance(spec, ListOf):
        if isinstance(data, str) and not isinstance(spec.item, dict):
            data = [data]  # Quarto accepts a single value where a list is expected
        if not isinstance(data, list):
            return [(path, f"{'.'.join(path)}: expected a list, got {data!r}")]
        return [p for item in data for p in problems(item, spec.item, path)]
    if isinstance(spec, OneOf):
        if any(data is v or (type(data) is type(v) and data == v) for v in spec.values):
            return []
        allowed = ", ".join(repr(v) for v in spec.values)
        return [(path, f"{'.'.join(path)}: {data!r} is not supported (allowed: {allowed})")]
    if not isinstance(data, spec) or (isinstance(data, bool) and spec is not bool):
        return [(path, f"{'.'.join(path)}: expected {spec.__name__}, got {data!r}")]
    return []


def as_list(value: Any) -> list[Any]:
    """A list-valued setting written as a single value (``css: styles.css``) as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def line_of(text: str, path: tuple[str, ...]) -> int | None:
    """1-based line of the key at ``path`` in the YAML ``text`` (None if not found)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value_node in node.value:
            if key_node.value == key:
                line = key_node.start_mark.line + 1
                node = value_node
                break
        else:
            break
    return line
