"""Checks on the rendered site before it is released: what a reader gets, not what the mart holds.

The mart checks guard the figures; nothing else looks at the pages built from them. These
checks read the rendered HTML (and the CSS/JS/SVG the pages load) the way a reader or a
screen reader gets them and refuse a site that shows a code instead of a word, a figure
without caption or text alternative, a broken internal link, a key figure other than the
published one, or anything loaded from outside (the site must work offline and must not
tell third parties who reads it). Each check is a pure function of the site folder (and, for
the key figures, the run's warehouse) returning findings; ``pipelines.assets.report`` runs
them as blocking asset checks on ``report_site``, so a failing one stops the run before
``release`` and the last good site stays current.
"""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path

import duckdb
from babel.dates import format_date

from pipelines import paths
from pipelines.report.errors import RenderError

# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One problem on one page: ``what`` is the token, URL, figure or figure value found,
    ``context`` a short German explanation or the text around it."""

    page: str
    what: str
    context: str


@dataclass(frozen=True)
class ReleaseCheck:
    """A check on the rendered site: its Dagster name, English description, German label."""

    name: str
    description: str
    label: str
    run: Callable[[Site, duckdb.DuckDBPyConnection | None], list[Finding]]


# --------------------------------------------------------------------------- reading HTML

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr"}
)  # fmt: skip
HIDDEN = frozenset({"script", "style", "template"})
BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
     "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
     "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul"}
)  # fmt: skip


@dataclass
class Node:
    """An element of a parsed page (children: elements and text)."""

    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def iter(self, *tags: str) -> Iterator[Node]:
        """This element and every element below it (only ``tags`` if given), in order."""
        if not tags or self.tag in tags:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(*tags)

    def text(self) -> str:
        """The text a reader sees inside this element, whitespace collapsed."""
        return " ".join("".join(_visible(self)).split())


def _visible(node: Node) -> Iterator[str]:
    if node.tag in HIDDEN:
        return
    if node.tag in BLOCKS:
        yield "\n"
    if node.tag == "img" and node.attrs.get("alt"):
        yield f" {node.attrs['alt']} "  # what a screen reader (or a failed load) shows
    for child in node.children:
        if isinstance(child, Node):
            yield from _visible(child)
        else:
            yield child
    if node.tag in BLOCKS:
        yield "\n"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return  # a stray end tag closes nothing

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@dataclass(frozen=True)
class Table:
    """A table as a reader sees it: the header row, then the body rows (cell texts)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def tables_of(root: Node) -> list[Table]:
    tables = []
    for table in root.iter("table"):
        rows = [tuple(cell.text() for cell in tr.iter("th", "td")) for tr in table.iter("tr")]
        if not rows:
            continue
        head = list(table.iter("thead"))
        first_is_header = bool(head) or all(c.tag == "th" for c in _cells(table))
        header = rows[0] if first_is_header else ()
        tables.append(Table(header, tuple(rows[1:] if first_is_header else rows)))
    return tables


def _cells(table: Node) -> list[Node]:
    first = next(table.iter("tr"), None)
    return list(first.iter("th", "td")) if first is not None else []


