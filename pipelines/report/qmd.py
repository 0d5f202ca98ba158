"""Read a `.qmd` page: front matter, includes, chunks with their `#|` options, the subset check.

jupytext's ``qmd`` reader needs the quarto binary; its ``Rmd`` reader does not and splits
```` ```{python} ```` chunks the same way, so it cuts the page into cells. This module adds
what the renderer needs on top: where every chunk came from (file and line, across
``{{< include >}}``), its parsed options, and a scan that refuses anything outside the
documented subset before a kernel is started. ``build_notebook`` then adds the parameters
(after the ``parameters`` cell, as papermill and Quarto do) and the inline expressions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import yaml

from pipelines.report import subset
from pipelines.report.errors import RenderError

INCLUDE = re.compile(r"^\{\{<\s*include\s+(?P<file>\S+)\s*>\}\}\s*$")
SHORTCODE = re.compile(r"\{\{[<%]")
CHUNK = re.compile(r"^```\{(?P<header>[^.}][^}]*)\}\s*$")
INDENTED_CHUNK = re.compile(r"^\s+```\{[^.]")
FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,})")
DIV_FENCE = re.compile(r"^:{3,}(?P<attrs>.*)$")
INLINE_EXPR = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")
INLINE_CODE = re.compile(r"`[^`]*`")
REFERENCE = re.compile(r"(?<![\w@.])@(?P<id>[A-Za-z][\w-]*\w)")
TARGET_ATTR = re.compile(r"\{#(?:fig|tbl|sec|eq|lst|thm)-")
IMAGE = re.compile(r"!\[")
RAW_HTML = "=html"
"""```{=html} blocks: inline SVG, JSON-LD and the guides' filter form; the release checks
read the rendered page (no outside loads, no inline event handlers)."""
LABEL = re.compile(r"^[A-Za-z][\w-]*$")

DIV_CLASSES = {"callout-note", "callout-important", "columns", "column"}
"""Div classes of the subset; only ``column`` takes an attribute (``width``)."""

SETUP_CODE = (
    "get_ipython().run_line_magic('matplotlib', 'inline')\n"
    "get_ipython().run_line_magic('config', \"InlineBackend.figure_formats = ['svg']\")"
)
"""What Quarto's own setup cell does for a page with ``fig-format: svg``."""


@dataclass(frozen=True)
class Line:
    """One line of a page after includes, with the file and line it came from."""

    text: str
    source: Path
    number: int


@dataclass(frozen=True)
class Markdown:
    """A run of markdown between chunks and its inline ```{python} expr``` expressions."""

    text: str
    expressions: tuple[str, ...]


@dataclass(frozen=True)
class Chunk:
    """One ```` ```{python} ```` chunk: code as written (``#|`` lines included) and options."""

    code: str
    options: Mapping[str, Any]
    source: Path
    line: int

    @property
    def label(self) -> str:
        return self.options.get("label", "")

    @property
    def is_parameters(self) -> bool:
        return "parameters" in subset.as_list(self.options.get("tags"))

    @property
    def body(self) -> str:
        """The code without its ``#|`` option lines (what ``echo: true`` shows)."""
        return "\n".join(_split_options(self.code)[1])


@dataclass(frozen=True)
class Page:
    """A page ready to execute: metadata, cells in order and the source lines behind them."""

    path: Path
    meta: Mapping[str, Any]
    cells: tuple[Markdown | Chunk, ...]
    lines: tuple[Line, ...] = field(repr=False)

    @property
    def chunks(self) -> tuple[Chunk, ...]:
        return tuple(c for c in self.cells if isinstance(c, Chunk))

    @property
    def typst(self) -> Mapping[str, Any] | None:
        """The page's ``format: typst`` settings if it has a PDF edition."""
        formats = self.meta.get("format") or {}
        return formats.get("typst") or ({} if "typst" in formats else None)

    def fail(self, message: str, *, at: Line | Chunk | None = None) -> RenderError:
        """A RenderError for this page, at a source line when known."""
        if at is None:
            return RenderError(self.path, message)
        number = at.number if isinstance(at, Line) else at.line
        return RenderError(self.path, message, line=number, source=at.source)

    def locate(self, snippet: str) -> Line | None:
        """The first source line containing ``snippet`` (to place errors found later)."""
        needle = snippet.strip().splitlines()[0].strip() if snippet.strip() else ""
        return next((ln for ln in self.lines if needle and needle in ln.text), None)


def read_page(
    path: Path, *, echo: bool = True, warning: bool = True, project_dir: Path | None = None
) -> Page:
    """Read and check one page; ``echo``/``warning`` are the project's execute defaults.

    As in Quarto, an include path is relative to the page's folder (also inside an included
    file), and a path starting with ``/`` is relative to ``project_dir``.
    """
    path = path.resolve()
    raw = [Line(t, path, n) for n, t in enumerate(path.read_text("utf-8").splitlines(), 1)]
    meta, body_start = _front_matter(path, raw)
    root = (project_dir or path.parent).resolve()
    lines = tuple(_expand_includes(path, raw[body_start:], (path,), root))
    chunks, prose = _scan(path, lines, echo=echo, warning=warning)
    _check_references(path, chunks, prose)
    if not chunks and (inline := next((ln for ln in prose if INLINE_EXPR.search(ln.text)), None)):
        msg = "inline `{python}` needs a python chunk on the page (else Quarto runs no kernel)"
        raise RenderError(path, msg, line=inline.number, source=inline.source)
    return Page(path=path, meta=meta, cells=_cells(path, lines, chunks), lines=lines)


def build_notebook(page: Page, params: Mapping[str, Any] | None = None) -> nbformat.NotebookNode:
    """The notebook a kernel runs for ``page``.

    Cells carry ``metadata.bm`` = {"role": setup | params | chunk | inline, "cell": index
    into ``page.cells``} so the outputs can be put back in place.
    """
    params = dict(params or {})
    if bad := [name for name in params if not str(name).isidentifier()]:
        raise page.fail(f"parameter name(s) {bad} are not Python names")
    nb = nbformat.v4.new_notebook()
    nb.cells.append(_code(SETUP_CODE, role="setup"))
    if params and not any(c.is_parameters for c in page.chunks):
        nb.cells.append(_code(_params_code(params), role="params"))  # papermill: at the top
    for index, cell in enumerate(page.cells):
        if isinstance(cell, Markdown):
            for expr in cell.expressions:
                nb.cells.append(_code(expr, role="inline", cell=index))
            nb.cells.append(
                nbformat.v4.new_markdown_cell(cell.text, metadata={"bm": {"cell": index}})
            )
            continue
        nb.cells.append(_code(cell.code, role="chunk", cell=index))
        if cell.is_parameters and params:
            unknown = sorted(set(params) - _assigned_names(cell.code))
            if unknown:
                raise page.fail(f"parameter(s) {unknown} not set in the parameters cell", at=cell)
            nb.cells.append(_code(_params_code(params), role="params", cell=index))
    return nb


def _code(source: str, *, role: str, cell: int | None = None) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source, metadata={"bm": {"role": role, "cell": cell}})


