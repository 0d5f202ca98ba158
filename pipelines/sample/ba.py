"""Synthetic workbooks in the layout of the Statistik der Bundesagentur für Arbeit (BA).

Same shape as the BA's own XLSX tables — 12 preamble rows, a two-level header whose upper
level is merged, ``"05114 Krefeld"`` key-and-name cells written once per block, ``*`` for
anonymised small values, ``-`` for zero, copyright and Erstellungsdatum footer — so the real
parser (:mod:`pipelines.ingest.ba`) is exercised by the bundled sample.

Delivery units, chosen as the city receives them:

- ``arbeitslose_<JJJJ>.xlsx``: one workbook per calendar year with the months of that year as
  rows (region blocks Krefeld, NRW). The BA's monthly region tables grow a row per month; a
  yearly file means a monthly refresh replaces only the current year's file while earlier
  years stay byte-identical in the archive, and eleven files stay readable by a person.
- ``ausbildungsmarkt_<JJJJ>-<JJ>.xlsx``: one per Berichtsjahr (October–September) in the
  BIBB/BA layout of the workbooks the BIBB publishes per Arbeitsagenturbezirk (title, two-level
  merged header ``NAA``/``UVB ohne|mit Alternative``/``UBA``/``Angebot``/``Nachfrage`` × the
  previous year, the year and ``VR`` = change in %, KldB Berufshauptgruppen ``01``…``94`` in
  column A, total row ``alle Berufe``, legend and footnotes below; ``*`` anonymised, ``.`` VR not
  computable). Each workbook holds two years, so the first one is 2015-16 (2015 and 2016). Unlike
  the BIBB's, the sample's counts are not rounded to multiples of 3 (its footnote says so).
- ``sgb2_quoten_<JJJJ>-12.xlsx``: one per December, the small-area extract the BA delivers to
  the city (Krefeld and its nine Stadtbezirke) under a data-supply contract.

All numbers are synthetic; every workbook says so in its preamble.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pipelines.sample import city

PREAMBLE_ROWS = 12
SYNTHETIC_NOTE = (
    "Synthetische Beispieldaten des Bildungsmonitors – keine amtlichen Zahlen der "
    "Bundesagentur für Arbeit."
)
SYMBOL_NOTE = (
    "Zeichenerklärung: * Zahlenwert anonymisiert (Werte kleiner 3); - nichts vorhanden; "
    "x Nachweis nicht sinnvoll; . Zahlenwert nicht berechenbar"
)
COPYRIGHT = "© Statistik der Bundesagentur für Arbeit"
MONATSNAMEN = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip
NRW_NAME = "Nordrhein-Westfalen"
KREFELD_NAME = "Krefeld"

COUNT = "#,##0"
RATE = "0.0"


# --------------------------------------------------------------------------------------------
# Writing a BA-style sheet and saving it byte-stable
# --------------------------------------------------------------------------------------------


@dataclass
class BaTable:
    """One BA table sheet: preamble lines, header (row labels + merged groups), data, footer."""

    sheet: str
    preamble: list[str]
    row_headers: list[str]
    groups: list[tuple[str, list[str]]]
    rows: list[list[object]]
    formats: list[str]
    stand: date
    footnotes: list[str] = field(default_factory=list)


def write_table(ws: Worksheet, table: BaTable, *, shift: int = 0) -> None:
    """Lay ``table`` out as the BA does; ``shift`` moves the header down (messy variants)."""
    ws.title = table.sheet
    for i, line in enumerate(table.preamble, start=1):
        cell = ws.cell(i, 1, line or None)
        if i == 2:
            cell.font = Font(bold=True, size=12)
    top = PREAMBLE_ROWS + 1 + shift
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for j, label in enumerate(table.row_headers, start=1):
        ws.cell(top, j, label).font = bold
        ws.merge_cells(start_row=top, start_column=j, end_row=top + 1, end_column=j)
        ws.column_dimensions[get_column_letter(j)].width = 30
    col = len(table.row_headers) + 1
    for group, subs in table.groups:
        head = ws.cell(top, col, group)
        head.font, head.alignment = bold, wrap
        if len(subs) > 1:
            ws.merge_cells(
                start_row=top, start_column=col, end_row=top, end_column=col + len(subs) - 1
            )
        for k, sub in enumerate(subs):
            ws.cell(top + 1, col + k, sub).alignment = wrap
            ws.column_dimensions[get_column_letter(col + k)].width = 16
        col += len(subs)
    n_labels = len(table.row_headers)
    row = top + 2
    for values in table.rows:
        for j, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(row, j, value)
            if j > n_labels and not isinstance(value, str):
                cell.number_format = table.formats[j - n_labels - 1]
        row += 1
    row += 1
    for note in table.footnotes:
        ws.cell(row, 1, note)
        row += 1
    ws.cell(row + 1, 1, COPYRIGHT)
    ws.cell(row + 2, 1, f"Erstellungsdatum: {table.stand:%d.%m.%Y}")


def save_workbook(wb: openpyxl.Workbook, path: Path, stand: date) -> Path:
    """Save with fixed document properties and zip entry dates, so bytes repeat every run.

    openpyxl's ``save`` stamps ``modified`` with the clock and :mod:`zipfile` stamps each entry
    with the current time; both are replaced by ``stand`` here.
    """
    stamp = datetime(stand.year, stand.month, stand.day)
    wb.properties.creator = "Bildungsmonitor (synthetische Beispieldaten)"
    wb.properties.lastModifiedBy = "Bildungsmonitor"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as src,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed.getvalue())
    return path


def _save_table(table: BaTable, path: Path, *, shift: int = 0) -> Path:
    wb = openpyxl.Workbook()
    write_table(wb.active, table, shift=shift)
    return save_workbook(wb, path, table.stand)


def _preamble(title: str, region: str, period: str, *notes: str) -> list[str]:
    lines = ["Statistik der Bundesagentur für Arbeit", title, region, period, "", SYNTHETIC_NOTE]
    lines += [*notes, SYMBOL_NOTE]
    return (lines + [""] * PREAMBLE_ROWS)[:PREAMBLE_ROWS]


def _anonymise(value: int) -> int | str:
    """BA rule for small-area counts: zero is ``-``, 1–2 are ``*``."""
    if value == 0:
        return "-"
    if value < 3:
        return "*"
    return value


# --------------------------------------------------------------------------------------------
# Arbeitslose: monthly, Krefeld and NRW
# --------------------------------------------------------------------------------------------

_SEASON = np.array([1.045, 1.045, 1.03, 1.01, 0.995, 0.99, 1.0, 1.01, 0.98, 0.965, 0.96, 0.97])
_SEASON_U25 = np.array([1.0, 0.98, 0.96, 0.94, 0.92, 0.95, 1.06, 1.16, 1.08, 1.0, 0.96, 0.99])
_YEARS = np.arange(2015, 2026) + 0.5


@dataclass(frozen=True)
class _Region:
    cell: str
    unemployed: tuple[float, ...]  # annual means 2015 … 2025
    labour_force: tuple[float, float]  # 2015 level, yearly change
    labour_force_u25: float
    share_u25: float
    share_sgb2: tuple[float, ...]  # 2015 … 2025


_ALO_REGIONS = (
    _Region(
        f"{city.KREFELD} {KREFELD_NAME}",
        (12900, 12700, 12300, 11700, 11300, 12500, 12300, 11900, 12400, 12900, 13200),
        (103_500, 350),
        10_500,
        0.08,
        (0.72, 0.72, 0.72, 0.71, 0.71, 0.66, 0.68, 0.70, 0.71, 0.70, 0.68),
    ),
    _Region(
        f"{city.NRW} {NRW_NAME}",
        (744e3, 720e3, 700e3, 660e3, 630e3, 720e3, 700e3, 660e3, 700e3, 740e3, 770e3),
        (9_900_000, 30_000),
        880_000,
        0.09,
        (0.66, 0.66, 0.66, 0.65, 0.64, 0.60, 0.62, 0.64, 0.65, 0.64, 0.62),
    ),
)


def unemployment_rows() -> dict[str, list[tuple[str, list[float]]]]:
    """Per region cell: ``(month, [counts ×4, rates ×4])`` for every month of city.MONTHS.

    Counts: total, SGB III, SGB II, under 25; rates in % of the civilian labour force (under 25:
    of the labour force under 25).
    """
    rng = np.random.default_rng(city.SEED + 101)
    out: dict[str, list[tuple[str, list[float]]]] = {}
    for region in _ALO_REGIONS:
        rows = []
        for month in city.MONTHS:
            year, m = int(month[:4]), int(month[5:])
            t = year + (m - 0.5) / 12
            level = np.interp(t, _YEARS, region.unemployed)
            total = round(level * _SEASON[m - 1] * (1 + rng.normal(0, 0.006)))
            share2 = np.interp(t, _YEARS, region.share_sgb2) + rng.normal(0, 0.004)
            sgb2 = round(total * share2)
            u25 = round(level * region.share_u25 * _SEASON_U25[m - 1] * (1 + rng.normal(0, 0.02)))
            force = region.labour_force[0] + region.labour_force[1] * (t - 2015)
            rates = [round(100 * v / force, 1) for v in (total, total - sgb2, sgb2)]
            rates.append(round(100 * u25 / region.labour_force_u25, 1))
            rows.append((month, [total, total - sgb2, sgb2, u25, *rates]))
        out[region.cell] = rows
    return out


ALO_ROW_HEADERS = ["Region", "Berichtsmonat"]
ALO_GROUPS = [
    (
        "Arbeitslose",
        ["Insgesamt", "Rechtskreis SGB III", "Rechtskreis SGB II", "unter 25 Jahre 1)"],
    ),
    (
        "Arbeitslosenquote bezogen auf alle zivilen Erwerbspersonen",
        ["Insgesamt", "Rechtskreis SGB III", "Rechtskreis SGB II", "unter 25 Jahre 1)"],
    ),
]


def _month_label(month: str) -> str:
    return f"{MONATSNAMEN[int(month[5:]) - 1]} {month[:4]}"


def arbeitslose_table(year: int, *, region_cells: dict[str, str] | None = None) -> BaTable:
    """The yearly workbook's table; ``region_cells`` rewrites region cells (messy variants)."""
    series = unemployment_rows()
    rows: list[list[object]] = []
    months: list[str] = []
    for cell, monthly in series.items():
        first = True
        for month, values in monthly:
            if not month.startswith(f"{year}-"):
                continue
            label = (region_cells or {}).get(cell, cell) if first else None
            rows.append([label, _month_label(month), *values])
            months.append(month)
            first = False
    last = max(months)
    stand = date(int(last[:4]), int(last[5:]), 28)
    return BaTable(
        sheet="Arbeitslose",
        preamble=_preamble(
            "Arbeitslose und Arbeitslosenquoten nach Rechtskreisen",
            f"{KREFELD_NAME} (kreisfreie Stadt) und {NRW_NAME}",
            f"Berichtsmonate: {_month_label(min(months))} bis {_month_label(last)}",
            "Arbeitslosenquoten in % bezogen auf alle zivilen Erwerbspersonen.",
        ),
        row_headers=list(ALO_ROW_HEADERS),
        groups=[(g, list(s)) for g, s in ALO_GROUPS],
        rows=rows,
        formats=[COUNT] * 4 + [RATE] * 4,
        stand=stand,
        footnotes=[
            "1) Arbeitslose im Alter von 15 bis unter 25 Jahren; Quote bezogen auf alle zivilen "
            "Erwerbspersonen unter 25 Jahren."
        ],
    )