class Site:
    """A rendered site folder; each page is parsed once and shared by the checks."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._parsed: dict[Path, Node] = {}

    @cached_property
    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def name(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def tree(self, page: Path) -> Node:
        if page not in self._parsed:
            self._parsed[page] = parse_html(page.read_text(encoding="utf-8"))
        return self._parsed[page]

    def files(self, *suffixes: str) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file() and p.suffix in suffixes)


# --------------------------------------------------------------------------- codes

SEEDS_DIR = paths.DBT_PROJECT_DIR / "seeds"
LABEL_COLUMNS = ("name_de", "bezeichnung", "label_de")
FILE_SUFFIXES = (".csv", ".xlsx", ".pdf")
"""A visible file name is no code when it names a download: ``foo_bar.csv`` may be shown."""
UNDERSCORED = re.compile(r"[\w.\-/@:]*_[\w.\-/@:]*")
CODE_FORM = re.compile(r"[^\W_]_|_[^\W_]")
"""An underscore joined to a letter or digit: ``ohne_hsa``, not a fill-in line ``____``."""
URL_OR_MAIL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
SCHOOL_TYPE_HEADER = re.compile(r"Schulform|Schulart")
CONTEXT_CHARS = 40


@dataclass(frozen=True)
class Codes:
    """The codes of the dbt seeds that readers must never see: ``words`` anywhere in the
    text, ``numeric`` (school-type keys like ``02``, ``10``) as a whole table cell under a
    breakdown header, ``breakdowns`` the headers of such columns."""

    words: frozenset[str]
    numeric: frozenset[str]
    breakdowns: frozenset[str]


def seed_codes(seeds_dir: Path = SEEDS_DIR) -> Codes:
    """Every code of a seed that has a German label column and differs from its label.

    The code column is the seed's first column when that is a key (unique), else its
    ``code``/``*_code`` columns (``bezeichnungen``: merkmal, code, bezeichnung). Codes that
    are ordinary words of some label (``insgesamt``, ``sonstige``) are no finding; codes
    with an underscore are found by their form anyway.
    """
    codes: set[str] = set()
    labels: set[str] = set()
    merkmale: set[str] = set()
    for seed in sorted(seeds_dir.glob("*.csv")):
        with seed.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            continue
        columns = list(rows[0])
        label = next((c for c in LABEL_COLUMNS if c in columns), None)
        if label is None:
            continue
        code_columns = [columns[0]]  # the seed's key, if it is one
        if len({r[columns[0]] for r in rows}) < len(rows):
            code_columns = [c for c in columns if c == "code" or c.endswith("_code")]
        for row in rows:
            labels.add(row[label])
            codes.update(
                row[c].strip() for c in code_columns if row[c].strip() and row[c] != row[label]
            )
        merkmale.update(r["merkmal"] for r in rows if r.get("merkmal"))
    words_of_labels = {w for text in labels for w in re.findall(r"\w+", text)}
    return Codes(
        words=frozenset(c for c in codes - words_of_labels if not c.isdigit() and "_" not in c),
        numeric=frozenset(c for c in codes if c.isdigit()),
        breakdowns=frozenset({*merkmale, "Kategorie", "Geschlecht", "Staatsangehörigkeit"}),
    )


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return " ".join(f"…{before}[{text[start:end]}]{after}…".split())


def code_tokens(
    text: str, codes: Codes, allowed_files: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """(token, context) of every code-like token in a page's visible text: words with an
    underscore (``ohne_hsa``, ``10_bis_unter_15``) and the seeds' codes (``VS``, ``sgb2``).
    A file name ending in .csv/.xlsx/.pdf (or listed in ``allowed_files``) is allowed."""
    text = URL_OR_MAIL.sub(lambda m: " " * len(m.group(0)), text)
    found = []
    for match in UNDERSCORED.finditer(text):
        token = match.group(0).strip(".-/:@")
        if not CODE_FORM.search(token) or token in allowed_files:
            continue
        if token.lower().endswith(FILE_SUFFIXES):
            continue
        found.append((token, _context(text, match.start(), match.end())))
    if codes.words:
        pattern = r"(?<![\w\-])(" + "|".join(map(re.escape, sorted(codes.words))) + r")(?![\w\-])"
        for match in re.finditer(pattern, text):
            if text[match.end() :].lower().startswith(FILE_SUFFIXES):
                continue  # a download's name (``arbeitslosenquote.csv``)
            found.append((match.group(1), _context(text, match.start(), match.end())))
    return found


def numeric_code_cells(table: Table, codes: Codes) -> list[tuple[str, str]]:
    """(code, context) of bare school-type keys in table cells: a whole cell ``02`` under a
    breakdown header (``Schulform``, ``Abschlussart`` …), or heading a row or column of a
    cross table (``von ↓ nach →``)."""
    found = []
    header = list(table.header)

    def breakdown(name: str) -> bool:
        # the header of a label column is the breakdown's name itself ("Schulform"); a value
        # column is headed by the indicator ("Schulen nach Schulform"): its numbers are counts
        return bool(SCHOOL_TYPE_HEADER.fullmatch(name)) or name in codes.breakdowns

    columns = {i for i, name in enumerate(header) if breakdown(name)}
    corner = header[0] if header else ""
    if "↓" in corner:
        columns.add(0)  # row labels of a cross table are categories, never counts
    for row in table.rows:
        for i, cell in enumerate(row):
            if i in columns and cell in codes.numeric:
                found.append(
                    (cell, f"Tabellenzelle unter „{header[i] if i < len(header) else ''}“")
                )
    if re.search(r"nach\s*→", corner) and "Klasse" not in corner:
        found += [(c, f"Spaltenkopf in „{corner}“") for c in header[1:] if c in codes.numeric]
    return found


def check_code_tokens(
    site: Site,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    codes: Codes | None = None,
    allowed_files: frozenset[str] = frozenset(),
) -> list[Finding]:
    """No code in the visible text (and text alternatives) of any page."""
    codes = codes or seed_codes()
    findings = []
    for page in site.pages:
        tree = site.tree(page)
        name = site.name(page)
        text = "".join(_visible(tree))
        findings += [Finding(name, t, c) for t, c in code_tokens(text, codes, allowed_files)]
        for table in tables_of(tree):
            findings += [Finding(name, t, c) for t, c in numeric_code_cells(table, codes)]
    return findings


# --------------------------------------------------------------------------- figures


def check_figures(site: Site, con: duckdb.DuckDBPyConnection | None = None) -> list[Finding]:
    """Every figure has a caption and a text alternative; every image a text alternative."""
    findings = []
    for page in site.pages:
        tree = site.tree(page)
        name = site.name(page)
        in_figures: set[int] = set()
        for number, figure in enumerate(tree.iter("figure"), start=1):
            label = figure.attrs.get("id") or f"Abbildung Nr. {number} der Seite"
            graphics = list(figure.iter("img", "svg"))
            in_figures.update(id(g) for g in graphics)
            if not graphics:
                continue  # e.g. a figure of a table: its caption is checked with it
            caption = next(figure.iter("figcaption"), None)
            if caption is None or not caption.text():
                findings.append(Finding(name, label, "Abbildung ohne Bildunterschrift"))
            for graphic in graphics:
                if not _alternative(graphic):
                    findings.append(Finding(name, label, "Abbildung ohne Alternativtext"))
        for image in tree.iter("img"):
            if id(image) not in in_figures and not _alternative(image):
                src = image.attrs.get("src", "")
                findings.append(Finding(name, src, "Bild ohne Alternativtext"))
    return findings


def _alternative(graphic: Node) -> str:
    if graphic.tag == "img":
        return graphic.attrs.get("alt", "").strip()
    title = next(graphic.iter("title"), None)
    return (graphic.attrs.get("aria-label") or (title.text() if title else "")).strip()


# --------------------------------------------------------------------------- links


def check_links(site: Site, con: duckdb.DuckDBPyConnection | None = None) -> list[Finding]:
    """Every internal link and anchor resolves (the renderer's own link check, on the site
    as it will be released: pages from the cache and real Quarto's output included)."""
    from pipelines.report.render import check_site_links  # the renderer's imports are heavy

    try:
        check_site_links(site.root.resolve(), tuple(p.resolve() for p in site.pages), site.root)
    except RenderError as error:
        findings = []
        for line in error.message.splitlines()[1:]:
            page, _, rest = line.partition(": ")
            url, _, note = rest.partition(" (")
            reason = "Anker fehlt" if note else "Ziel fehlt"
            findings.append(Finding(page, url, f"interner Link ins Leere ({reason})"))
        return findings
    return []


# --------------------------------------------------------------------------- outside URLs

OUTSIDE = re.compile(r"^\s*(?:[a-zA-Z][\w+.-]*:)?//", re.IGNORECASE)
"""A URL another host serves: ``https://…``, ``http://…``, ``//…`` (``data:`` is local)."""
LOADING_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "action", "formaction")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)|@import\s+['\"]([^'\"]+)", re.IGNORECASE)
SCRIPT_URL = re.compile(r"['\"`]((?:https?:)?//[^'\"`\s]+)")
SVG_HREF = re.compile(r"\b(?:xlink:)?href\s*=\s*['\"]([^'\"]+)")
FETCHING_RELS = frozenset(
    {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload", "prefetch",
     "modulepreload", "preconnect", "dns-prefetch"}
)  # fmt: skip
"""``<link>`` relations a browser follows by itself (``canonical``, ``license`` it does not)."""
NAMESPACES = ("http://www.w3.org/",)
"""XML namespace names in scripts (``createElementNS("http://www.w3.org/2000/svg", …)``):
identifiers, never fetched."""


