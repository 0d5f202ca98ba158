"""Map classes follow the values a reader sees, and comparison maps only where they compare.

Unit tests of ``bm_karten`` (rounding, breaks, class labels), of the page generator's
choice of the city comparison, and one quick render of generated indicator pages of the
fixture site: in every Stadtbezirk table the class named next to a value contains the value
as it is displayed.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pytest

from pipelines.report import render_site
from pipelines.report.generate_pages import (
    CITY_COMPARISON,
    CatalogueEntry,
    generate_pages,
    read_catalogue,
    sections,
)
from tests.test_report_data import build_warehouse, fresh_report_helpers
from tests.test_report_render import copy_project, parse, rows_of


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("w") / "w.duckdb")


@pytest.fixture
def bm(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    return fresh_report_helpers(monkeypatch, "bm_report")


def german(text: str) -> float:
    """``1.234,5`` → 1234.5 (a number as the report writes it)."""
    return float(text.replace(".", "").replace(",", ".").replace("−", "-"))


NUMBER = r"−?\d[\d.]*(?:,\d+)?"


def contains(label: str, shown: str) -> bool:
    """Whether a class label (``10 bis unter 15 %``, or the last class ``15 bis 20 %``)
    contains a displayed value (``10,0 %``)."""
    match = re.fullmatch(rf"({NUMBER}) bis (unter )?({NUMBER})(?: %)?", label)
    assert match, label
    low, below, high = german(match[1]), match[2], german(match[3])
    value = german(re.match(NUMBER, shown)[0])
    return low <= value < high if below else low <= value <= high


# --------------------------------------------------------------------------- unit


def test_the_shown_value_is_the_value_format_value_writes(bm: ModuleType) -> None:
    values = [9.95, 9.949999, 2.675, 0.05, 10.049999, 12.345, 7.45, 0.0, 1234.5]
    values += list(np.random.default_rng(17).uniform(0, 60, 300))
    for unit in ("%", "Anzahl", "Stufe", "Gewicht"):
        for value in values:
            shown = bm.format_value(value, None, unit)
            assert bm.shown_value(value, unit) == pytest.approx(german(shown.rstrip(" %"))), (
                unit,
                value,
                shown,
            )
    assert bm.shown_value(None, "%") is None and bm.shown_value(float("nan"), "%") is None


def test_a_value_shown_as_ten_sits_in_the_class_from_ten(bm: ModuleType) -> None:
    breaks = [0, 5, 10, 15, 20]
    assert bm.format_value(9.96, None, "%") == "10,0 %"
    assert bm.class_of(9.96, breaks, "%") == "10 bis unter 15 %"
    assert bm.classify(9.96, breaks, "%") == 2
    assert bm.classify(9.96, breaks) == 1  # the raw value, for callers that show no value
    assert bm.class_of(9.94, breaks, "%") == "5 bis unter 10 %"
    assert bm.class_of(None, breaks, "%") == "keine Angabe"


def test_breaks_cover_the_shown_values_in_steps_a_reader_can_see(bm: ModuleType) -> None:
    rng = np.random.default_rng(5)
    for unit, scale in (("%", 0.3), ("%", 40), ("Anzahl", 5000), ("Stufe", 9), ("%", 0.04)):
        for _ in range(60):
            values = list(rng.uniform(0, scale, rng.integers(2, 10)))
            breaks = bm.class_breaks(values, unit=unit)
            digits = bm.decimals(unit)
            step = breaks[1] - breaks[0]
            assert step >= 10**-digits - 1e-12, (unit, values, breaks)
            # every limit is written exactly with the digits of the labels
            for label in bm.class_labels(breaks, unit):
                low, high = re.findall(NUMBER, label)
                assert german(low) in [pytest.approx(b) for b in breaks]
                assert german(high) in [pytest.approx(b) for b in breaks]
            for value in values:
                shown = bm.format_value(value, None, unit)
                assert contains(bm.class_of(value, breaks, unit), shown), (breaks, value, shown)


def test_counts_are_drawn_as_circles_and_say_so(bm: ModuleType) -> None:
    assert bm.proportional("Anzahl") and not bm.proportional("%")
    sentence = bm.breaks_sentence([0, 1000, 2000], "Anzahl")
    assert "Kreis" in sentence and "Klassen" not in sentence
    assert bm.breaks_sentence([0, 5, 10], "%").startswith("Die Karte teilt die Werte in 2 Klassen")
    assert "in 1 Klasse gleicher" in bm.breaks_sentence([0, 5], "%")
    entry = bm.indicator("schueler_anzahl")
    _, rows = bm.latest_by_region(entry, bm.edition(), list(bm.districts().index))
    table = bm.district_map_table(entry, rows, bm.class_breaks(rows["value"], unit="Anzahl"))
    assert "Klasse in der Karte" not in table.splitlines()[0]
    rate = bm.indicator("abgang_ohne_abschluss_quote")
    _, rows = bm.latest_by_region(rate, bm.edition(), list(bm.districts().index))
    table = bm.district_map_table(rate, rows, bm.class_breaks(rows["value"]))
    assert "Klasse in der Karte" in table.splitlines()[0]


def test_comparison_regions_count_only_values_besides_the_highlight(bm: ModuleType) -> None:
    values = {bm.KREFELD: 5.0, "a": 1.0, "b": float("nan"), "c": None, "d": 2.0}
    assert bm.comparison_regions(values, bm.KREFELD) == 2


# --------------------------------------------------------------------------- generator


def test_the_city_comparison_needs_three_cities_and_no_counts(
    warehouse: Path, tmp_path: Path
) -> None:
    entry = CatalogueEntry("x", "X", "Weiterbildung", frozenset({"Land", "Stadt"}), "%", 3)
    assert CITY_COMPARISON in sections(entry)
    assert CITY_COMPARISON not in sections(
        CatalogueEntry(**{**entry.__dict__, "comparison_cities": 2})
    )
    assert CITY_COMPARISON not in sections(CatalogueEntry(**{**entry.__dict__, "unit": "Anzahl"}))
    entries = {e.indicator_id: e for e in read_catalogue(warehouse)}
    # the fixture's comparison cities have values for some rates only
    with duckdb.connect(str(warehouse), read_only=True) as con:
        with_cities = {
            row[0]
            for row in con.execute(
                "SELECT indicator_id FROM published.indicator_values JOIN published.regions "
                "USING (region_key) WHERE is_comparison_city AND value IS NOT NULL "
                "GROUP BY 1 HAVING count(DISTINCT region_key) >= 3"
            ).fetchall()
        }
    assert with_cities and set(entries) - with_cities
    project = copy_project(tmp_path / "reports")
    generate_pages(project, warehouse)
    for indicator_id, entry in entries.items():
        text = (project / "indikatoren" / f"{indicator_id}.qmd").read_text("utf-8")
        expected = (
            "Stadt" in entry.levels and entry.unit != "Anzahl" and indicator_id in with_cities
        )
        assert ("-staedte\n" in text) == expected, indicator_id


def test_the_tile_map_alt_text_counts_the_tiles_drawn(bm: ModuleType, monkeypatch) -> None:
    import bm_charts

    reports = Path(bm_charts.__file__).parent
    for source in (reports / "_vorlagen" / "indikator_staedte.qmd", reports / "_body_karten.qmd"):
        text = source.read_text("utf-8")
        counts = re.findall(r"jede der (\d+) kreisfreien Städte", text)
        assert counts == [str(len(bm_charts.TILES))], source.name


# --------------------------------------------------------------------------- rendered


DISTRICT_PAGES = (
    "abgang_ohne_abschluss_quote",
    "auslaenderanteil_schueler",
    "wiederholer_quote",
    "fehlstunden_unentschuldigt_je_schueler",
    "schueler_anzahl",
)


@pytest.mark.e2e
def test_every_district_class_contains_its_displayed_value(warehouse: Path, tmp_path: Path) -> None:
    project = copy_project(
        tmp_path / "reports",
        # the catalogue page too (the indicator pages link to it) and so every indicator page
        render=["geheimhaltung.qmd", "indikatoren.qmd", "indikatoren/*.qmd"],
    )
    generate_pages(project, warehouse)
    result = render_site(
        project,
        tmp_path / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    checked = 0
    for indicator_id in DISTRICT_PAGES:
        html = (result.output_dir / "indikatoren" / f"{indicator_id}.html").read_text("utf-8")
        found = parse(html)
        table = f"tbl-{indicator_id.replace('_', '-')}-bezirke"
        header, *rows = rows_of(found, table)
        assert len(rows) == 9, indicator_id
        if indicator_id == "schueler_anzahl":  # circles, no classes
            assert header == ["Stadtbezirk", header[1]] and "Fläche proportional" in html
            continue
        assert header[-1] == "Klasse in der Karte"
        for name, shown, label in rows:
            if label == "keine Angabe":
                assert not re.match(NUMBER, shown), (indicator_id, name, shown)
                continue
            assert contains(label, shown), (indicator_id, name, shown, label)
            checked += 1
        # the city comparison only where at least three comparison cities have values
        staedte = f"tbl-{indicator_id.replace('_', '-')}-staedte"
        if staedte in found.tables:
            assert len(rows_of(found, staedte)) - 1 >= 4  # Krefeld and three cities
            assert "in 1 Klassen" not in html
    assert checked >= 20
