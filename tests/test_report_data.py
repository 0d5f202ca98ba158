"""The report's data layer: a fixture warehouse with the published contract, and bm_report.

``build_warehouse`` writes every ``published`` table the report reads (exactly the contract's
columns; ``kategorie=True`` adds the optional breakdown column) with the seed facts of
shared/domain.md: Krefeld 2016/17 174 of 2,160 leavers without Hauptschulabschluss (8.1 %),
NRW 5.7 %; the Schulformwechsel of 2017/18 (123 in Sek I, 119 of them among the four school
types, 98 out of the Gymnasium, 71 late changes into grades 8–10). The render and browser
tests use it too.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pandas as pd
import pytest

from pipelines.disclosure.sozialindex import protect_district_means
from pipelines.report.contract import OPTIONAL_COLUMNS, TABLES, ContractError, check_warehouse
from pipelines.sample.city import (
    KREFELD_LEAVERS,
    KREISFREIE_STAEDTE_NRW,
    NRW_SHARE_WITHOUT_HSA,
    STADTBEZIRKE,
)
from quality.sdc.downloads import read_download

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "reports"
GEOMETRY = REPO / "data" / "sample" / "geo" / "stadtbezirke.geojson"
LABELS = REPO / "dbt_project" / "seeds" / "bezeichnungen.csv"
KREFELD, NRW, AGENTUR = "05114", "05", "AA393"
SCHOOL_YEARS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2014, 2025)]  # 2014/15 … 2024/25
YEARS = [str(y) for y in range(2015, 2025)]
SCHOOLS = {"187120": "Schule A", "187130": "Schule B", "187140": "Schule C"}

# (id, name, unit, Handlungsfeld, higher_is_better, levels, periods, base value)
CATALOGUE = [
    ("bevoelkerung_anzahl", "Bevölkerung", "Anzahl", "Rahmenbedingungen", None,
     "Land|Stadt", "dec31", 227_000),
    ("bevoelkerung_unter_18_anteil", "Anteil der Minderjährigen an der Bevölkerung", "%",
     "Rahmenbedingungen", None, "Land|Stadt", "dec31", 16.5),
    ("arbeitslosenquote", "Arbeitslosenquote", "%", "Rahmenbedingungen", False,
     "Land|Stadt", "year", 10.2),
    ("arbeitslosenquote_unter_25", "Arbeitslosenquote der unter 25-Jährigen", "%",
     "Rahmenbedingungen", False, "Land|Stadt", "year", 7.4),
    ("arbeitslose_anzahl", "Arbeitslose", "Anzahl", "Rahmenbedingungen", False,
     "Land|Stadt", "month", 11_800),
    ("sgb2_quote_unter_15", "SGB-II-Quote der unter 15-Jährigen", "%", "Rahmenbedingungen",
     False, "Stadt|Stadtbezirk", "dec31", 24.0),
    ("betreuungsquote_unter_3", "Betreuungsquote der unter 3-Jährigen", "%",
     "Frühkindliche Bildung", True, "Land|Stadt", "mar1", 24.0),
    ("betreuungsquote_3_bis_unter_6", "Betreuungsquote der 3- bis unter 6-Jährigen", "%",
     "Frühkindliche Bildung", True, "Land|Stadt", "mar1", 91.0),
    ("kindertagespflege_anteil_unter_3", "Anteil der Kindertagespflege (unter 3)", "%",
     "Frühkindliche Bildung", None, "Land|Stadt", "mar1", 30.0),
    ("schulanfaenger_familiensprache_quote", "Schulanfänger mit nichtdeutscher Familiensprache",
     "%", "Frühkindliche Bildung", None, "Stadt|Stadtbezirk|Schule", "sy", 38.0),
    ("schulen_anzahl", "Allgemeinbildende Schulen", "Anzahl", "Allgemeinbildende Schule", None,
     "Land|Stadt|Stadtbezirk", "sy", 70),
    ("schueler_anzahl", "Schülerinnen und Schüler", "Anzahl", "Allgemeinbildende Schule", None,
     "Land|Stadt|Stadtbezirk|Schule", "sy", 24_000),
    ("auslaenderanteil_schueler", "Anteil ausländischer Schülerinnen und Schüler", "%",
     "Allgemeinbildende Schule", None, "Land|Stadt|Stadtbezirk|Schule", "sy", 16.0),
    ("uebergang_sek1_quote", "Übergänge auf das Gymnasium", "%", "Allgemeinbildende Schule",
     None, "Stadt|Stadtbezirk|Schule", "sy", 41.0),
    ("schulformwechsel_anzahl", "Schulformwechsel in der Sekundarstufe I", "Anzahl",
     "Allgemeinbildende Schule", False, "Stadt", "sy", 120),
    ("schulformwechsel_spaet_anzahl", "Späte Schulformwechsel (Klassen 8 bis 10)", "Anzahl",
     "Allgemeinbildende Schule", False, "Stadt", "sy", 70),
    ("wiederholer_quote", "Wiederholerquote", "%", "Allgemeinbildende Schule", False,
     "Stadt|Stadtbezirk|Schule", "sy", 2.4),
    ("foerderbedarf_quote", "Förderquote (sonderpädagogischer Förderbedarf)", "%",
     "Allgemeinbildende Schule", None, "Stadt|Stadtbezirk|Schule", "sy", 7.2),
    ("inklusionsanteil", "Inklusionsanteil", "%", "Allgemeinbildende Schule", True,
     "Stadt|Stadtbezirk", "sy", 42.0),
    ("fehlstunden_unentschuldigt_je_schueler", "Unentschuldigte Fehlstunden je Schüler/in",
     "Stunden je Schüler/in", "Allgemeinbildende Schule", False, "Stadt|Stadtbezirk|Schule",
     "sy", 3.1),
    ("fehlzeiten_schwellenwert_quote", "Anteil mit mehr als 20 unentschuldigten Fehlstunden",
     "%", "Allgemeinbildende Schule", False, "Stadt|Stadtbezirk|Schule", "sy", 4.5),
    ("abgang_ohne_abschluss_quote", "Abgänge ohne Hauptschulabschluss", "%",
     "Allgemeinbildende Schule", False, "Land|Stadt|Stadtbezirk|Schule", "sy", None),
    ("abgaenger_abschlussart_anteil", "Abgänge nach Abschlussart", "%",
     "Allgemeinbildende Schule", None, "Land|Stadt", "sy", 100.0),
    ("angebots_nachfrage_relation", "Angebots-Nachfrage-Relation", "je 100",
     "Berufliche Bildung", True, "Agenturbezirk", "sy", 92.0),
    ("unversorgte_bewerber_anzahl", "Unversorgte Bewerberinnen und Bewerber", "Anzahl",
     "Berufliche Bildung", False, "Agenturbezirk", "sy", 160),
    ("unbesetzte_stellen_anzahl", "Unbesetzte Ausbildungsstellen", "Anzahl",
     "Berufliche Bildung", None, "Agenturbezirk", "sy", 140),
    ("uebergangsbereich_anteil", "Anteil der Neuzugänge im Übergangsbereich", "%",
     "Berufliche Bildung", False, "Land|Stadt", "year", 14.5),
    ("berufsschulanfaenger_anzahl", "Neuzugänge an Berufskollegs", "Anzahl",
     "Berufliche Bildung", None, "Land|Stadt", "year", 4_300),
    ("weiterbildungskolleg_studierende_anzahl", "Studierende an Weiterbildungskollegs",
     "Anzahl", "Weiterbildung", True, "Land|Stadt", "sy", 620),
    ("weiterbildungskolleg_quote", "Studierende an Weiterbildungskollegs je 1.000 Einwohner",
     "je 1.000", "Weiterbildung", True, "Land|Stadt", "sy", 2.7),
]  # fmt: skip

# Schulformwechsel 2017/18 (shared/domain.md): (from, to, grade entered, count)
SEED_CHANGES = [
    ("04", "10", 10, 2),
    ("10", "04", 9, 10), ("10", "04", 10, 2), ("10", "15", 8, 2),
    ("15", "04", 9, 1), ("15", "10", 9, 2), ("15", "10", 10, 2),
    ("20", "04", 7, 2), ("20", "04", 8, 3), ("20", "04", 9, 3),
    ("20", "10", 7, 43), ("20", "10", 8, 15), ("20", "10", 9, 10), ("20", "10", 10, 2),
    ("20", "15", 6, 2), ("20", "15", 7, 3), ("20", "15", 8, 14), ("20", "15", 9, 1),
    ("14", "04", 9, 1), ("extern", "15", 6, 1), ("14", "20", 7, 1), ("extern", "20", 8, 1),
]  # fmt: skip
SCHOOL_TYPES = {
    "04": "Hauptschule", "10": "Realschule", "15": "Gesamtschule", "20": "Gymnasium",
    "14": "Sekundarschule", "08": "Förderschule", "extern": "Schule außerhalb Krefelds",
}  # fmt: skip


def _periods(kind: str) -> list[str]:
    if kind == "sy":
        return SCHOOL_YEARS
    if kind == "year":
        return YEARS
    if kind == "dec31":
        return [f"{y}-12-31" for y in YEARS]
    if kind == "mar1":
        return [f"{int(y) + 1}-03-01" for y in YEARS]  # 2016-03-01 … 2025-03-01
    if kind == "month":
        return [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)][:34]
    raise ValueError(kind)


def _regions() -> list[tuple]:
    rows = [(NRW, "Nordrhein-Westfalen", "Land", None, False)]
    rows += [
        (key, name, "Stadt", NRW, key != KREFELD) for key, name in KREISFREIE_STAEDTE_NRW.items()
    ]
    rows += [
        (f"{KREFELD}000-{n}", name, "Stadtbezirk", KREFELD, False)
        for n, name in STADTBEZIRKE.items()
    ]
    rows.append((AGENTUR, "Agenturbezirk Krefeld (Krefeld und Kreis Viersen)", "Agenturbezirk",
                 NRW, False))  # fmt: skip
    rows += [(key, name, "Schule", f"{KREFELD}000-4", False) for key, name in SCHOOLS.items()]
    return rows


def _source(ind: tuple) -> str:
    if ind[5] == "Agenturbezirk":
        return "ba"
    return "schulen" if "Schule" in ind[5] and not ind[0].startswith("abgang") else "itnrw"


def _value_rows(kategorie: bool) -> list[dict]:
    """Deterministic synthetic values for every catalogue indicator, with the seed facts."""
    rng = np.random.default_rng(20161717)
    names = {r[0]: r[1] for r in _regions()}
    levels_of = {r[0]: r[2] for r in _regions()}
    cities = [k for k in KREISFREIE_STAEDTE_NRW if k != KREFELD]
    district_keys = [f"{KREFELD}000-{n}" for n in STADTBEZIRKE]
    rows: list[dict] = []

    def add(ind, key, period, value, *, num=None, den=None, symbol=None, reason=None, **dims):
        rows.append(
            {
                "indicator_id": ind[0],
                "indicator_name": ind[1],
                "handlungsfeld": ind[3],
                "region_key": key,
                "region_name": names[key],
                "region_level": levels_of[key],
                "period": period,
                "geschlecht": dims.get("geschlecht", "insgesamt"),
                "staatsangehoerigkeit": dims.get("staatsangehoerigkeit", "insgesamt"),
                "schulform": dims.get("schulform", "insgesamt"),
                "kategorie": dims.get("kategorie", "insgesamt"),
                "numerator": num,
                "denominator": den,
                "value": value,
                "unit": ind[2],
                "symbol": symbol,
                "suppression_reason": reason,
                "source": _source(ind),
            }
        )  # fmt: skip

    for ind in CATALOGUE:
        ident, _, unit, _, _, levels, kind, base = ind
        levels = levels.split("|")
        periods = _periods(kind)
        for i, period in enumerate(periods):
            drift = 1 + 0.01 * (i - len(periods) / 2)
            if ident == "abgang_ohne_abschluss_quote":
                leavers, without = KREFELD_LEAVERS[period]
                add(ind, KREFELD, period, 100 * without / leavers, num=without, den=leavers)
                add(ind, NRW, period, NRW_SHARE_WITHOUT_HSA[period])
                for sex, share in (("männlich", 0.58), ("weiblich", 0.42)):
                    part = round(without * share)
                    add(ind, KREFELD, period, 100 * part / (leavers / 2), num=part,
                        den=leavers / 2, geschlecht=sex)  # fmt: skip
                city_base = {c: rng.uniform(5.0, 9.5) for c in cities}
                for city in cities:
                    add(ind, city, period, round(city_base[city] + rng.normal(0, 0.3), 1))
            elif ident == "schulformwechsel_spaet_anzahl":
                add(ind, KREFELD, period, 71.0 if period == "2017/18" else float(60 + i))
                continue
            elif ident == "schulformwechsel_anzahl":
                add(ind, KREFELD, period, 123.0 if period == "2017/18" else float(110 + 2 * i))
                continue
            elif ident == "abgaenger_abschlussart_anteil":
                shares = {"hsa": 18.0, "msa": 40.0, "ahr": 34.0}  # codes of the label seed
                for key in (KREFELD, NRW):
                    add(ind, key, period, 100.0)
                    if kategorie:
                        for category, share in shares.items():
                            add(ind, key, period, share + rng.normal(0, 1), kategorie=category)
                continue
            else:
                scale = 80 if unit == "Anzahl" and "Land" in levels else 1
                if "Stadt" in levels or "Agenturbezirk" in levels:
                    own = KREFELD if "Stadt" in levels else AGENTUR
                    value = base * drift * (1 + rng.normal(0, 0.02))
                    add(ind, own, period, round(value) if unit == "Anzahl" else value)
                if "Land" in levels:
                    value = base * scale * (0.9 if unit != "Anzahl" else 1) * drift
                    symbol = "p" if i == len(periods) - 1 and ident == "arbeitslosenquote" else None
                    add(ind, NRW, period, round(value) if unit == "Anzahl" else value,
                        symbol=symbol)  # fmt: skip
                if "Land" in levels and "Stadt" in levels and unit != "Anzahl":
                    for city in cities:
                        add(ind, city, period, base * rng.uniform(0.7, 1.3))
            if "Stadtbezirk" in levels:
                for n, key in enumerate(district_keys):
                    value = (base or 8.0) / (9 if unit == "Anzahl" else 1) * (0.6 + 0.1 * n)
                    if ident == "wiederholer_quote" and key.endswith("-3"):
                        add(ind, key, period, None, symbol=".", reason="Fallzahl unter 3")
                    else:
                        add(ind, key, period, round(value) if unit == "Anzahl" else value)
            if "Schule" in levels and period == SCHOOL_YEARS[-1]:
                for key in SCHOOLS:
                    add(ind, key, period, None, symbol=".", reason="Fallzahl unter 5")
            if ident in ("wiederholer_quote", "schueler_anzahl") and "Stadt" in levels:
                for schulform in ("Hauptschule", "Realschule", "Gymnasium", "Gesamtschule"):
                    add(ind, KREFELD, period, (base or 1) / 4 * (1 + 0.2 * len(schulform) % 3),
                        schulform=schulform)  # fmt: skip
                for nat in ("deutsch", "nichtdeutsch"):
                    add(ind, KREFELD, period, (base or 1) / 2, staatsangehoerigkeit=nat)
    return rows


def _changes() -> list[tuple]:
    rng = np.random.default_rng(1718)
    rows = []
    for year in SCHOOL_YEARS:
        for von, nach, grade, count in SEED_CHANGES:
            if year != "2017/18":
                count = int(max(0, count + rng.integers(-2, 3)))
            rows.append((year, von, SCHOOL_TYPES[von], nach, SCHOOL_TYPES[nach], grade,
                         float(count), None, None))  # fmt: skip
    return rows


def _schools_per_level() -> pd.DataFrame:
    """Schools per school year, group, Stadtbezirk and level (the marts' view, unpublished);
    the Weiterführende Schulen of Stadtbezirk 3 are a single school."""
    rng = np.random.default_rng(2024)
    rows = []
    for year in ("2022/23", "2023/24", "2024/25"):
        for group in ("Grundschulen", "Weiterführende Schulen"):
            for n, name in STADTBEZIRKE.items():
                for stufe in range(1, 10):
                    count = int(rng.poisson(0.6 + (n % 4) * 0.25 if stufe > 4 else 0.7))
                    if group != "Grundschulen" and n == 3:
                        count = int(stufe == 6)
                    if count:
                        rows.append((year, group, f"{KREFELD}000-{n}", name, stufe, count))
    columns = ["school_year", "schulgruppe", "region_key", "region_name", "stufe"]
    return pd.DataFrame(rows, columns=[*columns, "anzahl_schulen"])


def _district_means(schools: pd.DataFrame) -> pd.DataFrame:
    """``published.sozialindex_stadtbezirke`` as the pipeline builds it from those schools."""
    sums = (
        schools.assign(summe_stufen=schools["stufe"] * schools["anzahl_schulen"])
        .groupby(["school_year", "schulgruppe", "region_key", "region_name"], as_index=False)[
            ["anzahl_schulen", "summe_stufen"]
        ]
        .sum()
    )
    return protect_district_means(sums.astype({"summe_stufen": "float64"}))


def build_warehouse(path: Path, *, kategorie: bool = False) -> Path:
    """A warehouse holding exactly the published tables the report reads."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA published")
    values = pd.DataFrame(_value_rows(kategorie))
    columns = list(TABLES["indicator_values"]) + (["kategorie"] if kategorie else [])
    con.register("fixture_values", values[columns])
    con.execute("CREATE TABLE published.indicator_values AS SELECT * FROM fixture_values")
    catalogue = pd.DataFrame(
        [
            {
                "indicator_id": c[0],
                "name_de": c[1],
                "definition_de": f"Definition von {c[1]} (Fixture).",
                "numerator_de": "Zähler" if c[2] != "Anzahl" else None,
                "denominator_de": "Nenner" if c[2] != "Anzahl" else None,
                "unit": c[2],
                "handlungsfeld": c[3],
                "source": "IT.NRW" if "Schule" not in c[5] else "Schulverwaltung",
                "higher_is_better": c[4],
                "levels": c[5],
                "notes_de": "Synthetische Testdaten." if c[0].startswith("abgang") else None,
                "kategorie_de": "Abschlussart" if c[0] == "abgaenger_abschlussart_anteil" else None,
                **(
                    {  # the share of 100 % is no statement: its headline is a category
                        "leit_merkmal": "kategorie",
                        "leit_code": "msa",
                        "leit_name_de": "Anteil mit Mittlerem Schulabschluss",
                    }
                    if c[0] == "abgaenger_abschlussart_anteil"
                    else dict.fromkeys(("leit_merkmal", "leit_code", "leit_name_de"))
                ),
            }
            for c in CATALOGUE
        ]
    )
    catalogue = catalogue[
        list(TABLES["indicator_catalogue"])
        + (list(OPTIONAL_COLUMNS["indicator_catalogue"]) if kategorie else [])
    ]
    catalogue["higher_is_better"] = catalogue["higher_is_better"].astype("boolean")
    con.register("fixture_catalogue", catalogue)
    con.execute("CREATE TABLE published.indicator_catalogue AS SELECT * FROM fixture_catalogue")
    con.execute(
        "CREATE TABLE published.regions (region_key VARCHAR, region_name VARCHAR, "
        "region_level VARCHAR, parent_key VARCHAR, is_comparison_city BOOLEAN)"
    )
    con.executemany("INSERT INTO published.regions VALUES (?, ?, ?, ?, ?)", _regions())
    con.execute(
        "CREATE TABLE published.schulformwechsel (school_year VARCHAR, von_schulform VARCHAR, "
        "von_schulform_name VARCHAR, nach_schulform VARCHAR, nach_schulform_name VARCHAR, "
        "jahrgang INTEGER, anzahl DOUBLE, symbol VARCHAR, suppression_reason VARCHAR)"
    )
    con.executemany(
        "INSERT INTO published.schulformwechsel VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _changes()
    )
    schools = _schools_per_level()
    con.execute(
        "CREATE TABLE published.sozialindex_stufen (school_year VARCHAR, schulgruppe VARCHAR, "
        "stufe INTEGER, anzahl_schulen INTEGER)"
    )
    city = schools.groupby(["school_year", "schulgruppe", "stufe"], as_index=False)
    con.register("fixture_stufen", city["anzahl_schulen"].sum())
    con.execute("INSERT INTO published.sozialindex_stufen SELECT * FROM fixture_stufen")
    con.execute(
        "CREATE TABLE published.sozialindex_stadtbezirke (school_year VARCHAR, "
        "schulgruppe VARCHAR, region_key VARCHAR, region_name VARCHAR, anzahl_schulen INTEGER, "
        "mittlere_stufe DOUBLE, symbol VARCHAR, suppression_reason VARCHAR)"
    )
    con.register("fixture_bezirke", _district_means(schools))
    con.execute("INSERT INTO published.sozialindex_stadtbezirke SELECT * FROM fixture_bezirke")
    con.execute(
        "CREATE TABLE published.sozialindex_gewichte (schulgruppe VARCHAR, school_year VARCHAR, "
        "merkmal VARCHAR, merkmal_name VARCHAR, gewicht DOUBLE)"
    )
    merkmale = [
        ("sgb2_dichte", "Kinder- und Jugendarmut (SGB-II-Quote im Einzugsgebiet)", 0.34),
        ("familiensprache", "Überwiegend nichtdeutsche Familiensprache", 0.27),
        ("zuzug_ausland", "Eigener Zuzug aus dem Ausland", 0.17),
        ("foerderbedarf", "Sonderpädagogischer Förderbedarf (LES)", 0.22),
    ]
    con.executemany(
        "INSERT INTO published.sozialindex_gewichte VALUES (?, ?, ?, ?, ?)",
        [
            (group, year, key, name, weight)
            for group in ("Grundschulen", "Weiterführende Schulen")
            for year in ("2022/23", "2023/24", "2024/25")
            for key, name, weight in merkmale
        ],
    )
    features = json.loads(GEOMETRY.read_text("utf-8"))["features"]
    con.execute(
        "CREATE TABLE published.geometrie_stadtbezirke "
        "(region_key VARCHAR, region_name VARCHAR, geojson VARCHAR)"
    )
    con.executemany(
        "INSERT INTO published.geometrie_stadtbezirke VALUES (?, ?, ?)",
        [(f["properties"]["region_key"], f["properties"]["name"], json.dumps(f)) for f in features],
    )
    con.execute(
        "CREATE TABLE published.geheimhaltung_regeln AS SELECT 3 AS schwelle_fallzahl, "
        "10 AS schwelle_nenner, 3 AS schutzintervall"
    )
    con.execute(
        "CREATE TABLE published.geheimhaltung_ausnahmen (ausnahme VARCHAR, gegenstand VARCHAR, "
        "begruendung VARCHAR, beschluss VARCHAR)"
    )
    # the label table as the pipeline publishes it: the seed itself
    labels = pd.read_csv(LABELS, dtype=str, keep_default_na=False).astype({"sortierung": int})
    con.register("fixture_labels", labels)
    con.execute(
        "CREATE TABLE published.bezeichnungen AS SELECT merkmal, code, bezeichnung, "
        "CAST(sortierung AS INTEGER) AS sortierung FROM fixture_labels"
    )
    add_summaries(con, kategorie=kategorie)
    add_school_guides(con)
    con.close()
    return path