def check_outside_resources(
    site: Site, con: duckdb.DuckDBPyConnection | None = None
) -> list[Finding]:
    """Nothing a page loads comes from outside: no ``src``, stylesheet, icon, CSS ``url()``
    or ``@import``, script URL or SVG reference to another host. A link the reader clicks
    (``<a href>``: licence text, the publisher's database) is fine."""
    findings = []
    for page in site.pages:
        name = site.name(page)
        for node in site.tree(page).iter():
            for attribute in LOADING_ATTRIBUTES:
                for url in _urls(node.attrs.get(attribute, ""), attribute == "srcset"):
                    if OUTSIDE.match(url):
                        findings.append(
                            Finding(name, url, f"<{node.tag} {attribute}> lädt von außen")
                        )
            rel = set(node.attrs.get("rel", "").lower().split())
            href = node.attrs.get("href", "")
            if node.tag == "link" and rel & FETCHING_RELS and OUTSIDE.match(href):
                findings.append(
                    Finding(name, href, f"<link rel={' '.join(sorted(rel))}> lädt von außen")
                )
            if node.tag == "style" or "style" in node.attrs:
                css = node.attrs.get("style", "") + "".join(
                    c for c in node.children if isinstance(c, str)
                )
                findings += _css_findings(name, css)
            if node.tag == "script" and node.attrs.get("type") != JSON_LD:
                script = "".join(c for c in node.children if isinstance(c, str))
                findings += [
                    Finding(name, url, "Skript lädt von außen") for url in _script_urls(script)
                ]
    for sheet in site.files(".css"):
        findings += _css_findings(site.name(sheet), sheet.read_text(encoding="utf-8"))
    for script in site.files(".js", ".mjs"):
        text = script.read_text(encoding="utf-8", errors="replace")
        findings += [
            Finding(site.name(script), url, "Skript lädt von außen") for url in _script_urls(text)
        ]
    for image in site.files(".svg"):
        text = image.read_text(encoding="utf-8", errors="replace")
        findings += [
            Finding(site.name(image), url, "SVG lädt von außen")
            for url in SVG_HREF.findall(text)
            if OUTSIDE.match(url)
        ]
        findings += _css_findings(site.name(image), text)
    return findings


