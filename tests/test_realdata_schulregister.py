"""The MSB NRW school register ``schuldaten.csv``: the real 2021 download and the sample file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from pipelines import paths
from pipelines.ingest import schulregister
from pipelines.ingest.errors import IngestError
from pipelines.ingest.identify import identify
from pipelines.sample import schulregister as sample
from quality.raw_schemas import validate_tidy

REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "msb-nrw-schuldaten"
SCHULDATEN = REAL / "schuldaten.csv"
COLUMNS = list(schulregister.COLUMNS_2021)
SAMPLE = paths.REPO_ROOT / "data" / "sample" / "msb" / "schuldaten.csv"
KREFELD = "05114000"
KREFELD_BOX = {"lat": (51.27, 51.42), "lon": (6.47, 6.70)}

needs_real = pytest.mark.skipif(not SCHULDATEN.is_file(), reason="../shared/realdata absent")


@pytest.fixture(scope="module")
def real():
    return schulregister.parse(SCHULDATEN)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@needs_real
def test_real_register_is_recognised_and_parses(real):
    source, _ = identify(SCHULDATEN)
    assert source == "msb"
    frame = real.frame
    assert (real.source, real.table, real.parser) == (
        "msb",
        "schulverzeichnis",
        "msb-schuldaten-2021",
    )
    assert len(frame) == 5507
    assert frame["schulnummer"].is_unique
    assert (frame["gemeindeschluessel"] == KREFELD).sum() == 63
    assert (frame["region_key"] == frame["gemeindeschluessel"]).all()
    assert set(frame["rechtsform"]) == {"oeffentlich", "privat"}
    assert frame["period"].unique().tolist() == ["2021-08-18"]  # earliest possible Stand
    assert validate_tidy(frame, "msb__schulverzeichnis", file=SCHULDATEN.name) == []


@needs_real
def test_krefeld_school_name_and_coordinates(real):
    frame = real.frame.set_index("schulnummer")
    school = frame.loc["100128"]  # "Grundschule Vulkanstraße" | "Städtische …" | "-Primarstufe-"
    assert school["name"] == (
        "Grundschule Vulkanstraße Städtische Gemeinschaftsgrundschule -Primarstufe-"
    )
    assert school["schulform"] == "02"
    assert school["kurzbezeichnung"] == "Krefeld, GG Vulkanstraße"
    krefeld = real.frame[real.frame["gemeindeschluessel"] == KREFELD]
    assert krefeld["lat"].between(*KREFELD_BOX["lat"]).all()
    assert krefeld["lon"].between(*KREFELD_BOX["lon"]).all()


@needs_real
def test_hyphenated_words_are_joined(real):
    names = set(real.frame["name"])
    # "… Rudolf Steiner Schu-" | "le u. Parzivalsch. m. Heliandzw.,Förder-" | "schule,…"
    assert any(n.startswith("Freie Waldorfschule Rudolf Steiner Schule u. Parzivalsch.") and
               "Förderschule,Staatl." in n for n in names)  # fmt: skip
    # a compound's hyphen stays: "Private Ökumenische Montessori-" | "Gesamtschule …"
    assert any("Montessori-Gesamtschule f. d. Sek.I u. II." in n for n in names)
    # an elided compound: "… Grafik-" | "und Mediendesign …"
    assert any("Grafik- und Mediendesign" in n for n in names)
    # a dash: "Regenbogenschule -" | "Gemeinschaftsgrundschule …"
    assert any(n.startswith("Regenbogenschule - Gemeinschaftsgrundschule") for n in names)


@needs_real
def test_contact_fields_are_kept(real):
    """The school guides give every school's telephone, e-mail and homepage."""
    school = real.frame.set_index("schulnummer").loc["100128"]
    assert school["telefon"] == "02151 311661"  # Telefonvorwahl "02151", Telefon "311661"
    assert school["email"] == "100128@schule.nrw.de"
    assert school["homepage"] == "http://www.schuleamstadtparkfischeln.de/"
    krefeld = real.frame[real.frame["gemeindeschluessel"] == KREFELD]
    assert len(krefeld) == 63
    assert krefeld["telefon"].notna().all() and krefeld["email"].notna().all()
    assert (krefeld["telefon"].str.strip() != "").all()
    assert (krefeld["email"].str.strip() != "").all()


