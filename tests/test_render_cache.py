"""The built-in renderer's page cache (``render_site(..., cache_dir=...)``).

A page is copied from the cache only when its source, settings and the data it read are
unchanged. The report tests render a part of the shipped report (the Kurzreport with its
PDF, a chapter, the catalogue page and the generated indicator pages) from a fixture
warehouse reduced to five indicators; small hand-written projects cover sources, includes,
parameters, project files, failed renders and a table that disappears.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.report import RenderError, render_site
from tests.test_report_data import build_warehouse
from tests.test_report_render import REPORTS, copy_project, page, write_project

pytestmark = pytest.mark.e2e

KEPT = (
    "abgang_ohne_abschluss_quote",
    "wiederholer_quote",
    "fehlzeiten_schwellenwert_quote",
    "fehlstunden_unentschuldigt_je_schueler",
    "arbeitslose_anzahl",
)
"""The indicators of the reduced warehouse: the Kurzreport's four and a monthly one."""
SUBSET = """project:
  type: website
  pre-render: _pre_render.py
  render:
    - kurzreport-schulerfolg.qmd
    - allgemeinbildende-schule.qmd
    - indikatoren.qmd
    - indikatoren/*.qmd
    - geheimhaltung.qmd
lang: de
execute:
  echo: false
website:
  title: "Bildungsmonitor Krefeld"
  navbar:
    left:
      - href: kurzreport-schulerfolg.qmd
        text: Kurzreport
      - href: allgemeinbildende-schule.qmd
        text: Schule
      - href: indikatoren.qmd
        text: Kennzahlen
format:
  html:
    css: styles.css
    toc: true
    fig-format: svg
"""


# --------------------------------------------------------------------------- helpers


def reduced_warehouse(path: Path) -> Path:
    """The fixture warehouse with only the ``KEPT`` indicators (a quick report)."""
    build_warehouse(path)
    with duckdb.connect(str(path)) as con:
        kept = ", ".join(f"'{k}'" for k in KEPT)
        con.execute(f"DELETE FROM published.indicator_catalogue WHERE indicator_id NOT IN ({kept})")
        con.execute(f"DELETE FROM published.indicator_values WHERE indicator_id NOT IN ({kept})")
    return path


def changed_copy(warehouse: Path, target: Path, *statements: str) -> Path:
    shutil.copyfile(warehouse, target)
    with duckdb.connect(str(target)) as con:
        for statement in statements:
            con.execute(statement)
    return target


def render(project: Path, out: Path, warehouse: Path, cache: Path | None, **kwargs):
    return render_site(
        project,
        out,
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
        cache_dir=cache,
        **kwargs,
    )


def entries(cache: Path) -> dict[str, dict]:
    """page → its cache entry; fails if a page has more than one (the cache must not grow)."""
    found: dict[str, dict] = {}
    for entry_file in sorted(cache.glob("pages/*/*/entry.json")):
        entry = json.loads(entry_file.read_text("utf-8"))
        assert entry["page"] not in found, f"two entries for {entry['page']}"
        found[entry["page"]] = entry
    return found


