"""Generate one report page per catalogue indicator: the pre-render step of the report.

Quarto has no page generator, so the indicator pages are written as ``.qmd`` files from
``published.indicator_catalogue`` before rendering — by the project's pre-render script
(``reports/_pre_render.py``, run by ``quarto render`` (Quarto >= 1.5) and by the built-in
renderer alike) or by hand::

    python -m pipelines.report.generate_pages reports

The pages are put together from the templates in ``reports/_vorlagen/`` (edit those to change
the layout of every indicator page) and go to ``reports/indikatoren/``, a folder the generator
owns: pages of indicators no longer in the catalogue are removed, and the folder is
git-ignored. The output is a pure function of the catalogue, but the catalogue lives in the
warehouse (from the dbt seed), so committed pages would go stale whenever the seed changes;
generating them at every render keeps "a new catalogue row is a new page" true without
anyone editing the report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

import duckdb

from pipelines import paths
from pipelines.report.contract import ContractError, check_warehouse
from pipelines.report.generate_guides import OUTPUT_DIR as GUIDES_DIR
from pipelines.report.generate_guides import generate_guides
from pipelines.report.project import PARAM_ENV

OUTPUT_DIR = "indikatoren"
TEMPLATE_DIR = "_vorlagen"
PAGE_TEMPLATE = "indikator.qmd"
BREAKDOWN_TEMPLATE = "indikator_aufgliederung.qmd"
"""The chart of all categories of a category indicator (and its table)."""
BREAKDOWN_NAMES = {"geschlecht": "Geschlecht", "staatsangehoerigkeit": "Staatsangehörigkeit",
                   "schulform": "Schulform"}  # fmt: skip
SECTIONS = (
    # (template, levels that call for it): the page shows only what the indicator has
    ("indikator_entwicklung.qmd", {"Land", "Stadt", "Agenturbezirk"}),
    ("indikator_staedte.qmd", {"Stadt"}),
    ("indikator_stadtbezirke.qmd", {"Stadtbezirk"}),
)
CITY_COMPARISON = "indikator_staedte.qmd"
MIN_COMPARISON_CITIES = 3
"""A city comparison (tile map and table) needs values of at least this many comparison
cities besides Krefeld; the report's ``bm_karten.MIN_COMPARISON_REGIONS`` says the same."""
KREFELD = "05114"
RATE_ALT = (
    "eine orange gestrichelte Linie mit Quadraten für Nordrhein-Westfalen und, wo Werte "
    "vorliegen, eine graue gepunktete Linie für den Median der kreisfreien Vergleichsstädte "
    "mit einer grauen Fläche für deren Spanne"
)
COUNT_ALT = (
    "Anzahlen Nordrhein-Westfalens und anderer Städte sind mit Krefeld nicht vergleichbar und "
    "stehen nur in der Tabelle"
)
RATE_MAP_ALT = (
    "eingefärbt nach der Kennzahl {name}: je höher der Wert, desto dunkler das Blau; Bezirke "
    "ohne veröffentlichten Wert sind schraffiert"
)
COUNT_MAP_ALT = (
    "mit einem blauen Kreis je Bezirk, dessen Fläche proportional zur Kennzahl {name} ist; "
    "Bezirke ohne veröffentlichten Wert sind schraffiert und haben keinen Kreis"
)
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")
GENERATED_SUFFIXES = (".qmd", ".csv")


@dataclass(frozen=True)
class CatalogueEntry:
    """What a page's static text needs from the catalogue (the rest is read at render time)."""

    indicator_id: str
    name: str
    handlungsfeld: str
    levels: frozenset[str]
    unit: str = "%"
    comparison_cities: int = 0
    """Comparison cities with a value in the latest period of the city comparison."""
    breakdown: tuple[str, str] | None = None
    """(column, name) of the breakdown whose categories the page charts: the headline
    category's column, else ``kategorie`` when the catalogue names one."""


def read_catalogue(warehouse: Path) -> list[CatalogueEntry]:
    """The catalogue rows, checked to make usable file names and labels."""
    check_warehouse(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'published' AND table_name = 'indicator_catalogue'"
            ).fetchall()
        }
        optional = [c if c in present else f"NULL AS {c}" for c in ("kategorie_de", "leit_merkmal")]
        rows = con.execute(
            "SELECT indicator_id, name_de, handlungsfeld, levels, unit, "
            f"{', '.join(optional)} FROM published.indicator_catalogue ORDER BY indicator_id"
        ).fetchall()
        cities = _comparison_cities(con)
    entries = []
    for indicator_id, name, feld, levels, unit, kategorie, leit in rows:
        if not INDICATOR_ID.match(indicator_id or ""):
            raise ContractError(
                f"indicator_catalogue: indicator_id {indicator_id!r} must be lower-case "
                "letters, digits and '_' (it names the page file and its figure labels)"
            )
        entries.append(
            CatalogueEntry(
                indicator_id=indicator_id,
                name=name,
                handlungsfeld=feld,
                levels=frozenset(p for p in (levels or "").split("|") if p),
                unit=unit or "",
                comparison_cities=cities.get(indicator_id, 0),
                breakdown=_breakdown(kategorie, leit),
            )
        )
    return entries


def _breakdown(kategorie: str | None, leit: str | None) -> tuple[str, str] | None:
    if leit:
        return leit, kategorie if leit == "kategorie" and kategorie else BREAKDOWN_NAMES[leit]
    return ("kategorie", kategorie) if kategorie else None