PARSING_BASE = re.compile(r"^https?://example\.(?:com|org|net)(?:[/$]|$)")
"""``example.com`` (reserved by RFC 2606) as the base libraries parse relative URLs against
(Pagefind: ``new URL(path, "https://example.com")``), never fetched."""


def _script_urls(script: str) -> list[str]:
    """Outside URLs written in a script as strings, which it may fetch (not namespaces, not
    the URL-parsing base example.com)."""
    return [
        url
        for url in SCRIPT_URL.findall(script)
        if not url.startswith(NAMESPACES) and not PARSING_BASE.match(url)
    ]


def _urls(value: str, srcset: bool) -> list[str]:
    if not value:
        return []
    if srcset:
        return [part.split()[0] for part in value.split(",") if part.strip()]
    return [value]


def _css_findings(name: str, css: str) -> list[Finding]:
    return [
        Finding(name, url, "CSS lädt von außen")
        for match in CSS_URL.finditer(css)
        if OUTSIDE.match(url := match.group(1) or match.group(2))
    ]


# --------------------------------------------------------------------------- scripts

JSON_LD = "application/ld+json"
"""Structured data for search engines (the guides' schema.org/School): data, never run."""
HANDLER = re.compile(r"^on[a-z]+$")


def check_scripts(site: Site, con: duckdb.DuckDBPyConnection | None = None) -> list[Finding]:
    """No code hides in attributes: no inline event handler (``onclick``), no
    ``javascript:`` URL; JSON-LD parses and names schema.org. Raw HTML in a page (the guides'
    filters, maps) binds its behaviour in script files, which the outside-resources check
    reads."""
    findings = []
    for page in site.pages:
        name = site.name(page)
        for node in site.tree(page).iter():
            for attribute, value in node.attrs.items():
                if HANDLER.match(attribute):
                    findings.append(Finding(name, f"<{node.tag} {attribute}>", "Inline-Handler"))
                elif value.strip().lower().startswith("javascript:"):
                    findings.append(Finding(name, value[:60], "javascript:-URL"))
            if node.tag != "script" or node.attrs.get("src"):
                continue
            text = "".join(c for c in node.children if isinstance(c, str))
            if node.attrs.get("type") != JSON_LD:
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                findings.append(Finding(name, text.strip()[:60], f"JSON-LD ungültig: {exc}"))
                continue
            if not isinstance(data, dict) or data.get("@context") != "https://schema.org":
                findings.append(Finding(name, text.strip()[:60], "JSON-LD ohne schema.org"))
    return findings


