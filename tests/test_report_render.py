"""The report project and its built-in renderer (jupytext + Jupyter + Pandoc + Typst).

Fast tests cover the pieces (qmd reader, `#|` options, subset checks, parameters, the page
generator); tests marked e2e start Jupyter kernels and render a copy of the real `reports/`
project from the fixture warehouse of tests/test_report_data.py (exactly the published
contract), once with one kernel per page as Quarto does.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import typst

from pipelines.report import RenderError, render_site
from pipelines.report.generate_guides import generate_guides
from pipelines.report.generate_pages import generate_pages
from pipelines.report.project import load_project
from pipelines.report.qmd import Markdown, build_notebook, read_page
from pipelines.report.render import quarto_command
from quality.sdc.downloads import column_name
from tests.test_report_data import CATALOGUE, build_warehouse

REPORTS = Path(__file__).resolve().parents[1] / "reports"
PAGES = (
    "index.qmd", "bericht.qmd", "rahmenbedingungen.qmd", "fruehkindliche-bildung.qmd",
    "allgemeinbildende-schule.qmd", "berufliche-bildung.qmd", "weiterbildung.qmd",
    "kurzreport-schulerfolg.qmd", "schulsozialindex.qmd", "karten.qmd", "indikatoren.qmd",
    "geheimhaltung.qmd", "impressum.qmd", "schulwegweiser.qmd",
)  # fmt: skip
GUIDE_PAGES = (  # from the fixture's three schools (tests/test_report_data.add_school_guides)
    "schulwegweiser/anmeldung.qmd", "schulwegweiser/grundschulen.qmd",
    "schulwegweiser/grundschulwegweiser-broschuere.qmd", "schulwegweiser/karte.qmd",
    "schulwegweiser/wegweiser-weiterfuehrende-schulen-broschuere.qmd",
    "schulwegweiser/weiterfuehrende-schulen.qmd",
    "schulwegweiser/schulen/100001.qmd", "schulwegweiser/schulen/100002.qmd",
    "schulwegweiser/schulen/100003.qmd",
)  # fmt: skip
BROCHURES = (
    "schulwegweiser/grundschulwegweiser-broschuere.qmd",
    "schulwegweiser/wegweiser-weiterfuehrende-schulen-broschuere.qmd",
)


# --------------------------------------------------------------------------- helpers


def copy_project(target: Path, render: list[str] | None = None) -> Path:
    """A copy of reports/ (without outputs and generated pages); ``render`` keeps only those
    pages (no navbar, no pre-render) for a quick render of a few pages."""
    shutil.copytree(
        REPORTS,
        target,
        ignore=shutil.ignore_patterns("_site", ".quarto", "indikatoren", "schulwegweiser"),
    )
    if render is not None:
        (target / "_quarto.yml").write_text(
            "project:\n  type: website\n  render:\n"
            + "".join(f"    - {name}\n" for name in render)
            + "lang: de\nexecute:\n  echo: false\nformat:\n  html:\n    css: styles.css\n",
            encoding="utf-8",
        )
    return target


def write_project(root: Path, pages: dict[str, str], extra_config: str = "") -> Path:
    """A minimal website project with ``pages`` (name → source) rendered in order."""
    root.mkdir(parents=True, exist_ok=True)
    listed = [name for name in pages if not Path(name).name.startswith("_")]
    (root / "_quarto.yml").write_text(
        "project:\n  type: website\n  render:\n"
        + "".join(f"    - {name}\n" for name in listed)
        + "execute:\n  echo: false\n"
        + extra_config,
        encoding="utf-8",
    )
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def page(body: str, title: str = "Test") -> str:
    return f"---\ntitle: {title}\n---\n\n{body}\n"


class Figures(HTMLParser):
    """Collects figures (id → alt texts of their images), table ids, captions, the text of
    each table and outside URLs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, list[str | None]] = {}
        self.images_outside_figures = 0
        self.tables: list[str] = []
        self.table_text: dict[str, str] = {}
        self.captions: list[str] = []
        self.outside: list[str] = []
        self._figure: str | None = None
        self._table: str | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "figure":
            self._figure = values.get("id") or ""
            self.figures.setdefault(self._figure, [])
        if tag == "img":
            if self._figure is None:
                self.images_outside_figures += 1
            else:
                self.figures[self._figure].append(values.get("alt"))
        if tag == "table":
            self._table = values.get("id") or f"table-{len(self.tables)}"
            self.tables.append(self._table)
            self.table_text[self._table] = ""
        if tag in ("figcaption", "caption"):
            self._caption = []
        if tag in ("td", "th") and self._table:
            self.table_text[self._table] += " | "
        for name in ("src", "href"):
            if re.match(r"^(https?:)?//", values.get(name) or ""):
                self.outside.append(values[name])

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)
        elif self._table:
            self.table_text[self._table] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("figcaption", "caption") and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None
        if tag == "figure":
            self._figure = None
        if tag == "table":
            self._table = None
        if tag == "tr" and self._table:
            self.table_text[self._table] += " |\n"