def add_school_guides(con: duckdb.DuckDBPyConnection) -> None:
    """``published.schulwegweiser_*``: three fictional schools, two primary schools (two
    districts, for the overview's filters) and a secondary school."""
    con.execute(
        "CREATE TABLE published.schulwegweiser_schulen AS SELECT * FROM (VALUES "
        "('2025/26', '100001', 'grundschule', 'Beispiel-Grundschule Am Bach (fiktiv)', '02', "
        "'Grundschule', 'Am Bach 1', '47798', 'Krefeld', '02151 000001', "
        "'100001@schulen.example', 'https://100001.schulen.example/', '05114000-1', 'West', "
        "51.33, 6.55, 'ogs', '16:00', 'Englisch', NULL, true, 2, DATE '2024-11-04', "
        "DATE '2024-11-15', DATE '2024-10-12', 'ja', NULL, NULL, NULL, NULL), "
        "('2025/26', '100002', 'weiterfuehrend', 'Beispiel-Gymnasium Am Hang (fiktiv)', '20', "
        "'Gymnasium', 'Am Hang 2', '47799', 'Krefeld', '02151 000002', "
        "'100002@schulen.example', 'https://100002.schulen.example/', '05114000-2', 'Mitte', "
        "51.34, 6.56, 'gebunden', '15:30', 'Englisch, Französisch, Latein', 'MINT', false, 4, "
        "DATE '2025-02-17', DATE '2025-02-21', NULL, 'teilweise', 'ESA, EESA, MSA, FHR, AHR', "
        "'eigene', 6, 'Halbjahreszeugnis mitbringen'), "
        "('2025/26', '100003', 'grundschule', 'Beispiel-Grundschule Am Markt (fiktiv)', '02', "
        "'Grundschule', 'Am Markt 3', '47798', 'Krefeld', '02151 000003', "
        "'100003@schulen.example', NULL, '05114000-2', 'Mitte', "
        "51.335, 6.565, 'halbtag', NULL, 'Englisch, Niederländisch', 'Musik', false, 1, "
        "DATE '2024-11-05', DATE '2024-11-14', NULL, 'nicht_barrierefrei', NULL, NULL, NULL, "
        "NULL)) AS t(school_year, schulnummer, wegweiser, "
        "schulname, schulform, schulform_name, strasse, plz, ort, telefon, email, homepage, "
        "stadtbezirk_key, stadtbezirk_name, lat, lon, ganztag, ganztag_bis, fremdsprachen, "
        "profil, gemeinsames_lernen, zuege, anmeldung_von, anmeldung_bis, tag_der_offenen_tuer, "
        "barrierefrei, abschluesse, oberstufe, zweite_fremdsprache_ab, hinweise)"
    )
    con.execute(
        "CREATE TABLE published.schulwegweiser_anmeldungen AS SELECT * FROM (VALUES "
        "('2024/25', '100001', 50, 48, 48), ('2024/25', '100002', 112, 131, 112)) "
        "AS t(school_year, schulnummer, aufnahmekapazitaet, anmeldungen, aufnahmen)"
    )
    # as the dbt model pub_schulwegweiser_anmeldefristen defines it
    con.execute(
        "CREATE TABLE published.schulwegweiser_anmeldefristen AS SELECT school_year, wegweiser, "
        "CAST(count(DISTINCT schulnummer) AS INTEGER) AS schulen, "
        "min(anmeldung_von) AS anmeldung_ab, max(anmeldung_bis) AS anmeldung_bis "
        "FROM published.schulwegweiser_schulen GROUP BY ALL"
    )