# --------------------------------------------------------------------------------------------
# Ausbildungsmarkt: per Berichtsjahr, Agenturbezirk Krefeld, KldB Berufshauptgruppen
# --------------------------------------------------------------------------------------------

# KldB 2010 Berufshauptgruppe: (name, weight applicants, weight places, chance a place stays open)
_BERUFE: dict[str, tuple[str, float, float, float]] = {
    "01": ("Angehörige der regulären Streitkräfte", 0.0, 0.0, 0.0),
    "11": ("Land-, Tier- und Forstwirtschaftsberufe", 1.5, 1.6, 0.05),
    "12": ("Gartenbauberufe und Floristik", 2.4, 2.6, 0.08),
    "22": ("Kunststoffherstellung und -verarbeitung, Holzbe- und -verarbeitung", 2.6, 3.0, 0.06),
    "24": ("Metallerzeugung und -bearbeitung, Metallbauberufe", 3.0, 3.4, 0.10),
    "25": ("Maschinen- und Fahrzeugtechnikberufe", 10.5, 10.8, 0.05),
    "26": ("Mechatronik-, Energie- und Elektroberufe", 8.5, 9.0, 0.06),
    "29": ("Lebensmittelherstellung und -verarbeitung", 1.8, 2.6, 0.25),
    "32": ("Hoch- und Tiefbauberufe", 3.0, 3.4, 0.12),
    "34": ("Gebäude- und versorgungstechnische Berufe", 4.6, 5.2, 0.10),
    "41": ("Mathematik-, Biologie-, Chemie- und Physikberufe", 4.0, 3.8, 0.03),
    "43": ("Informatik-, Informations- und Kommunikationstechnologieberufe", 4.2, 3.6, 0.03),
    "51": ("Verkehrs- und Logistikberufe (außer Fahrzeugführung)", 6.0, 6.2, 0.06),
    "52": ("Führer/innen von Fahrzeug- und Transportgeräten", 0.9, 1.0, 0.08),
    "53": ("Schutz-, Sicherheits- und Überwachungsberufe", 0.5, 0.3, 0.10),
    "61": ("Einkaufs-, Vertriebs- und Handelsberufe", 4.4, 5.0, 0.12),
    "62": ("Verkaufsberufe", 11.5, 13.5, 0.20),
    "63": ("Tourismus-, Hotel- und Gaststättenberufe", 2.0, 2.6, 0.30),
    "71": ("Berufe in Unternehmensführung und -organisation", 9.0, 8.2, 0.05),
    "72": ("Berufe in Finanzdienstleistungen, Rechnungswesen und Steuerberatung", 4.0, 3.9, 0.05),
    "73": ("Berufe in Recht und Verwaltung", 3.2, 2.3, 0.04),
    "81": ("Medizinische Gesundheitsberufe", 8.5, 8.0, 0.07),
    "82": ("Nichtmedizinische Gesundheits-, Körperpflege- und Wellnessberufe", 2.6, 2.9, 0.12),
    "83": ("Erziehung, soziale und hauswirtschaftliche Berufe, Theologie", 0.3, 0.25, 0.10),
    "93": ("Produktdesign und kunsthandwerkliche Berufe, bildende Kunst", 0.3, 0.2, 0.10),
    "94": ("Darstellende und unterhaltende Berufe", 0.6, 0.6, 0.05),
}
AUSBILDUNG_YEARS = tuple(range(2015, 2026))
"""Years of the 30 September that ends each Berichtsjahr (2015 = Berichtsjahr 2014/15)."""
_BEWERBER = (3350, 3300, 3250, 3200, 3100, 2950, 2750, 2800, 2900, 3000, 3050)
_STELLEN = (2650, 2700, 2800, 2900, 2950, 2700, 2650, 2800, 2850, 2800, 2700)
_NAA = (3250, 3200, 3200, 3250, 3150, 2900, 2850, 3000, 2950, 2950, 2900)
_UNVERSORGT = (0.060, 0.062, 0.065, 0.068, 0.070, 0.085, 0.090, 0.095, 0.090, 0.088, 0.092)
_UNBESETZT_FACTOR = (0.6, 0.65, 0.75, 0.85, 0.9, 0.95, 1.05, 1.1, 1.15, 1.1, 1.1)