def parse(html: str) -> Figures:
    figures = Figures()
    figures.feed(html)
    return figures


def rows_of(figures: Figures, table: str) -> list[list[str]]:
    """The cells of a table, row by row."""
    return [
        [c.strip() for c in line.strip(" |").split(" | ")]
        for line in figures.table_text[table].splitlines()
        if line.strip(" |")
    ]


# --------------------------------------------------------------------------- qmd reader


def test_reader_parses_options_and_places_chunks_across_includes(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "a.qmd": page("```{python}\n#| tags: [parameters]\nyear = None\n```\n\n"
                          "{{< include _body.qmd >}}"),
            "_body.qmd": "Text mit `{python} year` und @fig-x.\n\n```{python}\n"
                         "#| label: fig-x\n#| fig-cap: \"Titel\"\n#| fig-alt: \"Alt\"\n"
                         "#| tags:\n#|   - parameters\nprint(1)\n```\n",
        },
    )  # fmt: skip
    with pytest.raises(RenderError, match="more than one parameters cell"):
        read_page(tmp_path / "a.qmd")

    (tmp_path / "_body.qmd").write_text(
        "Text mit `{python} year` und @fig-x.\n\n```{python}\n#| label: fig-x\n"
        '#| fig-cap: "Titel"\n#| fig-alt: "Alt"\nprint(1)\n```\n'
    )
    result = read_page(tmp_path / "a.qmd", echo=False)
    params_chunk, figure = result.chunks
    assert params_chunk.is_parameters and params_chunk.line == 5
    assert params_chunk.source.name == "a.qmd"
    assert figure.source.name == "_body.qmd" and figure.line == 3
    assert figure.options == {
        "echo": False, "warning": True, "output": True,
        "label": "fig-x", "fig-cap": "Titel", "fig-alt": "Alt",
    }  # fmt: skip
    assert figure.body == "print(1)"
    markdown = [c for c in result.cells if isinstance(c, Markdown)]
    assert markdown[0].expressions == ("year",)


def test_parameters_are_inserted_after_the_parameters_cell(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"a.qmd": page("```{python}\nimport os\n```\n\n```{python}\n#| tags: [parameters]\n"
                       "year = None\n```\n\n```{python}\nprint(year)\n```")},
    )  # fmt: skip
    parsed = read_page(tmp_path / "a.qmd")
    nb = build_notebook(parsed, {"year": "2016/17"})
    roles = [c.metadata["bm"]["role"] for c in nb.cells if c.cell_type == "code"]
    assert roles == ["setup", "chunk", "chunk", "params", "chunk"]
    injected = next(c for c in nb.cells if c.metadata["bm"]["role"] == "params")
    assert "year = '2016/17'" in injected.source

    with pytest.raises(RenderError, match=r"\['yaer'\] not set in the parameters cell"):
        build_notebook(parsed, {"yaer": "2016/17"})
    assert [c.metadata["bm"]["role"] for c in build_notebook(parsed).cells[:2]] == [
        "setup",
        "chunk",
    ]


