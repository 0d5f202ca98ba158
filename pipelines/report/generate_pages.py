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

from pipelines.report.contract import ContractError, check_warehouse

OUTPUT_DIR = "indikatoren"
TEMPLATE_DIR = "_vorlagen"
PAGE_TEMPLATE = "indikator.qmd"
SECTIONS = (
    # (template, levels that call for it): the page shows only what the indicator has
    ("indikator_entwicklung.qmd", {"Land", "Stadt", "Agenturbezirk"}),
    ("indikator_staedte.qmd", {"Stadt"}),
    ("indikator_stadtbezirke.qmd", {"Stadtbezirk"}),
)
RATE_ALT = (
    "eine orange gestrichelte Linie mit Quadraten für Nordrhein-Westfalen und, wo Werte "
    "vorliegen, eine graue gepunktete Linie für den Median der kreisfreien Vergleichsstädte "
    "mit einer grauen Fläche für deren Spanne"
)
COUNT_ALT = (
    "Anzahlen Nordrhein-Westfalens und anderer Städte sind mit Krefeld nicht vergleichbar und "
    "stehen nur in der Tabelle"
)
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$")
GENERATED_SUFFIXES = (".qmd", ".csv")
DEFAULT_WAREHOUSE = Path(__file__).resolve().parents[2] / "warehouse" / "bildungsmonitor.duckdb"


@dataclass(frozen=True)
class CatalogueEntry:
    """What a page's static text needs from the catalogue (the rest is read at render time)."""

    indicator_id: str
    name: str
    handlungsfeld: str
    levels: frozenset[str]
    unit: str = "%"


def read_catalogue(warehouse: Path) -> list[CatalogueEntry]:
    """The catalogue rows, checked to make usable file names and labels."""
    check_warehouse(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT indicator_id, name_de, handlungsfeld, levels, unit "
            "FROM published.indicator_catalogue ORDER BY indicator_id"
        ).fetchall()
    entries = []
    for indicator_id, name, feld, levels, unit in rows:
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
            )
        )
    return entries


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
    }  # fmt: skip
    sections = [
        Template(templates[name]).substitute(values).strip()
        for name, levels in SECTIONS
        if entry.levels & levels
    ]
    page = Template(templates[PAGE_TEMPLATE]).substitute(
        values, abschnitte="\n\n".join(sections) or ""
    )
    return re.sub(r"\n{3,}", "\n\n", page)


def generate_pages(project_dir: Path, warehouse: Path) -> list[Path]:
    """Write ``<project>/indikatoren/<indicator_id>.qmd`` for every catalogue row; remove
    pages (and their CSV files) of indicators that left the catalogue. Returns the pages."""
    project_dir = Path(project_dir)
    template_dir = project_dir / TEMPLATE_DIR
    names = [PAGE_TEMPLATE, *(name for name, _ in SECTIONS)]
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
    warehouse = args.warehouse or Path(
        os.environ.get("BILDUNGSMONITOR_WAREHOUSE") or DEFAULT_WAREHOUSE
    )
    try:
        pages = generate_pages(args.project, warehouse)
    except (ContractError, FileNotFoundError, KeyError, ValueError) as exc:
        parser.exit(1, f"error: {exc}\n")
    print(f"{len(pages)} indicator pages in {args.project / OUTPUT_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