def ausbildungsmarkt_counts(year: int) -> dict[str, list[int]]:
    """Per KldB code: [Bewerber, unversorgt, mit Alternative, Stellen, unbesetzt, NAA]."""
    i = AUSBILDUNG_YEARS.index(year)
    rng = np.random.default_rng(city.SEED + 200 + i)
    codes = list(_BERUFE)
    w_b = np.array([_BERUFE[c][1] for c in codes])
    w_s = np.array([_BERUFE[c][2] for c in codes])
    bewerber = rng.multinomial(_BEWERBER[i], w_b / w_b.sum())
    stellen = rng.multinomial(_STELLEN[i], w_s / w_s.sum())
    naa = rng.multinomial(_NAA[i], (w_b + w_s) / (w_b + w_s).sum())
    out = {}
    for k, code in enumerate(codes):
        unversorgt = rng.binomial(bewerber[k], _UNVERSORGT[i])
        alternative = rng.binomial(bewerber[k] - unversorgt, 0.07)
        p_open = min(0.6, _BERUFE[code][3] * _UNBESETZT_FACTOR[i])
        unbesetzt = rng.binomial(stellen[k], p_open)
        out[code] = [int(bewerber[k]), int(unversorgt), int(alternative)]
        out[code] += [int(stellen[k]), int(unbesetzt), int(naa[k])]
    return out