def test_parameters_go_to_the_top_without_a_parameters_cell(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.qmd": page("```{python}\nprint(year)\n```")})
    nb = build_notebook(read_page(tmp_path / "a.qmd"), {"year": "2016/17"})
    assert [c.metadata["bm"]["role"] for c in nb.cells] == ["setup", "params", "chunk"]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("```{python}\n#| label: a\n#| fig-width: 5\n1\n```", 7, "unsupported key 'fig-width'"),
        ("```{python}\n#| output: html\n1\n```", 6, "output: 'html' is not supported"),
        ("Siehe @sec-einleitung.", 5, "only @fig- and @tbl- references"),
        ("Siehe @fig-fehlt.", 5, "no chunk on this page has this label"),
        ("{{< video film.mp4 >}}", 5, "unsupported shortcode"),
        ("{{< include fehlt.qmd >}}", 5, "not found"),
        ("::: {.callout-tip}\nx\n:::", 5, "outside the subset"),
        ("::: {.callout-note collapse=true}\nx\n:::", 5, "outside the subset"),
        ("- Punkt\n\n  ```{python}\n  1\n  ```", 7, "left margin"),
        ("```{r}\n1\n```", 5, "only ```{python}"),
        ("```{=typst}\n#pagebreak()\n```", 5, "only ```{python}"),
        ("```{python}\n#| label: fig-a\n#| fig-cap: X\n1\n```", 5, "needs fig-cap"),
        ("```{python}\n#| fig-cap: X\n1\n```", 5, "needs a label starting with 'fig-'"),
        ("![Bild](bild.png)", 5, "markdown image"),
        ("| a |\n|---|\n| 1 |\n\n: Titel {#tbl-a}", 9, "cross-reference target"),
    ],
)
def test_constructs_outside_the_subset_are_refused_with_their_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    write_project(tmp_path, {"seite.qmd": page(body)})
    with pytest.raises(RenderError, match=re.escape(message)) as info:
        read_page(tmp_path / "seite.qmd")
    assert info.value.page.name == "seite.qmd"
    assert info.value.line == line
    assert str(info.value).startswith(f"seite.qmd:{line}: ")