def _params_code(params: Mapping[str, Any]) -> str:
    return "# Injected Parameters\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())


def declared_parameters(page: Page) -> frozenset[str] | None:
    """Names the page's parameters cell sets; None when it has none (then every parameter
    goes to the top of the page, as papermill does)."""
    cells = [c for c in page.chunks if c.is_parameters]
    if not cells:
        return None
    return frozenset(n for c in cells for n in _assigned_names(c.code))


def _assigned_names(code: str) -> set[str]:
    tree = ast.parse(code)
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }


def _front_matter(path: Path, raw: list[Line]) -> tuple[dict[str, Any], int]:
    if not raw or raw[0].text.strip() != "---":
        return {}, 0
    end = next((i for i in range(1, len(raw)) if raw[i].text.strip() in ("---", "...")), None)
    if end is None:
        raise RenderError(path, "front matter is not closed with '---'", line=1)
    text = "\n".join(ln.text for ln in raw[1:end])
    try:
        meta = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RenderError(path, f"invalid front matter: {exc}", line=1) from exc
    if problems := subset.problems(meta, subset.FRONT_MATTER):
        key_path, problem = problems[0]
        raise RenderError(path, problem, line=(subset.line_of(text, key_path) or 0) + 1)
    return meta, end + 1


def _expand_includes(
    page: Path, lines: list[Line], stack: tuple[Path, ...], root: Path
) -> Iterator[Line]:
    for line in lines:
        match = INCLUDE.match(line.text)
        if not match:
            yield line
            continue
        name = match["file"].strip("\"'")
        target = (root / name[1:] if name.startswith("/") else page.parent / name).resolve()
        if target in stack:
            raise RenderError(
                page, f"include cycle: {target.name}", line=line.number, source=line.source
            )
        if not target.is_file():
            msg = f"included file {match['file']!r} not found"
            raise RenderError(page, msg, line=line.number, source=line.source)
        text = target.read_text("utf-8").splitlines()
        if text and text[0].strip() == "---":
            msg = "an included file must not have front matter"
            raise RenderError(page, msg, line=1, source=target)
        included = [Line(t, target, n) for n, t in enumerate(text, 1)]
        yield from _expand_includes(page, included, (*stack, target), root)