BIBB_TITLE = (
    "Neu abgeschlossene Ausbildungsverträge, unvermittelte Bewerber, unbesetzte "
    "Ausbildungsplätze, Angebot und Nachfrage mit Veränderungen zum Vorjahr in Prozent (VR) im  "
    f"Arbeitsagenturbezirk {KREFELD_NAME}"
)
BIBB_BERUF_HEADER = "Berufshauptgruppe\n (ohne die Berufe für Menschen mit Behinderung)"
BIBB_GROUPS = (
    "NAA",
    "UVB ohne Alternative1)",
    "UVB mit Alternative 1)",
    "UBA 2)",
    "Angebot 2)",
    "Nachfrage nach alter Definiton 1)",
    "Nachfrage nach erweiterter Definition 1)",
)
"""The BIBB's upper header level, spelled as in its workbooks (``Definiton`` included)."""
BIBB_LEGEND = (
    "NAA: Neu abgeschlossene Ausbildungsverträge; UVB: Unvermittelte Bewerber; UBA: Unbesetzte "
    "Ausbildungsplätze; VR: Veränderung zum Vorjahr in Prozent"
)
BIBB_FOOTNOTES = (
    "Nachdruck -auch auszugsweise- nur mit Quellenangabe (Bundesinstitut für Berufsbildung) "
    "gestattet",
    " 1) nur Ausbildung im dualen System und ohne Bewerber mit Wohnsitz im Ausland.",
    " 2) nur Ausbildung im dualen System und ohne jene unbesetzten Ausbildungsstellen, die für "
    "die Bundesagentur für Arbeit regional nicht zuzuordnen sind",
    "Quellen: Bundesagentur für Arbeit, Ergebnisse der Ausbildungsmarktstatistik; "
    "Bundesinstitut für Berufsbildung, Erhebung zum 30. September ",
    "Synthetische Beispieldaten: Absolutwerte ungerundet (die BIBB rundet sie auf Vielfache von "
    "3); Werte der Bundesagentur für Arbeit kleiner 3 sind mit * anonymisiert, die Summe "
    "enthält sie.",
)
"""Footnotes below the table; the sample says its counts are NOT rounded to multiples of 3 (so
the indicators keep their figures), so the parser carries no rounding note for it."""
BIBB_NAMES = {"nil": "nicht zugeordnete Berufe (incl. Berufe für Menschen mit Behinderung)"}