def test_front_matter_and_project_keys_outside_the_subset_are_refused(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.qmd": "---\ntitle: A\nformat:\n  pdf: default\n---\n\nText\n"})
    with pytest.raises(RenderError, match=r"a\.qmd:4: unsupported key 'format\.pdf'"):
        read_page(tmp_path / "a.qmd")

    write_project(tmp_path, {"a.qmd": page("Text")}, extra_config="freeze: auto\n")
    with pytest.raises(RenderError, match=r"_quarto\.yml:\d+: unsupported key 'freeze'"):
        load_project(tmp_path)


def test_a_guarded_markdown_construct_is_refused_at_its_line(tmp_path: Path) -> None:
    """Math is found by the Pandoc filter; the error still names page and line."""
    write_project(tmp_path, {"a.qmd": page("Text\n\nDie Formel $x^2$ hier.")})
    with pytest.raises(RenderError, match=r"a\.qmd:7: maths") as info:
        render_site(tmp_path, tmp_path / "_site", renderer="builtin")
    assert info.value.page.name == "a.qmd"


def test_raw_html_stays_in_the_web_page_and_out_of_the_pdf(tmp_path: Path) -> None:
    body = 'Vorher.\n\n```{=html}\n<p class="roh">Nur im Web</p>\n```\n\nNachher.'
    front = (
        "---\ntitle: T\nformat:\n  html: default\n  typst:\n    template-partials:\n"
        "      - _typst/typst-template.typ\n      - _typst/typst-show.typ\n---\n\n"
    )
    write_project(tmp_path, {"a.qmd": front + body})
    shutil.copytree(REPORTS / "_typst", tmp_path / "_typst")
    work = tmp_path / "_work"
    result = render_site(tmp_path, tmp_path / "_site", renderer="builtin", work_dir=work)
    assert '<p class="roh">Nur im Web</p>' in (tmp_path / "_site" / "a.html").read_text("utf-8")
    assert result.pdf is not None and result.pdf.is_file()
    text = next(work.rglob("a.typ")).read_text("utf-8")
    assert "Nachher" in text and "Nur im Web" not in text


def test_post_render_scripts_run_on_the_rendered_site(tmp_path: Path) -> None:
    script = (
        "import os, pathlib\n"
        "site = pathlib.Path(os.environ['QUARTO_PROJECT_OUTPUT_DIR'])\n"
        "(site / 'nachher.txt').write_text(str(sorted(p.name for p in site.glob('*.html'))))\n"
    )
    write_project(
        tmp_path, {"a.qmd": page("A"), "_post.py": script},
        extra_config="",
    )  # fmt: skip
    config = tmp_path / "_quarto.yml"
    config.write_text(config.read_text().replace("  render:", "  post-render: _post.py\n  render:"))
    render_site(tmp_path, tmp_path / "_site", renderer="builtin")
    assert (tmp_path / "_site" / "nachher.txt").read_text() == "['a.html']"

    (tmp_path / "_post.py").write_text("raise SystemExit('Index kaputt')\n")
    with pytest.raises(RenderError, match=r"post-render script _post.py failed:\n.*Index kaputt"):
        render_site(tmp_path, tmp_path / "_site", renderer="builtin")


def test_outside_links_are_refused(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.qmd": page("Siehe [Krefeld](https://www.krefeld.de).")})
    with pytest.raises(RenderError, match=re.escape("a link to https://www.krefeld.de")):
        render_site(tmp_path, tmp_path / "_site", renderer="builtin")


# --------------------------------------------------------------------------- generated pages


def test_the_shipped_project_is_inside_the_subset(tmp_path: Path) -> None:
    project_dir = copy_project(tmp_path / "reports")
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    generate_pages(project_dir, warehouse)
    generate_guides(project_dir, warehouse)
    project = load_project(project_dir)
    ids = sorted(c[0] for c in CATALOGUE)
    assert project.pages == (*PAGES, *(f"indikatoren/{i}.qmd" for i in ids), *GUIDE_PAGES)
    assert project.lang == "de" and project.echo is False and "styles.css" in project.css
    assert project.pre_render == ("_pre_render.py",)
    assert project.post_render == ("_post_render.py",)
    pages = {
        p: read_page(project_dir / p, echo=project.echo, project_dir=project_dir)
        for p in project.pages
    }
    assert {p for p, parsed in pages.items() if parsed.typst is not None} == {
        "bericht.qmd",
        "kurzreport-schulerfolg.qmd",
        *BROCHURES,
    }
    # every figure has its table (fig-x → tbl-x), on the website and in the PDF edition
    for name, parsed in pages.items():
        labels = {c.label for c in parsed.chunks}
        figures = {label for label in labels if label.startswith("fig-")}
        assert figures or name in (
            "index.qmd", "indikatoren.qmd", "geheimhaltung.qmd", "impressum.qmd",
            "schulwegweiser.qmd", *GUIDE_PAGES,
        ), name  # fmt: skip
        assert {"tbl-" + f[4:] for f in figures} <= labels, name
    # the PDF edition includes every chapter body: its labels are unique across the report
    bericht = {c.label for c in pages["bericht.qmd"].chunks if c.label}
    for body in ("kurzreport-schulerfolg.qmd", "schulsozialindex.qmd", "karten.qmd"):
        assert {c.label for c in pages[body].chunks if c.label} <= bericht


def test_a_catalogue_row_is_a_page_and_a_removed_row_removes_it(tmp_path: Path) -> None:
    project_dir = copy_project(tmp_path / "reports")
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "INSERT INTO published.indicator_catalogue SELECT 'neue_kennzahl', 'Neue \"Kennzahl\"',"
            " 'Definition.', NULL, NULL, '%', 'Weiterbildung', 'Test', true, 'Stadtbezirk', NULL"
        )
    pages = generate_pages(project_dir, warehouse)
    new = project_dir / "indikatoren" / "neue_kennzahl.qmd"
    assert new in pages and len(pages) == len(CATALOGUE) + 1
    text = new.read_text("utf-8")
    assert 'title: "Neue \\"Kennzahl\\""' in text
    assert "#| label: fig-neue-kennzahl-bezirke" in text
    assert "fig-neue-kennzahl-zeitreihe" not in text  # no Land/Stadt level: no time series
    assert "fig-neue-kennzahl-staedte" not in text
    parsed = read_page(new, echo=False, project_dir=project_dir)  # inside the subset
    assert {"fig-neue-kennzahl-bezirke", "tbl-neue-kennzahl-bezirke"} <= {
        c.label for c in parsed.chunks
    }
    (project_dir / "indikatoren" / "neue_kennzahl.csv").write_text("stale")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "DELETE FROM published.indicator_catalogue WHERE indicator_id = 'neue_kennzahl'"
        )
    generate_pages(project_dir, warehouse)
    assert not new.exists() and not (project_dir / "indikatoren" / "neue_kennzahl.csv").exists()


def test_the_generator_refuses_ids_that_cannot_name_a_page(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "UPDATE published.indicator_catalogue SET indicator_id = 'Quote/2' "
            "WHERE indicator_id = 'arbeitslosenquote'"
        )
    with pytest.raises(Exception, match="'Quote/2' must be lower-case"):
        generate_pages(copy_project(tmp_path / "reports"), warehouse)


def test_globs_in_the_render_list_and_nested_includes(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "a.qmd": page("{{< include _teile/_a.qmd >}}"),
            "_teile/_a.qmd": "{{< include _teile/_b.qmd >}}",  # relative to the page, as Quarto
            "_teile/_b.qmd": "Text B",
            "sub/x.qmd": page("X"),
            "sub/_y.qmd": page("Y"),
        },
        extra_config="",
    )
    config = project / "_quarto.yml"
    config.write_text(config.read_text().replace("    - sub/x.qmd\n", "    - sub/*.qmd\n"))
    assert load_project(project).pages == ("a.qmd", "sub/x.qmd")
    parsed = read_page(project / "a.qmd", project_dir=project)
    assert "Text B" in parsed.cells[0].text


