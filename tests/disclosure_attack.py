"""An attacker with nothing but the rendered site: every CSV download, the numbers in the
pages' HTML tables, the declared hierarchies (the seed ``geheimhaltung`` says which figures
count the same people, the regions say which add up) and a generic LP solver.

Deliberately independent of ``quality.sdc`` and of the report's code: it builds its own
equations from the CSV text, maps the pages' tables back to the cells they show by what a
reader sees (captions, headers, row labels, the names and periods the downloads spell out), and
solves with ``scipy.optimize.linprog``, so a flaw in the pipeline's audit or in a page is not
repeated here. Run it by hand against any site::

    python -m tests.disclosure_attack reports/_site warehouse/bildungsmonitor.duckdb
"""

from __future__ import annotations

import csv
import math
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "dbt_project" / "seeds" / "geheimhaltung.csv"
LABELS = REPO / "dbt_project" / "seeds" / "bezeichnungen.csv"
"""What a reader sees instead of codes: the German headers and labels of the downloads and
pages (``Geschlecht: männlich`` for ``geschlecht: maennlich``)."""
DIMS = ("geschlecht", "staatsangehoerigkeit", "schulform", "kategorie")
TOTAL = "insgesamt"
SUPPRESSED = "."
NOT_SHOWN = "–"
BREAKDOWN_LABELS = {
    "Geschlecht": "geschlecht",
    "Staatsangehörigkeit": "staatsangehoerigkeit",
    "Schulform": "schulform",
}

Key = tuple[str, ...]  # population, period, region, *DIMS
Cell = tuple[str, ...]  # indicator_id, region_key, period, *DIMS: one row of a download


@dataclass
class Attack:
    """What the attacker found. ``page_leaks``: suppressed cells whose number a page shows
    (they count as recovered); ``unmapped``: page tables with numbers the attacker could not
    tie to published cells."""

    known: dict[Key, float] = field(default_factory=dict)
    hidden: set[Key] = field(default_factory=set)
    relations: list[tuple[Key, list[Key]]] = field(default_factory=list)
    by_difference: dict[Key, float] = field(default_factory=dict)
    narrow: dict[Key, tuple[float, float]] = field(default_factory=dict)
    shown: list[Shown] = field(default_factory=list)
    page_leaks: dict[Key, float] = field(default_factory=dict)
    page_only: dict[Key, float] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