def _comparison_cities(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per indicator: how many comparison cities have a value in the latest period in which
    Krefeld or a comparison city has a row (the period the latest edition's map shows)."""
    rows = con.execute(
        """
        SELECT v.indicator_id, v.period,
               count(DISTINCT v.region_key) FILTER (
                   WHERE r.is_comparison_city AND v.value IS NOT NULL
               ) AS cities
        FROM published.indicator_values AS v
        JOIN published.regions AS r USING (region_key)
        WHERE r.is_comparison_city OR v.region_key = ?
        GROUP BY ALL
        """,
        [KREFELD],
    ).fetchall()
    latest: dict[str, tuple[tuple[int, ...], int]] = {}
    for indicator_id, period, cities in rows:
        key = _period_order(period)
        if indicator_id not in latest or key > latest[indicator_id][0]:
            latest[indicator_id] = (key, cities)
    return {indicator_id: cities for indicator_id, (_, cities) in latest.items()}


def _period_order(period: str) -> tuple[int, ...]:
    """Sort key by the end of a period: ``2024/25`` ends in July 2025, ``2024`` in December,
    ``2024-03`` and ``2024-03-31`` in March (as the report's ``period_end``)."""
    school_year = re.match(r"^(\d{4})/\d{2}$", period)
    if school_year:
        return (int(school_year.group(1)) + 1, 7, 31)
    parts = [int(p) for p in period.split("-")]
    return (parts[0], *(parts[1:] or [12]), *([31] if len(parts) < 3 else []))


def sections(entry: CatalogueEntry) -> list[str]:
    """The section templates of an indicator's page. The city comparison needs values of
    at least three comparison cities (a map of Krefeld alone compares nothing) and is not
    drawn for counts (a city's count measures its size, not its situation)."""
    chosen = []
    for name, levels in SECTIONS:
        if not entry.levels & levels:
            continue
        if name == CITY_COMPARISON and (
            entry.unit == "Anzahl" or entry.comparison_cities < MIN_COMPARISON_CITIES
        ):
            continue
        chosen.append(name)
    return chosen


def page_text(entry: CatalogueEntry, templates: Mapping[str, str]) -> str:
    """The ``.qmd`` source of one indicator page."""

    def quoted(text: str) -> str:  # inside a double-quoted YAML string
        return json.dumps(text, ensure_ascii=False)[1:-1]

    city = "Stadt" in entry.levels or "Agenturbezirk" not in entry.levels
    values = {
        "id": entry.indicator_id,
        "label": entry.indicator_id.replace("_", "-"),
        "name_q": quoted(entry.name),
        "feld_q": quoted(entry.handlungsfeld),
        "ort": "in Krefeld" if city else "im Agenturbezirk Krefeld",
        "fuer_ort": "für Krefeld" if city else "für den Agenturbezirk Krefeld",
        # the charts leave NRW and the other cities out of counts (not comparable)
        "vergleich_alt": COUNT_ALT if entry.unit == "Anzahl" else RATE_ALT,
        "karte_alt": (COUNT_MAP_ALT if entry.unit == "Anzahl" else RATE_MAP_ALT).format(
            name=quoted(entry.name)
        ),
    }  # fmt: skip
    parts = [Template(templates[name]).substitute(values).strip() for name in sections(entry)]
    breakdown = ""
    if entry.breakdown is not None:
        column, merkmal = entry.breakdown
        breakdown = Template(templates[BREAKDOWN_TEMPLATE]).substitute(
            values, spalte=column, merkmal_q=quoted(merkmal)
        )
    page = Template(templates[PAGE_TEMPLATE]).substitute(
        values, abschnitte="\n\n".join(parts) or "", aufgliederung=breakdown.strip()
    )
    return re.sub(r"\n{3,}", "\n\n", page)


def generate_pages(project_dir: Path, warehouse: Path) -> list[Path]:
    """Write ``<project>/indikatoren/<indicator_id>.qmd`` for every catalogue row; remove
    pages (and their CSV files) of indicators that left the catalogue. Returns the pages."""
    project_dir = Path(project_dir)
    template_dir = project_dir / TEMPLATE_DIR
    names = [PAGE_TEMPLATE, BREAKDOWN_TEMPLATE, *(name for name, _ in SECTIONS)]
    missing = [n for n in names if not (template_dir / n).is_file()]
    if missing:
        raise FileNotFoundError(f"templates missing in {template_dir}: {missing}")
    templates = {n: (template_dir / n).read_text("utf-8") for n in names}
    out = project_dir / OUTPUT_DIR
    out.mkdir(exist_ok=True)
    written = []
    for entry in read_catalogue(warehouse):
        target = out / f"{entry.indicator_id}.qmd"
        text = page_text(entry, templates)
        if not target.is_file() or target.read_text("utf-8") != text:
            target.write_text(text, encoding="utf-8")  # unchanged pages keep their mtime
        written.append(target)
    keep = {p.stem for p in written}
    for stale in out.iterdir():
        if stale.suffix in GENERATED_SUFFIXES and stale.stem not in keep:
            stale.unlink()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.report.generate_pages", description=__doc__.split("\n")[0]
    )
    parser.add_argument("project", nargs="?", type=Path, default=Path("reports"))
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="DuckDB file (default: $BILDUNGSMONITOR_WAREHOUSE, else the repository's)",
    )
    args = parser.parse_args(argv)
    warehouse = args.warehouse or paths.warehouse_path()
    try:
        pages = generate_pages(args.project, warehouse)
        school_year = os.environ.get(f"{PARAM_ENV}SCHULJAHR") or None  # -P schuljahr:
        guides = generate_guides(args.project, warehouse, school_year)
    except (ContractError, FileNotFoundError, KeyError, ValueError) as exc:
        parser.exit(1, f"error: {exc}\n")
    print(f"{len(pages)} indicator pages in {args.project / OUTPUT_DIR}")
    print(f"{len(guides)} school guide pages in {args.project / GUIDES_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
