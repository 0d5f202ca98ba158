"""Turn an executed page back into Pandoc markdown: prose, cell outputs, figures, tables.

Outputs are placed where their chunk stood, the way Quarto's Jupyter engine does: ``asis``
output as markdown, images as figure files, plain text as an output block. Figures and
tables with a ``fig-``/``tbl-`` label are wrapped in a ``.bm-float`` div that carries the
caption (and alt text) for the Lua filter to number. Anything that would not render the
same with real Quarto is refused — notably HTML output, for which Quarto loads require.js
and jQuery from a CDN.
"""

from __future__ import annotations

import ast
import base64
from pathlib import Path

import nbformat

from pipelines.report.qmd import INLINE_EXPR, Chunk, Markdown, Page

IMAGE_TYPES = {"image/svg+xml": ".svg", "image/png": ".png"}


def to_markdown(page: Page, nb: nbformat.NotebookNode | None, figure_dir: Path) -> str:
    """Pandoc markdown of the executed page; figure files go to ``figure_dir``.

    Image paths in the markdown are relative to ``figure_dir.parent.parent`` (the folder
    the page's HTML and Typst files are written to).
    """
    executed = _by_cell(nb) if nb is not None else {}
    blocks: list[str] = []
    for index, cell in enumerate(page.cells):
        outputs = executed.get(index, [])
        if isinstance(cell, Markdown):
            values = iter(_inline_value(page, c) for c in outputs if _role(c) == "inline")
            blocks.append(INLINE_EXPR.sub(lambda _m, v=values: next(v), cell.text))
            continue
        chunk_cells = [c for c in outputs if _role(c) == "chunk"]
        blocks.extend(
            _chunk_blocks(page, cell, chunk_cells[0] if chunk_cells else None, figure_dir)
        )
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


def _by_cell(nb: nbformat.NotebookNode) -> dict[int, list[nbformat.NotebookNode]]:
    cells: dict[int, list[nbformat.NotebookNode]] = {}
    for cell in nb.cells:
        index = cell.metadata.get("bm", {}).get("cell")
        if cell.cell_type == "code" and index is not None:
            cells.setdefault(index, []).append(cell)
    return cells


def _role(cell: nbformat.NotebookNode) -> str:
    return cell.metadata["bm"]["role"]


def _inline_value(page: Page, cell: nbformat.NotebookNode) -> str:
    """The text of an inline expression: a str without its quotes, else its plain repr."""
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    if not results:
        raise page.fail(
            f"inline expression `{cell.source}` has no value", at=page.locate(cell.source)
        )
    data = results[0].data
    if "text/markdown" in data:
        return data["text/markdown"]
    text = data.get("text/plain", "")
    if text[:1] in "'\"":
        return str(ast.literal_eval(text))
    return text


def _chunk_blocks(
    page: Page, chunk: Chunk, cell: nbformat.NotebookNode | None, figure_dir: Path
) -> list[str]:
    opts = chunk.options
    blocks = [f"```python\n{chunk.body}\n```"] if opts["echo"] else []
    if cell is None or opts["output"] is False:
        return blocks
    asis = opts["output"] == "asis"
    content: list[str] = []
    images: list[Path] = []
    for output in cell.outputs:
        if output.output_type == "stream":
            if output.name == "stderr":
                if opts["warning"]:
                    raise page.fail(
                        "cell wrote to stderr (fix the warning or set #| warning: false): "
                        + output.text.strip()[:500],
                        at=chunk,
                    )
                continue
            content.append(output.text if asis else _output_block(output.text))
        elif output.output_type in ("display_data", "execute_result"):
            data = output.data
            image_type = next((t for t in IMAGE_TYPES if t in data), None)
            if image_type:
                images.append(
                    _write_image(
                        page, chunk, data[image_type], image_type, figure_dir, len(images) + 1
                    )
                )
            elif "text/markdown" in data:
                content.append(data["text/markdown"])
            elif "text/html" in data:
                raise page.fail(
                    "HTML output (e.g. a DataFrame): real Quarto then loads scripts from a CDN; "
                    "print markdown with #| output: asis instead",
                    at=chunk,
                )
            elif "text/plain" in data:
                content.append(data["text/plain"] if asis else _output_block(data["text/plain"]))
            else:
                raise page.fail(f"unsupported output type(s) {sorted(data)}", at=chunk)
    return blocks + _place(page, chunk, "\n".join(content), images, figure_dir)


def _place(
    page: Page, chunk: Chunk, content: str, images: list[Path], figure_dir: Path
) -> list[str]:
    """Wrap a labelled figure or table in a .bm-float div; refuse unlabelled figures."""
    kind = chunk.label.split("-", 1)[0] if "-" in chunk.label else ""
    if images and kind != "fig":
        raise page.fail(
            "a chunk that draws a figure needs #| label: fig-…, fig-cap, fig-alt", at=chunk
        )
    if kind == "fig":
        if len(images) != 1:
            raise page.fail(
                f"figure {chunk.label!r} must draw exactly one image, drew {len(images)}", at=chunk
            )
        src = images[0].relative_to(figure_dir.parent.parent).as_posix()
        body = (
            f"![]({src})\n\n::: bm-caption\n{chunk.options['fig-cap']}\n:::\n\n"
            f"::: bm-alt\n{chunk.options['fig-alt']}\n:::"
        )
        return [_float(chunk.label, body), content]
    if kind == "tbl":
        if not content.strip():
            raise page.fail(f"table {chunk.label!r} produced no output", at=chunk)
        return [
            _float(chunk.label, f"{content}\n\n::: bm-caption\n{chunk.options['tbl-cap']}\n:::")
        ]
    return [content]


def _float(label: str, body: str) -> str:
    return f":::::: {{#{label} .bm-float}}\n{body}\n::::::"


def _output_block(text: str) -> str:
    return f"``` {{.cell-output}}\n{text.rstrip()}\n```"


def _write_image(page: Page, chunk: Chunk, data: str, mime: str, figure_dir: Path, n: int) -> Path:
    figure_dir.mkdir(parents=True, exist_ok=True)
    target = figure_dir / f"{chunk.label or 'cell-' + str(chunk.line)}-{n}{IMAGE_TYPES[mime]}"
    if mime == "image/svg+xml":
        target.write_text(data, encoding="utf-8")
    else:
        target.write_bytes(base64.b64decode(data))
    return target
