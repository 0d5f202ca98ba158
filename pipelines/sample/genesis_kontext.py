"""Synthetic Landesdatenbank NRW downloads of social-context tables (issue 18).

- ``12521-03i.csv``: foreign population by citizenship and sex on 31.12. (the Ausländeranteil
  indicator's numerator; its denominator is the sample population of
  :func:`pipelines.sample.genesis.population`, so the share is consistent with it). Laid out
  as the real ``2024_12521-03i.csv``: ``Stichtag;key;indented name;code;indented label;
  Insgesamt;männlich;weiblich``, continents (1 digit) followed by some of their states
  (3 digits; the sample lists only a few states, the real file all), counts rounded to
  multiples of 5 as the Ausländerstatistik publishes them.
- ``22811-01i.csv``: the Mindestsicherungsquote, as the real ``2023_22811-01i.csv`` in
  ``../shared/realdata/ldbnrw-csv-classic/`` is laid out —
``Tabelle: <code>`` without padding, ``;``-padded title lines, NO period column (the years are
a header row under ``Jahr``), rows ``key;indented name;values``, names in the Landesdatenbank's
wording (``Krefeld, krfr. Stadt``), footer with a quoted footnote, copyright and ``Stand:``.
The figures are SYNTHETIC: NRW's quota with a small trend, each city's scaled by the social
burden factor of :data:`pipelines.sample.genesis.NEED`.

- ``22811-05i.csv``: recipients of Mindestsicherung by benefit, laid out as the real
  ``2024_22811-05i.csv`` (four header rows ``Empfänger/innen …`` × Leistung × [Teil] ×
  ``Anzahl``, the SGB II column printed twice, rows ``year;key;indented name;values``). The
  recipients are the quota of ``22811-01i`` × the sample population on 31.12. (so both files
  agree within rounding); SGB XII and AsylbLG counts are rounded to multiples of 5 from 2020 on
  (as IT.NRW publishes them), SGB II counts are exact, ``Insgesamt`` is the sum of the parts.
- ``82411-01-03-4.csv``: disposable income of private households, total (Tsd. EUR) and per
  inhabitant (EUR), laid out as the real Regionaldatenbank download in
  ``../shared/realdata/regionalstatistik-csv-classic-schulen/`` (``GENESIS-Tabelle:``, two
  header rows, quoted copyright block). The total is the amount per inhabitant × the mean of
  the sample population on 31.12. of the year and the year before (the VGR count inhabitants
  as an annual average).
- ``13111-54i.csv``: employees subject to social insurance (place of work) on 31.12. by WZ
  section and school / vocational qualification, laid out as the real ``2024_13111-54i.csv``:
  NO key column (``Stichtag;indented name;WZ code;WZ label;values``, the Insgesamt row with an
  empty code), the real header block. Employees ≈ 0.4 × the sample population; every row's
  school and vocational columns each add up to its total, B-F, G-T and Insgesamt are sums of
  their sections; the share without a vocational qualification rises with ``NEED``.
- ``22542-06i.csv``: groups in licensed youth-welfare facilities by legal basis, laid out as the
  real ``2024_22542-06i.csv`` (13 columns without a total, the first label quoted because it
  contains ``;``, ``-`` for zero, no footnote); one region-year printed ``x`` throughout
  (:data:`JUGENDHILFE_WITHHELD`).

Written by :func:`write_sample` (the generator's module protocol: ``write_sample`` and
``write_messy_variants``) into ``<out>/itnrw/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipelines.sample import city
from pipelines.sample import genesis as sample_genesis

CODE = "22811-01i"
FILE_NAME = "22811-01i.csv"
YEARS = range(2015, 2025)
"""Berichtsjahre 2015 … 2024 (the quota refers to 31 December of the year)."""
NRW_QUOTE_2015 = 11.4
NRW_QUOTE_STEP = -0.05
STAND = "16.02.2026 / 12:15:28"
COPYRIGHT = (
    "© Synthetische Beispieldaten, Bildungsmonitor, 2026. Nachbildung des Download-Formats "
    "der Landesdatenbank NRW - keine amtlichen Ergebnisse."
)


def _regions() -> list[tuple[str, str]]:
    """(key, indented name) as the Landesdatenbank lists them: Land, RB, kreisfreie Städte."""
    regions = [(city.NRW, "Nordrhein-Westfalen")]
    regions += [
        (key, f"  {name}, Regierungsbezirk")
        for key, name in sample_genesis.REGIERUNGSBEZIRKE.items()
    ]
    regions += [
        (key, f"    {name}, krfr. Stadt") for key, name in city.KREISFREIE_STAEDTE_NRW.items()
    ]
    return sorted(regions)


def quotas() -> dict[tuple[str, int], float]:
    """(key, year) → Mindestsicherungsquote in percent, one decimal."""
    rng = np.random.default_rng([city.SEED, 18])
    out: dict[tuple[str, int], float] = {}
    for year in YEARS:
        nrw = NRW_QUOTE_2015 + NRW_QUOTE_STEP * (year - 2015) + rng.uniform(-0.1, 0.1)
        for key, _ in _regions():
            if key == city.NRW:
                quota = nrw
            else:
                need = sample_genesis.NEED.get(key, 1.0)
                quota = nrw * (1 + 1.4 * (need - 1)) * rng.uniform(0.97, 1.03)
            out[key, year] = round(float(quota), 1)
    return out


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def mindestsicherungsquote_text() -> str:
    """The file's text (to be encoded as Windows-1252)."""
    values = quotas()
    years = list(YEARS)
    width = 2 + len(years)
    pad = ";" * (width - 1)
    lines = [f"Tabelle: {CODE}"]
    titles = [
        "Sozialberichterstattung in der amtlichen Statistik:",
        "Mindestsicherungsquote - Gemeinden (Wohnortprinzip) -Jahr",
        "Sozialberichterstattung in der amtlichen Statistik",
        "Mindestsicherungsquote (Prozent)",
    ]
    lines += [title + pad for title in titles]
    lines.append(";;" + ";".join("Jahr" for _ in years))
    lines.append(";;" + ";".join(str(year) for year in years))
    for key, name in _regions():
        lines.append(f"{key};{name};" + ";".join(_number(values[key, y]) for y in years))
    footnote = (
        'zu ""Mindestsicherungsquote"":\n'
        "Die Mindestsicherungsquote ist ein zusammengefasster\n"
        "Indikator, der den prozentualen Anteil der Empfänger/-innen\n"
        "von Mindestsicherungsleistungen an der Gesamtbevölkerung\n"
        "darstellt.\n\n" + sample_genesis.SYNTHETIC.replace('"', '""')
    )
    lines += [sample_genesis.FOOTER, f'"{footnote}"', COPYRIGHT, f"Stand: {STAND}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# 12521-03i: foreign population by citizenship and sex

AUSLAENDER_CODE = "12521-03i"
AUSLAENDER_FILE = "12521-03i.csv"
AUSLAENDER_YEARS = range(2014, 2025)
NRW_FOREIGN_SHARE_2014 = 0.105
NRW_FOREIGN_SHARE_STEP = 0.0055
CITIZENSHIPS: list[tuple[str, str, float, float, list[tuple[str, str, float]]]] = [
    # continent code, label, share of foreigners, male share, [(state code, label, share
    # of the continent)] — shares after Krefeld's real 2024 structure, rounded
    ("1", "Europa", 0.72, 0.51, [("163", "Türkei", 0.20), ("152", "Polen", 0.12),
                                 ("154", "Rumänien", 0.10), ("137", "Italien", 0.07)]),
    ("2", "Afrika", 0.05, 0.55, []),
    ("3", "Amerika", 0.014, 0.48, []),
    ("4", "Asien", 0.208, 0.55, [("475", "Syrien", 0.40), ("423", "Afghanistan", 0.11)]),
    ("5", "Australien / Ozeanien", 0.001, 0.6, []),
    ("9", "Sonstige", 0.007, 0.57, [("997", "staatenlos", 0.23), ("998", "ungeklärt", 0.75)]),
]  # fmt: skip


def _ldb_regions_kreise() -> list[tuple[str, str]]:
    """(key, indented name) of the Land and the kreisfreie Städte (12521-03i lists Kreise)."""
    regions = [(city.NRW, "Nordrhein-Westfalen")]
    regions += [
        (key, f"    {name}, krfr. Stadt") for key, name in city.KREISFREIE_STAEDTE_NRW.items()
    ]
    return sorted(regions)


def _r5(value: float) -> int:
    return 5 * int(np.rint(value / 5))


def foreigners() -> dict[tuple[str, int, str], tuple[int, int, int]]:
    """(key, year, citizenship code) → (insgesamt, männlich, weiblich), multiples of 5."""
    rng = np.random.default_rng([city.SEED, 19])
    pop = sample_genesis.population()
    out: dict[tuple[str, int, str], tuple[int, int, int]] = {}
    for year in AUSLAENDER_YEARS:
        nrw_share = NRW_FOREIGN_SHARE_2014 + NRW_FOREIGN_SHARE_STEP * (year - 2014)
        for key, _ in _ldb_regions_kreise():
            inhabitants = sum(m + f for m, f in pop[key, year])
            need = sample_genesis.NEED.get(key, 1.0)
            share = nrw_share * (1 + 1.2 * (need - 1)) * rng.uniform(0.97, 1.03)
            total = inhabitants * share
            for code, _, part, male_share, states in CITIZENSHIPS:
                count = total * part * rng.uniform(0.95, 1.05)
                cells = [(code, count, male_share)]
                cells += [(s, count * s_part * rng.uniform(0.9, 1.1), male_share)
                          for s, _, s_part in states]  # fmt: skip
                for cell_code, value, ms in cells:
                    all_ = _r5(value)
                    male = min(all_, _r5(all_ * ms * rng.uniform(0.97, 1.03)))
                    out[key, year, cell_code] = (all_, male, all_ - male)
    return out


def auslaender_text() -> str:
    """The 12521-03i file's text (to be encoded as Windows-1252)."""
    values = foreigners()
    pad = ";" * 7
    lines = [f"Tabelle: {AUSLAENDER_CODE}"]
    titles = [
        "Ausländische Bevölkerung nach Geschlecht und",
        "Staatsangehörigkeiten (215)",
        "- kreisfreie Städte und Kreise - Stichtag",
        "Ausländerstatistik (AZR)",
    ]
    lines += [title + pad for title in titles]
    lines.append(";;;;;" + ";".join(["Ausländische Bevölkerung"] * 3))
    lines.append(";;;;;Insgesamt;männlich;weiblich")
    lines.append(";;;;;Anzahl;Anzahl;Anzahl")
    for year in AUSLAENDER_YEARS:
        for key, name in _ldb_regions_kreise():
            for code, label, _, _, states in CITIZENSHIPS:
                rows = [(code, label)] + [(s, f"  {s_label}") for s, s_label, _ in states]
                for cell_code, cell_label in rows:
                    cells = [sample_genesis._cell(v) for v in values[key, year, cell_code]]
                    lines.append(
                        f"31.12.{year};{key};{name};{cell_code};{cell_label};" + ";".join(cells)
                    )
    footnote = (
        "ab 2016:\n"
        "Aus Gründen der Geheimhaltung (§ 16 Bundesstatistikgesetz)\n"
        "werden Daten der Ausländerstatistik ab dem Berichtsjahr\n"
        "2016 nur gerundet weitergegeben (Vielfache von 5).\n\n"
        + sample_genesis.SYNTHETIC.replace('"', '""')
    )
    lines += [sample_genesis.FOOTER, f'"{footnote}"', COPYRIGHT, f"Stand: {STAND}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# 22811-05i: recipients of Mindestsicherung by benefit

EMPFAENGER_CODE = "22811-05i"
EMPFAENGER_FILE = "22811-05i.csv"
EMPFAENGER_STAND = "02.01.2026 / 19:06:32"
EMPFAENGER_ROUNDED_FROM = 2020
"""From this Berichtsjahr on SGB XII and AsylbLG counts are rounded to multiples of 5."""
_RECIPIENTS = "Empfänger/innen von soz. Mindestsicherungsleistung"
_SGB2 = "Gesamtregelleistung (ALG II/Sozialgeld) nach dem SGB II"
_GRUSI = "Grundsicherung im Alter und bei Erwerbsminderung nach dem SGB XII"
EMPFAENGER_COLUMNS: list[tuple[str, str, str]] = [
    # (Leistung label, Teil label, key of recipients()) in the real file's column order
    (_SGB2, "", "sgb2"),
    ("Insgesamt", "", "insgesamt"),
    (_SGB2, "", "sgb2"),
    ("Hilfe zum Lebensunterhalt außerhalb von Einrichtungen nach dem SGB XII", "", "hlu_sgb12"),
    (_GRUSI, "Insgesamt", "grusi_sgb12"),
    (_GRUSI, "im Alter", "grusi_sgb12_alter"),
    (_GRUSI, "bei Erwerbsminderung", "grusi_sgb12_erwerbsminderung"),
    ("Regelleistungen nach dem Asylbewerberleistungsgesetz", "", "asylblg"),
]
EMPFAENGER_SHARES = {"hlu_sgb12": 0.015, "grusi_sgb12": 0.152, "asylblg": 0.033}
"""Shares of all recipients (after Krefeld's real 2024 structure); SGB II is the rest."""
GRUSI_ALTER_SHARE = 0.66


_POPULATION: dict[tuple[str, int], list[tuple[int, int]]] = {}


def inhabitants(key: str, year: int) -> int:
    """The sample population on 31.12. of ``year`` (all ages, both sexes)."""
    if not _POPULATION:
        _POPULATION.update(sample_genesis.population())
    return sum(m + f for m, f in _POPULATION[key, year])


def recipients() -> dict[tuple[str, int], dict[str, int]]:
    """(key, year) → recipients per benefit (keys of :data:`EMPFAENGER_COLUMNS`).

    ``insgesamt`` ≈ the published quota (one decimal) × the population on 31.12. / 100, so a
    quota recomputed from this file lies within a few hundredths of a point of ``22811-01i``.
    """
    rng = np.random.default_rng([city.SEED, 20])
    quota = quotas()
    out: dict[tuple[str, int], dict[str, int]] = {}
    for year in YEARS:
        rnd = _r5 if year >= EMPFAENGER_ROUNDED_FROM else (lambda v: int(np.rint(v)))
        for key, _ in _regions():
            target = quota[key, year] / 100 * inhabitants(key, year) * rng.uniform(0.999, 1.001)
            exact = {k: target * s * rng.uniform(0.9, 1.1) for k, s in EMPFAENGER_SHARES.items()}
            parts = {k: rnd(v) for k, v in exact.items()}
            alter = exact["grusi_sgb12"] * GRUSI_ALTER_SHARE * rng.uniform(0.97, 1.03)
            parts["grusi_sgb12_alter"] = rnd(alter)
            parts["grusi_sgb12_erwerbsminderung"] = rnd(exact["grusi_sgb12"] - alter)
            parts["sgb2"] = int(np.rint(target)) - sum(
                parts[k] for k in ("hlu_sgb12", "grusi_sgb12", "asylblg")
            )
            parts["insgesamt"] = sum(
                parts[k] for k in ("sgb2", "hlu_sgb12", "grusi_sgb12", "asylblg")
            )
            out[key, year] = parts
    return out


def empfaenger_text() -> str:
    """The 22811-05i file's text (to be encoded as Windows-1252)."""
    values = recipients()
    pad = ";" * (2 + len(EMPFAENGER_COLUMNS))
    lines = [f"Tabelle: {EMPFAENGER_CODE}"]
    titles = [
        "Sozialberichterstattung in der amtlichen Statistik:",
        "Empfänger/innen von sozialen Mindestsicherungsleistungen",
        "nach Art der Leistung - Gemeinden (Wohnortprinzip) - Jahr",
        "Sozialberichterstattung in der amtlichen Statistik",
    ]
    lines += [title + pad for title in titles]
    lines.append(";;;" + ";".join(_RECIPIENTS for _ in EMPFAENGER_COLUMNS))
    lines.append(";;;" + ";".join(leistung for leistung, _, _ in EMPFAENGER_COLUMNS))
    lines.append(";;;" + ";".join(teil for _, teil, _ in EMPFAENGER_COLUMNS))
    lines.append(";;;" + ";".join("Anzahl" for _ in EMPFAENGER_COLUMNS))
    for year in YEARS:
        for key, name in _regions():
            cells = [sample_genesis._cell(values[key, year][k]) for _, _, k in EMPFAENGER_COLUMNS]
            lines.append(f"{year};{key};{name};" + ";".join(cells))
    footnote = (
        'zu ""Mindestsicherungsleistung"":\n'
        "Mindestsicherungsleistungen sind finanzielle Hilfen des\n"
        "Staates, die zur Sicherung des grundlegenden Lebensunter-\n"
        "halts an leistungsberechtigte Personen gezahlt werden.\n\n"
        "2020:\n"
        "Ab dem Berichtsjahr 2020 erfolgt die Veröffentlichung der\n"
        "Ergebnisse der Statistik der Empfängerinnen und Empfänger\n"
        "mit laufender Hilfe zum Lebensunterhalt (außerhalb von\n"
        "Einrichtungen), von Grundsicherung und Regelleistungen nach\n"
        "dem AsylbLG unter Einsatz des Geheimhaltungsverfahrens der\n"
        "5er-Rundung.\n\n" + sample_genesis.SYNTHETIC.replace('"', '""')
    )
    lines += [
        sample_genesis.FOOTER,
        f'"{footnote}"',
        COPYRIGHT,
        f"Stand: {EMPFAENGER_STAND}",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# 82411-01-03-4: disposable income of private households (Regionaldatenbank)

EINKOMMEN_CODE = "82411-01-03-4"
EINKOMMEN_FILE = "82411-01-03-4.csv"
EINKOMMEN_YEARS = range(2014, 2023)
"""Berichtsjahre 2014 … 2022: the VGR der Länder publish Kreis results about two years late."""
EINKOMMEN_STAND = "10.11.2025 / 13:27:18"
NRW_EINKOMMEN_2014 = 20_600.0
NRW_EINKOMMEN_GROWTH = 0.025
EINKOMMEN_NEED_ELASTICITY = 0.4
"""A city's amount per inhabitant: NRW's × (1 − 0.4 × (NEED − 1)) × a fixed city factor."""


def incomes() -> dict[tuple[str, int], tuple[int, int]]:
    """(key, year) → (verfügbares Einkommen in Tsd. EUR, EUR je Einwohner)."""
    rng = np.random.default_rng([city.SEED, 21])
    regions = sample_genesis._regions(sample_genesis.SAMPLE_DESIGN)
    level = {city.NRW: 1.0}  # a region's amount per inhabitant relative to NRW's
    for key, _ in regions:
        if key == city.NRW:
            continue
        if len(key) == 3:  # Regierungsbezirk
            level[key] = 1 + rng.uniform(-0.02, 0.02)
        else:
            need = sample_genesis.NEED.get(key, 1.0)
            factor = 1 + rng.uniform(-0.03, 0.03)
            level[key] = (1 - EINKOMMEN_NEED_ELASTICITY * (need - 1)) * factor
    out: dict[tuple[str, int], tuple[int, int]] = {}
    nrw = NRW_EINKOMMEN_2014
    for year in EINKOMMEN_YEARS:
        if year > EINKOMMEN_YEARS[0]:
            nrw *= 1 + NRW_EINKOMMEN_GROWTH + rng.uniform(-0.012, 0.012)
        for key, _ in regions:
            noise = 0.0 if key == city.NRW else rng.uniform(-0.005, 0.005)
            per_head = nrw * level[key] * (1 + noise)
            before = max(year - 1, sample_genesis.YEARS[0])
            people = (inhabitants(key, before) + inhabitants(key, year)) / 2
            out[key, year] = (int(np.rint(per_head * people / 1000)), int(np.rint(per_head)))
    return out


def einkommen_table() -> sample_genesis.ClassicTable:
    """The 82411-01-03-4 table (Regionaldatenbank classic CSV)."""
    values = incomes()
    rows = [
        [str(year), key, name, *(sample_genesis._cell(v) for v in values[key, year])]
        for year in EINKOMMEN_YEARS
        for key, name in sample_genesis._regions(sample_genesis.SAMPLE_DESIGN)
    ]
    return sample_genesis.ClassicTable(
        code=EINKOMMEN_CODE,
        titles=[
            "Verfügbares Einkommen der privaten Haushalte einschließlich",
            "privater Organisationen ohne Erwerbszweck - Jahressumme -",
            "regionale Tiefe: Kreise und krfr. Städte",
            "VGR der Länder: Umverteilungsrechnung",
        ],
        headers=[
            [
                "",
                "",
                "",
                "verfügbares Einkommen der privaten Haushalte",
                "verfüg. Einkommen der priv. Haushalte je Einwohner",
            ],
            ["", "", "", "Tsd. EUR", "EUR"],
        ],
        rows=rows,
        footnote=(
            'zu "Verfügbares Einkommen der privaten Haushalte einschließ-\n'
            "lich privater Organisationen ohne Erwerbszweck in EUR je\n"
            'Einwohner":\n'
            "alle Länder: Die Einwohner werden in den VGR als Jahres-\n"
            "durchschnittszahl ausgewiesen.\n\n" + sample_genesis.SYNTHETIC
        ),
        stand=EINKOMMEN_STAND,
    )


# --------------------------------------------------------------------------------------
# 13111-54i: employees (place of work) by WZ section and school / vocational qualification

BESCHAEFTIGTE_CODE = "13111-54i"
BESCHAEFTIGTE_FILE = "13111-54i.csv"
BESCHAEFTIGTE_YEARS = range(2021, 2025)
"""Stichtage 31.12.2021 … 2024 (the real table: 'Stichtag (ab 2021)')."""
BESCHAEFTIGTE_STAND = "15.01.2026 / 15:38:09"
BESCHAEFTIGTE_RATE = 0.40
"""Employees at their place of work per inhabitant (NRW 2024 ≈ 0.41, Krefeld ≈ 0.42)."""
WZ_LEAVES: list[tuple[str, str, float]] = [
    # (code, label, share of all employees) — after NRW's real 2024 structure, rounded
    ("A", "Land- und Forstwirtschaft, Fischerei", 0.004),
    ("B-E", "Produzierendes Gewerbe ohne Baugewerbe", 0.195),
    ("F", "Baugewerbe", 0.052),
    ("G-I", "Handel, Gastgewerbe, Verkehr", 0.222),
    ("J", "Information und Kommunikation", 0.036),
    ("K", "Erbringung von Finanz- und Versicherungsdienstleistungen", 0.029),
    ("L", "Grundstücks- und Wohnungswesen", 0.009),
    ("M-N", "Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL", 0.144),
    ("O-Q", "Öff. Verw.,Verteidig.,Erz. und Unterricht,Gesundheits- und Sozialwesen", 0.273),
    ("R-T", "Kunst, Unterhaltung, Erholung, Priv. Haush.,usw.", 0.036),
]
WZ_ROWS: list[tuple[str, str]] = [
    # the real file's row order; B-F, G-T and Insgesamt are sums, C a part of B-E
    ("A", "Land- und Forstwirtschaft, Fischerei"),
    ("B-F", "Produzierendes Gewerbe"),
    ("B-E", "Produzierendes Gewerbe ohne Baugewerbe"),
    ("C", "Verarbeitendes Gewerbe"),
    ("F", "Baugewerbe"),
    ("G-T", "Dienstleistungsbereich"),
    ("G-I", "Handel, Gastgewerbe, Verkehr"),
    ("J", "Information und Kommunikation"),
    ("K", "Erbringung von Finanz- und Versicherungsdienstleistungen"),
    ("L", "Grundstücks- und Wohnungswesen"),
    ("M-N", "Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL"),
    ("O-Q", "Öff. Verw.,Verteidig.,Erz. und Unterricht,Gesundheits- und Sozialwesen"),
    ("R-T", "Kunst, Unterhaltung, Erholung, Priv. Haush.,usw."),
    ("", "Insgesamt"),
]
WZ_SUMS = {
    "B-F": ("B-E", "F"),
    "G-T": ("G-I", "J", "K", "L", "M-N", "O-Q", "R-T"),
    "": ("A", "B-E", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-T"),
}
VERARBEITENDES_GEWERBE_SHARE = 0.9
"""C (Verarbeitendes Gewerbe) as a share of B-E in every column."""
SCHUL_COLUMNS: list[tuple[str, float]] = [
    ("ohne Schulabschluss", 0.026),
    ("mit Volks-/Haupschulabschluss", 0.147),  # sic: the publisher's spelling
    ("mit mittlerer Reife/gleichwertigem Abschluss", 0.261),
    ("mit Abitur/Fachabitur", 0.427),
    ("Abschluss unbekannt", 0.139),
]
BERUF_COLUMNS: list[tuple[str, float]] = [
    ("ohne beruflichen Ausbildungsabschluss", 0.156),
    ("mit anerkanntem Berufsabschluss", 0.562),
    ("mit akademischem Abschluss", 0.187),
    ("Ausbildung unbekannt", 0.095),
]
"""Shares of all employees (NRW 2024, rounded); 'ohne' rises with a city's NEED."""


def employees() -> dict[tuple[str, int], dict[str, tuple[int, list[int], list[int]]]]:
    """(key, year) → WZ code (``""`` = Insgesamt) → (total, school columns, vocational columns).

    Every row's school columns and vocational columns each add up to its total; B-F, G-T and
    Insgesamt are the sums of their sections, C a part of B-E (as in the real table)."""
    rng = np.random.default_rng([city.SEED, 22])
    out: dict[tuple[str, int], dict[str, tuple[int, list[int], list[int]]]] = {}
    level = {key: rng.uniform(0.85, 1.15) for key, _ in _regions()}
    level[city.NRW] = 1.0
    for year in BESCHAEFTIGTE_YEARS:
        for key, _ in _regions():
            need = sample_genesis.NEED.get(key, 1.0)
            total = int(
                np.rint(
                    inhabitants(key, year)
                    * BESCHAEFTIGTE_RATE
                    * level[key]
                    * (1 + 0.006 * (year - 2021))
                )
            )
            wz_totals = sample_genesis._allocate(
                total, [share * rng.uniform(0.9, 1.1) for _, _, share in WZ_LEAVES]
            )
            ohne = 1 + 0.8 * (need - 1) + 0.01 * (year - 2021)
            rows: dict[str, tuple[int, list[int], list[int]]] = {}
            for (code, _, _), wz_total in zip(WZ_LEAVES, wz_totals, strict=True):
                schule = sample_genesis._allocate(
                    wz_total, [s * rng.uniform(0.9, 1.1) for _, s in SCHUL_COLUMNS]
                )
                beruf_weights = [b * rng.uniform(0.97, 1.03) for _, b in BERUF_COLUMNS]
                beruf_weights[0] *= ohne
                beruf = sample_genesis._allocate(wz_total, beruf_weights)
                rows[code] = (wz_total, schule, beruf)
            b_e = rows["B-E"]
            rows["C"] = (
                sample_genesis._allocate(b_e[0], [VERARBEITENDES_GEWERBE_SHARE, 0.1])[0],
                [sample_genesis._allocate(v, [VERARBEITENDES_GEWERBE_SHARE, 0.1])[0]
                 for v in b_e[1]],
                [sample_genesis._allocate(v, [VERARBEITENDES_GEWERBE_SHARE, 0.1])[0]
                 for v in b_e[2]],
            )  # fmt: skip
            for code, parts in WZ_SUMS.items():
                rows[code] = (
                    sum(rows[p][0] for p in parts),
                    [sum(rows[p][1][i] for p in parts) for i in range(len(SCHUL_COLUMNS))],
                    [sum(rows[p][2][i] for p in parts) for i in range(len(BERUF_COLUMNS))],
                )
            out[key, year] = rows
    return out


def beschaeftigte_text() -> str:
    """The 13111-54i file's text (to be encoded as Windows-1252): no key column, the region
    name (indented) after the Stichtag, then the WZ code (empty for Insgesamt) and label."""
    values = employees()
    columns = ["Insgesamt"] + [c for c, _ in SCHUL_COLUMNS] + [c for c, _ in BERUF_COLUMNS]
    pad = ";" * (3 + len(columns))
    lines = [f"Tabelle: {BESCHAEFTIGTE_CODE}"]
    titles = [
        "Sozialversicherungspflichtige Beschäftigte (Arbeitsort) nach",
        "Wirtschaftsabschnitte sowie Schul- und Berufsabschluss -",
        "kreisfreie Städte und Kreise - Stichtag (ab 2021)",
        "Statistik der sozialversicherungspflichtig Beschäftigten",
        "Sozialversicherungspfl. Beschäftigte (Arbeitsort) (Anzahl)",
    ]
    lines += [title + pad for title in titles]
    lines.append(";;;;" + ";".join(columns))
    for year in BESCHAEFTIGTE_YEARS:
        for key, name in _regions():  # the name only: no key column
            for code, label in WZ_ROWS:
                total, schule, beruf = values[key, year][code]
                cells = [sample_genesis._cell(v) for v in (total, *schule, *beruf)]
                lines.append(f"31.12.{year};{name};{code};{label};" + ";".join(cells))
    footnote = (
        "Quelle: Statistik der Bundesagentur für Arbeit\n\n"
        + sample_genesis.SYNTHETIC.replace('"', '""')
    )
    lines += [
        sample_genesis.FOOTER,
        f'"{footnote}"',
        COPYRIGHT,
        f"Stand: {BESCHAEFTIGTE_STAND}",
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# 22542-06i: groups in licensed youth-welfare facilities by legal basis

JUGENDHILFE_CODE = "22542-06i"
JUGENDHILFE_FILE = "22542-06i.csv"
JUGENDHILFE_YEARS = range(2018, 2025)
JUGENDHILFE_STAND = "23.12.2025 / 11:59:50"
JUGENDHILFE_PER_10000 = 4.4
"""Groups per 10,000 inhabitants in NRW (real 2024: 7,987 groups)."""
JUGENDHILFE_WITHHELD = ("05513", 2020)
"""One region-year printed as ``x`` throughout, as the real file prints Aachen 2024."""
RECHTSGRUNDLAGE_COLUMNS: list[tuple[str, float]] = [
    # the real file's column labels, share of all groups in NRW 2024 (rounded)
    ("§13 Abs. 2 3 SGB VIII Jugendsozialarbeit; Sozialpädagogisch begleitetes Wohnen", 0.019),
    ("§19 SGB VIII Gemeinsame Wohnformen für Mütter/Väter und Kinder", 0.024),
    ("§27 Abs. 2 SGB VIII Hilfe zur Erziehung (ohne Verb. Zu Hilfen gem. §§ 28-35)", 0.142),
    ("§32 SGB VIII Erziehung in einer Tagesgruppe", 0.039),
    ("§34 SGB VIII Heimerziehung, sonstige betreute Wohnform", 0.351),
    ("§35 SGB VIII Intensive sozialpädagogische Einzelbetreuung", 0.017),
    ("§35a SGB VIII Eingliederungshilfe für seelisch behinderte junge Menschen", 0.146),
    ("§41 SGB VIII Hilfen für junge Volljährige (z.B. als Anschlussbetreuung)", 0.169),
    ("§42 SGB VIII Inobhutnahme", 0.051),
    ("§42a SGB VIII Vorläufige Inobhutnahme", 0.017),
    ("SGB IX Eingliederungshilfe", 0.025),
    ("Einstweilige Unterbringung gemäß §§ 71 Abs. 2, 72 JGG", 0.0006),
    ("Gesicherte/Geschlossene Unterbringung a. Grundlage einer richterlichen Entscheidung "
     "gem. §1631b BGB", 0.0013),
]  # fmt: skip


def groups() -> dict[tuple[str, int], list[int] | None]:
    """(key, year) → groups per legal basis (column order), ``None`` for the withheld row."""
    rng = np.random.default_rng([city.SEED, 23])
    level = {key: rng.uniform(0.3, 1.5) for key, _ in _regions()}
    level[city.NRW] = 1.0
    out: dict[tuple[str, int], list[int] | None] = {}
    for year in JUGENDHILFE_YEARS:
        for key, _ in _regions():
            total = int(
                np.rint(
                    inhabitants(key, year)
                    / 10_000
                    * JUGENDHILFE_PER_10000
                    * level[key]
                    * (1 + 0.02 * (year - 2018))
                    * rng.uniform(0.95, 1.05)
                )
            )
            parts = sample_genesis._allocate(
                total, [s * rng.uniform(0.5, 1.5) for _, s in RECHTSGRUNDLAGE_COLUMNS]
            )
            out[key, year] = None if (key, year) == JUGENDHILFE_WITHHELD else parts
    return out


def _csv_field(text: str) -> str:
    return f'"{text}"' if ";" in text else text


def jugendhilfe_text() -> str:
    """The 22542-06i file's text (to be encoded as Windows-1252)."""
    values = groups()
    pad = ";" * (2 + len(RECHTSGRUNDLAGE_COLUMNS))
    lines = [f"Tabelle: {JUGENDHILFE_CODE}"]
    titles = [
        "Anzahl der Gruppen/Betreuungsformen in",
        "betriebserlaubnispflichtigen Einrichtungen der Kinder und",
        "Jugendhilfe nach Rechtsgrundlage der Betreuung (14),",
        "kreisfreie Städte und Kreise - Jahr",
        "Erhebung der Träger der Jugendhilfe, der dort tätigen Personen und deren Einrichtungen",
    ]
    lines += [title + pad for title in titles]
    lines.append(";;;" + ";".join(_csv_field(label) for label, _ in RECHTSGRUNDLAGE_COLUMNS))
    lines.append(";;;" + ";".join("Anzahl" for _ in RECHTSGRUNDLAGE_COLUMNS))
    for year in JUGENDHILFE_YEARS:
        for key, name in _regions():
            parts = values[key, year]
            cells = (
                ["x"] * len(RECHTSGRUNDLAGE_COLUMNS)
                if parts is None
                else [sample_genesis._cell(v) for v in parts]
            )
            lines.append(f"{year};{key};{name};" + ";".join(cells))
    lines += [sample_genesis.FOOTER, COPYRIGHT, f"Stand: {JUGENDHILFE_STAND}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# Entry points


def write_sample(out_dir: Path) -> list[Path]:
    """Write ``<out_dir>/itnrw/12521-03i.csv``, ``13111-54i.csv``, ``22542-06i.csv``,
    ``22811-01i.csv``, ``22811-05i.csv`` and ``82411-01-03-4.csv``; return their paths."""
    target = Path(out_dir) / sample_genesis.SUBDIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        (AUSLAENDER_FILE, auslaender_text()),
        (BESCHAEFTIGTE_FILE, beschaeftigte_text()),
        (JUGENDHILFE_FILE, jugendhilfe_text()),
        (FILE_NAME, mindestsicherungsquote_text()),
        (EMPFAENGER_FILE, empfaenger_text()),
        (EINKOMMEN_FILE, einkommen_table().text()),
    ):
        path = target / name
        path.write_bytes(text.encode(sample_genesis.ENCODING))
        written.append(path)
    return written


def write_messy_variants(out_dir: Path) -> list[Path]:
    """No damaged variants: the classic parser's are written by :mod:`pipelines.sample.genesis`."""
    return []
