"""What changed between two published editions of the report, from their CSV downloads.

Every indicator page offers exactly its published rows as ``indikatoren/<id>.csv``; comparing
those files of two editions is what a reader comparing the two websites would see: indicators
added or removed, values changed (the same indicator, region, period and breakdown with a
different value or symbol — statistical offices revise figures, disclosure control may hide
one it published before), and new or dropped rows (a new school year, say).

A changed figure of a period that a source delivered again with other figures since the
previous edition (a revision recorded by the raw layer, ``pipelines.ingest.revisions``) is listed as
"revidiert", so readers can tell the source's revision from the report's own corrections.
A suppressed cell never is: that its hidden value changed is itself something to protect.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from pipelines.ingest.revisions import KEY_COLUMNS
from quality.sdc.downloads import read_download

log = logging.getLogger(__name__)

DATA_GLOB = "indikatoren/*.csv"
TOTAL = "insgesamt"
RELEASE_MARKER = "_release.json"

Row = tuple[str, str]  # (value as written, symbol)


@dataclass(frozen=True)
class Revision:
    """One published figure whose value or symbol differs from the previous edition;
    ``source_revised``: because its source delivered the period again with other figures."""

    indicator_id: str
    region: str
    period: str
    breakdown: str
    before: str
    after: str
    source_revised: bool = False


@dataclass(frozen=True)
class Changelog:
    """The differences between an edition and the one before it."""

    edition: str
    previous: str | None
    indicators: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    revised: tuple[Revision, ...] = ()
    new_rows: Mapping[str, int] = field(default_factory=dict)
    dropped_rows: Mapping[str, int] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (
            self.added or self.removed or self.revised or self.new_rows or self.dropped_rows
        )

    def summary(self) -> list[str]:
        """Short German lines for the command line."""
        if self.previous is None:
            return [f"Erste Ausgabe: {self.indicators} Kennzahlen veröffentlicht."]
        lines = [f"Änderungen gegenüber der Ausgabe {self.previous}:"]
        if self.unchanged:
            return [*lines, "  keine – alle veröffentlichten Werte sind gleich geblieben."]
        if self.added:
            lines.append(f"  neue Kennzahlen ({len(self.added)}): {', '.join(self.added)}")
        if self.removed:
            lines.append(
                f"  entfallene Kennzahlen ({len(self.removed)}): {', '.join(self.removed)}"
            )
        revised = [r for r in self.revised if r.source_revised]
        if revised:
            per = _count_by(r.indicator_id for r in revised)
            lines.append(
                f"  revidierte Werte (neue Lieferung der Quelle): {len(revised)} ({_listing(per)})"
            )
        corrected = [r for r in self.revised if not r.source_revised]
        if corrected:
            per = _count_by(r.indicator_id for r in corrected)
            lines.append(f"  korrigierte Werte: {len(corrected)} ({_listing(per)})")
        if self.new_rows:
            lines.append(f"  neue Werte: {sum(self.new_rows.values())} ({_listing(self.new_rows)})")
        if self.dropped_rows:
            total = sum(self.dropped_rows.values())
            lines.append(f"  entfallene Werte: {total} ({_listing(self.dropped_rows)})")
        return lines

    def to_markdown(self) -> str:
        """The change log as a page for the web root (``aenderungen.md``)."""
        out = [f"# Änderungen der Ausgabe {self.edition}", ""]
        if self.previous is None:
            out += [f"Erste Ausgabe: {self.indicators} Kennzahlen veröffentlicht.", ""]
            return "\n".join(out)
        out += [f"Verglichen mit der vorigen Ausgabe {self.previous}.", ""]
        if self.unchanged:
            out += ["Keine Änderungen: alle veröffentlichten Werte sind gleich geblieben.", ""]
        for title, ids in (
            ("Neue Kennzahlen", self.added),
            ("Entfallene Kennzahlen", self.removed),
        ):
            if ids:
                out += [f"## {title}", "", *(f"- {self._name(i)}" for i in ids), ""]
        revised = [r for r in self.revised if r.source_revised]
        if revised:
            out += ["## Revidierte Werte", "",
                    "Die Quelle hat diese Zeiträume mit geänderten Zahlen neu geliefert "
                    "(revidiert).", ""]  # fmt: skip
            out += _revision_table(revised, "revidiert")
        corrected = [r for r in self.revised if not r.source_revised]
        if corrected:
            out += ["## Korrigierte Werte", ""]
            out += _revision_table(corrected)
        for title, counts in (
            ("Neue Werte", self.new_rows),
            ("Entfallene Werte", self.dropped_rows),
        ):
            if counts:
                out += [f"## {title}", "", *(f"- {self._name(i)}: {n}" for i, n in counts.items())]
                out.append("")
        return "\n".join(out)

    def to_json(self) -> str:
        data = asdict(self)
        data["revised"] = [asdict(r) for r in self.revised]
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Changelog:
        data = json.loads(text)
        data["revised"] = tuple(Revision(**r) for r in data["revised"])
        data["added"], data["removed"] = tuple(data["added"]), tuple(data["removed"])
        return cls(**data)

    def _name(self, indicator_id: str) -> str:
        name = self.names.get(indicator_id)
        return f"{name} (`{indicator_id}`)" if name else f"`{indicator_id}`"


def _revision_table(revisions: list[Revision], note: str = "") -> list[str]:
    head = "| Kennzahl | Region | Zeitraum | Aufgliederung | bisher | neu |"
    rule = "|---|---|---|---|---:|---:|"
    if note:
        head, rule = head + " Grund |", rule + "---|"
    rows = [
        f"| {r.indicator_id} | {r.region} | {r.period} | {r.breakdown} | {r.before} "
        f"| {r.after} |" + (f" {note} |" if note else "")
        for r in revisions
    ]
    return [head, rule, *rows, ""]


def _count_by(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def _listing(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key}: {n}" for key, n in counts.items())


def read_published(site: Path) -> tuple[dict[str, dict[tuple[str, ...], Row]], dict[str, str]]:
    """The published rows of a site by indicator, and the indicators' names."""
    data: dict[str, dict[tuple[str, ...], Row]] = {}
    names: dict[str, str] = {}
    for path in sorted(site.glob(DATA_GLOB)):
        rows = read_download(path)  # German headers and labels back to columns and codes
        data[path.stem] = {
            tuple(row.get(c, TOTAL) for c in KEY_COLUMNS): (
                row.get("value", ""),
                row.get("symbol", ""),
            )
            for row in rows
        }
        if rows and rows[0].get("indicator_name"):
            names[path.stem] = rows[0]["indicator_name"]
    return data, names


