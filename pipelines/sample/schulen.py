"""Write the school administration's sample files and the deliberately messy variants.

Delivery shape: one file per template and school year, city-wide (all schools). Schools return
their figures once a year after the 15 October reference date (absence, leavers and changes
after the school year ends); the school department merges the returns into one file per
template and year. A file per year is what a correction replaces, and what the pipeline can
ingest incrementally. The school register is one file with a "Stand" date.

Formats follow the department's history: until 2018/19 Excel-saved CSV (Windows-1252, ``;``;
the SVWS export of Schulformwechsel in UTF-8 with BOM), from 2019/20 the XLSX templates.
2014/15 and 2015/16 were collected before template v1 and keep the older column names
(aliases) and ``-`` for zero. Bytes are identical on every run: fixed seed, fixed workbook
properties and fixed ZIP timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from pipelines.sample import schulen_tables as tables
from pipelines.sample.schulen_register import School, build_register, plz, school_years
from pipelines.sample.schulen_wechsel import schulformwechsel
from pipelines.sample.schulen_wegweiser import anmeldungen, guide_year, schulprofil

SUBDIR = "schulen"
STAND = dt.date(2024, 10, 15)
FIXED_TIME = dt.datetime(2025, 1, 1)
XLSX_FROM_YEAR = 2019
LEGACY_UNTIL_YEAR = 2015
NOTICE = "Synthetische Beispieldaten – fiktive Schulen, keine amtlichen Zahlen"
TEXT_COLUMNS = frozenset(
    {"schulnummer", "von_schulnummer", "nach_schulnummer", "schulform", "von_schulform",
     "nach_schulform", "schulform_ziel", "plz", "datensatz_id"}
)  # fmt: skip
"""Columns written as text cells, as the template asks (keeps leading zeros in Excel)."""

LEGACY_HEADERS: dict[str, dict[str, str]] = {
    "schueler": {
        "schulnummer": "Schul-Nr.", "jahrgang": "Jahrgangsstufe",
        "staatsangehoerigkeit": "Staatsangehörigkeit", "schueler": "Schüler/innen",
        "nichtdeutsche_familiensprache": "Familiensprache nicht Deutsch",
        "zuzug_ausland": "Zuzug aus dem Ausland", "foerderbedarf_lernen": "SPF Lernen",
        "foerderbedarf_sprache": "SPF Sprache",
        "foerderbedarf_emotionale_soziale_entwicklung": "SPF ESE",
        "foerderbedarf_sonstige": "SPF sonstige",
    },
    "schulformwechsel": {
        "datensatz_id": "Pseudonym", "von_schulnummer": "abgebende Schule",
        "nach_schulnummer": "aufnehmende Schule", "von_schulform": "bisherige Schulform",
        "nach_schulform": "neue Schulform", "jahrgang": "Jahrgangsstufe",
    },
    "wiederholer": {
        "schulnummer": "Schul-Nr.", "jahrgang": "Jahrgangsstufe",
        "wiederholer_nicht_versetzt": "nicht versetzt", "wiederholer_freiwillig": "freiwillig",
        "schueler": "Schüler im Jahrgang",
    },
    "fehlzeiten": {
        "schulnummer": "Schul-Nr.", "jahrgang": "Jahrgangsstufe",
        "stunden_entschuldigt": "Fehlstunden entschuldigt",
        "stunden_unentschuldigt": "Fehlstunden unentschuldigt", "schueler": "Schüler/innen",
        "schueler_ueber_schwellenwert": "mehr als 20 Std. unentschuldigt",
    },
    "abgaenger": {"schulnummer": "Schul-Nr.", "abschlussart": "Abschluss",
                  "abgaenger": "Abgänger/innen"},
    "uebergaenge": {"schulnummer": "Schul-Nr.", "schulform_ziel": "aufnehmende Schulform",
                    "schueler": "Übergänge"},
    "anmeldungen": {"schulnummer": "Schul-Nr.", "aufnahmekapazitaet": "Aufnahmekapazität",
                    "anmeldungen": "Anmeldungen Erstwunsch", "aufnahmen": "Aufnahmen"},
}  # fmt: skip
"""Column names of the surveys before template v1 (each is a documented alias)."""

COUNT_COLUMNS = frozenset(
    {
        "schueler", "nichtdeutsche_familiensprache", "zuzug_ausland", "foerderbedarf_lernen",
        "foerderbedarf_sprache", "foerderbedarf_emotionale_soziale_entwicklung",
        "foerderbedarf_sonstige", "wiederholer_nicht_versetzt", "wiederholer_freiwillig",
        "stunden_entschuldigt", "stunden_unentschuldigt", "schueler_ueber_schwellenwert",
        "abgaenger", "aufnahmekapazitaet", "anmeldungen", "aufnahmen",
    }
)  # fmt: skip

TITLES = {
    "schulen": "Schulstammdaten",
    "schueler": "Schülerinnen und Schüler (Stichtag 15.10.)",
    "schulformwechsel": "Schulformwechsel Sek. I (Einzeldatensätze, pseudonymisiert)",
    "wiederholer": "Wiederholerinnen und Wiederholer",
    "fehlzeiten": "Fehlzeiten",
    "abgaenger": "Abgängerinnen und Abgänger nach Abschluss",
    "uebergaenge": "Übergänge Grundschule - Sekundarstufe I",
    "anmeldungen": "Anmeldungen und Aufnahmekapazität",
    "schulprofil": "Schulprofil für die Schulwegweiser",
}


# --- the data ------------------------------------------------------------------------------


def sample_tables(register: tuple[School, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every template's rows for every sample year (canonical column names)."""
    register = register or build_register()
    pupils = tables.schueler(register)
    return {
        "schulen": register_frame(register),
        "schueler": pupils,
        "schulformwechsel": schulformwechsel(register),
        "wiederholer": tables.wiederholer(register, pupils),
        "fehlzeiten": tables.fehlzeiten(register, pupils),
        "abgaenger": tables.abgaenger(register, pupils),
        "uebergaenge": tables.uebergaenge(register, pupils),
        "anmeldungen": anmeldungen(register, pupils),
        "schulprofil": schulprofil(register, pupils),
    }