# --------------------------------------------------------------------------- key figures

START_PAGE = "index.html"
STATE = "05"
TOTAL = "insgesamt"
BREAKDOWNS = ("geschlecht", "staatsangehoerigkeit", "schulform", "kategorie")
"""Breakdown columns of ``published.indicator_values`` (``kategorie`` optional). A key figure
shows the row that is ``insgesamt`` in each, except the catalogue's headline category
(``leit_merkmal`` = ``leit_code``) for indicators whose total is no statement."""
LOCAL_LEVELS = ("Stadt", "Agenturbezirk")
NUMBER = re.compile(r"^([+\-±]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
RELATIVE = re.compile(r"\(([+\-±]?\d[\d.]*(?:,\d+)?) %\)")
MISSING = {"–", "-", ""}


@dataclass(frozen=True)
class Shown:
    """A number as a page shows it: its value, its decimals, what follows it."""

    number: Decimal
    decimals: int
    rest: str


def parse_shown(text: str) -> Shown | None:
    """``12.883`` → 12883; ``16,6 %`` → 16.6 (1 decimal); ``−1,2 %-Pkt.`` → -1.2; ``±0`` → 0.
    None for a symbol or dash."""
    text = " ".join(
        text.replace("\u2212", "-").replace("\u00a0", " ").replace("\u202f", " ").split()
    )
    match = NUMBER.match(text)
    if not match:
        return None
    sign, whole, fraction = match.groups()
    number = Decimal(whole.replace(".", "") + ("." + fraction if fraction else ""))
    return Shown(
        number=-number if sign == "-" else number,
        decimals=len(fraction or ""),
        rest=text[match.end() :].strip(),
    )


def _plain(text: str) -> str:
    return " ".join(text.replace("\u2212", "-").replace("\u00a0", " ").split())


def shows(value: float | None, text: str) -> bool:
    """Whether ``text`` is ``value`` rounded as displayed (within half its last digit)."""
    shown = parse_shown(text)
    if value is None or shown is None:
        return False
    try:
        exact = Decimal(str(value))
    except InvalidOperation:
        return False
    return abs(exact - shown.number) <= Decimal(5).scaleb(-shown.decimals - 1) + Decimal("1e-9")


def display_period(period: str) -> str:
    """A period as the pages write it: ``2016/17``, ``2016``, ``September 2024``, ``31.12.2024``."""
    if re.fullmatch(r"\d{4}-\d{2}", period):
        year, month = map(int, period.split("-"))
        return format_date(date(year, month, 1), "MMMM y", locale="de_DE")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):
        year, month, day = map(int, period.split("-"))
        return format_date(date(year, month, day), "dd.MM.yyyy", locale="de_DE")
    return period


