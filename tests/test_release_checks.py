"""Release checks on the rendered site (pipelines.report.release_checks) and their wiring as
blocking checks of ``report_site``: a page showing a code or a wrong key figure stops the run
before ``release``, and the last good site stays current.

The fast tests run the checks on small hand-written pages; the e2e tests render the real
report from the fixture warehouse and break one page, and run ``report_site`` + ``release``
through Dagster with a page that shows a code.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.report.release_checks import (
    RELEASE_CHECKS,
    Site,
    check_code_tokens,
    check_figures,
    check_key_figures,
    check_links,
    check_outside_resources,
    check_scripts,
    parse_shown,
    run_release_checks,
    seed_codes,
    shows,
)

# --------------------------------------------------------------------------- helpers


def _page(body: str, title: str = "Seite") -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><main>{body}</main></body></html>"
    )


def _site(root: Path, pages: dict[str, str]) -> Site:
    for name, html in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(html, encoding="utf-8")
    return Site(root)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# --------------------------------------------------------------------------- codes


def test_codes_come_from_the_seeds_that_label_them(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "formen.csv").write_text(
        "schulform,kuerzel,name_de\n02,G,Grundschule\nVS,VS,Vorschulbereich\n"
        "sonstige,,sonstige Schule\n",
        encoding="utf-8",
    )
    (seeds / "arten.csv").write_text(
        "quelle,abschluss_code,name_de\nitnrw,ahr,Hochschulreife\nitnrw,insgesamt,alle "
        "insgesamt\nschulen,ahr,Abitur\n",
        encoding="utf-8",
    )
    (seeds / "ohne_label.csv").write_text("region_key,region_name\n05114,Krefeld\n", "utf-8")
    codes = seed_codes(seeds)
    # codes that differ from their label; not the words of a label; not a non-key column
    assert codes.words == {"VS", "ahr"}
    assert codes.numeric == {"02"}
    # the real seeds: the codes the issue saw on the pages
    real = seed_codes()
    assert {"VS", "ahr", "sgb2", "hsa"} <= real.words
    assert {"02", "04", "10", "15", "20"} <= real.numeric
    assert "insgesamt" not in real.words and "sonstige" not in real.words
    assert "Abschlussart" in real.breakdowns and "Altersgruppe" in real.breakdowns


def test_code_tokens_in_visible_text_are_found_with_page_and_context(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "a.html": _page(
                "<p>Anteil ohne_hsa in Krefeld.</p>"
                "<p>Altersgruppe 10_bis_unter_15 und Rechtskreis sgb2, Schule VS.</p>"
                '<script>var ohne_script_code = "x_y";</script>'
                "<style>.rahmen_links { color: red; }</style>"
                '<p><a href="indikatoren/abgang_ohne_abschluss_quote.csv">'
                "abgang_ohne_abschluss_quote.csv</a> und "
                '<a href="https://example.org/a_b/c_d">Quelle</a> '
                "https://www.govdata.de/dl_de/by-2-0 insgesamt</p>"
                '<img src="x_y.svg" alt="Karte mit spf_lernen">'
            ),
        },
    )
    found = {(f.page, f.what) for f in check_code_tokens(site)}
    assert found == {
        ("a.html", "ohne_hsa"),
        ("a.html", "10_bis_unter_15"),
        ("a.html", "sgb2"),
        ("a.html", "VS"),
        ("a.html", "spf_lernen"),  # alt text reaches screen-reader users
    }
    context = next(f.context for f in check_code_tokens(site) if f.what == "ohne_hsa")
    assert "[ohne_hsa]" in context and "Anteil" in context


def test_a_visible_file_name_must_name_a_download_unless_allowed(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "a.html": _page(
                "<p>Datei werte_2024.txt und bericht_kurz.pdf, Name: ______, Download sgb2.csv</p>"
            )
        },
    )
    assert [f.what for f in check_code_tokens(site)] == ["werte_2024.txt"]
    allowed = frozenset({"werte_2024.txt"})
    assert check_code_tokens(site, allowed_files=allowed) == []


def test_bare_school_type_codes_only_in_breakdown_columns(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "a.html": _page(
                _table(["Schulform", "Anteil"], [["02", "2,7 %"], ["Realschule", "10"]])
                + _table(["Abschlussart", "Anteil"], [["20", "1,0 %"]])
                + _table(["nach ↓ Klasse → (2024/25)", "5", "10"], [["Realschule", "10", "15"]])
                + _table(["von ↓ nach →", "10", "Gymnasium"], [["15", "3", "4"]])
                + _table(["Zeitraum", "Anzahl"], [["2024", "10"]])
            )
        },
    )
    found = sorted((f.what, f.context) for f in check_code_tokens(site))
    assert found == [
        ("02", "Tabellenzelle unter „Schulform“"),
        ("10", "Spaltenkopf in „von ↓ nach →“"),
        ("15", "Tabellenzelle unter „von ↓ nach →“"),
        ("20", "Tabellenzelle unter „Abschlussart“"),
    ]


# --------------------------------------------------------------------------- figures, links


def test_figures_need_caption_and_alt_text(tmp_path: Path) -> None:
    good = (
        '<figure id="fig-a"><img src="a.svg" alt="Linien"><figcaption>Abb. 1</figcaption></figure>'
    )
    site = _site(
        tmp_path,
        {
            "gut.html": _page(good),
            "schlecht.html": _page(
                '<figure id="fig-b"><img src="b.svg" alt="Balken"></figure>'
                '<figure id="fig-c"><img src="c.svg" alt=" "><figcaption>Abb.</figcaption></figure>'
                '<figure id="fig-d"><svg><path d="M0 0"/></svg>'
                "<figcaption>Abb.</figcaption></figure>"
                '<p><img src="e.png"></p>'
            ),
        },
    )
    found = sorted((f.page, f.what, f.context) for f in check_figures(site))
    assert found == [
        ("schlecht.html", "e.png", "Bild ohne Alternativtext"),
        ("schlecht.html", "fig-b", "Abbildung ohne Bildunterschrift"),
        ("schlecht.html", "fig-c", "Abbildung ohne Alternativtext"),
        ("schlecht.html", "fig-d", "Abbildung ohne Alternativtext"),
    ]


def test_internal_links_and_anchors_must_resolve(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "index.html": _page(
                '<h2 id="oben">Oben</h2><a href="#oben">hier</a> <a href="b.html#da">b</a> '
                '<a href="b.html#fehlt">b</a> <a href="c.html">c</a> '
                '<a href="https://www.it.nrw/">IT.NRW</a> <a href="mailto:x@y.de">Mail</a>'
            ),
            "b.html": _page('<p id="da">da</p>'),
        },
    )
    found = sorted((f.page, f.what, f.context) for f in check_links(site))
    assert found == [
        ("index.html", "b.html#fehlt", "interner Link ins Leere (Anker fehlt)"),
        ("index.html", "c.html", "interner Link ins Leere (Ziel fehlt)"),
    ]


# --------------------------------------------------------------------------- outside URLs


def test_nothing_may_be_loaded_from_outside_but_links_may_leave(tmp_path: Path) -> None:
    site = _site(
        tmp_path,
        {
            "index.html": (
                '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
                '<link rel="icon" href="favicon.svg"><link rel="stylesheet" href="styles.css">'
                '<link rel="canonical" href="https://www.krefeld.de/bildungsbericht/">'
                '<link rel="preconnect" href="https://fonts.example">'
                '<script src="//cdn.example/a.js"></script>'
                '<style>@import "https://fonts.example/f.css";</style></head><body>'
                '<a href="https://www.govdata.de/dl-de/by-2-0">Lizenz</a>'
                '<img src="data:image/png;base64,AAAA" alt="Punkt">'
                '<div style="background: url(https://img.example/b.png)"></div>'
                '<img srcset="a.png 1x, https://img.example/c.png 2x" src="a.png" alt="x">'
                "</body></html>"
            ),
        },
    )
    (tmp_path / "styles.css").write_text(
        "body { background: url('bild.png'); }\n"
        '.x { background: url("https://img.example/d.png"); }',
        "utf-8",
    )
    (tmp_path / "a.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://img.example/e.png"/><use href="#local"/></svg>',
        "utf-8",
    )
    (tmp_path / "app.js").write_text(
        'fetch("https://track.example/p");\n'
        'document.createElementNS("http://www.w3.org/2000/svg", "svg");\n'
        'new URL(`https://example.com${path}`); fetch("https://example.community/x");',
        "utf-8",
    )
    found = {(f.page, f.what) for f in check_outside_resources(site)}
    assert found == {
        ("index.html", "https://cdn.example/x.css"),
        ("index.html", "https://fonts.example"),
        ("index.html", "//cdn.example/a.js"),
        ("index.html", "https://fonts.example/f.css"),
        ("index.html", "https://img.example/b.png"),
        ("index.html", "https://img.example/c.png"),
        ("styles.css", "https://img.example/d.png"),
        ("a.svg", "https://img.example/e.png"),
        ("app.js", "https://track.example/p"),
        ("app.js", "https://example.community/x"),
    }


def test_code_in_attributes_and_broken_json_ld_are_found(tmp_path: Path) -> None:
    school = '{"@context": "https://schema.org", "@type": "School", "url": "https://s.example"}'
    site = _site(
        tmp_path,
        {
            "gut.html": (
                f'<html><body><script type="application/ld+json">{school}</script>'
                '<script src="filter.js"></script><a href="a.html">A</a></body></html>'
            ),
            "schlecht.html": (
                '<html><body><button onclick="x()">B</button>'
                '<a href="javascript:void(0)">C</a>'
                '<script type="application/ld+json">{"@type": "School",}</script>'
                '<script type="application/ld+json">{"@type": "School"}</script></body></html>'
            ),
        },
    )
    found = [(f.page, f.context.split(":")[0]) for f in check_scripts(site)]
    assert found == [
        ("schlecht.html", "Inline-Handler"),
        ("schlecht.html", "javascript"),
        ("schlecht.html", "JSON-LD ungültig"),
        ("schlecht.html", "JSON-LD ohne schema.org"),
    ]
    # a school's homepage in JSON-LD is data, not something the page loads
    assert check_outside_resources(site) == []


# --------------------------------------------------------------------------- key figures


def test_numbers_are_compared_as_displayed() -> None:
    assert parse_shown("12.883").number == 12883
    assert parse_shown("16,6\u00a0%").decimals == 1
    assert parse_shown("\u22121,2 %-Pkt.").number == Decimal("-1.2")
    assert parse_shown("x") is None and parse_shown("–") is None
    assert shows(10.5906, "10,6 %") and not shows(10.5906, "10,5 %")
    assert shows(8.05, "8,1 %") and shows(8.05, "8,0 %")  # either rounding of a half
    assert shows(12883.2, "12.883") and not shows(12883.2, "12.884")


def _key_figure_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema published")
    con.register(
        "c",
        pd.DataFrame(
            {
                "indicator_id": ["quote", "anzahl", "anteil", "relation"],
                "name_de": ["Quote", "Anzahl der Fälle", "Anteil nach Art", "Relation"],
                "unit": ["%", "Anzahl", "%", "je 100"],
                "levels": ["Land|Stadt", "Land|Stadt", "Land|Stadt", "Agenturbezirk"],
                "leit_merkmal": [None, None, "kategorie", None],
                "leit_code": [None, None, "ohne_hsa", None],
            }
        ),
    )
    con.execute("create table published.indicator_catalogue as select * from c")
    con.execute(
        "create table published.regions as select * from (values "
        "('05', 'Nordrhein-Westfalen', 'Land', false), ('05114', 'Krefeld', 'Stadt', false), "
        "('05111', 'Düsseldorf', 'Stadt', true), ('05112', 'Duisburg', 'Stadt', true), "
        "('05113', 'Essen', 'Stadt', true), ('AA393', 'Agenturbezirk Krefeld (Krefeld und "
        "Kreis Viersen)', 'Agenturbezirk', false)) "
        "r(region_key, region_name, region_level, is_comparison_city)"
    )
    rows = []
    for indicator, region, period, value, kategorie in [
        ("quote", "05114", "2023/24", 11.8, "insgesamt"),
        ("quote", "05114", "2024/25", 10.5906, "insgesamt"),
        ("quote", "05", "2024/25", 6.70107, "insgesamt"),
        ("quote", "05111", "2024/25", 6.0, "insgesamt"),
        ("quote", "05112", "2024/25", 7.0, "insgesamt"),
        ("quote", "05113", "2024/25", 9.0, "insgesamt"),
        ("anzahl", "05114", "2023", 12402.0, "insgesamt"),
        ("anzahl", "05114", "2024", 12883.2, "insgesamt"),
        ("anteil", "05114", "2024/25", 100.0, "insgesamt"),
        ("anteil", "05114", "2024/25", 10.6, "ohne_hsa"),
        ("relation", "AA393", "2024", 100.7, "insgesamt"),
    ]:
        rows.append(
            {
                "indicator_id": indicator, "region_key": region,
                "region_level": "Land" if region == "05" else "Stadt", "period": period,
                "geschlecht": "insgesamt", "staatsangehoerigkeit": "insgesamt",
                "schulform": "insgesamt", "kategorie": kategorie, "value": value,
                "symbol": None,
            }
        )  # fmt: skip
    rows.append({**rows[0], "period": "2022/23", "value": None, "symbol": "x"})
    con.register("v", pd.DataFrame(rows))
    con.execute("create table published.indicator_values as select * from v")
    return con


HEADER = [
    "Kennzahl", "Stand", "Krefeld", "Veränderung zum Vorjahr", "Entwicklung", "NRW",
    "Vergleichsstädte (Median)",
]  # fmt: skip
GOOD_ROWS = [
    ["Quote", "2024/25", "10,6 %", "−1,2 %-Pkt.", "günstiger", "6,7 %", "7,0 %"],
    ["Anzahl der Fälle", "2024", "12.883", "+481 (+3,9 %)", "ungünstiger", "–", "–"],
    ["Anteil nach Art (Anteil ohne Hauptschulabschluss)", "2024/25", "10,6 %", "–", "–", "–", "–"],
    [
        "Relation (Agenturbezirk Krefeld (Krefeld und Kreis Viersen))",
        "2024", "100,7", "–", "–", "–", "–",
    ],
]  # fmt: skip


def _key_figures(tmp_path: Path, rows: list[list[str]]) -> list:
    tmp_path.mkdir(parents=True, exist_ok=True)
    con = _key_figure_warehouse(tmp_path / "w.duckdb")
    site = _site(tmp_path / "site", {"index.html": _page(_table(HEADER, rows))})
    try:
        return check_key_figures(site, con)
    finally:
        con.close()


def test_key_figures_equal_to_the_published_values_pass(tmp_path: Path) -> None:
    assert _key_figures(tmp_path / "a", GOOD_ROWS) == []
    longer = [["Quote der Stadt (Schuljahr)", *GOOD_ROWS[0][1:]]]  # still names the indicator
    assert _key_figures(tmp_path / "b", longer) == []


@pytest.mark.parametrize(
    ("row", "column", "cell", "what"),
    [
        (0, 2, "10,8 %", "Quote: Krefeld"),
        (0, 3, "−1,0 %-Pkt.", "Quote: Veränderung zum Vorjahr"),
        (0, 5, "6,9 %", "Quote: NRW"),
        (0, 6, "6,5 %", "Quote: Vergleichsstädte (Median)"),
        (0, 1, "2021/22", "Quote: Stand"),
        (1, 3, "+481 (+4,1 %)", "Anzahl der Fälle: Veränderung zum Vorjahr"),
        (1, 2, "12.833", "Anzahl der Fälle: Krefeld"),
        (2, 2, "100,0 %", "Anteil nach Art (Anteil ohne Hauptschulabschluss): Krefeld"),
        (3, 2, "100,9", "Relation (Agenturbezirk Krefeld (Krefeld und Kreis Viersen)): Krefeld"),
        (1, 0, "Unbekannte Kennzahl", "Unbekannte Kennzahl: Kennzahl"),
    ],
)
def test_a_wrong_key_figure_is_found(tmp_path: Path, row, column, cell, what) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[row][column] = cell
    found = _key_figures(tmp_path, rows)
    assert [f.what for f in found] == [what]
    assert found[0].page == "index.html"


def test_a_symbol_must_be_the_published_one(tmp_path: Path) -> None:
    row = ["Quote", "2022/23", "x", "–", "–", "–", "–"]
    assert _key_figures(tmp_path / "a", [row]) == []
    assert [f.what for f in _key_figures(tmp_path / "b", [[*row[:2], "7,5 %", *row[3:]]])] == [
        "Quote: Krefeld"
    ]


def test_a_start_page_without_key_figures_fails(tmp_path: Path) -> None:
    con = _key_figure_warehouse(tmp_path / "w.duckdb")
    site = _site(tmp_path / "site", {"index.html": _page("<p>Willkommen</p>")})
    found = check_key_figures(site, con)
    con.close()
    assert [f.context for f in found] == ["keine Kennzahlentabelle auf der Startseite"]


def test_every_release_check_is_a_blocking_check_of_report_site_with_a_german_label() -> None:
    from pipelines.assets.report import report_site
    from quality.quality_report import CHECK_LABELS

    specs = {spec.name: spec for spec in report_site.check_specs}
    assert set(specs) == {"downloads_disclosure_audit", *(c.name for c in RELEASE_CHECKS)}
    assert all(spec.blocking for spec in specs.values())
    assert all(CHECK_LABELS[name] != name for name in specs)


# --------------------------------------------------------------------------- e2e: a real site


@pytest.fixture(scope="module")
def rendered(fixture_report: tuple[Path, Path]) -> tuple[Path, Path]:
    """The shipped report rendered once from the fixture warehouse (``tests/conftest.py``)."""
    return fixture_report


@pytest.mark.e2e
def test_the_rendered_report_passes_and_a_broken_page_fails(rendered, tmp_path: Path) -> None:
    site_dir, warehouse = rendered
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = run_release_checks(site_dir, con)
    for name in ("report_figures_captioned", "report_links_resolve", "report_key_figures_match",
                 "report_no_outside_resources"):  # fmt: skip
        assert before[name] == [], (name, before[name][:5])

    broken = tmp_path / "site"
    shutil.copytree(site_dir, broken)
    index = broken / "index.html"
    label, shown = _key_figure_rows(Site(site_dir))[0]
    wrong = str((int(shown[0]) + 1) % 10) + shown[1:]  # another first digit
    text = index.read_text("utf-8")
    row = text.index(f">{label}<")
    cell = text.index(f">{shown}<", row)  # the label's own row
    text = text[:cell] + f">{wrong}<" + text[cell + len(shown) + 2 :]
    index.write_text(text.replace("</main>", "<p>Anteil ohne_hsa</p></main>", 1), "utf-8")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = run_release_checks(broken, con)
    assert f"{label}: Krefeld" in {f.what for f in after["report_key_figures_match"]}
    new_codes = {(f.page, f.what) for f in after["report_no_code_tokens"]} - {
        (f.page, f.what) for f in before["report_no_code_tokens"]
    }
    assert new_codes == {("index.html", "ohne_hsa")}


def _key_figure_rows(site: Site) -> list[tuple[str, str]]:
    """(label, shown local value) of the start page's key figures that show a number."""
    from pipelines.report.release_checks import key_figure_tables

    found = []
    for table, columns in key_figure_tables(site.tree(site.root / "index.html")):
        for row in table.rows:
            if parse_shown(row[columns["local"]]) is not None:
                found.append((row[columns["name"]], row[columns["local"]]))
    assert found, "the start page shows key figures"
    return found


