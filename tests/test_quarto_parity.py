"""Real Quarto and the built-in renderer make the same files from `reports/`.

`quarto_outputs` reads `_quarto.yml` and the pages' front matter with nothing but PyYAML and
Quarto's documented rules — it shares no code with `pipelines.report` — and says which files
`quarto render` writes: every page of ``project.render`` (globs included, names starting
with ``_`` or ``.`` never), in each format its front matter lists, or in the project's
formats when it lists none; ``html`` makes ``<page>.html``, ``typst`` ``<page>.pdf``. The
e2e test compares that list with what the built-in renderer wrote for the fixture site.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
import yaml

from pipelines.report import RenderError, render_site
from tests.test_report_data import build_warehouse
from tests.test_report_render import REPORTS, copy_project, write_project

EXTENSIONS = {"html": ".html", "typst": ".pdf", "pdf": ".pdf", "docx": ".docx"}
"""Output file of each Quarto format the project could name."""


def front_matter(page: Path) -> dict:
    """The YAML between the first two ``---`` lines of a page (empty if there is none)."""
    text = page.read_text("utf-8")
    if not text.startswith("---\n"):
        return {}
    end = text.index("\n---", 4)
    return yaml.safe_load(text[4:end]) or {}


def format_names(formats: object) -> list[str]:
    """The format names of a ``format:`` value: a name, a list of names, or a mapping."""
    if isinstance(formats, str):
        return [formats]
    return list(formats)  # a list of names or a mapping name → options


def quarto_outputs(project: Path) -> set[str]:
    """The files (project-relative, ``/``-separated) Quarto renders into the output folder."""
    config = yaml.safe_load((project / "_quarto.yml").read_text("utf-8"))
    project_formats = format_names(config.get("format") or ["html"])
    pages: list[str] = []
    for entry in config["project"]["render"]:
        found = sorted(project.glob(entry)) if any(c in entry for c in "*?[") else [project / entry]
        for path in found:
            name = path.relative_to(project).as_posix()
            if any(part.startswith(("_", ".")) for part in PurePosixPath(name).parts):
                continue
            if name not in pages:
                pages.append(name)
    outputs = set()
    for name in pages:
        declared = front_matter(project / name).get("format")
        formats = project_formats if declared is None else format_names(declared)
        stem = PurePosixPath(name).with_suffix("")
        outputs |= {f"{stem}{EXTENSIONS[f]}" for f in formats}
    return outputs


def navbar_targets(project: Path) -> set[str]:
    """The files the navbar links to: a page's HTML (Quarto links a page's first format,
    the website's HTML page), or a file as written."""
    config = yaml.safe_load((project / "_quarto.yml").read_text("utf-8"))
    items = [
        link
        for side in config["website"]["navbar"].values()
        for item in side
        for link in item.get("menu", [item])
    ]
    return {
        str(PurePosixPath(i["href"]).with_suffix(".html"))
        if i["href"].endswith(".qmd")
        else i["href"]
        for i in items
    }


# --------------------------------------------------------------------------- fast


def test_bericht_and_kurzreport_are_web_pages_and_pdfs_under_quartos_rules() -> None:
    outputs = quarto_outputs(REPORTS)
    for name in ("bericht", "kurzreport-schulerfolg"):
        assert {f"{name}.html", f"{name}.pdf"} <= outputs
    assert {"index.html", "karten.html"} <= outputs
    # besides the guides' brochures, when an earlier render left their generated pages here
    assert sorted(
        o for o in outputs if o.endswith(".pdf") and not o.startswith("schulwegweiser/")
    ) == ["bericht.pdf", "kurzreport-schulerfolg.pdf"]
    assert {o for o in outputs if o.startswith("schulwegweiser/") and o.endswith(".pdf")} <= {
        "schulwegweiser/grundschulwegweiser-broschuere.pdf",
        "schulwegweiser/wegweiser-weiterfuehrende-schulen-broschuere.pdf",
    }


def test_every_navbar_link_names_a_file_quarto_renders() -> None:
    missing = navbar_targets(REPORTS) - quarto_outputs(REPORTS)
    assert missing == set()


def test_a_page_listing_only_typst_has_no_web_page_and_is_refused(tmp_path: Path) -> None:
    """Quarto renders only the formats a page lists: the built-in renderer, which always
    writes the HTML page, refuses such a page instead of making a file Quarto would not."""
    project = write_project(
        tmp_path / "p",
        {
            "a.qmd": "---\ntitle: A\n---\n\nText\n",
            "b.qmd": "---\ntitle: B\nformat:\n  typst:\n    toc: false\n---\n\nText\n",
        },
    )
    assert quarto_outputs(project) == {"a.html", "b.pdf"}
    with pytest.raises(RenderError, match=r"b\.qmd:3: format: add 'html'"):
        render_site(project, tmp_path / "out", renderer="builtin")

    (project / "b.qmd").write_text(
        "---\ntitle: B\nformat:\n  html: default\n  typst:\n    toc: false\n---\n\nText\n",
        encoding="utf-8",
    )
    assert quarto_outputs(project) == {"a.html", "b.html", "b.pdf"}


def test_tables_get_no_column_widths_from_the_markdown_source(tmp_path: Path) -> None:
    """Quarto with `tbl-colwidths: false` and the built-in renderer (always) write HTML
    tables without Pandoc's <colgroup> percentages, which made the key-figure tables wider
    than the text column; the subset accepts no other value."""
    config = yaml.safe_load((REPORTS / "_quarto.yml").read_text("utf-8"))
    assert config["format"]["html"]["tbl-colwidths"] is False
    row = "| " + " | ".join(["ein ziemlich langer Zelleninhalt"] * 4) + " |"
    table = f"{row}\n|:--|--:|--:|--:|\n{row}\n"
    html_format = "format:\n  html:\n    tbl-colwidths: false\n"
    project = write_project(tmp_path / "p", {"a.qmd": f"---\ntitle: A\n---\n\n{table}"},
                            html_format)  # fmt: skip
    result = render_site(project, tmp_path / "out", renderer="builtin")
    page = result.pages[0].read_text("utf-8")
    assert "<table" in page and "<colgroup" not in page and "width:" not in page

    (project / "_quarto.yml").write_text(
        (project / "_quarto.yml").read_text("utf-8").replace("false", "true"), encoding="utf-8"
    )
    with pytest.raises(RenderError, match="tbl-colwidths: True is not supported"):
        render_site(project, tmp_path / "out", renderer="builtin")


def test_quartos_own_files_are_ignored_by_git() -> None:
    lines = (REPORTS / ".gitignore").read_text("utf-8").splitlines()
    assert {"/.quarto/", "**/*.quarto_ipynb"} <= set(lines)


# --------------------------------------------------------------------------- e2e


@pytest.mark.e2e
def test_the_builtin_renderer_makes_the_files_quarto_makes(tmp_path: Path) -> None:
    """The whole shipped project from the fixture warehouse: the generated indicator pages
    (written by the pre-render script) count like every other page."""
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    project = copy_project(tmp_path / "reports")
    site = tmp_path / "_site"
    result = render_site(
        project, site, env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)}, renderer="builtin"
    )
    expected = quarto_outputs(project)
    assert any(name.startswith("indikatoren/") for name in expected)
    written = {
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.suffix in (".html", ".pdf")
    }
    assert written == expected
    reported = {p.relative_to(site).as_posix() for p in (*result.pages, *result.pdfs)}
    assert reported == expected