def previous_period(period: str) -> str | None:
    """The same period one year earlier, as the pages compare it."""
    if m := re.fullmatch(r"(\d{4})/(\d{2})", period):
        start = int(m[1]) - 1
        return f"{start}/{(start + 1) % 100:02d}"
    if m := re.fullmatch(r"(\d{4})(-\d{2}(?:-\d{2})?)?", period):
        return f"{int(m[1]) - 1}{m[2] or ''}"
    return None


@dataclass(frozen=True)
class _Published:
    """What the run's warehouse publishes, for the key figures: the headline row of each
    indicator (every breakdown ``insgesamt``, except the catalogue's headline category)."""

    names: dict[str, str]  # indicator name → id
    levels: dict[str, tuple[str, ...]]
    regions: dict[str, tuple[str, str]]  # key → (name, level)
    comparison: frozenset[str]
    values: dict[tuple[str, str, str], tuple[float | None, str | None]]  # id, region, period


def _read_published(con: duckdb.DuckDBPyConnection) -> _Published:
    catalogue = con.execute("select * from published.indicator_catalogue").df()
    regions = con.execute(
        "select region_key, region_name, region_level, is_comparison_city from published.regions"
    ).fetchall()
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'published' and table_name = 'indicator_values'"
        ).fetchall()
    }
    breakdowns = [c for c in BREAKDOWNS if c in columns]
    headline = {
        r["indicator_id"]: {r["leit_merkmal"]: str(r["leit_code"])}
        for _, r in catalogue.iterrows()
        if isinstance(r.get("leit_merkmal"), str) and r["leit_merkmal"] in breakdowns
    }
    rows = con.execute(
        f"select indicator_id, region_key, period, value, symbol, {', '.join(breakdowns)} "
        "from published.indicator_values where region_level is distinct from 'Schule'"
    ).fetchall()
    values = {}
    for indicator, region, period, value, symbol, *cells in rows:
        wanted = headline.get(indicator, {})
        if all(c == wanted.get(b, TOTAL) for b, c in zip(breakdowns, cells, strict=True)):
            values[(indicator, region, period)] = (
                None if value is None else float(value),
                symbol or None,
            )
    return _Published(
        names=dict(zip(catalogue["name_de"], catalogue["indicator_id"], strict=True)),
        levels={
            i: tuple(p.strip() for p in str(lv or "").split("|") if p.strip())
            for i, lv in zip(catalogue["indicator_id"], catalogue["levels"], strict=True)
        },
        regions={r[0]: (r[1], r[2]) for r in regions},
        comparison=frozenset(r[0] for r in regions if r[3]),
        values=values,
    )


def _columns(header: tuple[str, ...], local: str) -> dict[str, int]:
    """Which column of a key-figure table holds what (by its header)."""
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        if name.startswith("Kennzahl"):
            found.setdefault("name", i)
        elif name in ("Stand", "Zeitraum"):
            found.setdefault("period", i)
        elif name.startswith(local):
            found.setdefault("local", i)
        elif name.startswith("Veränderung"):
            found.setdefault("change", i)
        elif name in ("NRW", "Nordrhein-Westfalen"):
            found.setdefault("state", i)
        elif "Median" in name:
            found.setdefault("median", i)
    return found


def key_figure_tables(tree: Node, local: str = "Krefeld") -> list[tuple[Table, dict[str, int]]]:
    """The start page's key-figure tables: a name, period and local-value column each."""
    found = []
    for table in tables_of(tree):
        columns = _columns(table.header, local)
        if {"name", "period", "local"} <= columns.keys():
            found.append((table, columns))
    return found