# --------------------------------------------------------------------------- Quarto CLI path


def test_quarto_command_passes_parameters() -> None:
    command = quarto_command("quarto", Path("/p/reports"), Path("/out"), {"year": "2016/17"})
    assert command == [
        "quarto", "render", "/p/reports", "--output-dir", "/out", "-P", "year:2016/17",
    ]  # fmt: skip
    assert "-P" not in quarto_command("quarto", Path("r"), Path("o"), {"year": None})


def test_real_quarto_is_used_when_installed(tmp_path: Path, monkeypatch) -> None:
    """A stand-in `quarto` on PATH records its call and writes what Quarto would."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "quarto"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys, pathlib\n"
        "out = pathlib.Path(sys.argv[sys.argv.index('--output-dir') + 1])\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "for name in ('a.html', 'b.html', 'b.pdf'):\n"
        "    (out / name).write_text('x')\n"
        "(out / 'call.json').write_text(json.dumps(\n"
        "    {'argv': sys.argv[1:], 'warehouse': os.environ.get('BILDUNGSMONITOR_WAREHOUSE'),\n"
        "     'schuljahr': os.environ.get('BILDUNGSMONITOR_PARAM_SCHULJAHR')}))\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    project = write_project(
        tmp_path / "p",
        {
            "a.qmd": page("Start"),
            "b.qmd": (
                "---\ntitle: B\nformat:\n  html: default\n  typst:\n    toc: true\n---\n\nText\n"
            ),
        },
    )
    result = render_site(
        project,
        tmp_path / "out",
        params={"year": "2016/17"},
        env={"BILDUNGSMONITOR_WAREHOUSE": "w"},
    )
    assert result.renderer == "quarto"
    assert [p.name for p in result.pages] == ["a.html", "b.html"]
    assert result.pdf == tmp_path / "out" / "b.pdf"
    call = json.loads((tmp_path / "out" / "call.json").read_text())
    assert call["argv"][:2] == ["render", str(project)]
    assert call["argv"][-2:] == ["-P", "year:2016/17"]
    assert call["warehouse"] == "w"
    assert call["schuljahr"] is None  # no -P schuljahr: the guides' year is the latest


def test_parameters_reach_the_pages_that_declare_them_and_the_pre_render(
    tmp_path: Path,
) -> None:
    """``-P schuljahr:`` goes to the pages whose parameters cell sets it and, as
    BILDUNGSMONITOR_PARAM_SCHULJAHR, to the pre-render step (which writes the guides); a
    page declaring only ``year`` does not get it; a key no page declares is refused."""
    project = write_project(
        tmp_path / "p",
        {
            "a.qmd": page(
                "```{python}\n#| tags: [parameters]\nyear = None\n```\n\n"
                "```{python}\n#| output: asis\nprint(f'Jahr {year}', 'schuljahr' in dir())\n```"
            ),
            "b.qmd": page(
                "```{python}\n#| tags: [parameters]\nschuljahr = None\n```\n\n"
                "```{python}\n#| output: asis\nprint(f'Schuljahr {schuljahr}')\n```"
            ),
            "_vorher.py": (
                "import os, pathlib\n"
                "pathlib.Path('vorher.txt').write_text(\n"
                "    os.environ.get('BILDUNGSMONITOR_PARAM_SCHULJAHR', '-'))\n"
            ),
        },
    )
    config = project / "_quarto.yml"
    config.write_text(
        config.read_text().replace("  render:", "  pre-render: _vorher.py\n  render:")
    )
    render_site(project, tmp_path / "out", params={"schuljahr": "2026/27"}, renderer="builtin")
    assert (project / "vorher.txt").read_text() == "2026/27"
    assert "Schuljahr 2026/27" in (tmp_path / "out" / "b.html").read_text("utf-8")
    assert "Jahr None False" in (tmp_path / "out" / "a.html").read_text("utf-8")
    with pytest.raises(RenderError, match=r"\['schuljar'\] not set in any page's parameters"):
        render_site(project, tmp_path / "out", params={"schuljar": "2026/27"}, renderer="builtin")


def test_a_copied_project_keeps_generated_pages_out_of_the_source_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipeline run renders a copy of the sources: the page its pre-render step generates
    reaches the site, but neither it nor a cache folder lands in the project, and the copy
    (in the run's scratch folder) is gone afterwards."""
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(tmp_path / "w" / "bm.duckdb"))
    project = write_project(
        tmp_path / "p",
        {
            "a.qmd": page("Quelle."),
            "_vorher.py": (
                "import pathlib\n"
                "pathlib.Path('indikatoren').mkdir(exist_ok=True)\n"
                "text = '---\\ntitle: Neu\\n---\\n\\nNeu.'\n"
                "pathlib.Path('indikatoren/neu.qmd').write_text(text)\n"
            ),
        },
    )
    config = project / "_quarto.yml"
    text = config.read_text().replace("  render:", "  pre-render: _vorher.py\n  render:")
    config.write_text(text.replace("    - a.qmd\n", "    - a.qmd\n    - indikatoren/*.qmd\n"))
    (project / "indikatoren").mkdir()
    (project / "indikatoren" / "alt.qmd").write_text("left by a render in the checkout")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}

    result = render_site(project, tmp_path / "out", renderer="builtin", copy_sources=True)

    assert "Neu." in (tmp_path / "out" / "indikatoren" / "neu.html").read_text("utf-8")
    assert not (tmp_path / "out" / "indikatoren" / "alt.html").exists()  # an output, not a source
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before
    assert result.rendered and not list((tmp_path / "w" / "tmp").glob("bm-project-*"))