def add_summaries(con: duckdb.DuckDBPyConnection, *, kategorie: bool) -> None:
    """``published.vergleichsstaedte`` and ``published.schulformwechsel_reihe`` from the
    fixture's published tables, as the dbt models define them (summaries of published cells:
    suppressed ones do not count, a sum with a hidden part is NULL)."""
    extra = ", kategorie" if kategorie else ""  # optional columns last, as in the contract
    con.execute(
        "CREATE TABLE published.vergleichsstaedte AS SELECT v.indicator_id, v.period, "
        "geschlecht, staatsangehoerigkeit, schulform, median(v.value) AS median, "
        f"min(v.value) AS min, max(v.value) AS max, CAST(count(v.value) AS INTEGER) AS n{extra} "
        "FROM published.indicator_values AS v "
        "JOIN published.regions AS r USING (region_key) WHERE r.is_comparison_city "
        "GROUP BY ALL HAVING count(v.value) >= 3"
    )
    four = "('04', '10', '20', '15')"
    parts = {
        "insgesamt": "true",
        "vier_schulformen": f"von_schulform IN {four} AND nach_schulform IN {four}",
        "aus_gymnasium": f"von_schulform = '20' AND nach_schulform IN {four}",
        "spaet": "jahrgang BETWEEN 8 AND 10",
    }
    sums = ", ".join(
        f"CASE WHEN bool_or(anzahl IS NULL AND {c}) THEN NULL "
        f"ELSE coalesce(sum(CASE WHEN {c} THEN anzahl END), 0) END AS {name}"
        for name, c in parts.items()
    )
    con.execute(
        f"CREATE TABLE published.schulformwechsel_reihe AS SELECT school_year, {sums} "
        "FROM published.schulformwechsel GROUP BY school_year ORDER BY school_year"
    )


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("w") / "w.duckdb", kategorie=True)