def check_key_figures(site: Site, con: duckdb.DuckDBPyConnection | None) -> list[Finding]:
    """Every key figure on the start page equals the published value, as displayed: the
    local value, its change to the previous year, NRW and the comparison cities' median."""
    page = site.root / START_PAGE
    if con is None:
        raise ValueError("the key-figure check needs the run's warehouse")
    if not page.is_file():
        return [Finding(START_PAGE, START_PAGE, "Startseite fehlt")]
    tables = key_figure_tables(site.tree(page))
    if not tables:
        return [Finding(START_PAGE, "Kennzahlen", "keine Kennzahlentabelle auf der Startseite")]
    published = _read_published(con)
    findings = []
    for table, columns in tables:
        for row in table.rows:
            if len(row) <= max(columns.values()) or not row[columns["local"]]:
                continue  # e.g. "Keine Kennzahl mit Daten in dieser Ausgabe"
            findings += [
                Finding(START_PAGE, f"{row[columns['name']]}: {what}", why)
                for what, why in _key_figure_problems(row, columns, published)
            ]
    return findings


def _identify(label: str, published: _Published) -> tuple[str, str | None] | None:
    """(indicator id, region key if the label names one) of a key-figure row's label:
    ``<catalogue name>``, optionally followed by ``(<region>)`` or other words."""
    names = sorted((n for n in published.names if label.startswith(n)), key=len, reverse=True)
    if not names:
        return None
    rest = label[len(names[0]) :]
    regions = [(len(n), k) for k, (n, _) in published.regions.items() if f"({n})" in rest]
    return published.names[names[0]], max(regions)[1] if regions else None


def _local_key(indicator: str, local: str, published: _Published) -> str | None:
    level = next((lv for lv in LOCAL_LEVELS if lv in published.levels.get(indicator, ())), None)
    candidates = [k for k, (n, lv) in published.regions.items() if lv == level and local in n]
    exact = [k for k in candidates if published.regions[k][0] == local]
    return (exact or sorted(candidates) or [None])[0]


def _key_figure_problems(
    row: tuple[str, ...], columns: dict[str, int], published: _Published, local: str = "Krefeld"
) -> list[tuple[str, str]]:
    label = row[columns["name"]]
    identified = _identify(label, published)
    if identified is None:
        return [("Kennzahl", f"„{label}“ steht nicht im Indikatorenkatalog")]
    indicator, region = identified
    region = region or _local_key(indicator, local, published)
    stand = row[columns["period"]]
    periods = {p for (i, r, p) in published.values if i == indicator and r == region}
    period = next((p for p in periods if display_period(p) == stand), None)
    if region is None or period is None:
        return [("Stand", f"„{stand}“: kein veröffentlichter Wert für {local} in diesem Zeitraum")]

    def value(key: str | None, when: str | None) -> tuple[float | None, str | None]:
        return published.values.get((indicator, key or "", when or ""), (None, None))

    problems = []
    shown = row[columns["local"]]
    own, symbol = value(region, period)
    if not _matches(own, symbol, shown):
        problems.append((local, f"gezeigt {shown}, veröffentlicht {_published_text(own, symbol)}"))
    if "change" in columns:
        problem = _change_problem(own, value(region, previous_period(period))[0], row, columns)
        if problem:
            problems.append(("Veränderung zum Vorjahr", problem))
    if "state" in columns and _plain(row[columns["state"]]) not in MISSING:
        nrw, nrw_symbol = value(STATE, period)
        if not _matches(nrw, nrw_symbol, row[columns["state"]]):
            problems.append(
                ("NRW", f"gezeigt {row[columns['state']]}, veröffentlicht "
                 f"{_published_text(nrw, nrw_symbol)}")
            )  # fmt: skip
    if "median" in columns and _plain(row[columns["median"]]) not in MISSING:
        others = [v for k in published.comparison if (v := value(k, period)[0]) is not None]
        median = statistics.median(others) if len(others) >= 3 else None
        if not shows(median, row[columns["median"]]):
            expected = "kein Median (weniger als drei Städte)" if median is None else german(median)
            problems.append(
                ("Vergleichsstädte (Median)", f"gezeigt {row[columns['median']]}, aus den "
                 f"veröffentlichten Werten {expected}")
            )  # fmt: skip
    return problems