def _bibb_measures(values: list[int]) -> list[int]:
    """[Bewerber, unversorgt, mit Alternative, Stellen, unbesetzt, NAA] → the BIBB's seven:
    NAA, UVB ohne / mit Alternative, UBA, Angebot (NAA + UBA), Nachfrage (NAA + UVB ohne
    Alternative), erweiterte Nachfrage (+ UVB mit Alternative)."""
    _, unversorgt, alternative, _, unbesetzt, naa = values
    return [
        naa,
        unversorgt,
        alternative,
        unbesetzt,
        naa + unbesetzt,
        naa + unversorgt,
        naa + unversorgt + alternative,
    ]


_BA_PARTS = ((), (1,), (2,), (3,), (3,), (1,), (1, 2))
"""Per BIBB measure, which of the BA-reported parts (UVB ohne/mit, UBA) it contains: a part
below 3 is anonymised, and so is every measure containing it. NAA (BIBB survey) is not."""


def _bibb_cells(measures: list[int], anonymise: bool) -> list[int | str]:
    if not anonymise:
        return list(measures)
    return [
        "*" if any(0 < measures[k] < 3 for k in parts) else measures[j]
        for j, parts in enumerate(_BA_PARTS)
    ]


def _change(previous: int | str, current: int | str) -> float | str:
    """``VR``: change on the previous year in %, unrounded; ``*`` if either year is
    anonymised, ``.`` if not computable (previous year 0)."""
    if isinstance(previous, str) or isinstance(current, str):
        return "*"
    if previous == 0:
        return "."
    return (current - previous) / previous * 100


