"""The working group's quality page: every check of the last run, with the rows behind it.

Why a separate page: the public report shows only published figures; the Arbeitskreis
Bildungsmonitoring needs to see which checks passed, which warned and which failed, and the rows
behind each warning, to decide whether a source must be corrected, and which deliveries revised
figures already loaded (``pipelines.ingest.revisions``): new figures for an old period are accepted,
but someone must be able to see them. The page is plain HTML with inline CSS (no scripts, no
CDN), written beside the public site, not inside it, and marked ``noindex``. It reads only
``quality.check_results`` and ``raw._revisions``, so it can be written for the last good
warehouse and for a failed run's staging copy alike.

Usage: ``python -m quality.quality_report <warehouse.duckdb> <out_dir> [--run-id ID]``.
"""

from __future__ import annotations

import argparse
import html
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.ingest.revisions import REPLACED, DeliveryRevision, load_revisions
from pipelines.ingest.supersede import german_date
from pipelines.report.release_checks import RELEASE_CHECKS
from quality.check_results import MAX_ROWS, load_check_results
from quality.outcome import german_number

CHECK_LABELS = {
    "pandera_schema": "Schema und Summen der Rohdaten (pandera)",
    "completeness": "Vollständigkeit gegenüber dem Indikatorenkatalog",
    "value_ranges": "Wertebereiche je Einheit",
    "yoy_plausibility": "Plausibilität der Veränderung zum Vorjahr",
    "leavers_cross_source": "Abgänge: Schulverwaltung und IT.NRW",
    "schulformwechsel_consistency": "Schulformwechsel: Matrix und Tabelle nach Jahrgang",
    "no_small_counts_or_narrow_intervals": "Geheimhaltung der veröffentlichten Tabellen",
    "downloads_disclosure_audit": "Geheimhaltung der Downloads (CSV) des Berichts",
    **{check.name: check.label for check in RELEASE_CHECKS},
}
FAILED, WARNED, PASSED = "nicht bestanden", "Warnung", "bestanden"
STATUS_ORDER = {FAILED: 0, WARNED: 1, PASSED: 2}
STATUS_COUNT_LABELS = {FAILED: "nicht bestanden", WARNED: "mit Warnung", PASSED: "bestanden"}
STATUS_CLASSES = {FAILED: "fehler", WARNED: "warnung", PASSED: "bestanden"}
SEVERITY_LABELS = {"ERROR": "blockierend", "WARN": "Warnung"}
"""What a check does when it fails: stop the run before the release, or only warn. Shown for
every check, also a passed one, so that it never reads like a result."""
OVERVIEW_CHARS = 300
"""The overview shows the start of each finding; the full text is in the check's section."""
EARLIER_REVISIONS = 20
"""Revisions of earlier runs shown below this run's: the recent history, not all of it."""
CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222;
       padding: 0 1rem; line-height: 1.4; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.hinweis { background: #fff6d6; border-left: 4px solid #e0b000; padding: 0.5rem 1rem; }
.status { font-weight: bold; white-space: nowrap; }
.breit { overflow-x: auto; }
.fehler { color: #b00020; } .warnung { color: #9a6700; } .bestanden { color: #1a7f37; }
"""


def status_of(passed: bool, severity: str) -> str:
    """The result of a check: passed, failed (blocking) or a warning."""
    if passed:
        return PASSED
    return WARNED if severity == "WARN" else FAILED


def severity_label(severity: str) -> str:
    """What failing means for a check (``ERROR`` → blockierend), never its result."""
    return SEVERITY_LABELS.get(severity, severity)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{'ja' if value else 'nein'}</td>"
    if isinstance(value, int | float):
        digits = 0 if float(value).is_integer() else 2
        return f'<td class="num">{german_number(float(value), digits)}</td>'
    return f"<td>{_e(value)}</td>"


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return (
        f'<div class="breit"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _shorten(text: str) -> str:
    return text if len(text) <= OVERVIEW_CHARS else text[: OVERVIEW_CHARS - 1].rstrip() + "…"


def _anchor(index: int) -> str:
    return f"pruefung-{index}"


def _delivery(name: str, published_at: str | None) -> str:
    return f"{name} (Stand {german_date(published_at)})" if published_at else name


def _revision_table(revisions: list[DeliveryRevision]) -> str:
    return _table(
        ["Tabelle", "Art", "Zeitraum", "bisherige Lieferung", "neue Lieferung", "Summe bisher",
         "Summe neu", "Zeilen bisher", "Zeilen neu", "geänderte Zeilen", "Lauf"],
        (
            [
                f"raw.{r.source}__{r.table_name}",
                r.kind,
                f"{r.old_period} → {r.period}" if r.kind == REPLACED else r.period,
                _delivery(r.old_file, r.old_published_at),
                _delivery(r.new_file, r.new_published_at),
                r.old_total,
                r.new_total,
                r.old_rows,
                r.new_rows,
                r.rows_changed,
                r.run_id,
            ]
            for r in revisions
        ),
    )  # fmt: skip


def render_revisions(run_id: str | None, revisions: list[DeliveryRevision]) -> str:
    """The section on revised deliveries: this run's, then the latest of earlier runs."""
    mine = [r for r in revisions if r.run_id == run_id]
    earlier = [r for r in revisions if r.run_id != run_id][:EARLIER_REVISIONS]
    parts = [
        '<h2 id="revisionen">Revisionen gelieferter Zahlen</h2>',
        "<p>Eine Lieferung, die Zahlen eines schon geladenen Zeitraums ändert, wird übernommen "
        "und hier genannt (<code>revidiert</code>); ein neues Schulverzeichnis ersetzt das "
        "bisherige (<code>ersetzt</code>). Summen über alle Zeilen des Zeitraums.</p>",
    ]
    if mine:
        parts.append(f"<p>In diesem Lauf: {len(mine)}.</p>")
        parts.append(_revision_table(mine))
    else:
        parts.append("<p>In diesem Lauf keine.</p>")
    if earlier:
        parts.append(f"<h3>Frühere Läufe (die letzten {len(earlier)})</h3>")
        parts.append(_revision_table(earlier))
    return "\n".join(parts)


def render_quality_page(
    run_id: str | None,
    results: pd.DataFrame,
    revisions: list[DeliveryRevision] | None = None,
) -> str:
    """The page's HTML for the results of one run (``load_check_results``) and the revisions
    recorded so far (``pipelines.ingest.revisions.load_revisions``)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Qualitätsbericht – Bildungsmonitor</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Qualitätsbericht des letzten Laufs</h1>",
        '<p class="hinweis">Intern: für den Arbeitskreis Bildungsmonitoring, nicht zur '
        "Veröffentlichung. Die Zeilen unten können kleine Fallzahlen enthalten.</p>",
    ]
    if results.empty:
        parts.append("<p>Für diesen Lauf sind keine Prüfergebnisse gespeichert.</p>")
        if revisions:
            parts.append(render_revisions(run_id, revisions))
        parts.append("</body></html>")
        return "\n".join(parts)
    results = results.copy()
    results["status"] = [
        status_of(bool(p), str(s))
        for p, s in zip(results["passed"], results["severity"], strict=True)
    ]
    results["order"] = results["status"].map(STATUS_ORDER)
    results = results.sort_values(["order", "asset_key", "check_name"], kind="stable")
    results = results.reset_index(drop=True)
    counts = results["status"].value_counts()
    checked_at = pd.Timestamp(results["checked_at"].max()).strftime("%d.%m.%Y %H:%M UTC")
    parts.append(
        f"<p>Lauf <code>{_e(run_id)}</code>, geprüft am {checked_at}: "
        f"{len(results)} Prüfungen, "
        + ", ".join(
            f'<span class="status {STATUS_CLASSES[s]}">{counts.get(s, 0)} '
            f"{STATUS_COUNT_LABELS[s]}</span>"
            for s in STATUS_ORDER
        )
        + ".</p>"
    )
    revised = sum(1 for r in revisions or [] if r.run_id == run_id)
    if revised:
        parts.append(
            f'<p class="hinweis">Dieser Lauf hat <a href="#revisionen">{revised} '
            f"{'Revision' if revised == 1 else 'Revisionen'} gelieferter Zahlen</a> "
            "übernommen.</p>"
        )
    parts.append("<h2>Übersicht</h2>")
    overview = []
    for i, r in results.iterrows():
        label = CHECK_LABELS.get(r["check_name"], r["check_name"])
        link = f'<a href="#{_anchor(i)}">{_e(label)}</a>' if not r["passed"] else _e(label)
        overview.append(
            "<tr>"
            f'<td class="status {STATUS_CLASSES[r["status"]]}">{_e(r["status"])}</td>'
            f"<td>{link}<br><small><code>{_e(r['check_name'])}</code></small></td>"
            f"<td><code>{_e(r['asset_key'])}</code></td>"
            f"<td>{_e(severity_label(r['severity']))}</td>"
            f'<td class="num">{int(r["n_failures"])}</td>'
            f"<td>{_e(_shorten(r['details'].get('summary', '')))}</td>"
            "</tr>"
        )
    parts.append(
        "<table><thead><tr><th>Status</th><th>Prüfung</th><th>Asset</th>"
        "<th>Schwere bei Fehlschlag</th>"
        "<th>Abweichungen</th><th>Befund</th></tr></thead><tbody>"
        + "".join(overview)
        + "</tbody></table>"
    )
    if revisions:
        parts.append(render_revisions(run_id, revisions))
    flagged = results[~results["passed"]]
    if not flagged.empty:
        parts.append("<h2>Zeilen hinter Fehlern und Warnungen</h2>")
    for i, r in flagged.iterrows():
        details = r["details"]
        label = CHECK_LABELS.get(r["check_name"], r["check_name"])
        parts.append(
            f'<h3 id="{_anchor(i)}"><span class="status {STATUS_CLASSES[r["status"]]}">'
            f"{_e(r['status'])}</span>: "
            f"{_e(label)} <small><code>{_e(r['asset_key'])}</code></small></h3>"
        )
        parts.append(f"<p>{_e(details.get('summary', ''))}</p>")
        rows = details.get("rows") or []
        if rows:
            columns = list(dict.fromkeys(k for row in rows for k in row))
            parts.append(_table(columns, ([row.get(c) for c in columns] for row in rows)))
            total = int(details.get("rows_total", len(rows)))
            if total > len(rows):
                parts.append(
                    f"<p>Gezeigt: {len(rows)} von {total} Zeilen (höchstens {MAX_ROWS}).</p>"
                )
        metadata = details.get("metadata") or {}
        if metadata:
            parts.append(_table(["Kennzahl", "Wert"], metadata.items()))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_quality_report(
    warehouse_path: str | Path, out_dir: str | Path, run_id: str | None = None
) -> Path:
    """Write ``<out_dir>/index.html`` for ``run_id`` (default: the last run with results)."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        run_id, results = load_check_results(con, run_id)
        revisions = load_revisions(con)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(render_quality_page(run_id, results, revisions), encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Qualitätsbericht aus quality.check_results")
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--run-id")
    args = parser.parse_args(argv)
    print(write_quality_report(args.warehouse, args.out_dir, args.run_id))


if __name__ == "__main__":
    main()
