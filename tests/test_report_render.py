"""The report project and its built-in renderer (jupytext + Jupyter + Pandoc + Typst).

Fast tests cover the pieces (qmd reader, `#|` options, subset checks, parameters, German
number formats); tests marked e2e start Jupyter kernels and render the real `reports/`
project from a temporary warehouse.
"""

from __future__ import annotations

import importlib.util
import json
import re
import stat
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import duckdb
import pytest
import typst

from pipelines.report import RenderError, render_site
from pipelines.report.project import load_project
from pipelines.report.qmd import Markdown, build_notebook, read_page
from pipelines.report.render import quarto_command

REPORTS = Path(__file__).resolve().parents[1] / "reports"
INDICATOR = "abgang_ohne_abschluss_quote"

# (school year, Krefeld leavers, Krefeld leavers without HSA, NRW share in %)
SERIES = [("2014/15", 2210, 180, 5.9), ("2015/16", 2185, 171, 5.6), ("2016/17", 2160, 174, 5.7)]


# --------------------------------------------------------------------------- helpers


def make_warehouse(path: Path) -> Path:
    """A warehouse with the published contract table and a few fixture rows."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA published")
    con.execute(
        """CREATE TABLE published.indicator_values (
            indicator_id VARCHAR, indicator_name VARCHAR, region_key VARCHAR,
            region_name VARCHAR, region_level VARCHAR, period VARCHAR, geschlecht VARCHAR,
            numerator DOUBLE, denominator DOUBLE, value DOUBLE, unit VARCHAR,
            symbol VARCHAR, source VARCHAR)"""
    )
    name = "Abgänge ohne Hauptschulabschluss"
    rows = []
    for period, leavers, without, nrw in SERIES:
        share = 100 * without / leavers
        rows += [
            (INDICATOR, name, "05114", "Krefeld", "Stadt", period, "insgesamt",
             without, leavers, share, "%", None, "itnrw"),
            (INDICATOR, name, "05", "Nordrhein-Westfalen", "Land", period, "insgesamt",
             None, None, nrw, "%", None, "itnrw"),
            # rows the page must not pick up: another sex, another region, another indicator
            (INDICATOR, name, "05114", "Krefeld", "Stadt", period, "weiblich",
             1, 1000, 99.9, "%", None, "itnrw"),
            (INDICATOR, name, "05111", "Düsseldorf", "Stadt", period, "insgesamt",
             1, 1000, 77.7, "%", None, "itnrw"),
        ]  # fmt: skip
    rows.append(
        ("andere_quote", "Andere", "05114", "Krefeld", "Stadt", "2019/20", "insgesamt",
         None, None, 1.0, "%", None, "itnrw")
    )  # fmt: skip
    con.executemany(
        "INSERT INTO published.indicator_values VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows
    )
    con.close()
    return path


def write_project(root: Path, pages: dict[str, str], extra_config: str = "") -> Path:
    """A minimal website project with ``pages`` (name → source) rendered in order."""
    root.mkdir(parents=True, exist_ok=True)
    listed = [name for name in pages if not name.startswith("_")]
    (root / "_quarto.yml").write_text(
        "project:\n  type: website\n  render:\n"
        + "".join(f"    - {name}\n" for name in listed)
        + "execute:\n  echo: false\n"
        + extra_config,
        encoding="utf-8",
    )
    for name, text in pages.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def page(body: str, title: str = "Test") -> str:
    return f"---\ntitle: {title}\n---\n\n{body}\n"


@pytest.fixture(scope="module")
def bm() -> ModuleType:
    """The pages' helper module, imported from reports/ like a kernel in that folder does."""
    spec = importlib.util.spec_from_file_location("bm_report", REPORTS / "bm_report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Figures(HTMLParser):
    """Collects <img> alt texts, <figcaption>/<caption> texts and outside URLs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str | None] = []
        self.captions: list[str] = []
        self.outside: list[str] = []
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.alts.append(values.get("alt"))
        if tag in ("figcaption", "caption"):
            self._caption = []
        for name in ("src", "href"):
            if re.match(r"^(https?:)?//", values.get(name) or ""):
                self.outside.append(values[name])

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("figcaption", "caption") and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None


def parse(html: str) -> Figures:
    figures = Figures()
    figures.feed(html)
    return figures


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


def test_the_shipped_project_is_inside_the_subset() -> None:
    project = load_project(REPORTS)
    assert project.pages == ("index.qmd", "schulabschluss.qmd", "bericht.qmd")
    assert project.lang == "de" and project.echo is False
    assert "styles.css" in project.css
    pages = {p: read_page(REPORTS / p, echo=project.echo) for p in project.pages}
    assert pages["index.qmd"].meta["title"] == "Bildungsbericht Krefeld"
    assert pages["bericht.qmd"].typst is not None
    labels = {c.label for c in pages["schulabschluss.qmd"].chunks}
    assert {"fig-abgang-ohne-abschluss", "tbl-abgang-ohne-abschluss"} <= labels
    # the PDF edition includes the same body, so it has the same figure
    assert labels <= {c.label for c in pages["bericht.qmd"].chunks}


def test_a_guarded_markdown_construct_is_refused_at_its_line(tmp_path: Path) -> None:
    """Math is found by the Pandoc filter; the error still names page and line."""
    write_project(tmp_path, {"a.qmd": page("Text\n\nDie Formel $x^2$ hier.")})
    with pytest.raises(RenderError, match=r"a\.qmd:7: maths") as info:
        render_site(tmp_path, tmp_path / "_site", renderer="builtin")
    assert info.value.page.name == "a.qmd"


def test_outside_links_are_refused(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.qmd": page("Siehe [Krefeld](https://www.krefeld.de).")})
    with pytest.raises(RenderError, match=re.escape("a link to https://www.krefeld.de")):
        render_site(tmp_path, tmp_path / "_site", renderer="builtin")


# --------------------------------------------------------------------------- bm_report


def test_german_number_formats(bm: ModuleType) -> None:
    assert bm.format_percent(100 * 174 / 2160) == "8,1 %"
    assert bm.format_percent(5.7) == "5,7 %"
    assert bm.format_percent(5.65) == "5,7 %"  # half up, not half to even
    assert bm.format_number(2160) == "2.160"
    assert bm.format_number(1234567.891, 2) == "1.234.567,89"
    assert bm.format_value(None, ".") == "."
    assert bm.format_value(float("nan"), "x") == "x"
    assert bm.format_value(8.25, "p") == "8,3 % p"
    assert bm.format_value(2160.0, float("nan"), unit="Anzahl") == "2.160"


def test_markdown_table(bm: ModuleType) -> None:
    table = bm.markdown_table(["Jahr", "Wert"], [["2016/17", "8,1 %"], ["a|b", "1"]], "lr")
    assert table.splitlines() == [
        "| Jahr | Wert |",
        "| :--- | ---: |",
        "| 2016/17 | 8,1 % |",
        "| a\\|b | 1 |",
    ]


def test_year_parameter_and_series_from_the_warehouse(
    bm: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(make_warehouse(tmp_path / "w.duckdb")))
    assert bm.resolve_year(None, INDICATOR) == "2016/17"
    assert bm.resolve_year("2015/16", INDICATOR) == "2015/16"
    with pytest.raises(LookupError, match="2030/31"):
        bm.resolve_year("2030/31", INDICATOR)
    series = bm.indicator_series(INDICATOR, [bm.KREFELD, bm.NRW], until="2015/16")
    assert list(series["period"].unique()) == ["2014/15", "2015/16"]
    assert set(series["region_key"]) == {"05114", "05"}
    assert series["value"].max() < 10  # the 'weiblich' and Düsseldorf rows stay out
    # read-only: the page cannot change the warehouse
    with bm.connect() as con, pytest.raises(duckdb.Error):
        con.execute("DELETE FROM published.indicator_values")


def test_missing_warehouse_is_named(bm: ModuleType, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(tmp_path / "fehlt.duckdb"))
    with pytest.raises(FileNotFoundError, match=r"fehlt\.duckdb"):
        bm.connect()


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
        "    {'argv': sys.argv[1:], 'warehouse': os.environ.get('BILDUNGSMONITOR_WAREHOUSE')}))\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ['PATH']}")
    project = write_project(
        tmp_path / "p",
        {
            "a.qmd": page("Start"),
            "b.qmd": "---\ntitle: B\nformat:\n  typst:\n    toc: true\n---\n\nText\n",
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


# --------------------------------------------------------------------------- rendering (e2e)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The shipped report rendered once from a fixture warehouse (timed)."""
    root = tmp_path_factory.mktemp("report")
    warehouse = make_warehouse(root / "bildungsmonitor.duckdb")
    result = render_site(
        REPORTS,
        root / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        work_dir=root / "work",
        renderer="builtin",
    )
    print(f"\nrender: {result.seconds:.1f} s in total, per page {dict(result.page_seconds)}")
    return result, root


@pytest.mark.e2e
def test_pages_show_the_seed_figures_in_german_format(rendered) -> None:
    result, _ = rendered
    assert result.renderer == "builtin"
    assert [p.name for p in result.pages] == ["index.html", "schulabschluss.html", "bericht.html"]
    html = (result.output_dir / "schulabschluss.html").read_text("utf-8")
    assert "8,1 %" in html and "5,7 %" in html
    assert "174 von 2.160" in html
    assert "99,9 %" not in html and "77,7 %" not in html
    assert "Synthetische Beispieldaten" in (result.output_dir / "index.html").read_text("utf-8")
    assert (result.output_dir / "styles.css").is_file()


@pytest.mark.e2e
def test_figures_have_alt_text_and_numbered_captions(rendered) -> None:
    result, _ = rendered
    for name in ("schulabschluss.html", "bericht.html"):
        html = (result.output_dir / name).read_text("utf-8")
        found = parse(html)
        assert found.alts and all(alt and len(alt) > 30 for alt in found.alts)
        assert [c for c in found.captions if c.startswith("Abbildung")] == [
            "Abbildung 1: Anteil der Abgängerinnen und Abgänger ohne Hauptschulabschluss an "
            "allen Abgängen allgemeinbildender Schulen, Krefeld und Nordrhein-Westfalen, "
            "nach Schuljahr"
        ]
        assert any(c.startswith("Tabelle 1: ") for c in found.captions)
        assert re.search(r'<a href="#fig-abgang-ohne-abschluss"[^>]*>Abbildung 1</a>', html)
        for src in re.findall(r'<img src="([^"]+)"', html):
            assert (result.output_dir / src).read_text("utf-8").lstrip().startswith("<?xml")


@pytest.mark.e2e
def test_no_page_loads_anything_from_outside(rendered) -> None:
    result, _ = rendered
    for html_file in result.output_dir.rglob("*.html"):
        html = html_file.read_text("utf-8")
        assert parse(html).outside == [], html_file.name
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), html_file.name
    assert "@import" not in (result.output_dir / "styles.css").read_text("utf-8")