def ausbildungsmarkt_rows(year: int) -> list[list[object]]:
    """The BIBB table of ``year`` (and ``year - 1``): per KldB code then ``alle Berufe``,
    ``[code, name, None, (previous, current, VR) × 7]``."""
    previous, current = ausbildungsmarkt_counts(year - 1), ausbildungsmarkt_counts(year)
    rows: list[list[object]] = []
    totals: list[list[int]] = [[0] * 7, [0] * 7]
    for code in current:
        pair = [_bibb_measures(previous[code]), _bibb_measures(current[code])]
        for total, measures in zip(totals, pair, strict=True):
            total[:] = [t + m for t, m in zip(total, measures, strict=True)]
        cells = [_bibb_cells(m, anonymise=True) for m in pair]
        row: list[object] = [code, BIBB_NAMES.get(code, _BERUFE[code][0]), None]
        for j in range(7):
            row += [cells[0][j], cells[1][j], _change(cells[0][j], cells[1][j])]
        rows.append(row)
    total_row: list[object] = [None, "alle Berufe", None]
    for j in range(7):
        total_row += [totals[0][j], totals[1][j], _change(totals[0][j], totals[1][j])]
    rows.append(total_row)
    return rows


def write_bibb_ausbildungsmarkt(ws: Worksheet, year: int) -> None:
    """Lay the table out as the BIBB does (title, two-level merged header, data, total row
    ``alle Berufe``, legend and footnotes), plus the sample's synthetic note and footer."""
    ws.title = KREFELD_NAME
    last_col = 3 + 3 * len(BIBB_GROUPS)
    ws.cell(1, 1, BIBB_TITLE).font = Font(bold=True, size=12)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(2, 1, SYNTHETIC_NOTE)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    head = ws.cell(3, 1, BIBB_BERUF_HEADER)
    head.font, head.alignment = bold, wrap
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=3)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 60
    for g, group in enumerate(BIBB_GROUPS):
        col = 4 + 3 * g
        cell = ws.cell(3, col, group)
        cell.font, cell.alignment = bold, wrap
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + 2)
        for k, sub in enumerate((year - 1, year, "VR")):
            ws.cell(4, col + k, sub).alignment = wrap
            ws.column_dimensions[get_column_letter(col + k)].width = 9
    row = 6
    rows = ausbildungsmarkt_rows(year)
    for values in rows:
        if values[1] == "alle Berufe":
            row += 1  # a blank line before the total, as in the BIBB's workbooks
        for j, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(row, j, value)
            if j > 3 and not isinstance(value, str):
                cell.number_format = RATE if (j - 4) % 3 == 2 else COUNT
        row += 1
    ws.cell(row, 2, "Legende:")
    ws.cell(row, 3, BIBB_LEGEND)
    for note in BIBB_FOOTNOTES:
        row += 1
        ws.cell(row, 1, note)
    ws.cell(row + 2, 1, COPYRIGHT)
    ws.cell(row + 3, 1, f"Erstellungsdatum: {ausbildungsmarkt_stand(year):%d.%m.%Y}")