def _same(before: Row, after: Row) -> bool:
    """The same figure as a reader sees it: compared at the coarser of the two precisions
    written (an edition written at full precision, ``8,0555…``, and one rounded as the pages
    show it, ``8,1``, agree)."""
    if before[1] != after[1]:
        return False
    try:
        old, new = (Decimal(v.replace(",", ".")) if v else None for v in (before[0], after[0]))
    except InvalidOperation:
        return before[0] == after[0]
    if old is None or new is None or old.is_nan() or new.is_nan():
        return (old is None or old.is_nan()) and (new is None or new.is_nan())
    places = Decimal(1).scaleb(max(old.as_tuple().exponent, new.as_tuple().exponent, -9))
    return old.quantize(places, ROUND_HALF_UP) == new.quantize(places, ROUND_HALF_UP)


def _shown(row: Row) -> str:
    value, symbol = row
    return " ".join(p for p in (value, symbol) if p) or "–"


SUPPRESSED = "."
CHANGED = "geändert"
"""A revision that involves a suppressed cell names no value on either side: "6,12 → ."
would tell what the protected cell was."""


def revised_since(previous: Path, warehouse: Path | None = None) -> set[tuple[str, ...]]:
    """The figures (indicator id and :data:`KEY_COLUMNS`) of periods a source revised after
    the edition ``previous`` was released, from the live warehouse (the one the site being
    published was built with); none when it cannot be read."""
    import duckdb

    from pipelines import paths
    from pipelines.ingest.revisions import revised_cells

    warehouse = warehouse or paths.warehouse_path()
    if not warehouse.exists():
        return set()
    marker = previous / RELEASE_MARKER
    since = json.loads(marker.read_text("utf-8")).get("released_at") if marker.is_file() else None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return revised_cells(con, since)
    except duckdb.Error as error:
        log.warning("Revisionen nicht lesbar (%s): geänderte Werte gelten als korrigiert", error)
        return set()


def compare_sites(
    new: Path,
    old: Path | None,
    *,
    edition: str,
    previous: str | None,
    revised: Collection[tuple[str, ...]] | None = None,
) -> Changelog:
    """The change log of ``new`` against ``old`` (None: a first edition).

    ``revised``: the figures of periods their source revised since ``old`` (indicator id and
    :data:`KEY_COLUMNS`); default: :func:`revised_since` ``old``.
    """
    now, names = read_published(new)
    if old is None:
        return Changelog(edition=edition, previous=None, indicators=len(now), names=names)
    revised = set(revised_since(old) if revised is None else revised)
    before, old_names = read_published(old)
    names = {**old_names, **names}
    changed: list[Revision] = []
    new_rows: dict[str, int] = {}
    dropped: dict[str, int] = {}
    for indicator in sorted(set(now) & set(before)):
        a, b = before[indicator], now[indicator]
        for key in sorted(set(a) & set(b)):
            if not _same(a[key], b[key]):
                region, period, *breakdown = key
                parts = [p for p in breakdown if p and p != TOTAL]
                before_text, after_text = _shown(a[key]), _shown(b[key])
                suppressed = SUPPRESSED in (a[key][1], b[key][1])
                if suppressed:
                    before_text = after_text = CHANGED
                changed.append(
                    Revision(indicator, region, period, ", ".join(parts) or TOTAL,
                             before_text, after_text,
                             source_revised=not suppressed and (indicator, *key) in revised)
                )  # fmt: skip
        if added := len(set(b) - set(a)):
            new_rows[indicator] = added
        if gone := len(set(a) - set(b)):
            dropped[indicator] = gone
    return Changelog(
        edition=edition,
        previous=previous,
        indicators=len(now),
        added=tuple(sorted(set(now) - set(before))),
        removed=tuple(sorted(set(before) - set(now))),
        revised=tuple(changed),
        new_rows=new_rows,
        dropped_rows=dropped,
        names=names,
    )