def register_frame(register: tuple[School, ...]) -> pd.DataFrame:
    """The school register as delivered (template ``schulen``)."""

    def year_label(year: int | None) -> str:
        return "" if year is None else f"{year}/{(year + 1) % 100:02d}"

    rows = [
        {
            "schulnummer": s.schulnummer,
            "name": s.name,
            "schulform": s.schulform,
            "stadtbezirk": s.stadtbezirk,
            "traeger": "privat" if s.privat else "oeffentlich",
            "strasse": s.strasse,
            "plz": plz(s),
            "ort": "Krefeld",
            "utm_ost": s.utm_ost,
            "utm_nord": s.utm_nord,
            "betrieb_ab": year_label(s.first_year),
            "betrieb_bis": year_label(s.last_year),
            "stand": STAND,
        }
        for s in sorted(register, key=lambda s: s.schulnummer)
    ]
    return pd.DataFrame(rows)


# --- writing -------------------------------------------------------------------------------


def write_sample(out_dir: Path) -> list[Path]:
    """Write ``out_dir/schulen/``: the register and one file per template and school year."""
    target = Path(out_dir) / SUBDIR
    target.mkdir(parents=True, exist_ok=True)
    data = sample_tables()
    written = [
        _write_xlsx(
            target / f"schulen_{STAND.isoformat()}.xlsx",
            f"{TITLES['schulen']}, Stand {STAND:%d.%m.%Y}",
            data["schulen"],
        )
    ]
    year, label = guide_year()  # the guides' profile: one file, for the coming school year
    written.append(_write_year(target, "schulprofil", year, label, data.pop("schulprofil")))
    for name, frame in data.items():
        if name == "schulen":
            continue
        for year, label in school_years():
            rows = frame[frame["schuljahr"] == label]
            written.append(_write_year(target, name, year, label, rows))
    return written