def _matches(value: float | None, symbol: str | None, text: str) -> bool:
    if value is None:
        return parse_shown(text) is None and _plain(text) in {symbol or ".", "."}
    return shows(value, text)


def _published_text(value: float | None, symbol: str | None) -> str:
    if value is None:
        return symbol or "."
    return german(value) + (f" {symbol}" if symbol else "")


def german(value: float, sign: bool = False) -> str:
    """A value in German notation with up to four decimals: ``12883.2`` → ``12.883,2``."""
    text = f"{value:{'+' if sign else ''},.4f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _change_problem(
    new: float | None, old: float | None, row: tuple[str, ...], columns: dict[str, int]
) -> str | None:
    text = _plain(row[columns["change"]])
    if new is None or old is None:
        return None if text in MISSING else f"gezeigt {text}, ohne Vorjahreswert"
    if text in MISSING:
        return None  # not shown: no wrong figure
    shown = parse_shown(text)
    local = parse_shown(row[columns["local"]])
    delta = new - old
    if shown is None:
        return f"gezeigt {text}, veröffentlicht {german(delta, sign=True)}"
    if text.startswith("±"):
        digits = local.decimals if local else 0
        if shows(delta, f"{0:.{digits}f}".replace(".", ",")):
            return None
        return f"gezeigt {text}, veröffentlicht {german(delta, sign=True)}"
    if not shows(delta, text):
        return f"gezeigt {text}, veröffentlicht {german(delta, sign=True)}"
    relative = RELATIVE.search(text)
    if relative and old and not shows(100 * delta / old, relative.group(1)):
        return f"gezeigt {text}, veröffentlicht {german(100 * delta / old, sign=True)} %"
    return None


# --------------------------------------------------------------------------- all checks

RELEASE_CHECKS = (
    ReleaseCheck(
        "report_no_code_tokens",
        "No code in the visible text or text alternatives of any page: no snake_case token "
        "(ohne_hsa, 10_bis_unter_15), no code of the dbt seeds (VS, sgb2), no bare school-type "
        "key (02, 10) in a breakdown column. Download file names (.csv/.xlsx/.pdf) are allowed.",
        "Bericht: keine Codes im sichtbaren Text",
        check_code_tokens,
    ),
    ReleaseCheck(
        "report_figures_captioned",
        "Every figure has a caption (figcaption) and a text alternative; every image has alt text.",
        "Bericht: jede Abbildung mit Bildunterschrift und Alternativtext",
        check_figures,
    ),
    ReleaseCheck(
        "report_links_resolve",
        "Every internal link and #anchor of every page resolves inside the site.",
        "Bericht: alle internen Links und Anker führen zum Ziel",
        check_links,
    ),
    ReleaseCheck(
        "report_key_figures_match",
        "Every key figure on the start page (local value, change to the previous year, NRW, "
        "comparison-city median) equals the published value of the run's warehouse, rounded "
        "as displayed.",
        "Bericht: Kennzahlen der Startseite gleich den veröffentlichten Werten",
        check_key_figures,
    ),
    ReleaseCheck(
        "report_no_outside_resources",
        "Nothing a page loads comes from another host (src, stylesheets, icons, CSS url() and "
        "@import, script URLs, SVG references); links a reader clicks (<a href>) may leave.",
        "Bericht: nichts wird von außerhalb geladen",
        check_outside_resources,
    ),
    ReleaseCheck(
        "report_no_inline_handlers",
        "No code hides in attributes: no inline event handler (onclick …), no javascript: "
        "URL; JSON-LD parses and names schema.org.",
        "Bericht: keine Inline-Handler, gültiges JSON-LD",
        check_scripts,
    ),
)


def run_release_checks(
    site_dir: Path, con: duckdb.DuckDBPyConnection | None
) -> dict[str, list[Finding]]:
    """The findings of every release check on a rendered site (empty lists: passed)."""
    site = Site(site_dir)
    return {check.name: check.run(site, con) for check in RELEASE_CHECKS}
