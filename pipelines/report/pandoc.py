"""Convert a page's markdown with Pandoc (HTML page, Typst source) and Typst to PDF.

Pandoc comes from ``pypandoc-binary`` and Typst from the ``typst`` package: the same two
tools real Quarto runs, so nothing here needs the network or a TeX installation.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pypandoc
import typst
import yaml

HERE = Path(__file__).parent
FILTERS = [
    HERE / "filters" / name
    for name in (
        "guard.lua",
        "links.lua",
        "floats.lua",
        "callouts.lua",
        "colwidths.lua",
        "scroll_regions.lua",
    )
]
HTML_TEMPLATE = HERE / "templates" / "site.html"
TYPST_TEMPLATE = HERE / "templates" / "report.typst"
TYPST_PARTIALS = ("typst-template.typ", "typst-show.typ")
PANDOC_RTS = "-H8m"
"""Pandoc's Haskell runtime reserves a 64 MB heap at start (its build default): touching it
costs more system time than converting a small page. 8 MB halves the system time (≈ 25 %
less CPU a page); the heap still grows when a long page needs it."""
FILTER_ERROR = re.compile(r"bm-render: (?P<message>.*?) \[\[(?P<snippet>.*?)\]\]", re.S)


class PandocError(RuntimeError):
    """Pandoc or Typst refused the page; ``snippet`` (if any) is text from the offending place."""

    def __init__(self, message: str, snippet: str | None):
        super().__init__(message)
        self.snippet = snippet


def to_html(markdown: str, meta: Mapping[str, Any], work_dir: Path, *, toc: bool) -> str:
    """A standalone HTML page from the site template."""
    args = ["--to=html5", f"--template={HTML_TEMPLATE}", "--syntax-highlighting=none"]
    if toc:
        args += ["--toc", "--toc-depth=3"]
    return _pandoc(markdown, meta, work_dir, args)


def to_typst(
    markdown: str,
    meta: Mapping[str, Any],
    work_dir: Path,
    partials: Mapping[str, Path],
) -> str:
    """Typst source using the report's own template partials (title page, TOC)."""
    template_dir = work_dir / "typst-template"
    template_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TYPST_TEMPLATE, template_dir / TYPST_TEMPLATE.name)
    for name in TYPST_PARTIALS:
        shutil.copyfile(partials[name], template_dir / name)
    args = [
        "--to=typst",
        f"--template={template_dir / TYPST_TEMPLATE.name}",
        "--syntax-highlighting=none",
    ]
    return _pandoc(markdown, meta, work_dir, args)


def compile_pdf(source: Path, pdf: Path) -> None:
    """Typst source → PDF, with Typst's bundled fonts only (same PDF on every machine)."""
    try:
        typst.compile(source, output=pdf, root=source.parent, ignore_system_fonts=True)
    except typst.TypstError as exc:
        raise PandocError(f"Typst could not compile the PDF: {exc}", None) from exc


def _pandoc(markdown: str, meta: Mapping[str, Any], work_dir: Path, args: list[str]) -> str:
    meta_file = work_dir / "metadata.yaml"
    meta_file.write_text(yaml.safe_dump(dict(meta), allow_unicode=True), encoding="utf-8")
    command = [
        pypandoc.get_pandoc_path(),
        "--from=markdown",
        "--standalone",
        "--wrap=none",
        "--fail-if-warnings",
        f"--metadata-file={meta_file}",
        *(f"--lua-filter={f}" for f in FILTERS),
        *args,
    ]
    done = subprocess.run(
        command,
        input=markdown,
        capture_output=True,
        text=True,
        cwd=work_dir,
        env={**os.environ, "GHCRTS": os.environ.get("GHCRTS", PANDOC_RTS)},
        check=False,
    )
    if done.returncode != 0:
        match = FILTER_ERROR.search(done.stderr)
        if match:  # refused by one of our filters
            raise PandocError(match["message"], match["snippet"])
        raise PandocError(f"pandoc failed: {done.stderr.strip()}", None)
    return done.stdout