def _number(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    return float(text.replace(".", "").replace(",", ".")) if "," in text else float(text)


def _ref(text: str) -> tuple[str, dict[str, str]]:
    match = re.match(r"^([a-z0-9_]+)(?:\[([^\]]*)\])?$", text.strip())
    assert match, text
    fixed = dict(p.split("=") for p in filter(None, (match[2] or "").split(",")))
    return match[1], fixed


def _key(ref: tuple[str, dict[str, str]], row: dict[str, str]) -> Key:
    population, fixed = ref
    dims = tuple(fixed.get(d, row.get(d) or TOTAL) for d in DIMS)
    return (population, row["period"], row["region_key"], *dims)


# --------------------------------------------------------------------------- the downloads


@dataclass
class Downloads:
    """Every row of the site's CSV downloads, and the names a reader matches pages with."""

    rows: dict[Cell, dict[str, str]] = field(default_factory=dict)
    indicator_of: dict[str, str] = field(default_factory=dict)  # indicator_name → id
    region_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (level, name) → key
    level_of: dict[str, str] = field(default_factory=dict)  # region key → level
    units: dict[str, str] = field(default_factory=dict)
    periods: dict[str, dict[str, str]] = field(default_factory=dict)  # id → shown → period
    totals: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (id, region)
    headline: dict[str, dict[str, str]] = field(default_factory=dict)  # id → {dim: code}
    _local: list[str | None] = field(default_factory=list)

    def cell(self, cell: Cell) -> dict[str, str] | None:
        return self.rows.get(cell)

    def suppressed(self, cell: Cell) -> bool:
        row = self.rows.get(cell)
        return row is not None and row["symbol"] == SUPPRESSED and not row["value"]

    def region(self, name: str, levels: Iterable[str]) -> str | None:
        return next(
            (self.region_of[(lv, name)] for lv in levels if (lv, name) in self.region_of), None
        )

    def local_region(self, indicator: str) -> str | None:
        """Krefeld as a city, else its Agenturbezirk: the report's own figure (where the
        indicator has rows for it)."""
        if not self._local:
            self._local.append(self.region_of.get(("Stadt", "Krefeld")))
            self._local += [
                key
                for (level, name), key in self.region_of.items()
                if level == "Agenturbezirk" and "Krefeld" in name
            ]
        return next((k for k in self._local if k and (indicator, k) in self.totals), None)

    def latest(self, indicator: str, regions: Iterable[str]) -> str | None:
        """The latest period with a total row of any of ``regions`` (what a page states as
        „Stand“ for a table of regions)."""
        periods = set().union(*(self.totals.get((indicator, r), set()) for r in regions))
        return max(periods, key=period_order) if periods else None


def _labels() -> dict[str, dict[str, str]]:
    """merkmal → label → code, from the seed (``spalte``: header → column)."""
    table: dict[str, dict[str, str]] = defaultdict(dict)
    with LABELS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table[row["merkmal"]][row["bezeichnung"]] = row["code"]
    return table


def _as_codes(row: dict[str, str], labels: dict[str, dict[str, str]]) -> dict[str, str]:
    """A download row keyed by column names, with codes in the breakdown columns (a header
    or cell that is no label stays as it is: files written with codes read alike)."""
    named = {labels["spalte"].get(k, k): v for k, v in row.items()}
    for dim in (*DIMS, "suppression_reason"):
        if dim in named:
            named[dim] = labels[dim].get(named[dim], named[dim])
    return named


def read_downloads(site: Path) -> Downloads:
    """Every ``indikatoren/*.csv`` of the site."""
    out = Downloads()
    labels = _labels()
    for path in sorted((site / "indikatoren").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in map(
                partial(_as_codes, labels=labels), csv.DictReader(handle, delimiter=";")
            ):
                dims = tuple(row.get(d) or TOTAL for d in DIMS)
                indicator, region = row["indicator_id"], row["region_key"]
                out.rows[(indicator, region, row["period"], *dims)] = row
                out.indicator_of[row["indicator_name"]] = indicator
                out.region_of[(row["region_level"], row["region_name"])] = region
                out.level_of[region] = row["region_level"]
                out.units[indicator] = row["unit"]
                out.periods.setdefault(indicator, {})[shown_period(row["period"])] = row["period"]
                if all(d == TOTAL for d in dims):
                    out.totals.setdefault((indicator, region), set()).add(row["period"])
    out.headline = read_headlines(site, labels)
    return out


LEIT = re.compile(r".*\((?P<merkmal>[^:()]+): (?P<category>.+)\)$")


def read_headlines(site: Path, labels: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The headline category of category indicators, as their pages state it in the facts
    table („Leitwert: Anteil … (Abschlussart: ohne Hauptschulabschluss …)“): their series,
    key figures and maps show that category, not the total."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted((site / "indikatoren").glob("*.html")):
        for table in page_tables(path, site):
            if table.header != ["Merkmal", "Angabe"]:
                continue
            for name, text in (r for r in table.rows if len(r) == 2):
                if name == "Leitwert" and (m := LEIT.fullmatch(text)):
                    dim = BREAKDOWN_LABELS.get(m["merkmal"], "kategorie")
                    found[path.stem] = {dim: labels[dim].get(m["category"], m["category"])}
    return found


MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
    "Oktober", "November", "Dezember",
)  # fmt: skip


def shown_period(period: str) -> str:
    """A period as the pages write it: 2016/17, 2016, Oktober 2025, 31.12.2024."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        return f"{MONTHS[int(m[2]) - 1]} {m[1]}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", period):
        return f"{m[3]}.{m[2]}.{m[1]}"
    return period


def period_order(period: str) -> tuple[int, int, int]:
    """Sort key by the period's end (a school year ends in July of its second year)."""
    if m := re.fullmatch(r"(\d{4})/\d{2}", period):
        return (int(m[1]) + 1, 7, 31)
    if m := re.fullmatch(r"(\d{4})", period):
        return (int(m[1]), 12, 31)
    if m := re.fullmatch(r"(\d{4})-(\d{2})", period):
        return (int(m[1]), int(m[2]), 31)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", period)
    assert m, period
    return (int(m[1]), int(m[2]), int(m[3]))


def previous_period(period: str) -> str:
    """The same period a year earlier (what „Veränderung zum Vorjahr“ compares with)."""
    if m := re.fullmatch(r"(\d{4})/\d{2}", period):
        return f"{int(m[1]) - 1}/{int(m[1]) % 100:02d}"
    return str(int(period[:4]) - 1) + period[4:]


# --------------------------------------------------------------------------- the pages


@dataclass
class Table:
    """One HTML table: id, caption, header, body rows (cell texts) and the text just before
    it (a breakdown table is introduced by „Nach … (Region, Zeitraum)“)."""

    page: str
    id: str
    caption: str
    header: list[str]
    rows: list[list[str]]
    before: str = ""

    @property
    def label(self) -> str:
        return self.id or self.caption or " | ".join(self.header)


class _Tables(HTMLParser):
    """Tables of a Pandoc page with the standard library's parser (no lxml needed)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.tables: list[Table] = []
        self.text: list[str] = []  # text since the last table
        self.table: Table | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.caption: list[str] | None = None
        self.head = False
        self.row_th = False
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            before = _clean(" ".join(self.text))[-300:]
            self.table = Table(self.page, dict(attrs).get("id") or "", "", [], [], before)
            self.text = []
        elif self.table is None:
            if tag in ("p", "li", "div", "h1", "h2", "h3", "h4", "br"):
                self.text.append("\n")
        elif tag == "caption":
            self.caption = []
        elif tag == "thead":
            self.head = True
        elif tag == "tr":
            self.row, self.row_th = [], False
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row_th |= tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        elif self.table is None:
            return
        elif tag == "caption" and self.caption is not None:
            self.table.caption = _clean("".join(self.caption))
            self.caption = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(_clean("".join(self.cell)))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            first = not self.table.header and not self.table.rows
            if self.head or (first and self.row_th):
                self.table.header = self.row
            else:
                self.table.rows.append(self.row)
            self.row = None
        elif tag == "thead":
            self.head = False
        elif tag == "table":
            self.tables.append(self.table)
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.caption is not None:
            self.caption.append(data)
        elif self.table is None:
            self.text.append(data)


def _clean(text: str) -> str:
    return re.sub(r"[ \t\r\f\v\u00a0]+", " ", text.replace("\u202f", " ")).strip()


def page_tables(path: Path, site: Path) -> list[Table]:
    """The tables of one HTML page of the site."""
    parser = _Tables(str(path.relative_to(site)))
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.tables


_SHOWN = re.compile(
    r"^(?P<sign>[−+-])?(?P<int>\d{1,3}(?:\.\d{3})*|\d+)(?:,(?P<dec>\d+))?(?: ?%)?(?: \S+)?$"
)


def shown_number(text: str) -> tuple[float, float] | None:
    """A number as a page prints it (``2.160``, ``8,1 %``, ``8,1 % p``) and the half-width of
    its rounding; None for symbols and dashes."""
    match = _SHOWN.match(text.strip())
    if not match:
        return None
    value = float(match["int"].replace(".", "") + "." + (match["dec"] or "0"))
    if match["sign"] in ("−", "-"):
        value = -value
    return value, 0.5 * 10 ** -len(match["dec"] or "") + 1e-9


@dataclass(frozen=True)
class Shown:
    """One number (or symbol) a page shows for a published cell. ``exact``: the text is the
    cell's value; else it is derived from it (a change to the previous year)."""

    page: str
    table: str
    cell: Cell
    text: str
    exact: bool = True

    @property
    def number(self) -> tuple[float, float] | None:
        """The number shown (for a change like ``+0,2 %-Pkt.`` or ``±0``: the change)."""
        if self.exact:
            return shown_number(self.text)
        match = re.match(r"^([±+−-]?)(\d{1,3}(?:\.\d{3})*(?:,\d+)?)", self.text.strip())
        return shown_number(match[2]) if match else None


def _total(indicator: str, region: str, period: str, **dims: str) -> Cell:
    return (indicator, region, period, *(dims.get(d, TOTAL) for d in DIMS))


class _Mapper:
    """Ties the tables of the report's pages to the cells of the downloads."""

    def __init__(self, downloads: Downloads) -> None:
        self.d = downloads
        self.labels = _labels()
        self.nrw = downloads.region_of.get(("Land", "Nordrhein-Westfalen"))

    def table(self, table: Table, indicator: str | None) -> list[Shown] | None:
        """The cells a table shows; None when it is not a table of published cells."""
        header = table.header
        if len(header) == 5 and header[0] == "Zeitraum":
            return self.trend(table, indicator)
        if header[:2] == ["Kennzahl", "Zeitraum"] and len(header) == 4:
            return self.trends(table)
        if header[:2] == ["Kennzahl", "Stand"] and len(header) == 7:
            return self.key_figures(table)
        if header[:1] in (["Stadt"], ["Stadtbezirk"]) and len(header) >= 2:
            return self.by_region(table)
        if header[:1] == ["Kennzahl (Stand)"]:
            return self.panels(table)
        if indicator and len(header) >= 2 and all(self._period(indicator, h) for h in header[1:]):
            return self.breakdown_series(table, indicator)
        intro = f"Nach {header[0]} (" if header else ""
        if indicator and len(header) == 2 and intro in table.before and table.before[-1] == ")":
            # „Nach Geschlecht (Krefeld, 2024/25)“ right before the table
            region, _, shown_at = table.before.rsplit(intro, 1)[1][:-1].rpartition(", ")
            return self.breakdown(table, indicator, header[0], region, shown_at)
        return None

    def _head(self, indicator: str, region: str, period: str) -> Cell:
        """The cell of the indicator's headline series (the total, or its headline category)."""
        return _total(indicator, region, period, **self.d.headline.get(indicator, {}))

    def _part(self, indicator: str, region: str, period: str, dim: str, code: str) -> Cell:
        """A breakdown's cell: one category of ``dim``, the others as in the headline."""
        return _total(
            indicator, region, period, **{**self.d.headline.get(indicator, {}), dim: code}
        )

    def _period(self, indicator: str, text: str) -> str | None:
        return self.d.periods.get(indicator, {}).get(text)

    def _shown(self, table: Table, cell: Cell, text: str, exact: bool = True) -> Shown:
        return Shown(table.page, table.label, cell, text, exact)

    def trend(self, table: Table, indicator: str | None) -> list[Shown]:
        """Zeitraum | own region | NRW | median | span of the comparison cities (the last two
        are statistics over published cells, not cells)."""
        candidates = [indicator] if indicator else sorted(set(self.d.units))
        local = self.d.region(table.header[1], ("Stadt", "Agenturbezirk"))
        best: tuple[int, list[Shown]] = (0, [])
        for candidate in candidates:
            shown = []
            for row in table.rows:
                period = self._period(candidate, row[0])
                if period is None or local is None:
                    shown = []
                    break
                for region, text in ((local, row[1]), (self.nrw, row[2])):
                    if region and text != NOT_SHOWN:
                        shown.append(
                            self._shown(table, self._head(candidate, region, period), text)
                        )
            if indicator:
                return shown
            score = _agreement(shown, self.d)
            if score > best[0]:
                best = (score, shown)
            elif score == best[0] and score:
                best = (score, [])  # two indicators fit equally: leave the table unmapped
        return best[1]

    def trends(self, table: Table) -> list[Shown]:
        """Kennzahl | Zeitraum | Krefeld (the own region) | NRW."""
        shown = []
        for name, label, local_text, nrw_text in (r for r in table.rows if len(r) == 4):
            indicator = self.d.indicator_of.get(name)
            period = self._period(indicator, label) if indicator else None
            local = self.d.local_region(indicator) if indicator else None
            if period is None:
                continue
            for region, text in ((local, local_text), (self.nrw, nrw_text)):
                if region and text != NOT_SHOWN:
                    shown.append(self._shown(table, self._head(indicator, region, period), text))
        return shown

    def key_figures(self, table: Table) -> list[Shown]:
        """Kennzahl (Region) | Stand | Krefeld | change | judgement | NRW | median."""
        shown = []
        for name, label, value, change, _, nrw_text, _ in (r for r in table.rows if len(r) == 7):
            indicator = self.d.indicator_of.get(name)
            local = self.d.local_region(indicator) if indicator else None
            if indicator is None and (m := re.fullmatch(r"(.*) \((.*)\)", name)):
                indicator = self.d.indicator_of.get(m[1])
                local = self.d.region(m[2], ("Stadt", "Agenturbezirk"))
            period = self._period(indicator, label) if indicator else None
            if period is None or local is None:
                continue
            shown.append(self._shown(table, self._head(indicator, local, period), value))
            if change != NOT_SHOWN:  # a change tells last year's value: it must be shown too
                before = self._head(indicator, local, previous_period(period))
                shown.append(self._shown(table, before, change, exact=False))
            if self.nrw and nrw_text != NOT_SHOWN:
                shown.append(self._shown(table, self._head(indicator, self.nrw, period), nrw_text))
        return shown

    def by_region(self, table: Table) -> list[Shown]:
        """Stadt/Stadtbezirk | indicator name [| class]: the latest period of these regions."""
        indicator = self.d.indicator_of.get(table.header[1])
        level = table.header[0]
        if indicator is None:
            return []
        regions = [(self.d.region(row[0], (level,)), row[1]) for row in table.rows if len(row) > 1]
        period = self.d.latest(indicator, [r for r, _ in regions if r])
        return [
            self._shown(table, self._head(indicator, region, period), text)
            for region, text in regions
            if region and period and text != NOT_SHOWN
        ]

    def panels(self, table: Table) -> list[Shown]:
        """Kennzahl (Stand) | one column per Stadtbezirk."""
        shown = []
        districts = [self.d.region(name, ("Stadtbezirk",)) for name in table.header[1:]]
        for label, *texts in (r for r in table.rows if len(r) == len(table.header)):
            m = re.fullmatch(r"(.*) \(([^()]*)\)", label)
            indicator = self.d.indicator_of.get(m[1]) if m else None
            period = self._period(indicator, m[2]) if indicator else None
            if period is None:
                continue
            for region, text in zip(districts, texts, strict=True):
                if region and text != NOT_SHOWN:
                    shown.append(self._shown(table, self._head(indicator, region, period), text))
        return shown

    def breakdown_series(self, table: Table, indicator: str) -> list[Shown]:
        """Category label | one column per period: the own region's breakdown over time
        (the table under a breakdown chart; its first header names the breakdown)."""
        dim = BREAKDOWN_LABELS.get(table.header[0], "kategorie")
        local = self.d.local_region(indicator)
        if local is None:
            return []
        codes = self.labels[dim]
        periods = [self._period(indicator, h) for h in table.header[1:]]
        return [
            self._shown(
                table, self._part(indicator, local, period, dim, codes.get(name, name)), text
            )
            for name, *texts in (r for r in table.rows if len(r) == len(table.header))
            for period, text in zip(periods, texts, strict=True)
            if period and text != NOT_SHOWN
        ]

    def breakdown(
        self, table: Table, indicator: str, label: str, region_name: str, shown_at: str
    ) -> list[Shown]:
        """„Nach Geschlecht (Krefeld, 2024/25)“: code | value."""
        dim = BREAKDOWN_LABELS.get(label, "kategorie")  # its label comes from the catalogue
        region = self.d.region(region_name, ("Stadt", "Agenturbezirk", "Land"))
        period = self._period(indicator, shown_at)
        if region is None or period is None:
            return []
        codes = self.labels[dim]  # the page names the category by its label
        return [
            self._shown(
                table, self._part(indicator, region, period, dim, codes.get(name, name)), text
            )
            for name, text in (r for r in table.rows if len(r) == 2)
            if text != NOT_SHOWN
        ]


def _agreement(shown: list[Shown], downloads: Downloads) -> int:
    """How many shown cells agree with the downloads; 0 when any number contradicts them
    (a number where the download is suppressed does not contradict: it is a leak)."""
    score = 0
    for item in shown:
        row = downloads.cell(item.cell)
        number, value = item.number, _number(row["value"]) if row else None
        if row is None:
            continue
        if number is not None and value is not None:
            if abs(number[0] - value) > number[1]:
                return 0
            score += 1
        elif number is None and value is None:
            score += 1
    return score


def table_cells(
    table: Table, downloads: Downloads, indicator: str | None = None
) -> list[Shown] | None:
    """The published cells one table shows (``indicator``: the page's own, on an indicator
    page); None when the table is not one of published cells."""
    return _Mapper(downloads).table(table, indicator if indicator in downloads.units else None)


def page_cells(path: Path, site: Path, downloads: Downloads) -> tuple[list[Shown], list[str]]:
    """The cells one page's tables show, and its tables with numbers not tied to cells."""
    indicator = path.stem if path.parent.name == "indikatoren" else None
    shown: list[Shown] = []
    unmapped: list[str] = []
    for table in page_tables(path, site):
        cells = table_cells(table, downloads, indicator)
        if cells:
            shown += cells
        elif _has_numbers(table):
            unmapped.append(f"{table.page}: {table.label}")
    return shown, unmapped


def _has_numbers(table: Table) -> bool:
    return any(shown_number(text) for row in table.rows for text in row[1:])


def read_pages(site: Path, downloads: Downloads) -> tuple[list[Shown], list[str]]:
    """Every table cell of every page that shows a published cell, and the tables with
    numbers that could not be tied to cells (``page: label``)."""
    shown: list[Shown] = []
    unmapped: list[str] = []
    for path in sorted(site.rglob("*.html")):
        cells, tables = page_cells(path, site, downloads)
        shown += cells
        unmapped += tables
    return shown, unmapped


# --------------------------------------------------------------------------- the attack


def read_site(site: Path, parents: dict[str, str], *, pages: bool = True) -> Attack:
    """Known and hidden counts from the downloads (and, with ``pages``, from the numbers the
    pages' tables show), and every declared relation among them."""
    declared = {r["indicator_id"]: r for r in csv.DictReader(SEED.open(encoding="utf-8"))}
    downloads = read_downloads(site)
    attack = Attack()
    shown_somewhere: set[Key] = set()
    additive: set[str] = set()
    scope: dict[str, tuple[set[str], list]] = {}
    for indicator, rule in declared.items():
        if not rule["geschuetzte_ebenen"] or rule["ausnahme"]:
            continue
        num_ref = _ref(rule["zaehler"])
        den_ref = _ref(rule["nenner"]) if rule["nenner"] else None
        refs = [(num_ref, "numerator")] + ([(den_ref, "denominator")] if den_ref else [])
        scope[indicator] = (set(rule["geschuetzte_ebenen"].split("|")), refs)
        if rule["kategorien_additiv"] == "true":
            additive.add(num_ref[0])
    for row in downloads.rows.values():
        if row["indicator_id"] not in scope:
            continue
        levels, refs = scope[row["indicator_id"]]
        if row["region_level"] not in levels:
            continue
        for ref, column in refs:
            key = _key(ref, row)
            value = _number(row[column])
            if value is None and column == "numerator" and len(refs) == 2:
                # a share and its denominator give the numerator back, where the share's
                # rounding (as written) leaves a single whole number
                shown, base = shown_number(row["value"] or ""), _number(row["denominator"])
                if shown is not None and base is not None:
                    value = _whole(shown, base)
            if value is None:
                attack.hidden.add(key)
            else:
                attack.known[key] = value
                shown_somewhere.add(key)
    attack.hidden -= shown_somewhere
    if pages:
        attack.shown, attack.unmapped = read_pages(site, downloads)
        _use_pages(attack, downloads, scope)
    every = set(attack.known) | attack.hidden
    groups: dict[tuple[Key, int], list[Key]] = defaultdict(list)
    for key in every:
        parent = parents.get(key[2])
        if parent:
            total = (*key[:2], parent, *key[3:])
            if total in every:
                groups[(total, 0)].append(key)
        for i, dim in enumerate(DIMS, start=1):
            if key[2 + i] == TOTAL or (dim == "kategorie" and key[0] not in additive):
                continue
            total = (*key[: 2 + i], TOTAL, *key[3 + i :])
            if total in every:
                groups[(total, i)].append(key)
    attack.relations = [(total, parts) for (total, _), parts in sorted(groups.items())]
    return attack


def _use_pages(attack: Attack, downloads: Downloads, scope: dict[str, tuple[set[str], list]]):
    """A number a page shows for a cell the downloads suppress is a leak (the attacker reads
    it); one for a cell the downloads lack is one more known value. A count is its own
    numerator; a share gives its numerator where the denominator is known and the rounding
    leaves a single whole number."""
    for item in attack.shown:
        number = item.number
        row = downloads.cell(item.cell)
        if number is None or not item.exact or item.cell[0] not in scope:
            continue
        if row is not None and not downloads.suppressed(item.cell):
            continue
        levels, refs = scope[item.cell[0]]
        if downloads.level_of.get(item.cell[1]) not in levels:
            continue
        fields = {"region_key": item.cell[1], "period": item.cell[2]}
        fields |= dict(zip(DIMS, item.cell[3:], strict=True))
        keys = [_key(ref, fields) for ref, _ in refs]
        value = number[0]
        if len(keys) == 2:  # a share: numerator = share × denominator / 100
            base = attack.known.get(keys[1])
            whole = None if base is None else _whole(number, base)
            if whole is None:
                continue  # no denominator, or the rounding leaves more than one count
            value = whole
        target = attack.page_leaks if row is not None else attack.page_only
        target[keys[0]] = value
        attack.known[keys[0]] = value
        attack.hidden.discard(keys[0])


def _whole(share: tuple[float, float], base: float) -> float | None:
    """The one whole count a share (value, half its rounding step) of ``base`` can be;
    None when the rounding leaves more than one."""
    value, half = share
    low, high = (value - half) * base / 100, (value + half) * base / 100
    whole = math.ceil(low - 1e-9)
    if whole > high + 1e-9 or whole + 1 <= high + 1e-9:
        return None
    return float(whole)


def by_difference(attack: Attack) -> dict[Key, float]:
    """Total minus parts, repeated until nothing new follows; what a page shows of a
    suppressed cell counts as recovered too."""
    known = dict(attack.known)
    found: dict[Key, float] = dict(attack.page_leaks)
    changed = True
    while changed:
        changed = False
        for total, parts in attack.relations:
            members = [total, *parts]
            open_ = [m for m in members if m not in known]
            if len(open_) != 1:
                continue
            (x,) = open_
            rest = sum(known[p] for p in parts if p != x)
            value = known[total] - rest if x != total else rest
            known[x] = found[x] = value
            changed = True
    attack.by_difference = found
    return found


def lp_bounds(attack: Attack, width: float) -> dict[Key, tuple[float, float]]:
    """Hidden counts whose LP interval (x ≥ 0, every relation) is narrower than ``width``."""
    hidden = sorted(attack.hidden)
    index = {k: i for i, k in enumerate(hidden)}
    rows, cols, vals, rhs = [], [], [], []
    for total, parts in attack.relations:
        members = [(total, -1.0), *((p, 1.0) for p in parts)]
        if not any(m in index for m, _ in members):
            continue
        b = 0.0
        r = len(rhs)
        for member, coef in members:
            if member in index:
                rows.append(r)
                cols.append(index[member])
                vals.append(coef)
            else:
                b -= coef * attack.known[member]
        rhs.append(b)
    n = len(hidden)
    matrix = csr_matrix((vals, (rows, cols)), shape=(len(rhs), n))
    graph = csr_matrix((np.ones(len(rows)), (cols, np.array(rows) + n)), shape=(n + len(rhs),) * 2)
    _, component = connected_components(graph, directed=False)
    narrow: dict[Key, tuple[float, float]] = {}
    rhs_array = np.array(rhs)
    for block in np.unique(component[:n]):
        variables = np.flatnonzero(component[:n] == block)
        equations = np.flatnonzero(component[n:] == block)
        if len(equations) == 0:
            continue
        a = matrix[equations][:, variables]
        low = np.full(len(variables), np.inf)
        high = np.full(len(variables), -np.inf)
        for j in range(len(variables)):
            for sense in (1.0, -1.0):
                if high[j] - low[j] >= width - 1e-6:
                    break
                c = np.zeros(len(variables))
                c[j] = sense
                result = linprog(
                    c, A_eq=a, b_eq=rhs_array[equations], bounds=(0, None), method="highs"
                )
                if result.status == 3:
                    high[j] = np.inf
                    continue
                assert result.status == 0, result.message
                low, high = np.minimum(low, result.x), np.maximum(high, result.x)
        for j, var in enumerate(variables):
            if high[j] - low[j] < width - 1e-6:
                narrow[hidden[var]] = (float(low[j]), float(high[j]))
    attack.narrow = narrow
    return narrow


def region_parents(warehouse: Path) -> dict[str, str]:
    """School → Stadtbezirk → city, as the site's regions table publishes them."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select region_key, parent_key from published.regions where parent_key is not null"
        ).fetchall()
    return dict(rows)


if __name__ == "__main__":
    site, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
    found = read_site(site, region_parents(warehouse))
    difference = by_difference(found)
    small = {k: v for k, v in difference.items() if 0 < v < 3}
    narrow = lp_bounds(found, 3)
    print(
        f"hidden {len(found.hidden)}, relations {len(found.relations)}, page cells "
        f"{len(found.shown)} (leaks {len(found.page_leaks)}, not in a download "
        f"{len(found.page_only)}), recovered by difference {len(difference)} (of them 1 or "
        f"2: {len(small)}), LP interval < 3: {len(narrow)}"
    )
    for key, value in list(small.items())[:5]:
        print("  ", key, "=", value)
    for table in found.unmapped:
        print("   not tied to cells:", table)