def test_telefon_joins_vorwahl_and_number_and_empty_is_none(tmp_path):
    records = sample.rows()[:3]
    at = {name: COLUMNS.index(name) for name in ("Telefonvorwahl", "Telefon", "E-Mail", "Homepage")}
    records[0][at["Telefonvorwahl"]], records[0][at["Telefon"]] = " 02151 ", " 31  16 61 "
    records[1][at["Telefonvorwahl"]], records[1][at["Telefon"]] = "02151", ""
    records[1][at["E-Mail"]], records[1][at["Homepage"]] = " ", ""
    records[2][at["Telefonvorwahl"]], records[2][at["Telefon"]] = "", "311661"
    records[2][at["E-Mail"]] = "keine Adresse"  # malformed, but the register must load
    lines = ["sep=;", ";".join(COLUMNS) + ";", *(sample._quoted(r) for r in records)]
    path = tmp_path / "schuldaten.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = schulregister.parse(path).frame
    assert frame["telefon"].tolist()[0] == "02151 31 16 61"
    assert pd.isna(frame["telefon"].iloc[1])
    assert frame["telefon"].iloc[2] == "311661"
    assert pd.isna(frame["email"].iloc[1]) and pd.isna(frame["homepage"].iloc[1])
    assert frame["email"].iloc[2] == "keine Adresse"
    for column in ("telefon", "email", "homepage"):
        assert pd.api.types.is_string_dtype(frame[column]), column


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (("Freie Waldorfschule Schu-", "le"), "Freie Waldorfschule Schule"),
        (("Private Montessori-", "Gesamtschule"), "Private Montessori-Gesamtschule"),
        (("Berufskolleg Grafik-", "und Mediendesign"), "Berufskolleg Grafik- und Mediendesign"),
        (("- Primarstufe -", "Leverkusen-Hitdorf"), "- Primarstufe - Leverkusen-Hitdorf"),
        (("Rheindahlen -Sek.I-", "Kath. Hauptschule"), "Rheindahlen -Sek.I- Kath. Hauptschule"),
        (
            ("Städt.  Gem. Grundschule", "", "- Primarstufe -"),
            "Städt. Gem. Grundschule - Primarstufe -",
        ),
    ],
)
def test_join_name(parts, joined):
    assert schulregister.join_name(*parts) == joined


@needs_real
def test_bom_and_crlf_give_the_same_frame(real, tmp_path):
    copy = tmp_path / "schuldaten_bom.csv"
    copy.write_bytes(b"\xef\xbb\xbf" + SCHULDATEN.read_bytes().replace(b"\n", b"\r\n"))
    parsed = schulregister.parse(copy)
    pd.testing.assert_frame_equal(parsed.frame, real.frame)


@needs_real
def test_layout_with_bezirksregierung(real, tmp_path):
    lines = _lines(SCHULDATEN)
    at = lines[1].split(";").index("Kurzbezeichnung") + 1
    header = lines[1].split(";")
    header.insert(at, "Bezirksregierung")
    rows = []
    for line in lines[2:]:
        fields = line.split('";"')
        gemeinde = line.split('";"')[17]
        fields.insert(at, "Düsseldorf" if gemeinde.startswith("051") else "Köln")
        rows.append('";"'.join(fields))
    newer = tmp_path / "schuldaten_2025.csv"
    newer.write_text("\n".join([lines[0], ";".join(header), *rows]) + "\n", encoding="utf-8-sig")
    assert identify(newer)[0] == "msb"
    parsed = schulregister.parse(newer)
    assert parsed.parser == "msb-schuldaten-bezreg"
    frame = parsed.frame
    assert (frame["bezirksregierung"][frame["gemeindeschluessel"] == KREFELD] == "Düsseldorf").all()
    pd.testing.assert_frame_equal(frame.drop(columns="bezirksregierung"),
                                  real.frame.drop(columns="bezirksregierung"))  # fmt: skip


@needs_real
def test_broken_row_names_file_row_and_column(tmp_path):
    lines = _lines(SCHULDATEN)
    fields = lines[10].split('";"')
    fields[17] = "5114000"  # Gemeindeschlüssel without its leading zero
    lines[10] = '";"'.join(fields)
    shifted = lines[20].split('";"')
    del shifted[5]  # one field short: a shifted row
    lines[20] = '";"'.join(shifted)
    broken = tmp_path / "schuldaten_kaputt.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        schulregister.parse(broken)
    problems = caught.value.problems
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("schuldaten_kaputt.csv", 11, "Gemeindeschluessel"),
        ("schuldaten_kaputt.csv", 21, "UTMRechtswert"),
    ]
    assert problems[0].value == "5114000"
    assert "schuldaten_kaputt.csv, row 11, column 'Gemeindeschluessel'" in str(caught.value)