def _scan(
    path: Path, lines: tuple[Line, ...], *, echo: bool, warning: bool
) -> tuple[list[Chunk], list[Line]]:
    """Collect the chunks and the prose lines; refuse unsupported markdown line by line."""
    chunks: list[Chunk] = []
    prose: list[Line] = []
    fence: str | None = None  # closing fence of an ordinary code block we are in
    chunk_start: int | None = None
    for i, line in enumerate(lines):
        text = line.text
        if chunk_start is not None:
            if text.strip() == "```":
                chunks.append(_chunk(path, lines, chunk_start, i, echo=echo, warning=warning))
                chunk_start = None
            continue
        if fence is not None:
            if text.strip().startswith(fence) and not text.strip().strip(fence[0]):
                fence = None
            continue
        if (match := CHUNK.match(text)) and match["header"].strip() == RAW_HTML:
            fence = "```"  # raw HTML for the web page (Pandoc and Quarto pass it through)
        elif match:
            if match["header"].strip() != "python":
                msg = f"chunk header {{{match['header']}}}: only ```{{python}} without options"
                raise RenderError(path, msg, line=line.number, source=line.source)
            chunk_start = i
        elif INDENTED_CHUNK.match(text):
            msg = "a chunk must start at the left margin (an indented chunk is not run)"
            raise RenderError(path, msg, line=line.number, source=line.source)
        elif match := FENCE.match(text):
            fence = match["fence"]
        else:
            _check_prose(path, line)
            prose.append(line)
    if chunk_start is not None:
        start = lines[chunk_start]
        raise RenderError(path, "chunk is not closed", line=start.number, source=start.source)
    return chunks, prose


def _check_prose(path: Path, line: Line) -> None:
    def refuse(message: str) -> RenderError:
        return RenderError(path, message, line=line.number, source=line.source)

    text = line.text
    if SHORTCODE.search(text):
        raise refuse("unsupported shortcode (only {{< include file >}} on a line of its own)")
    for match in INLINE_EXPR.finditer(text):
        try:
            compile(match["expr"], "<inline>", "eval")
        except SyntaxError as exc:
            raise refuse(f"inline expression {match['expr']!r} is not valid Python") from exc
    prose = INLINE_CODE.sub("", text)
    if match := DIV_FENCE.match(text):
        _check_div(match["attrs"].strip(), refuse)
    if TARGET_ATTR.search(prose):
        raise refuse("hand-written cross-reference target: label a chunk (#| label: fig-/tbl-)")
    if IMAGE.search(prose):
        raise refuse("markdown image: figures come from chunks with #| label: fig-…")


def _check_div(attrs: str, refuse: Callable[[str], RenderError]) -> None:
    attrs = attrs.strip(":").strip()
    if not attrs:
        return  # a closing fence
    tokens = attrs.strip("{}").split()
    classes = [t[1:] if t.startswith(".") else t for t in tokens if "=" not in t]
    settings = [t.split("=", 1)[0] for t in tokens if "=" in t]
    allowed = len(classes) == 1 and classes[0] in DIV_CLASSES
    if not allowed or (settings and (classes != ["column"] or settings != ["width"])):
        raise refuse(
            f"div {{{attrs.strip('{}')}}} is outside the subset (allowed: {sorted(DIV_CLASSES)})"
        )


