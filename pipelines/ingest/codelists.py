"""Official NRW code lists (SVWS-Server key catalogues) → the labels the report uses.

The school administration software of the state (SVWS-Server, MSB NRW / IT.NRW, BSD-3-Clause)
ships the statistics key catalogues: ``Schulform.json`` (Schulform keys as in the school
register: ``02`` Grundschule, ``20`` Gymnasium, …), ``SchulabschlussAllgemeinbildend.json``
(certificates, letter keys, renamed from 2022) and ``Statkue_Abgangsart.csv`` (leaving
certificates per Schulform). :func:`read_catalogues` reads the three into ``(code, label,
order)`` rows; the project keeps only the facts it derives from them (code → name, validity)
in seeds, never the files: ``dbt_project/seeds/svws_schulformen.csv`` is written by
``--write-seed`` and compared by the tests, and its SVWS version is noted in ``_seeds.yml``.

``python -m pipelines.ingest.codelists --svws DIR --check dbt_project/seeds/schulformen.csv`` lists
where the project's own Schulform seed differs from the catalogue (exit status 1 if it does).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

SCHULFORM = "Schulform.json"
ABSCHLUSS = "SchulabschlussAllgemeinbildend.json"
ABGANGSART = "Statkue_Abgangsart.csv"
SVWS_PATHS = {
    SCHULFORM: "svws-asd/src/main/resources/de/svws_nrw/asd/types/schule/Schulform.json",
    ABSCHLUSS: "svws-asd/src/main/resources/de/svws_nrw/asd/types/schule/"
    "SchulabschlussAllgemeinbildend.json",
    ABGANGSART: "svws-db/src/main/resources/daten/csv/statkue/Statkue_Abgangsart.csv",
}
"""Where each catalogue lives in the SVWS-Server repository."""
SEED_COLUMNS = ("code", "kuerzel", "text", "gueltig_von", "gueltig_bis")


@dataclass(frozen=True)
class Code:
    """One entry of a catalogue: ``katalog`` (schulform, abschluss, abgangsart), the key, its
    short form, the German label, the sort order, and the school years (start year) in which it
    applies (``None``: open)."""

    katalog: str
    code: str
    kuerzel: str
    text: str
    order: int
    gueltig_von: int | None = None
    gueltig_bis: int | None = None


def _year(value: object) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    return int(str(value).strip())


def _json_catalogue(path: Path, katalog: str) -> list[Code]:
    data = json.loads(path.read_text(encoding="utf-8"))
    codes = []
    for entry in data["daten"]:
        order = int(entry["idStatistik"])
        for item in entry["historie"]:
            codes.append(
                Code(
                    katalog,
                    str(item["schluessel"]),
                    str(item["kuerzel"]),
                    str(item["text"]).strip(),
                    order,
                    _year(item.get("gueltigVon")),
                    _year(item.get("gueltigBis")),
                )
            )
    return codes


def _abgangsarten(path: Path) -> list[Code]:
    """One row per Schulform, Art and wording (the file repeats them per Bereich and grade);
    ``code`` is ``<Schulform-Kürzel>/<Art>``, ``order`` the first line it appears on."""
    seen: dict[tuple, Code] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            key = (row["SF"], row["Art"], row["Beschreibung"].strip(), row["gueltigVon"],
                   row["gueltigBis"])  # fmt: skip
            if key not in seen:
                seen[key] = Code(
                    "abgangsart",
                    f"{row['SF']}/{row['Art']}",
                    row["Art"],
                    row["Beschreibung"].strip(),
                    line,
                    _year(row["gueltigVon"]),
                    _year(row["gueltigBis"]),
                )
    return list(seen.values())


def read_catalogues(svws_dir: Path) -> list[Code]:
    """All entries of the three catalogues in ``svws_dir``, each catalogue in its own order."""
    svws_dir = Path(svws_dir)
    missing = [name for name in SVWS_PATHS if not (svws_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(f"SVWS catalogues missing in {svws_dir}: {', '.join(missing)}")
    rows = _json_catalogue(svws_dir / SCHULFORM, "schulform")
    rows += _json_catalogue(svws_dir / ABSCHLUSS, "abschluss")
    rows += _abgangsarten(svws_dir / ABGANGSART)
    return sorted(rows, key=lambda c: ({"schulform": 0, "abschluss": 1}.get(c.katalog, 2),
                                       c.order, c.gueltig_von or 0))  # fmt: skip


def labels(svws_dir: Path, katalog: str) -> list[tuple[str, str, int]]:
    """``(code, German label, order)`` of one catalogue (the label valid last, per code)."""
    latest: dict[str, Code] = {}
    for code in read_catalogues(svws_dir):
        if code.katalog == katalog:
            latest[code.code] = code  # ordered by validity: the last one is current
    return [(c.code, c.text, c.order) for c in sorted(latest.values(), key=lambda c: c.order)]


def schulform_seed(svws_dir: Path) -> str:
    """The text of ``svws_schulformen.csv``: one row per Schulform key, ordered by key."""
    rows = sorted(
        (c for c in read_catalogues(svws_dir) if c.katalog == "schulform"),
        key=lambda c: (c.code, c.gueltig_von or 0),
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for c in rows:
        writer.writerow([c.code, c.kuerzel, c.text, c.gueltig_von or "", c.gueltig_bis or ""])
    return out.getvalue()


def svws_version(svws_dir: Path) -> str | None:
    """The SVWS-Server commit the catalogues were taken from, if a PROVENANCE.md records it."""
    provenance = Path(svws_dir) / "PROVENANCE.md"
    if not provenance.is_file():
        return None
    found = re.search(r"snapshot HEAD ([0-9a-f]{40})", provenance.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def check_schulformen(svws_dir: Path, seed: Path) -> list[str]:
    """Where the project's Schulform seed (``schulform``, ``kuerzel``, ``name_de``) differs from
    the SVWS catalogue: one German line per difference."""
    official = {c.code: c for c in read_catalogues(svws_dir) if c.katalog == "schulform"}
    with Path(seed).open(encoding="utf-8", newline="") as handle:
        ours = {row["schulform"]: row for row in csv.DictReader(handle)}
    lines = []
    for code, row in ours.items():
        entry = official.get(code)
        if entry is None:
            lines.append(f"{code}: nicht im SVWS-Katalog ({row.get('name_de', '')!r})")
            continue
        if row.get("kuerzel", "") != entry.kuerzel:
            lines.append(f"{code}: Kürzel {row.get('kuerzel')!r}, SVWS {entry.kuerzel!r}")
        if row.get("name_de", "") != entry.text:
            lines.append(f"{code}: Bezeichnung {row.get('name_de')!r}, SVWS {entry.text!r}")
    for code in sorted(set(official) - set(ours)):
        lines.append(f"{code}: im SVWS-Katalog ({official[code].text!r}), fehlt im Seed")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines.ingest.codelists", description=__doc__
    )
    parser.add_argument("--svws", type=Path, required=True, help="folder with the catalogues")
    parser.add_argument("--check", type=Path, help="Schulform seed to compare (schulformen.csv)")
    parser.add_argument("--write-seed", type=Path, help="write svws_schulformen.csv here")
    args = parser.parse_args(argv)
    status = 0
    if args.write_seed:
        args.write_seed.write_text(schulform_seed(args.svws), encoding="utf-8")
        print(f"geschrieben: {args.write_seed} (SVWS-Server {svws_version(args.svws) or '?'})")
    if args.check:
        differences = check_schulformen(args.svws, args.check)
        for line in differences:
            print(line)
        print(f"{len(differences)} Unterschied(e) zwischen {args.check} und dem SVWS-Katalog")
        status = 1 if differences else 0
    if not args.write_seed and not args.check:
        for code in read_catalogues(args.svws):
            print(f"{code.katalog};{code.code};{code.text};{code.order}")
    return status


if __name__ == "__main__":
    sys.exit(main())