def site_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def reads_values_of(entry: dict, indicator: str) -> bool:
    return any(
        "published.indicator_values" in q["sql"] and q["params"] == [indicator]
        for q in entry["queries"]
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    """The report subset rendered twice into one cache: cold, then with nothing changed."""
    root = tmp_path_factory.mktemp("cache")
    warehouse = reduced_warehouse(root / "w.duckdb")
    project = copy_project(root / "reports")
    (project / "_quarto.yml").write_text(SUBSET, encoding="utf-8")
    cache = root / "cache"
    first = render(project, root / "out1", warehouse, cache)
    generated = {p: p.stat().st_mtime_ns for p in (project / "indikatoren").glob("*.qmd")}
    second = render(project, root / "out2", warehouse, cache)
    return root, project, warehouse, cache, first, second, generated


def fork(report, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the report's project and cache for a test that changes them."""
    _, project, _, cache, *_ = report
    project_copy = tmp_path / "reports"
    shutil.copytree(project, project_copy)
    shutil.copytree(cache, tmp_path / "cache")
    return project_copy, tmp_path / "cache"


# --------------------------------------------------------------------------- the report


def test_an_unchanged_warehouse_serves_every_page_from_the_cache(report) -> None:
    root, _, _, cache, first, second, generated = report
    pages = first.rendered
    assert len(pages) == 4 + len(KEPT) and first.cached == ()
    assert second.cached == pages and second.rendered == ()
    assert site_files(root / "out2") == site_files(root / "out1")  # byte for byte
    assert second.pdf.name == "kurzreport-schulerfolg.pdf" and second.pdf.is_file()
    # the pre-render step left the generated pages alone, so they could be cached
    assert {p: p.stat().st_mtime_ns for p in generated} == generated
    assert set(entries(cache)) == set(pages)
    assert not list(cache.glob("staging-*"))
    # every executed page recorded what it read from the warehouse
    for name, entry in entries(cache).items():
        read = " ".join(q["sql"] for q in entry["queries"])
        assert "indicator_catalogue" in read or "geheimhaltung_regeln" in read, name


def test_changed_rows_rerender_exactly_the_pages_that_read_them(report, tmp_path: Path) -> None:
    root, _, warehouse, _, first, *_ = report
    project, cache = fork(report, tmp_path)
    readers = {n for n, e in entries(cache).items() if reads_values_of(e, "wiederholer_quote")}
    assert {"kurzreport-schulerfolg.qmd", "allgemeinbildende-schule.qmd",
            "indikatoren/wiederholer_quote.qmd"} <= readers  # fmt: skip
    assert "indikatoren/abgang_ohne_abschluss_quote.qmd" not in readers

    changed = changed_copy(
        warehouse,
        tmp_path / "w2.duckdb",
        "UPDATE published.indicator_values SET value = value + 5 "
        "WHERE indicator_id = 'wiederholer_quote' AND region_key = '05114'",
    )
    result = render(project, tmp_path / "out", changed, cache)
    assert set(result.rendered) == readers
    assert set(result.cached) == set(first.rendered) - readers
    before, after = site_files(root / "out1"), site_files(tmp_path / "out")
    assert after["indikatoren/wiederholer_quote.csv"] != before["indikatoren/wiederholer_quote.csv"]
    for name in result.cached:
        html = name.removesuffix(".qmd") + ".html"
        assert after[html] == before[html], name
    assert set(entries(cache)) == set(first.rendered)

    # a revised month of one indicator (within the edition, which stays the latest school
    # year): only the pages reading that indicator's rows run again
    monthly = changed_copy(
        changed,
        tmp_path / "w3.duckdb",
        "UPDATE published.indicator_values SET value = value + 1 "
        "WHERE indicator_id = 'arbeitslose_anzahl' AND period = '2025-07'",
    )
    readers = {n for n, e in entries(cache).items() if reads_values_of(e, "arbeitslose_anzahl")}
    result = render(project, tmp_path / "out3", monthly, cache)
    # the catalogue page writes the workbook of all indicators: it reads these rows too
    expected = {"indikatoren/arbeitslose_anzahl.qmd", "indikatoren.qmd"}
    assert set(result.rendered) == readers == expected


def test_a_changed_template_include_or_parameter_rerenders_its_pages(
    report, tmp_path: Path
) -> None:
    _, _, warehouse, _, first, *_ = report
    project, cache = fork(report, tmp_path)
    body = project / "_body_kurzreport.qmd"
    body.write_text(body.read_text("utf-8") + "\nEin neuer Satz am Ende.\n", encoding="utf-8")
    result = render(project, tmp_path / "out1", warehouse, cache)
    assert result.rendered == ("kurzreport-schulerfolg.qmd",)
    assert "Ein neuer Satz am Ende." in (tmp_path / "out1/kurzreport-schulerfolg.html").read_text()

    template = project / "_vorlagen" / "indikator.qmd"  # the generated pages' source
    template.write_text(template.read_text("utf-8") + "\nStand der Vorlage: neu.\n", "utf-8")
    result = render(project, tmp_path / "out2", warehouse, cache)
    assert set(result.rendered) == {f"indikatoren/{k}.qmd" for k in KEPT}

    result = render(project, tmp_path / "out3", warehouse, cache, params={"year": "2016/17"})
    assert set(result.rendered) == set(first.rendered)
    assert "Ausgabe 2016/17" in (tmp_path / "out3" / "indikatoren.html").read_text("utf-8")


# --------------------------------------------------------------------------- small projects

PAGES = {
    "a.qmd": page(
        "```{python}\n#| tags: [parameters]\nyear = 'alle'\n```\n\nJahr: `{python} year`\n\n"
        "{{< include _teil.qmd >}}"
    ),
    "_teil.qmd": "Teil eins.\n",
    "b.qmd": page("```{python}\nx = 40 + 2\n```\n\nB ist `{python} x`."),
    "c.qmd": page(
        "```{python}\nwith open('_daten.txt', encoding='utf-8') as f:\n"
        "    daten = f.read().strip()\n```\n\nDaten: `{python} daten`."
    ),
    "_daten.txt": "erste Fassung\n",
}


def small(tmp_path: Path) -> tuple[Path, Path]:
    return write_project(tmp_path / "p", PAGES), tmp_path / "cache"


def quick(project: Path, out: Path, cache: Path | None, **kwargs):
    return render_site(project, out, renderer="builtin", cache_dir=cache, **kwargs)


def text(out: Path, name: str) -> str:
    return (out / name).read_text("utf-8")


def test_sources_includes_files_read_and_parameters_are_in_the_key(tmp_path: Path) -> None:
    project, cache = small(tmp_path)
    assert quick(project, tmp_path / "o1", cache).rendered == ("a.qmd", "b.qmd", "c.qmd")
    assert quick(project, tmp_path / "o2", cache).cached == ("a.qmd", "b.qmd", "c.qmd")

    (project / "_teil.qmd").write_text("Teil zwei.\n", encoding="utf-8")
    result = quick(project, tmp_path / "o3", cache)
    assert result.rendered == ("a.qmd",) and "Teil zwei." in text(tmp_path / "o3", "a.html")

    (project / "b.qmd").write_text(PAGES["b.qmd"].replace("40", "50"), encoding="utf-8")
    result = quick(project, tmp_path / "o4", cache)
    assert result.rendered == ("b.qmd",) and "B ist 52." in text(tmp_path / "o4", "b.html")

    (project / "_daten.txt").write_text("zweite Fassung\n", encoding="utf-8")  # read by c
    result = quick(project, tmp_path / "o5", cache)
    assert result.rendered == ("c.qmd",) and "zweite Fassung" in text(tmp_path / "o5", "c.html")

    result = quick(project, tmp_path / "o6", cache, params={"year": "2020"})
    assert result.rendered == ("a.qmd", "b.qmd", "c.qmd")
    assert "Jahr: 2020" in text(tmp_path / "o6", "a.html")
    assert quick(project, tmp_path / "o7", cache, params={"year": "2020"}).rendered == ()


def test_a_failed_render_leaves_the_cache_as_it_was(tmp_path: Path) -> None:
    project, cache = small(tmp_path)
    quick(project, tmp_path / "o1", cache)
    before = {p.relative_to(cache): p.read_bytes() for p in cache.rglob("*") if p.is_file()}

    (project / "a.qmd").write_text(PAGES["a.qmd"] + "\nNeu.\n", encoding="utf-8")
    (project / "b.qmd").write_text(page("```{python}\nraise ValueError('kaputt')\n```"), "utf-8")
    with pytest.raises(RenderError, match="kaputt"):
        quick(project, tmp_path / "o2", cache)
    after = {p.relative_to(cache): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert after == before  # nothing staged became visible, nothing was removed

    (project / "b.qmd").write_text(PAGES["b.qmd"], encoding="utf-8")
    result = quick(project, tmp_path / "o3", cache)
    assert result.rendered == ("a.qmd",)  # its new entry was never committed
    assert result.cached == ("b.qmd", "c.qmd")
    assert "Neu." in text(tmp_path / "o3", "a.html")


def test_a_page_leaving_the_project_leaves_the_cache(tmp_path: Path) -> None:
    project, cache = small(tmp_path)
    quick(project, tmp_path / "o1", cache)
    config = project / "_quarto.yml"
    config.write_text(config.read_text("utf-8").replace("    - c.qmd\n", ""), encoding="utf-8")
    result = quick(project, tmp_path / "o2", cache)
    assert result.rendered == ("a.qmd", "b.qmd")  # _quarto.yml is part of every key
    assert set(entries(cache)) == {"a.qmd", "b.qmd"}


def test_without_a_cache_dir_nothing_is_cached_or_recorded(tmp_path: Path) -> None:
    project, _ = small(tmp_path)
    files_before = sorted(p for p in tmp_path.rglob("*"))
    result = quick(project, tmp_path / "out", None, work_dir=tmp_path / "work")
    assert result.rendered == ("a.qmd", "b.qmd", "c.qmd") and result.cached == ()
    new = {p for p in tmp_path.rglob("*") if p not in files_before}
    assert all(p.is_relative_to(tmp_path / "out") or p.is_relative_to(tmp_path / "work")
               or p == tmp_path / "out" or p == tmp_path / "work" for p in new)  # fmt: skip
    assert not (tmp_path / "work" / "dependencies").exists()


def test_a_query_that_cannot_run_again_renders_the_page_again(tmp_path: Path) -> None:
    """bm_report records the query; once its table is gone the page is not served."""
    body = (
        "```{python}\nimport bm_report as bm\n\ntry:\n"
        "    n = len(bm.query('SELECT * FROM published.extra'))\n"
        "except Exception:\n    n = 0\n```\n\nZeilen: `{python} n`."
    )
    project = write_project(tmp_path / "p", {"a.qmd": page(body)})
    for helper in REPORTS.glob("bm_*.py"):  # bm_report and the modules it re-exports
        shutil.copyfile(helper, project / helper.name)
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA published")
        con.execute("CREATE TABLE published.extra AS SELECT * FROM range(3) t(i)")
    cache = tmp_path / "cache"
    assert "Zeilen: 3." in text(render(project, tmp_path / "o1", warehouse, cache).output_dir,
                                "a.html")  # fmt: skip
    assert render(project, tmp_path / "o2", warehouse, cache).cached == ("a.qmd",)
    gone = changed_copy(warehouse, tmp_path / "w2.duckdb", "DROP TABLE published.extra")
    result = render(project, tmp_path / "o3", gone, cache)
    assert result.rendered == ("a.qmd",) and "Zeilen: 0." in text(tmp_path / "o3", "a.html")
    assert render(project, tmp_path / "o4", gone, cache).rendered == ("a.qmd",)


def test_the_digest_kernels_import_brings_no_renderer_along() -> None:
    """Every kernel imports ``frame_digest`` from the cache module on its first query; the
    renderer's parsing libraries (jupytext, nbformat) would cost each kernel ≈ 0.2 s."""
    import subprocess
    import sys

    code = (
        "import sys, pipelines.report.cache; "
        "print(sorted({'jupytext', 'nbformat'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