# --------------------------------------------------------------------------- e2e: Dagster


def _one_page_project(root: Path, body: str) -> Path:
    """A report project of one page without code (renders in seconds)."""
    from tests.test_report_render import write_project

    return write_project(
        root, {"index.qmd": f"---\ntitle: Bildungsbericht\n---\n\n{body}\n"}, "lang: de\n"
    )


def _key_figure_body(warehouse: Path) -> str:
    """The start page's key-figure table for one indicator, as the fixture publishes it."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        name, period, value = con.execute(
            "select c.name_de, v.period, v.value from published.indicator_values v "
            "join published.indicator_catalogue c using (indicator_id) "
            "where v.indicator_id = 'abgang_ohne_abschluss_quote' and v.region_key = '05114' "
            "and v.geschlecht = 'insgesamt' and v.staatsangehoerigkeit = 'insgesamt' "
            "and v.schulform = 'insgesamt' order by v.period desc limit 1"
        ).fetchone()
    shown = f"{value:.1f}".replace(".", ",") + " %"
    return f"| Kennzahl | Stand | Krefeld |\n|---|---|---:|\n| {name} | {period} | {shown} |\n"


@pytest.mark.e2e
def test_a_failing_release_check_skips_the_release_and_keeps_the_last_good_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipelines import paths
    from pipelines.assets import report as report_assets
    from pipelines.assets.report import release, report_site
    from pipelines.publishing.releases import ReleaseStore
    from pipelines.resources import WarehouseResource
    from quality.check_results import load_check_results
    from quality.sdc.protect import Finding
    from tests.test_report_data import build_warehouse

    live = tmp_path / "warehouse" / "bm.duckdb"
    live.parent.mkdir()
    build_warehouse(live)
    site = tmp_path / "site"
    store = ReleaseStore(live, site)
    resources = {"warehouse": WarehouseResource(path=str(live), site_dir=str(site))}
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()
    body = _key_figure_body(live)
    # the downloads' disclosure audit needs the marts, which this warehouse lacks; it has
    # its own tests (test_download_injection.py) and no download is rendered here
    passed = Finding(narrow=pd.DataFrame(), small=pd.DataFrame(), hidden=0, lp_solves=0)
    monkeypatch.setattr(report_assets, "audit_from", lambda *args, **kwargs: passed)
    runs = iter(range(10))

    def run(project_body: str) -> dg.ExecuteInProcessResult:
        project = _one_page_project(tmp_path / f"reports-{next(runs)}", project_body)
        monkeypatch.setattr(paths, "REPORTS_DIR", project)
        with dg.instance_for_test() as instance:
            return dg.materialize(
                [report_site, release], resources=resources, instance=instance,
                raise_on_error=False,
            )  # fmt: skip

    good = run(body)
    checks = {e.check_name: e.passed for e in good.get_asset_check_evaluations()}
    assert good.success, checks
    assert all(checks.values()) and len(checks) == len(RELEASE_CHECKS) + 1
    first = store.current()
    assert first is not None and first.run_id == good.run_id
    live_index = (site / "index.html").read_text("utf-8")

    bad = run(body + "\nAnteil nach Abschlussart: ohne_hsa\n")
    assert not bad.success
    failed = {e.check_name for e in bad.get_asset_check_evaluations() if not e.passed}
    assert failed == {"report_no_code_tokens"}
    materialized = {e.asset_key.to_user_string() for e in bad.get_asset_materialization_events()}
    assert materialized == {"report_site"}  # rendered and checked, never released
    assert store.current().release_id == first.release_id
    assert (site / "index.html").read_text("utf-8") == live_index
    assert store.verify(store.current()) == []

    staging = WarehouseResource(path=str(live), site_dir=str(site)).staging_file()
    with duckdb.connect(str(staging), read_only=True) as con:
        _, results = load_check_results(con, bad.run_id)
    row = results.set_index("check_name").loc["report_no_code_tokens"]
    assert not row["passed"] and "ohne_hsa" in row["details"]["summary"]
    assert row["details"]["rows"][0] == {
        "Seite": "index.html",
        "Fund": "ohne_hsa",
        "Kontext": row["details"]["rows"][0]["Kontext"],
    }