def test_missing_column_is_named(tmp_path):
    text = sample.render().replace(";Traegernummer;", ";Traeger;", 1)
    path = tmp_path / "schuldaten.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError, match="column 'Traegernummer': Pflichtspalte fehlt"):
        schulregister.parse(path)


def test_sample_register_is_the_generated_file_and_parses():
    assert SAMPLE.read_bytes() == sample.render().encode("utf-8"), "run make sample-data"
    assert sample.render() == sample.render()  # deterministic
    parsed = schulregister.parse(SAMPLE)
    frame = parsed.frame
    assert frame["schulnummer"].str.startswith("0").all()
    assert frame["name"].str.endswith("(fiktiv)").all()
    assert validate_tidy(frame, "msb__schulverzeichnis", file=SAMPLE.name) == []
    krefeld = frame[frame["gemeindeschluessel"] == KREFELD]
    assert len(krefeld) == len(frame) - len(sample.NEIGHBOURS)
    assert krefeld["lat"].between(*KREFELD_BOX["lat"]).all()
    assert krefeld["lon"].between(*KREFELD_BOX["lon"]).all()


def test_sample_contacts_can_belong_to_no_one(tmp_path):
    """Vorwahl 02151 and a subscriber number starting with 0 (never assigned in Germany);
    addresses under the reserved domain ``example``."""
    path = tmp_path / "schuldaten.csv"
    path.write_text(sample.render(), encoding="utf-8")
    frame = schulregister.parse(path).frame
    assert frame["telefon"].str.fullmatch(r"02151 0\d{5}").all()
    assert (frame["email"] == frame["schulnummer"] + "@schulen.example").all()
    assert (frame["homepage"] == "https://" + frame["schulnummer"] + ".schulen.example/").all()
    assert frame["telefon"].is_unique


def test_sample_names_round_trip_through_the_40_character_fields():
    hyphens = {"compound": 0, "word": 0}
    for row in sample.rows():
        parts = row[2:5]
        assert all(len(p) <= 40 for p in parts)
        for a, b in itertools.pairwise(parts):
            if b and a.endswith("-"):
                hyphens["word" if b[0].islower() else "compound"] += 1
    assert all(hyphens.values()), hyphens  # both kinds of break are exercised
    for text in (
        "Städtische Schule im Verbund Beispiel-Grundschule Ahornweg (fiktiv)",
        "Private staatlich anerkannte Ersatzschule Beispiel-Gymnasium (fiktiv)",
    ):
        assert schulregister.join_name(*sample.split_name(text)) == text


ALKIS = (
    REAL.parent / "geo" / "krefeld-stadtgebiet-alkis" / "ALKIS_ADV_SHAPE_Krefeld_VERWALT_EINH.json"
)


@needs_real
@pytest.mark.skipif(not ALKIS.is_file(), reason="../shared/realdata absent")
def test_the_63_krefeld_schools_lie_inside_the_real_city_outline(real):
    """The school guides put every school on the city map: the register's UTM32 coordinates,
    converted to WGS84, must fall inside Krefeld's cadastral outline (3,337 vertices), not
    only inside its bounding box."""
    import json

    from matplotlib.path import Path as Polygon

    outline = json.loads(ALKIS.read_text(encoding="utf-8"))
    (feature,) = outline["features"]
    ring = feature["geometry"]["coordinates"][0]
    krefeld = real.frame[real.frame["gemeindeschluessel"] == KREFELD]
    assert len(krefeld) == 63
    assert krefeld[["lat", "lon"]].notna().all().all()
    inside = Polygon(ring).contains_points(krefeld[["lon", "lat"]].to_numpy(float))
    assert inside.all(), krefeld.loc[~inside, ["schulnummer", "name", "lat", "lon"]]
    # and the test can fail: a school of the neighbouring Kreis Viersen is outside
    viersen = real.frame[real.frame["gemeindeschluessel"].str.startswith("05166")]
    assert (
        len(viersen)
        and not Polygon(ring)
        .contains_points(viersen[["lon", "lat"]].dropna().to_numpy(float))
        .any()
    )