def _write_year(target: Path, name: str, year: int, label: str, rows: pd.DataFrame) -> Path:
    stem = f"{name}_{label.replace('/', '-')}"
    title = f"{TITLES[name]}, Schuljahr {label}"
    if year >= XLSX_FROM_YEAR:
        return _write_xlsx(target / f"{stem}.xlsx", title, rows)
    legacy = year <= LEGACY_UNTIL_YEAR
    header = [LEGACY_HEADERS[name].get(c, c) if legacy else c for c in rows.columns]
    encoding = "utf-8-sig" if name == "schulformwechsel" else "cp1252"
    return _write_csv(target / f"{stem}.csv", title, header, _csv_rows(rows, legacy), encoding)


def _csv_rows(frame: pd.DataFrame, dash_for_zero: bool = False) -> list[list[str]]:
    def cell(column: str, value: object) -> str:
        if dash_for_zero and column in COUNT_COLUMNS and value == 0:
            return "-"
        return "" if value is None or value == "" else str(value)

    return [
        [cell(c, v) for c, v in zip(frame.columns, values, strict=True)]
        for values in frame.itertuples(index=False)
    ]


def _write_csv(
    path: Path,
    title: str | None,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    encoding: str = "cp1252",
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if title is not None:
        writer.writerow([f"{title} – {NOTICE}"])
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _write_xlsx(path: Path, title: str, frame: pd.DataFrame, *, numeric_ids: bool = False) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Daten"
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append(
            [_xlsx_value(c, v, numeric_ids) for c, v in zip(frame.columns, values, strict=True)]
        )
    for index, column in enumerate(frame.columns, start=1):
        if column in TEXT_COLUMNS and not numeric_ids:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
        if column == "stand":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "DD.MM.YYYY"
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column) + 2)
    notes = workbook.create_sheet("Hinweise")
    for line in (NOTICE, title, "Vorlage: docs/templates/schulen_v1.md"):
        notes.append([line])
    save_workbook(workbook, path, title=f"{title} ({NOTICE})")
    return path


def _xlsx_value(column: str, value: object, numeric_ids: bool) -> object:
    if value is None or value == "":
        return None
    if numeric_ids and column in TEXT_COLUMNS and str(value).isdigit():
        return int(value)  # what Excel makes of an unformatted Schulnummer
    if hasattr(value, "item"):  # numpy scalar → Python
        return value.item()
    return value


def save_workbook(
    workbook: openpyxl.Workbook,
    path: Path,
    *,
    title: str,
    rewrite: Callable[[str, bytes], bytes] | None = None,
) -> None:
    """Save with fixed properties and ZIP timestamps, so the bytes never change.

    openpyxl stamps ``modified`` with the clock and every ZIP entry with the local time;
    both are rewritten here. ``rewrite(name, data)`` may change an entry on the way (the scale
    data splices pre-rendered rows into a sheet).
    """
    props = workbook.properties
    props.title, props.creator, props.lastModifiedBy = title, "Bildungsmonitor", "Bildungsmonitor"
    props.created = props.modified = FIXED_TIME
    raw = io.BytesIO()
    workbook.save(raw)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp + rb"\g<2>",
                    data,
                )
            if rewrite is not None:
                data = rewrite(info.filename, data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, data)
    path.write_bytes(fixed.getvalue())


# --- messy variants ------------------------------------------------------------------------

MESSY_YEAR = "2016/17"