def fresh_report_helpers(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """``bm_report`` and the helper modules it re-exports, loaded anew (their per-kernel
    caches empty) for the warehouse in ``$BILDUNGSMONITOR_WAREHOUSE``."""
    monkeypatch.syspath_prepend(str(REPORTS))
    for loaded in [m for m in sys.modules if m.startswith("bm_")]:
        monkeypatch.delitem(sys.modules, loaded)
    spec = importlib.util.spec_from_file_location(name, REPORTS / "bm_report.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bm(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh bm_report (its caches empty) reading the fixture warehouse."""
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(warehouse))
    return fresh_report_helpers(monkeypatch, "bm_report_test")


def test_fixture_has_exactly_the_contract_columns(tmp_path: Path) -> None:
    for kategorie in (False, True):
        path = build_warehouse(tmp_path / f"w{kategorie}.duckdb", kategorie=kategorie)
        check_warehouse(path)
        with duckdb.connect(str(path), read_only=True) as con:
            for table, columns in TABLES.items():
                found = [r[0] for r in con.execute(f"DESCRIBE published.{table}").fetchall()]
                optional = list(OPTIONAL_COLUMNS.get(table, ())) if kategorie else []
                assert found == list(columns) + optional, table
            assert (
                con.execute("SELECT count(*) FROM published.indicator_catalogue").fetchone()[0]
                >= 25
            )


def test_contract_check_names_what_is_missing(tmp_path: Path) -> None:
    path = build_warehouse(tmp_path / "w.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE published.regions DROP COLUMN is_comparison_city")
        con.execute("DROP TABLE published.sozialindex_gewichte")
    with pytest.raises(ContractError) as info:
        check_warehouse(path)
    assert "published.regions.is_comparison_city" in str(info.value)
    assert "published.sozialindex_gewichte (table)" in str(info.value)
    with pytest.raises(ContractError, match="not found"):
        check_warehouse(tmp_path / "fehlt.duckdb")


def test_sozialindex_page_reads_the_published_means_and_marks_withheld_ones(
    bm: ModuleType,
) -> None:
    ausgabe = bm.edition()
    stufen = bm.sozialindex_stufen(ausgabe)
    bezirke = bm.sozialindex_stadtbezirke(ausgabe)
    assert set(stufen["school_year"]) == set(bezirke["school_year"]) == {"2024/25"}
    assert "region_key" not in stufen  # no level counts per Stadtbezirk
    verteilung = bm.sozialindex_distribution(stufen)
    assert verteilung.to_numpy().sum() == bezirke["anzahl_schulen"].sum()
    mittel = bm.sozialindex_means(bezirke)
    assert list(mittel.index) == list(bm.districts().index)
    for row in bezirke.itertuples():
        shown = mittel.loc[row.region_key, row.schulgruppe]
        assert (pd.isna(shown) and pd.isna(row.mittlere_stufe)) or shown == row.mittlere_stufe
    withheld = bezirke[bezirke["symbol"] == "."]
    assert withheld["mittlere_stufe"].isna().all()
    assert (bezirke.loc[bezirke["mittlere_stufe"].notna(), "anzahl_schulen"] >= 3).all()
    single = (bezirke["region_key"] == f"{KREFELD}000-3") & (
        bezirke["schulgruppe"] == "Weiterführende Schulen"
    )
    assert bezirke.loc[single, "anzahl_schulen"].tolist() == [1]
    assert bezirke.loc[single, "symbol"].tolist() == ["."]
    # a single withheld district would follow from the city total: at least two are withheld
    weiter = withheld[withheld["schulgruppe"] == "Weiterführende Schulen"]
    assert len(weiter) >= 2 and weiter["anzahl_schulen"].sum() >= 3

    table = bm.sozialindex_district_table(bezirke)
    line = next(x for x in table.splitlines() if x.startswith(f"| {STADTBEZIRKE[3]} "))
    assert [c.strip() for c in line.strip("| ").split("|")][3:] == ["1", "."]
    assert bm.sozialindex_district_note(bezirke).startswith(
        "„.“ = gesperrt: Mittelwerte werden nur für mindestens drei Schulen veröffentlicht."
    )
    points = bm.sozialindex_points(verteilung, mittel, "2024/25")
    assert "unter den Stadtbezirken mit veröffentlichtem Mittelwert" in points
    # two districts showing the same highest mean are both named, not the first one only
    tied = mittel.copy()
    group = tied.columns[0]
    top = tied[group].max()
    tied[group] = tied[group].where(tied[group] != top, top - 1)
    first, second = list(tied.index[tied[group].notna()])[:2]
    tied.loc[[first, second], group] = top + 0.01  # both shown as the same rounded value
    points = bm.sozialindex_points(verteilung, tied, "2024/25")
    names = bm.districts()
    assert f"in den Stadtbezirken {names[first]} und {names[second]} (je " in points


def test_periods_and_editions(bm: ModuleType) -> None:
    assert bm.period_end("2016/17") == date(2017, 7, 31)
    assert bm.period_end("2016") == date(2016, 12, 31)
    assert bm.period_end("2024-02") == date(2024, 2, 29)
    assert bm.period_end("2024-12-31") == date(2024, 12, 31)
    with pytest.raises(ValueError, match="2016/2017"):
        bm.period_end("2016/2017")
    assert bm.previous_period("2000/01") == "1999/00"
    assert bm.previous_period("2024-09") == "2023-09"
    assert bm.format_period("2024-09") == "September 2024"
    assert bm.format_period("2024-12-31") == "31.12.2024"

    latest = bm.edition()
    assert (latest.label, latest.cutoff) == ("2024/25", date(2025, 7, 31))
    earlier = bm.edition("2016/17")
    assert (
        earlier.includes("2016/17") and earlier.includes("2016") and earlier.includes("2017-03-01")
    )
    assert not earlier.includes("2017/18") and not earlier.includes("2017")
    assert bm.edition("2016").cutoff == date(2016, 12, 31)
    with pytest.raises(LookupError, match="2030/31"):
        bm.edition("2030/31")
    with pytest.raises(ValueError, match="school year"):
        bm.edition("16/17")


def test_values_of_an_edition_and_the_seed_figures(bm: ModuleType) -> None:
    ausgabe = bm.edition("2016/17")
    entry = bm.indicator("abgang_ohne_abschluss_quote")
    series = bm.trend(entry, ausgabe)
    assert series.periods[-1] == "2016/17" and series.local_name == "Krefeld"
    assert bm.format_value(series.table.loc["2016/17", "local"]) == "8,1 %"
    assert bm.format_value(series.table.loc["2016/17", "nrw"]) == "5,7 %"
    assert series.table["n"].max() == 21  # the comparison cities, Krefeld not among them
    figure = bm.key_figure(entry, ausgabe)
    assert figure.cells()[:6] == ["Abgänge ohne Hauptschulabschluss", "2016/17", "8,1 %",
                                  "+0,2 %-Pkt.", "ungünstiger", "5,7 %"]  # fmt: skip
    # months: the yearly series keeps the latest month's calendar month
    monthly = bm.trend(bm.indicator("arbeitslose_anzahl"), bm.edition())
    assert monthly.periods == ("2023-07", "2024-07", "2025-07")


def test_breakdowns_symbols_and_csv(bm: ModuleType, tmp_path: Path) -> None:
    ausgabe = bm.edition()
    assert bm.breakdown_columns() == (
        "geschlecht",
        "staatsangehoerigkeit",
        "schulform",
        "kategorie",
    )
    text = bm.breakdown_tables(bm.indicator("abgaenger_abschlussart_anteil"), ausgabe)
    assert "**Nach Abschlussart**" in text and "Mittlerer Schulabschluss" in text
    rows = bm.values("wiederholer_quote", ausgabe, levels=["Stadtbezirk"])
    assert bm.symbol_notes(rows).startswith("Zeichenerklärung: „.“ = gesperrt")
    assert bm.suppression_reasons(rows) == ["Fallzahl unter 3"]

    n = bm.write_csv("abgang_ohne_abschluss_quote", bm.edition("2016/17"), tmp_path / "a.csv")
    back = pd.read_csv(tmp_path / "a.csv", sep=";", decimal=",", encoding="utf-8-sig",
                       dtype={"Regionalschlüssel": str})  # fmt: skip
    assert len(back) == n and set(back["Zeitraum"]) == {"2014/15", "2015/16", "2016/17"}
    assert list(back.columns) == bm.column_headers([*TABLES["indicator_values"], "kategorie"])
    row = back[(back["Regionalschlüssel"] == "05114") & (back["Zeitraum"] == "2016/17")
               & (back["Geschlecht"] == "Insgesamt")].iloc[0]  # fmt: skip
    assert (row["Zähler"], row["Nenner"], row["Wert"]) == (174, 2160, 8.1)


def test_csv_by_period_and_overview_equal_the_whole_rows(
    bm: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page reads its rows in parts (per period, or aggregated); the result must be the
    same as writing and describing all published rows at once."""
    ausgabe = bm.edition()
    downloads = sys.modules["bm_downloads"]
    for indicator_id in ("schueler_anzahl", "arbeitslose_anzahl", "wiederholer_quote"):
        rows = bm.published_rows(indicator_id, ausgabe)
        assert rows["period"].map(bm.period_end).is_monotonic_increasing
        whole = tmp_path / f"{indicator_id}-whole.csv"
        monkeypatch.setattr(downloads, "CSV_BATCH_ROWS", 10**9)  # all periods at once
        assert bm.write_csv(indicator_id, ausgabe, whole) == len(rows)
        parts = tmp_path / f"{indicator_id}.csv"
        monkeypatch.setattr(downloads, "CSV_BATCH_ROWS", 1)  # every period on its own
        assert bm.write_csv(indicator_id, ausgabe, parts) == len(rows)
        assert parts.read_bytes() == whole.read_bytes()
        back = pd.DataFrame(read_download(parts))
        assert sorted(back["period"]) == sorted(rows["period"])

        overview = bm.published_overview(indicator_id, ausgabe)
        assert overview["zeilen"].sum() == len(rows)
        assert bm.school_rows(overview) == (rows["region_level"] == "Schule").sum()
        assert bm.sources(overview) == bm.sources(rows)
        assert bm.symbol_notes(overview) == bm.symbol_notes(rows)
        assert bm.suppression_note(overview) == bm.suppression_note(rows)
    assert bm.school_rows(bm.published_overview("schueler_anzahl", ausgabe)) > 0


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing as None in every column: an all-empty text column reads as object with None,
    a filled one as str with NaN; the pages treat both alike."""
    return frame.astype(object).where(frame.notna(), None)


def test_rows_above_schools_from_the_kernel_equal_the_warehouse_selection(
    bm: ModuleType,
) -> None:
    """values() serves selections without schools from the kernel's copy and the rest from
    the warehouse; both paths must give the same rows."""
    ausgabe = bm.edition()
    for indicator_id in ("schueler_anzahl", "wiederholer_quote", "arbeitslose_anzahl"):
        everything = bm.values(indicator_id, ausgabe, totals=False)  # includes schools
        cached = bm.values(indicator_id, ausgabe, levels=["Land", "Stadt", "Stadtbezirk"],
                           totals=False)  # fmt: skip
        expected = everything[everything["region_level"] != "Schule"].reset_index(drop=True)
        pd.testing.assert_frame_equal(_plain(cached), _plain(expected))
        keys = [bm.KREFELD, *bm.districts().index]
        pd.testing.assert_frame_equal(
            _plain(bm.values(indicator_id, ausgabe, region_keys=keys)),
            _plain(bm.read_values(indicator_id, bm.edition_periods(indicator_id, ausgabe),
                                   region_keys=tuple(keys), totals=True)),
        )  # fmt: skip
    entries = [bm.indicator("schueler_anzahl"), bm.indicator("wiederholer_quote")]
    rows = [bm.values(e.id, ausgabe) for e in entries]
    assert bm.sources_of(entries, ausgabe) == bm.sources(pd.concat(rows))
    assert bm.symbol_notes_of(entries, ausgabe) == bm.symbol_notes(*rows)


def test_schulformwechsel_seed_matrix(bm: ModuleType) -> None:
    frame = bm.schulformwechsel(bm.edition())
    matrix = bm.sfw_matrix(frame, "2017/18")
    assert matrix.loc["20", "summe"] == 98 and matrix.loc["summe", "summe"] == 119
    assert matrix.loc["summe", ["04", "10", "20", "15"]].tolist() == [21, 76, 0, 22]
    grades = bm.sfw_by_grade(frame, "2017/18")
    assert grades["summe"].tolist() == [22, 76, 2, 23]
    series = bm.sfw_series(frame).set_index("school_year")
    assert series.loc["2017/18"].tolist() == [123, 119, 98, 71]
    # a suppressed part makes its totals unknown rather than too small
    frame.loc[(frame.school_year == "2017/18") & (frame.von_schulform == "04"), "anzahl"] = None
    assert np.isnan(bm.sfw_matrix(frame, "2017/18").loc["summe", "summe"])


def test_number_formats_and_changes(bm: ModuleType) -> None:
    assert bm.format_value(None, ".") == "."
    assert bm.format_value(8.25, "p") == "8,3 % p"
    assert bm.format_value(2160.0, float("nan"), unit="Anzahl") == "2.160"
    assert bm.format_value(92.44, None, unit="je 100") == "92,4"
    assert bm.format_change(8.1, 7.8, "%") == "+0,3 %-Pkt."
    assert bm.format_change(2000, 2100, "Anzahl") == "−100 (−4,8 %)"
    assert bm.format_change(5.0, 5.04, "%") == "±0"
    assert bm.format_change(None, 1.0, "%") == "–"


def test_markdown_table_sizes_columns_by_their_content(bm: ModuleType) -> None:
    table = bm.markdown_table(
        ["Kennzahl", "Wert"], [["Abgänge ohne Hauptschulabschluss", "8,1 %"], ["a|b", "1"]], "lr"
    )
    assert table.splitlines() == [
        "| Kennzahl | Wert |",
        "| :------------------------------- | ----: |",  # dashes: pandoc's column widths
        "| Abgänge ohne Hauptschulabschluss | 8,1 % |",
        "| a\\|b | 1 |",
    ]


def test_a_missing_warehouse_or_indicator_is_named(
    bm: ModuleType, warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(LookupError, match="'gibt_es_nicht' is not in"):
        bm.indicator("gibt_es_nicht")
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(tmp_path / "fehlt.duckdb"))
    with pytest.raises(FileNotFoundError, match=r"fehlt\.duckdb"):
        bm.connect()


def test_a_query_read_again_in_the_same_kernel_is_digested_once(
    bm: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page cache's digest of a result is kept per warehouse, SQL and parameters: the
    kernel's connection is read-only, so the rows cannot differ the second time."""
    import pipelines.report.cache as cache

    digested: list[int] = []
    real = cache.frame_digest
    monkeypatch.setattr(cache, "frame_digest", lambda frame: digested.append(1) or real(frame))
    monkeypatch.setenv(bm.ENV_DEPENDENCIES, str(tmp_path / "deps.jsonl"))
    sql = "select indicator_id from published.indicator_catalogue where indicator_id like ?"
    path = str(bm.warehouse_path())
    daten = sys.modules["bm_daten"]
    records = [daten._query_record(path, sql, [p], bm.query(sql, [p])) for p in ("a%", "a%", "b%")]
    assert len(digested) == 2  # "a%" once, "b%" once
    assert records[0]["digest"] == records[1]["digest"]
    assert records[2]["digest"] != records[0]["digest"]


def test_a_category_indicator_shows_its_headline_category_not_the_100_percent_total(
    bm: ModuleType,
) -> None:
    entry = bm.indicator("abgaenger_abschlussart_anteil")
    assert entry.leit == ("kategorie", "msa")
    ausgabe = bm.edition()
    local = bm.trend(entry, ausgabe).table["local"].dropna()
    assert len(local) and (local < 60).all()  # about 40 %, never the total's 100 %
    rows = bm.values(entry.id, ausgabe, region_keys=[bm.KREFELD])
    assert set(rows["kategorie"]) == {"msa"}
    assert "Anteil mit Mittlerem Schulabschluss" in bm.trend_sentence(bm.trend(entry, ausgabe))
    # indicators without a headline category keep the total
    assert bm.headline("abgang_ohne_abschluss_quote") == dict.fromkeys(
        bm.breakdown_columns(), "insgesamt"
    )