# --------------------------------------------------------------------------- rendering (e2e)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The shipped report rendered once from the fixture warehouse, one kernel per page."""
    root = tmp_path_factory.mktemp("report")
    warehouse = build_warehouse(root / "bildungsmonitor.duckdb")
    project_dir = copy_project(root / "reports")
    result = render_site(
        project_dir,
        root / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        work_dir=root / "work",
        renderer="builtin",
        kernels="per-page",
    )
    slowest = sorted(result.page_seconds.items(), key=lambda kv: -kv[1])[:3]
    print(f"\nrender: {result.seconds:.1f} s for {len(result.pages)} pages, slowest {slowest}")
    return result, root, warehouse


def html(result, name: str) -> str:
    return (result.output_dir / name).read_text("utf-8")


@pytest.mark.e2e
def test_every_catalogue_indicator_has_a_page_with_its_csv(rendered) -> None:
    result, _, warehouse = rendered
    assert result.renderer == "builtin"
    names = {p.relative_to(result.output_dir).as_posix() for p in result.pages}
    overview = html(result, "indikatoren.html")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        published = con.execute("SELECT * FROM published.indicator_values").df()
        ids = con.execute("SELECT indicator_id FROM published.indicator_catalogue").fetchall()
    in_edition = published["period"].map(lambda p: period_end_text(p) <= "2025-07-31")
    for (indicator,) in ids:
        assert f"indikatoren/{indicator}.html" in names
        assert f'href="indikatoren/{indicator}.html"' in overview
        csv = pd.read_csv(
            result.output_dir / "indikatoren" / f"{indicator}.csv",
            sep=";", decimal=",", encoding="utf-8-sig", dtype=str, keep_default_na=False,
        )  # fmt: skip
        expected = published[(published["indicator_id"] == indicator) & in_edition]
        assert len(csv) == len(expected) > 0, indicator  # the rows of the latest edition
        assert [column_name(c) for c in csv.columns] == list(published.columns)  # German headers
    page = html(result, "indikatoren/abgang_ohne_abschluss_quote.html")
    assert 'href="abgang_ohne_abschluss_quote.csv"' in page
    assert (
        "Zeichenerklärung: „.“ = gesperrt: Zahlenwert unbekannt oder zum Schutz einzelner "
        "Personen geheim gehalten"
    ) in page
    assert "Gründe für geheim gehaltene Werte: gesperrt" not in page


def period_end_text(period: str) -> str:
    """The last day of a period as ISO text (2024/25 → 2025-07-31; months sort as day 31)."""
    if "/" in period:
        return f"{int(period[:4]) + 1}-07-31"
    return {4: f"{period}-12-31", 7: f"{period}-31"}.get(len(period), period)