def ausbildungsmarkt_stand(year: int) -> date:
    """The sample's publication date of the table ending on 30 September ``year``: it orders
    two workbooks holding the same year (the later one's previous-year column wins)."""
    return date(year, 12, 15)


def ausbildungsmarkt_name(year: int) -> str:
    """``ausbildungsmarkt_2022-23.xlsx``: the table of Berichtsjahr 2022/23 (period 2023), with
    the year before (2022) and the change ``VR``, as the BIBB publishes it."""
    return f"ausbildungsmarkt_{year - 1}-{year % 100:02d}.xlsx"


def _save_ausbildungsmarkt(year: int, path: Path) -> Path:
    wb = openpyxl.Workbook()
    write_bibb_ausbildungsmarkt(wb.active, year)
    return save_workbook(wb, path, ausbildungsmarkt_stand(year))


# --------------------------------------------------------------------------------------------
# SGB II quotas under 15 / under 18: Krefeld and its Stadtbezirke, December
# --------------------------------------------------------------------------------------------

SGB2_YEARS = tuple(range(2015, 2025))
# Stadtbezirk: (population under 15 in 2015, SGB II quota under 15 in 2016)
_BEZIRKE: dict[int, tuple[int, float]] = {
    1: (3640, 0.19),  # West
    2: (3360, 0.34),  # Nord
    3: (1920, 0.09),  # Hüls
    4: (5510, 0.42),  # Mitte
    5: (3915, 0.40),  # Süd
    6: (2500, 0.11),  # Fischeln
    7: (2340, 0.20),  # Oppum-Linn
    8: (2990, 0.17),  # Ost
    9: (4125, 0.16),  # Uerdingen
}
# Refugee arrivals (2015–17, 2022–23) raise the quotas; the 2018–21 upswing lowers them.
_SGB2_TREND = (0.96, 1.0, 1.04, 1.02, 0.97, 0.98, 0.95, 1.0, 1.03, 1.02)
_U18_FACTOR = 0.92

SGB2_ROW_HEADERS = ["Region"]
SGB2_GROUPS = [
    ("Nicht erwerbsfähige Leistungsberechtigte (NEF)", ["unter 15 Jahre"]),
    ("Bevölkerung 1)", ["unter 15 Jahre"]),
    ("SGB II-Quote in %", ["unter 15 Jahre", "unter 18 Jahre"]),
]


def sgb2_rows(year: int) -> list[tuple[str, int, int, float, float]]:
    """(region cell, NEF under 15, population under 15, quota under 15, quota under 18)."""
    i = SGB2_YEARS.index(year)
    rng = np.random.default_rng(city.SEED + 300 + i)
    bezirke = []
    for nr, (pop2015, quota) in _BEZIRKE.items():
        pop = round(pop2015 * (1.006**i) * (1 + rng.normal(0, 0.01)))
        nef = round(pop * quota * _SGB2_TREND[i] * (1 + rng.normal(0, 0.015)))
        bezirke.append((f"{city.KREFELD}000-{nr} {city.STADTBEZIRKE[nr]}", nef, pop))
    nef_all = sum(b[1] for b in bezirke)
    pop_all = sum(b[2] for b in bezirke)
    rows = []
    for cell, nef, pop in [(f"{city.KREFELD} {KREFELD_NAME}", nef_all, pop_all), *bezirke]:
        q15 = 100 * nef / pop
        q18 = q15 * _U18_FACTOR * (1 + rng.normal(0, 0.01))
        rows.append((cell, nef, pop, round(q15, 1), round(q18, 1)))
    return rows


