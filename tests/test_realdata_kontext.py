"""Real IT.NRW / Regionaldatenbank social-context tables (issue 18): registry, schema, figures.

Each file in ``../shared/realdata`` is parsed as the product parses a delivery, validated with
its raw table's pandera schema, and 1–2 Krefeld figures are compared with the file's own line
(quoted in the test, read with ``grep -a Krefeld``; the files are Windows-1252).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingest import genesis_tables as registry
from pipelines.ingest.genesis_tables import ColumnKey, LabelError
from pipelines.ingest.identify import parse_file
from pipelines.ingest.regions_nrw import key_of_name
from quality.raw_schemas import SCHEMAS, validate_tidy

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
LDB = REALDATA / "ldbnrw-csv-classic"
RDB = REALDATA / "regionalstatistik-csv-classic-schulen"

KREFELD = "05114"


def _parsed(path: Path, table: str):
    if not path.is_file():
        pytest.skip(f"{path} absent (../shared/realdata)")
    parsed = parse_file(path)
    assert parsed.source == "itnrw"
    assert parsed.table == table
    assert validate_tidy(parsed.frame, f"itnrw__{table}", file=path.name) == []
    assert parsed.frame["region_key"].notna().all()
    return parsed


def _one(frame: pd.DataFrame, **where: str) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask].drop_duplicates(["region_key", "period", "value", "symbol"])
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_arbeitslose_kreise_13211():
    # 2025;05114;      Krefeld, kreisfreie Stadt;13818;5505;893;215;1085;3063;6325;11,9;11,0;…
    parsed = _parsed(RDB / "13211-02-05-4.csv", "arbeitslose_kreise")
    frame = parsed.frame
    base = {"region_key": KREFELD, "period": "2025"}
    assert _one(frame, **base, merkmal="arbeitslose", personengruppe="insgesamt").value == 13818
    assert _one(frame, **base, merkmal="arbeitslosenquote", personengruppe="insgesamt").value == (
        pytest.approx(11.0)
    )
    assert _one(
        frame, **base, merkmal="arbeitslosenquote_abhaengige", personengruppe="insgesamt"
    ).value == pytest.approx(11.9)
    assert _one(
        frame, **base, merkmal="arbeitslosenquote", personengruppe="15_bis_unter_25"
    ).value == pytest.approx(8.6)


def test_mindestsicherungsquote_22811_01i():
    # 05114;    Krefeld, krfr. Stadt;14,4   (period only in the header: ;;Jahr / ;;2023)
    parsed = _parsed(LDB / "2023_22811-01i.csv", "mindestsicherungsquote")
    assert parsed.dimension_columns == []
    assert _one(parsed.frame, region_key=KREFELD, period="2023").value == pytest.approx(14.4)
    # 05362036;      Pulheim, Stadt;5,4   (shared/sources.md: Mindestsicherungsquote 5,4 % in 2023)
    assert _one(parsed.frame, region_key="05362036").value == pytest.approx(5.4)
    # Gemeinde keys (8 digits) are kept; 'Wohnort außerhalb von NRW' is 'x' (not meaningful)
    outside = _one(parsed.frame, region_key="05999998")
    assert pd.isna(outside.value) and outside.symbol == "x"


def test_mindestsicherung_empfaenger_22811_05i():
    # 2024;05114;    Krefeld, krfr. Stadt;25978;32473;25978;475;4945;3280;1660;1075
    parsed = _parsed(LDB / "2024_22811-05i.csv", "mindestsicherung_empfaenger")
    base = {"region_key": KREFELD, "period": "2024"}
    assert _one(parsed.frame, **base, leistung="insgesamt").value == 32473
    assert _one(parsed.frame, **base, leistung="sgb2").value == 25978
    assert _one(parsed.frame, **base, leistung="grusi_sgb12_alter").value == 3280


def test_mindestsicherung_schema_refuses_two_different_figures_for_one_key():
    parsed = _parsed(LDB / "2024_22811-05i.csv", "mindestsicherung_empfaenger")
    frame = parsed.frame.copy()
    sgb2 = frame.index[(frame["region_key"] == KREFELD) & (frame["leistung"] == "sgb2")]
    assert len(sgb2) == 2  # the file prints the SGB II column twice
    frame.loc[sgb2[0], "value"] = 1.0
    problems = validate_tidy(frame, "itnrw__mindestsicherung_empfaenger")
    assert any("one figure per region" in p.rule for p in problems)


def test_auslaender_12521_03i():
    # 31.12.2024;05114;    Krefeld, krfr. Stadt;1;Europa;37805;19210;18595
    # 31.12.2024;05114;    Krefeld, krfr. Stadt;997;  staatenlos;85;55;30
    parsed = _parsed(LDB / "2024_12521-03i.csv", "auslaender")
    frame = parsed.frame
    base = {"region_key": KREFELD, "period": "2024-12-31"}
    europa = _one(frame, **base, staatsangehoerigkeit_code="1", geschlecht="insgesamt")
    assert europa.value == 37805
    assert (europa.staatsangehoerigkeit, europa.ebene) == ("Europa", "kontinent")
    assert _one(frame, **base, staatsangehoerigkeit_code="997", geschlecht="maennlich").value == 55
    # no all-citizenship row: the total is the sum of the continents (1–5, 9 Sonstige)
    krefeld = frame[(frame["region_key"] == KREFELD) & (frame["geschlecht"] == "insgesamt")]
    assert krefeld.loc[krefeld["ebene"] == "kontinent", "value"].sum() == 52310


def test_jugendhilfe_gruppen_22542_06i():
    # 2024;05114;    Krefeld, krfr. Stadt;3;-;2;1;5;-;2;5;1;2;-;-;-
    parsed = _parsed(LDB / "2024_22542-06i.csv", "jugendhilfe_gruppen")
    frame = parsed.frame
    base = {"region_key": KREFELD, "period": "2024"}
    assert _one(frame, **base, rechtsgrundlage="sgb8_13_2").value == 3
    assert _one(frame, **base, rechtsgrundlage="sgb8_34").value == 5
    dash = _one(frame, **base, rechtsgrundlage="sgb8_19")
    assert (dash.value, dash.symbol) == (0, "-")
    # 2024;05313;    Aachen, krfr. Stadt;x;x;…
    assert _one(frame, region_key="05313", rechtsgrundlage="sgb8_34").symbol == "x"


def test_beschaeftigte_qualifikation_13111_54i_keys_regions_by_name():
    # 31.12.2024;    Krefeld, krfr. Stadt;;Insgesamt;96597;2817;14857;25037;40417;13469;
    #     14483;56578;16842;8694
    parsed = _parsed(LDB / "2024_13111-54i.csv", "beschaeftigte_qualifikation")
    frame = parsed.frame
    base = {"region_key": KREFELD, "period": "2024-12-31", "wirtschaftsabschnitt": "insgesamt"}
    total = _one(frame, **base, schulabschluss="insgesamt", berufsabschluss="insgesamt")
    assert total.value == 96597
    assert total.region_name == "Krefeld, krfr. Stadt"
    assert _one(frame, **base, schulabschluss="abitur", berufsabschluss="insgesamt").value == 40417
    assert _one(frame, **base, schulabschluss="insgesamt", berufsabschluss="akademisch").value == (
        16842
    )
    # every region printed by name got its key: Land, 5 Regierungsbezirke, 55 Kreise
    assert frame["region_key"].nunique() == 61
    assert set(frame.loc[frame["region_key"].str.len() == 3, "region_key"]) == {
        "051", "053", "055", "057", "059",
    }  # fmt: skip


def test_einkommen_82411():
    # 2021;05114;      Krefeld, kreisfreie Stadt;5228332;23038
    parsed = _parsed(RDB / "82411-01-03-4.csv", "einkommen")
    frame = parsed.frame
    base = {"region_key": KREFELD, "period": "2021"}
    per_head = _one(frame, **base, merkmal="verfuegbares_einkommen_je_einwohner")
    assert (per_head.value, per_head.einheit) == (23038, "eur")
    total = _one(frame, **base, merkmal="verfuegbares_einkommen")
    assert (total.value, total.einheit) == (5228332, "tsd_eur")


# --------------------------------------------------------------------------------------
# Registry and schema wiring (no real files needed)

KONTEXT = {
    "13211-02-05-4": "arbeitslose_kreise",
    "22811-01i": "mindestsicherungsquote",
    "22811-05i": "mindestsicherung_empfaenger",
    "12521-03i": "auslaender",
    "22542-06i": "jugendhilfe_gruppen",
    "13111-54i": "beschaeftigte_qualifikation",
    "82411-01-03-4": "einkommen",
}


@pytest.mark.parametrize(("code", "table"), sorted(KONTEXT.items()))
def test_registered_with_schema(code, table):
    spec = registry.lookup(code)
    assert spec is not None and spec.table == table
    assert f"itnrw__{table}" in SCHEMAS


def test_unknown_labels_fail_loudly():
    spec = registry.lookup("13211-02-05-4")
    with pytest.raises(LabelError):
        spec.map_column(ColumnKey(header=("Arbeitslose", "Rentner", "Anzahl")))
    spec = registry.lookup("22542-06i")
    with pytest.raises(LabelError):
        spec.map_column(ColumnKey(header=("§99 SGB VIII Neu", "Anzahl")))
    spec = registry.lookup("13111-54i")
    with pytest.raises(LabelError):
        spec.map_column(ColumnKey(header=("mit Meisterbrief",), row_labels=("", "Insgesamt")))


def test_region_names_are_keyed_only_when_listed():
    assert key_of_name("    Krefeld, krfr. Stadt") == KREFELD
    assert key_of_name("Krefeld, kreisfreie Stadt") == KREFELD
    assert key_of_name("Rhein-Kreis Neuss") == "05162"
    assert key_of_name("Krefeld") is None
    assert key_of_name("Offenbach, Kreis") is None


def test_sample_mindestsicherungsquote_parses_like_the_real_file(tmp_path):
    """The synthetic 22811-01i (pipelines.sample.genesis_kontext) in the real layout."""
    from pipelines.sample import genesis_kontext

    path = next(p for p in genesis_kontext.write_sample(tmp_path) if p.name == "22811-01i.csv")
    parsed = parse_file(path)
    assert (parsed.table, parsed.table_code) == ("mindestsicherungsquote", "22811-01i")
    assert validate_tidy(parsed.frame, "itnrw__mindestsicherungsquote", file=path.name) == []
    krefeld = parsed.frame[parsed.frame["region_key"] == KREFELD]
    assert list(krefeld["period"]) == [str(y) for y in genesis_kontext.YEARS]
    expected = genesis_kontext.quotas()
    assert list(krefeld["value"]) == [expected[KREFELD, y] for y in genesis_kontext.YEARS]


def test_sample_auslaender_parses_and_matches_the_sample_population(tmp_path):
    """The synthetic 12521-03i: valid, and its continents sum to a share of the sample
    population (the Ausländeranteil's numerator and denominator come from one design)."""
    from pipelines.sample import genesis, genesis_kontext

    path = next(p for p in genesis_kontext.write_sample(tmp_path) if p.name == "12521-03i.csv")
    parsed = parse_file(path)
    assert (parsed.table, parsed.table_code) == ("auslaender", "12521-03i")
    assert validate_tidy(parsed.frame, "itnrw__auslaender", file=path.name) == []
    frame = parsed.frame
    krefeld = frame[
        (frame["region_key"] == KREFELD)
        & (frame["ebene"] == "kontinent")
        & (frame["geschlecht"] == "insgesamt")
        & (frame["period"] == "2024-12-31")
    ]
    assert (krefeld["value"] % 5 == 0).all()
    inhabitants = sum(m + f for m, f in genesis.population()[KREFELD, 2024])
    assert 0.15 < krefeld["value"].sum() / inhabitants < 0.25