def _chunk(
    path: Path, lines: tuple[Line, ...], start: int, end: int, *, echo: bool, warning: bool
) -> Chunk:
    fence = lines[start]
    code = "\n".join(ln.text for ln in lines[start + 1 : end])
    option_lines, _ = _split_options(code)
    try:
        options = yaml.safe_load("\n".join(option_lines)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(
            path, f"invalid #| options: {exc}", line=fence.number, source=fence.source
        ) from exc
    if not isinstance(options, dict):
        raise RenderError(
            path, "#| options must be key: value lines", line=fence.number, source=fence.source
        )
    if problems := subset.problems(options, subset.CHUNK_OPTIONS):
        key_path, problem = problems[0]
        offset = subset.line_of("\n".join(option_lines), key_path) or 1
        raise RenderError(path, problem, line=fence.number + offset, source=fence.source)
    chunk = Chunk(
        code=code,
        options={"echo": echo, "warning": warning, "output": True, **options},
        source=fence.source,
        line=fence.number,
    )
    _check_label(path, chunk)
    return chunk


def _split_options(code: str) -> tuple[list[str], list[str]]:
    """Split a chunk into its leading ``#|`` option lines (without ``#|``) and the code."""
    lines = code.splitlines()
    n = next((i for i, ln in enumerate(lines) if not ln.startswith("#|")), len(lines))
    return [ln[3:] if ln.startswith("#| ") else ln[2:] for ln in lines[:n]], lines[n:]


def _check_label(path: Path, chunk: Chunk) -> None:
    def refuse(message: str) -> RenderError:
        return RenderError(path, message, line=chunk.line, source=chunk.source)

    label, opts = chunk.label, chunk.options
    if label and not LABEL.match(label):
        raise refuse(f"label {label!r}: letters, digits, '-' and '_' only")
    kind = label.split("-", 1)[0] if "-" in label else ""
    if kind == "fig" and not (opts.get("fig-cap") and opts.get("fig-alt")):
        raise refuse(f"figure {label!r} needs fig-cap (to be numbered) and fig-alt (accessibility)")
    if kind == "tbl" and not opts.get("tbl-cap"):
        raise refuse(f"table {label!r} needs tbl-cap (to be numbered)")
    for option, needed in (("fig-cap", "fig"), ("fig-alt", "fig"), ("tbl-cap", "tbl")):
        if option in opts and kind != needed:
            raise refuse(f"{option} needs a label starting with '{needed}-'")


def _cells(
    path: Path, lines: tuple[Line, ...], chunks: list[Chunk]
) -> tuple[Markdown | Chunk, ...]:
    """Cut the page into cells with jupytext's Rmd reader and pair its code cells with chunks."""
    notebook = jupytext.reads("\n".join(ln.text for ln in lines), fmt="Rmd")
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    if len(code_cells) != len(chunks):
        raise RenderError(path, f"jupytext found {len(code_cells)} chunks, the scan {len(chunks)}")
    cells: list[Markdown | Chunk] = []
    pending = iter(chunks)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            chunk = next(pending)
            if cell.source.strip() != chunk.code.strip():
                raise RenderError(path, "jupytext split the chunk differently", line=chunk.line)
            cells.append(chunk)
        elif cell.cell_type == "markdown":
            if not cell.source.strip():
                continue
            exprs = tuple(m["expr"] for m in INLINE_EXPR.finditer(cell.source))
            cells.append(Markdown(cell.source, exprs))
        else:
            raise RenderError(path, f"unexpected {cell.cell_type} cell from jupytext")
    return tuple(cells)


def _check_references(path: Path, chunks: list[Chunk], prose: list[Line]) -> None:
    labels: dict[str, Chunk] = {}
    for chunk in chunks:
        if chunk.label in labels:
            msg = f"label {chunk.label!r} is used twice"
            raise RenderError(path, msg, line=chunk.line, source=chunk.source)
        if chunk.label:
            labels[chunk.label] = chunk
    if sum(c.is_parameters for c in chunks) > 1:
        raise RenderError(path, "more than one parameters cell")
    for line in prose:
        for match in REFERENCE.finditer(INLINE_CODE.sub("", line.text)):
            ref = match["id"]
            if not ref.startswith(("fig-", "tbl-")):
                msg = f"@{ref}: only @fig- and @tbl- references are supported"
            elif ref not in labels:
                msg = f"@{ref}: no chunk on this page has this label"
            else:
                continue
            raise RenderError(path, msg, line=line.number, source=line.source)