def sgb2_table(year: int) -> BaTable:
    return BaTable(
        sheet="SGB II-Quoten",
        preamble=_preamble(
            "Grundsicherung für Arbeitsuchende (SGB II): Quoten der Kinder und Jugendlichen",
            f"{KREFELD_NAME} (Jobcenter Krefeld) und Stadtbezirke",
            f"Berichtsmonat: Dezember {year}",
            "SGB II-Quote: nicht erwerbsfähige Leistungsberechtigte je 100 Einwohner der "
            "Altersgruppe.",
        ),
        row_headers=list(SGB2_ROW_HEADERS),
        groups=[(g, list(s)) for g, s in SGB2_GROUPS],
        rows=[list(r) for r in sgb2_rows(year)],
        formats=[COUNT, COUNT, RATE, RATE],
        stand=date(year + 1, 4, 28),
        footnotes=["1) Einwohnermelderegister der Stadt Krefeld, 31.12. des Berichtsjahres."],
    )


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def write_sample(out_dir: Path) -> list[Path]:
    """Write every BA sample workbook into ``out_dir/ba/`` and return their paths."""
    target = Path(out_dir) / "ba"
    written = []
    for year in sorted({int(m[:4]) for m in city.MONTHS}):
        written.append(_save_table(arbeitslose_table(year), target / f"arbeitslose_{year}.xlsx"))
    for year in AUSBILDUNG_YEARS[1:]:  # each workbook also holds the year before
        written.append(_save_ausbildungsmarkt(year, target / ausbildungsmarkt_name(year)))
    for year in SGB2_YEARS:
        written.append(_save_table(sgb2_table(year), target / f"sgb2_quoten_{year}-12.xlsx"))
    return written


MESSY_YEAR = 2024
MESSY_SHIFTED = "ba_arbeitslose_kopfzeile_verschoben.xlsx"
MESSY_UNKNOWN = "ba_arbeitslose_kopfzeile_unbekannt.xlsx"
MESSY_LEADING_ZERO = "ba_arbeitslose_fuehrende_null.xlsx"
REWORDED = (
    "Arbeitslosenquote bezogen auf alle zivilen Erwerbspersonen",
    "Arbeitslosenquote in % aller zivilen Erwerbspersonen",
)
"""(original, reworded) label of the shifted variant."""


def write_messy_variants(out_dir: Path) -> list[Path]:
    """Arbeitslose 2024 as deliveries go wrong; tests assert how each one is handled.

    - header one row lower and one label reworded: must parse to the same values;
    - header in English (an export with the wrong language): must fail naming the sheet and
      the expected labels;
    - region cells that lost their leading zero (``"5114 Krefeld"``): must be repaired.
    """
    out = Path(out_dir)
    shifted = arbeitslose_table(MESSY_YEAR)
    shifted.groups = [(REWORDED[1] if g == REWORDED[0] else g, s) for g, s in shifted.groups]

    unknown = arbeitslose_table(MESSY_YEAR)
    unknown.row_headers = ["Area", "Reporting month"]
    unknown.groups = [
        ("Unemployed", ["Total", "Legal basis SGB III", "Legal basis SGB II", "Under 25"]),
        ("Unemployment rate", ["Total", "Legal basis SGB III", "Legal basis SGB II", "Under 25"]),
    ]

    lost_zero = arbeitslose_table(
        MESSY_YEAR,
        region_cells={
            f"{city.KREFELD} {KREFELD_NAME}": f"{int(city.KREFELD)} {KREFELD_NAME}",
            f"{city.NRW} {NRW_NAME}": f"{int(city.NRW)} {NRW_NAME}",
        },
    )
    return [
        _save_table(shifted, out / MESSY_SHIFTED, shift=1),
        _save_table(unknown, out / MESSY_UNKNOWN),
        _save_table(lost_zero, out / MESSY_LEADING_ZERO),
    ]