def write_messy_variants(out_dir: Path) -> list[Path]:
    """Files as real deliveries go wrong; tests assert the parser's message for each.

    - ``schulen_lost_leading_zeros.xlsx``: Schulnummern saved as numbers (repaired, noted)
    - ``schulen_renamed_alias.csv``: older column names (mapped, noted)
    - ``schulen_renamed_unknown.csv``: a column renamed to something unknown (error)
    - ``schulen_duplicate_records.csv``: row 14 repeats row 6 (error)
    - ``schulen_truncated.csv``: the file breaks off inside row 21 (error)
    - ``schulen_impossible_values.xlsx``: grade 14 in row 4, a negative count in row 7 (error)
    - ``schulen_unknown_code.csv``: Schulform ``99`` in row 5 of the register (error)
    - ``schulen_sum_rows.xlsx``: title, blank and sum rows around the data (parses, noted)
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = sample_tables()

    def year(name: str, count: int) -> pd.DataFrame:
        rows = data[name][data[name]["schuljahr"] == MESSY_YEAR]
        return rows.head(count).reset_index(drop=True)

    written = [
        _write_xlsx(
            out / "schulen_lost_leading_zeros.xlsx",
            "Abgänger mit Schulnummern als Zahl",
            year("abgaenger", 20),
            numeric_ids=True,
        )
    ]
    absence = year("fehlzeiten", 10)
    alias = {**LEGACY_HEADERS["fehlzeiten"], "stunden_entschuldigt": "entschuldigte Fehlstunden"}
    written.append(
        _write_csv(
            out / "schulen_renamed_alias.csv",
            None,
            [alias.get(c, c) for c in absence.columns],
            _csv_rows(absence),
        )
    )
    unknown = {"stunden_unentschuldigt": "Fehlstd. unentsch. (neu)"}
    written.append(
        _write_csv(
            out / "schulen_renamed_unknown.csv",
            None,
            [unknown.get(c, c) for c in absence.columns],
            _csv_rows(absence),
        )
    )
    repeaters = year("wiederholer", 12)
    rows = _csv_rows(repeaters)
    written.append(
        _write_csv(
            out / "schulen_duplicate_records.csv",
            None,
            list(repeaters.columns),
            [*rows, rows[4]],
        )
    )
    written.append(_write_truncated(out / "schulen_truncated.csv", year("schueler", 20)))
    impossible = year("schueler", 10)
    impossible.loc[2, "jahrgang"] = 14
    impossible.loc[5, "schueler"] = -3
    written.append(
        _write_xlsx(out / "schulen_impossible_values.xlsx", "Unmögliche Werte", impossible)
    )
    register = data["schulen"].head(8).copy()
    register["stand"] = STAND.strftime("%d.%m.%Y")
    register.loc[3, "schulform"] = "99"
    written.append(
        _write_csv(
            out / "schulen_unknown_code.csv", None, list(register.columns), _csv_rows(register)
        )
    )
    written.append(_write_sum_rows(out / "schulen_sum_rows.xlsx", year("uebergaenge", 14)))
    return written


def _write_truncated(path: Path, frame: pd.DataFrame) -> Path:
    """A CSV whose upload broke off: the last row stops after four fields."""
    _write_csv(path, None, list(frame.columns), _csv_rows(frame), "utf-8")
    text = path.read_bytes().decode("utf-8").rstrip("\r\n")
    last = text.rsplit("\r\n", 1)[1]
    cut = len(text) - len(last) + len(";".join(last.split(";")[:4])) + 1
    path.write_bytes(text[:cut].encode("utf-8"))
    return path


def _write_sum_rows(path: Path, frame: pd.DataFrame) -> Path:
    """XLSX as people make it: merged title, blank rows, a labelled and an unlabelled sum."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Übergänge"
    sheet.append([f"{TITLES['uebergaenge']} {MESSY_YEAR} – {NOTICE}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(frame.columns))
    sheet.append([])
    sheet.append(list(frame.columns))
    for index, values in enumerate(frame.itertuples(index=False)):
        sheet.append(list(values))
        if index == 6:
            sheet.append([])
    sheet.append([])
    sheet.append(["Summe", None, None, int(frame["schueler"].sum())])
    sheet.append([None, None, None, int(frame["schueler"].sum())])
    save_workbook(workbook, path, title=f"Übergänge mit Summenzeilen ({NOTICE})")
    return path