@pytest.mark.e2e
def test_pdf_edition_has_title_toc_and_numbered_floats(rendered) -> None:
    result, root = rendered
    pdf = result.pdf.read_bytes()
    assert result.pdf.name == "bericht.pdf" and pdf.startswith(b"%PDF")
    assert b"/Title(Bildungsbericht Krefeld)" in pdf  # document info, from the title page
    assert b"Bildungsbericht Krefeld</rdf:li>" in pdf  # XMP metadata
    # bookmarks follow the numbered headings (the TOC lists the same)
    assert b"/Title(1 Einleitung)" in pdf and b"/Title(2.2 Ergebnis)" in pdf
    source = root / "work" / "bericht" / "bericht.typ"
    text = source.read_text("utf-8")
    assert "title: [Bildungsbericht Krefeld]" in text and "toc: true" in text
    assert 'alt: "Liniendiagramm' in text  # Pandoc's Typst writer would drop it
    captions = json.loads(typst.query(source, "figure", field="supplement", root=source.parent))
    assert [c["text"] for c in captions] == ["Abbildung", "Tabelle"]
    outline = json.loads(typst.query(source, "outline", root=source.parent))
    assert len(outline) == 1


@pytest.mark.e2e
def test_year_parameter_selects_the_edition(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "w.duckdb")
    result = render_site(
        REPORTS,
        tmp_path / "_site",
        params={"year": "2015/16"},
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    html = (result.output_dir / "schulabschluss.html").read_text("utf-8")
    assert "Im Schuljahr 2015/16" in html and "7,8 %" in html and "5,6 %" in html
    assert "2016/17" not in html


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