@pytest.mark.e2e
def test_every_chart_has_alt_text_a_table_and_a_source(rendered) -> None:
    result, _, _ = rendered
    figures_seen = 0
    for path in result.pages:
        if path.parent.name in ("schulwegweiser", "schulen"):
            continue  # inline SVG with title and figcaption: tests/test_guide_pages.py
        found = parse(path.read_text("utf-8"))
        assert found.images_outside_figures == 0, path.name
        for figure, alts in found.figures.items():
            figures_seen += 1
            assert figure.startswith("fig-"), (path.name, figure)
            assert len(alts) == 1 and alts[0] and len(alts[0]) > 60, (path.name, figure)
            assert "tbl-" + figure[4:] in found.tables, (path.name, figure)
        numbered = [c for c in found.captions if c.startswith("Abbildung")]
        assert len(numbered) == len(found.figures), path.name
        assert [int(c.split()[1].rstrip(":")) for c in numbered] == list(
            range(1, len(numbered) + 1)
        )
        text = path.read_text("utf-8")
        assert text.count("</figure>\n<p>Quelle:") == len(found.figures), path.name
    assert figures_seen > 80


@pytest.mark.e2e
def test_start_page_shows_the_key_figures(rendered) -> None:
    result, _, _ = rendered
    found = parse(html(result, "index.html"))
    rows = [row for table in found.tables for row in rows_of(found, table)]
    abgang = next(r for r in rows if r[0] == "Abgänge ohne Hauptschulabschluss")
    # 2024/25: 260 of 2,455 = 10.6 %, 2023/24: 285 of 2,420 = 11.8 %; NRW 6.7 %
    assert abgang[:7] == ["Abgänge ohne Hauptschulabschluss", "2024/25", "10,6 %",
                          "−1,2 %-Pkt.", "günstiger", "6,7 %", "8,0 %"]  # fmt: skip
    assert "Ausgabe 2024/25" in html(result, "index.html")
    assert "Synthetische Beispieldaten" in html(result, "index.html")


@pytest.mark.e2e
def test_kurzreport_shows_the_seed_figures(rendered) -> None:
    result, _, _ = rendered
    found = parse(html(result, "kurzreport-schulerfolg.html"))
    abgang = rows_of(found, "tbl-ks-abgang")
    assert next(r for r in abgang if r[0] == "2016/17")[:3] == ["2016/17", "8,1 %", "5,7 %"]
    series = rows_of(found, "tbl-ks-wechsel-spaet")
    assert ["2017/18", "123", "119", "98", "71"] in series
    assert any(c.startswith("Tabelle 1: Schulformwechsel von Schulform") for c in found.captions)


@pytest.mark.e2e
def test_no_page_loads_anything_from_outside(rendered) -> None:
    result, _, _ = rendered
    for html_file in result.output_dir.rglob("*.html"):
        text = html_file.read_text("utf-8")
        assert parse(text).outside == [], html_file.name
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), html_file.name
    for svg in result.output_dir.rglob("*.svg"):
        assert not re.search(r"""(xlink:)?href=["'](https?:)?//""", svg.read_text("utf-8"))
    assert "@import" not in (result.output_dir / "styles.css").read_text("utf-8")


