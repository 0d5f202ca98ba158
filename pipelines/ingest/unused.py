"""Files that are recognised but not loaded: one line each saying what they are and why.

A working group collects downloads in one folder; beside the tables the indicators use it
will hold other GENESIS tables, API responses, recordings of API calls, code lists and
geometry. Each of those gets one line — file name, what it was recognised as, why it is not
loaded — instead of "not recognised".

The rule (documented in the README):

- **unused** (a :class:`~pipelines.ingest.errors.Problem` with ``blocking=False``): the file
  is readable and recognised, but no indicator uses it — a GENESIS table the registry does
  not list, an API response without data, a code list, geometry in the inbox. ``refresh``
  lists it and goes on; ``validate`` prints ``NICHT VERWENDET`` and its exit status stays 0
  for it (it predicts what ``refresh`` does).
- **unusable** (blocking): unreadable, unrecognised, or a used table that breaks its
  layout or checks. ``validate`` exits 1; ``refresh`` refuses the run before loading anything.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipelines.ingest.errors import IngestError, Problem
from pipelines.ingest.tidy import ParsedFile

SOURCE = "inbox"
_HEAD_BYTES = 64 * 1024


def unused(path: Path, reason: str) -> IngestError:
    """The error that says ``path`` is recognised but not loaded (not blocking)."""
    return IngestError(Problem(SOURCE, Path(path).name, reason, blocking=False))


def used_tables() -> list[str]:
    """The GENESIS table codes the indicators use, for the unused-table line."""
    from pipelines.ingest.genesis_tables import TABLES

    return sorted(TABLES)


def check_used(parsed: ParsedFile, path: Path) -> None:
    """Raise the unused error for a parsed table no raw table takes (a generic GENESIS table)."""
    if parsed.source != "itnrw" or not parsed.table.startswith("genesis_"):
        return
    titles = [n.split(":", 1)[1].strip() for n in parsed.notes if n.startswith(("Titel:",))]
    statistics = [n.split(":", 1)[1].strip() for n in parsed.notes if n.startswith("Statistik:")]
    title = (titles or statistics or ["ohne Titel"])[0].rstrip(",;- ")
    raise unused(
        path,
        f"GENESIS-Tabelle {parsed.table_code} ({title}) wird von keinem Indikator verwendet; "
        f"verwendet werden: {', '.join(used_tables())}",
    )


def _head(path: Path) -> str:
    with Path(path).open("rb") as handle:
        data = handle.read(_HEAD_BYTES)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _json(path: Path) -> object | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (ValueError, OSError):
        return None


def _from_json(path: Path, data: object) -> str | None:
    if not isinstance(data, dict):
        return None
    if data.get("type") == "FeatureCollection":
        count = len(data.get("features") or [])
        return (
            f"Geometrie (GeoJSON, {count} Flächen), keine Tabelle: Karten-Geometrie gehört "
            "nach data/geo/, nicht zu den Lieferungen"
        )
    status = data.get("Status")
    if isinstance(status, dict) and "Ident" in data:
        ident = data["Ident"]
        what = f"{ident.get('Service', '?')}/{ident.get('Method', '?')}"
        content = " ".join(str(status.get("Content", "")).split())
        if len(content) > 90:
            content = content[:87] + "…"
        return (
            f"Antwort der GENESIS-Webschnittstelle ({what}, Status {status.get('Code')}: "
            f"{content}), keine Tabelle: die Tabelle selbst als CSV (ffcsv) abrufen"
        )
    if isinstance(data.get("daten"), list) and "version" in data:
        return (
            f"SVWS-Schlüsselkatalog {Path(path).stem} (Version {data['version']}): liefert "
            "Bezeichnungen für Codes (pipelines.ingest.codelists), keine Daten"
        )
    meta = data.get("meta")
    if isinstance(meta, dict) and "quelle" in meta:
        return (
            f"Auszug eines anderen Projekts aus {meta.get('quelle', '?')[:60]}…: keine "
            "Lieferung des Herausgebers; die Originaldateien liefern"
        )
    return None


_TEXT_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\A\s*interactions:\s*\n- request:", re.M),
        "Aufzeichnung von HTTP-Abrufen (VCR-Kassette, YAML) für Tests, keine Lieferung",
    ),
    (
        re.compile(r"<(?:xs|xsd):schema\b"),
        "XML-Schema (XSD), beschreibt ein Format, enthält keine Daten",
    ),
    (
        re.compile(r"\A(?:\*[^\n]*\n)?K;DQ;", re.M),
        "GENESIS-Datenquader (Cubefile), dieses Format wird nicht gelesen: die Tabelle als "
        "CSV (ffcsv oder Tabellen-CSV) herunterladen",
    ),
    (
        re.compile(r"\ASF;Art;Beschreibung;KZ_Bereich;"),
        "SVWS-Statistikkatalog Abgangsarten: liefert Bezeichnungen (pipelines.ingest.codelists), "
        "keine Daten",
    ),
    (
        re.compile(r"\ASchulNr;RegSchl;KoRe;KoHo;ABez1;"),
        "SVWS-Schulverzeichnis (Schulen.csv): nicht geladen, das Schulverzeichnis kommt aus "
        "der MSB-Datei schuldaten.csv",
    ),
    (
        re.compile(r'\A"Land";"[^"]*"\s*\n"Kreis";', re.M),
        "Pendleratlas der Bundesagentur für Arbeit: wird von keinem Indikator verwendet",
    ),
)


def explain(path: Path) -> str | None:
    """What a file no parser takes is, and why it is not loaded; ``None`` if unknown."""
    path = Path(path)
    try:
        head = _head(path)
    except OSError:
        return None
    stripped = head.lstrip()
    if stripped.startswith(("{", "[")):
        data = _json(path)
        return _from_json(path, data) if data is not None else None
    for pattern, reason in _TEXT_KINDS:
        if pattern.search(head):
            return reason
    return None