@pytest.mark.e2e
def test_pdf_editions_have_title_toc_and_numbered_floats(rendered) -> None:
    result, root, _ = rendered
    assert [p.name for p in result.pdfs] == [
        "bericht.pdf",
        "kurzreport-schulerfolg.pdf",
        "grundschulwegweiser-broschuere.pdf",
        "wegweiser-weiterfuehrende-schulen-broschuere.pdf",
    ]
    assert result.pdf.name == "bericht.pdf"
    for name, title, chapters, toc in (
        ("bericht", "Bildungsbericht Krefeld", ["1 Einleitung", "9 Thematische Karten"], True),
        # the Kurzreport opens with its summary, without a table of contents
        ("kurzreport-schulerfolg", "Schulerfolg sichern", ["1 Worum es geht"], False),
    ):
        pdf = (result.output_dir / f"{name}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and f"/Title({title})".encode() in pdf
        for chapter in chapters:
            assert f"/Title({chapter})".encode() in pdf  # bookmarks = numbered headings
        source = root / "work" / name / f"{name}.typ"
        text = source.read_text("utf-8")
        assert f"title: [{title}]" in text and ("toc: true" in text) == toc
        assert 'alt: "Liniendiagramm' in text or 'alt: "Gespiegeltes' in text
        figures = json.loads(typst.query(source, "figure", root=source.parent))
        captioned = [f for f in figures if f.get("caption")]
        kinds = {f["supplement"]["text"] for f in captioned}
        assert kinds == {"Abbildung", "Tabelle"}
        outline = json.loads(typst.query(source, "outline", root=source.parent))
        assert len(outline) == (1 if toc else 0)


@pytest.mark.e2e
def test_year_parameter_reproduces_an_earlier_edition(tmp_path: Path) -> None:
    """The Kurzreport of 2017/18 shows the seed matrix of that year (a quick subset render)."""
    project = copy_project(tmp_path / "reports", render=["kurzreport-schulerfolg.qmd"])
    warehouse = build_warehouse(tmp_path / "w.duckdb")
    result = render_site(
        project,
        tmp_path / "_site",
        params={"year": "2017/18"},
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    found = parse(html(result, "kurzreport-schulerfolg.html"))
    matrix = rows_of(found, "tbl-ks-wechsel-matrix")
    assert matrix[0][0] == "von ↓ nach → (2017/18)"
    assert matrix[1:] == [
        ["Hauptschule", "–", "2", "0", "0", "2"],
        ["Realschule", "12", "–", "0", "2", "14"],
        ["Gymnasium", "8", "70", "–", "20", "98"],
        ["Gesamtschule", "1", "4", "0", "–", "5"],
        ["Zugänge insgesamt", "21", "76", "0", "22", "119"],
    ]
    grades = rows_of(found, "tbl-ks-wechsel-jahrgang")
    assert [r[0] for r in grades[1:]] == ["Hauptschule", "Realschule", "Gymnasium",
                                          "Gesamtschule", "insgesamt"]  # fmt: skip
    assert [r[7] for r in grades[1:]] == ["22", "76", "2", "23", "123"]
    assert grades[-1][-1] == "71"  # late changes into grades 8–10
    text = html(result, "kurzreport-schulerfolg.html")
    assert "Im Schuljahr 2017/18 wechselten in Krefeld 123" in text  # = the indicator
    assert "Davon wechselten 119 zwischen" in text
    assert "darunter 98 aus dem Gymnasium" in text and "71 Schülerinnen und Schüler" in text
    assert "2018/19" not in text  # nothing after the edition
    assert result.pdf.name == "kurzreport-schulerfolg.pdf"


@pytest.mark.e2e
def test_each_page_runs_in_its_own_kernel(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {
            "a.qmd": page("```{python}\ngeteilt = 1\n```"),
            "b.qmd": page("Text\n\n```{python}\nx = 2\nprint(geteilt)\n```"),
        },
    )
    with pytest.raises(RenderError, match="NameError: name 'geteilt'") as info:
        render_site(project, tmp_path / "_site", renderer="builtin")
    assert (info.value.page.name, info.value.line) == ("b.qmd", 9)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("import warnings\nwarnings.warn('Vorsicht')", "wrote to stderr"),
        ("from IPython.display import HTML\nHTML('<b>x</b>')", "HTML output"),
        ("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()", "needs #| label: fig-"),
    ],
)
def test_outputs_outside_the_subset_are_refused(tmp_path: Path, code: str, message: str) -> None:
    project = write_project(tmp_path, {"a.qmd": page(f"```{{python}}\n{code}\n```")})
    with pytest.raises(RenderError, match=re.escape(message)) as info:
        render_site(project, tmp_path / "_site", renderer="builtin")
    assert (info.value.page.name, info.value.line) == ("a.qmd", 5)


@pytest.mark.e2e
def test_shared_kernels_run_the_preload_once_before_the_first_page(
    tmp_path: Path, monkeypatch
) -> None:
    from pipelines.report import render

    marker = "import builtins\nbuiltins.bm_preloaded = True\n"
    monkeypatch.setattr(render, "PRELOAD_CODE", render.PRELOAD_CODE + marker)
    preloaded = "`{python} getattr(__import__('builtins'), 'bm_preloaded', False)`"
    project = write_project(tmp_path, {"a.qmd": page(f"```{{python}}\nx = 1\n```\n\n{preloaded}")})

    result = render_site(project, tmp_path / "one", renderer="builtin")
    assert "<p>True</p>" in html(result, "a.html")
    per_page = render_site(project, tmp_path / "two", renderer="builtin", kernels="per-page")
    assert "<p>False</p>" in html(per_page, "a.html")  # a page's own kernel: no preload
