"""The BA sample workbooks: byte-stable, parseable by the real parser, plausible, and the
messy variants handled as promised."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipelines.ingest import ba
from pipelines.ingest.errors import IngestError
from pipelines.sample import ba as sample
from pipelines.sample import city


def _digests(paths: list[Path], root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("sample")
    return root, sample.write_sample(root)


@pytest.fixture(scope="module")
def parsed(generated: tuple[Path, list[Path]]) -> dict[str, pd.DataFrame]:
    """Each table's frames concatenated over its workbooks."""
    frames: dict[str, list[pd.DataFrame]] = {}
    for path in generated[1]:
        result = ba.parse(path)
        frames.setdefault(result.table, []).append(result.frame)
    return {table: pd.concat(parts, ignore_index=True) for table, parts in frames.items()}


def test_generation_is_byte_identical(generated, tmp_path: Path) -> None:
    root, first = generated
    second = sample.write_sample(tmp_path)
    assert _digests(first, root) == _digests(second, tmp_path)
    messy_a = sample.write_messy_variants(tmp_path / "a")
    messy_b = sample.write_messy_variants(tmp_path / "b")
    assert _digests(messy_a, tmp_path / "a") == _digests(messy_b, tmp_path / "b")


def test_bundled_sample_is_current(generated, sample_dir: Path) -> None:
    """data/sample/ba holds exactly what the generator writes (run ``make sample-data``)."""
    root, paths = generated
    bundled = sorted((sample_dir / "ba").glob("*.xlsx"))
    if not bundled:
        pytest.skip("data/sample/ba has not been generated")
    assert _digests(bundled, sample_dir) == _digests(paths, root)


def test_files_and_tables(generated) -> None:
    _, paths = generated
    names = {p.name for p in paths}
    years = sorted({int(m[:4]) for m in city.MONTHS})
    assert {f"arbeitslose_{y}.xlsx" for y in years} <= names
    assert "ausbildungsmarkt_2022-23.xlsx" in names
    assert "sgb2_quoten_2024-12.xlsx" in names
    for path in paths:
        assert ba.sniff(path) == path.name.split("_")[0]


def test_workbooks_say_synthetic_and_have_fixed_properties(generated) -> None:
    _, paths = generated
    for path in paths:
        wb = openpyxl.load_workbook(path)
        ws = wb.active
        texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert any("Synthetische Beispieldaten" in t for t in texts[:12]), path.name
        assert texts[-2] == "© Statistik der Bundesagentur für Arbeit"
        assert texts[-1].startswith("Erstellungsdatum: ")
        assert wb.properties.created == wb.properties.modified
        assert wb.properties.created.year <= 2025


def test_arbeitslose_covers_every_month(parsed) -> None:
    frame = parsed["arbeitslose"]
    assert set(frame.region_key) == {"05114", "05"}
    for key in ("05114", "05"):
        assert sorted(set(frame[frame.region_key == key].period)) == list(city.MONTHS)
    assert len(frame) == 2 * len(city.MONTHS) * 8


def _series(frame: pd.DataFrame, key: str, merkmal: str, gruppe: str, kreis: str) -> pd.Series:
    hit = frame[
        (frame.region_key == key)
        & (frame.merkmal == merkmal)
        & (frame.personengruppe == gruppe)
        & (frame.rechtskreis == kreis)
    ]
    return hit.set_index("period")["value"].sort_index()


def test_arbeitslose_levels_and_seasonality(parsed) -> None:
    frame = parsed["arbeitslose"]
    rate = _series(frame, "05114", "arbeitslosenquote", "insgesamt", "insgesamt")
    assert rate.between(10, 14).all() and 11 <= rate.mean() <= 13
    assert _series(frame, "05", "arbeitslosenquote", "insgesamt", "insgesamt").between(6, 8.5).all()
    total = _series(frame, "05114", "arbeitslose", "insgesamt", "insgesamt")
    assert total.between(10_500, 14_500).all()
    u25 = _series(frame, "05114", "arbeitslose", "unter_25", "insgesamt")
    assert u25.between(750, 1_350).all()
    sgb2 = _series(frame, "05114", "arbeitslose", "insgesamt", "sgb2")
    sgb3 = _series(frame, "05114", "arbeitslose", "insgesamt", "sgb3")
    assert ((sgb2 / total).between(0.62, 0.78)).all()
    assert (sgb2 + sgb3 == total).all()
    month = total.index.str[5:]
    assert total[month.isin(["01", "02"])].mean() > total[month.isin(["10", "11"])].mean()
    assert u25[month == "08"].mean() > u25[month == "05"].mean()


def test_ausbildungsmarkt(parsed) -> None:
    frame = parsed["ausbildungsmarkt"]
    assert sorted(set(frame.period)) == [str(y) for y in range(2015, 2026)]
    assert set(frame.region_key) == {ba.AGENTURBEZIRK_KREFELD_KEY}
    assert set(frame.table_code) == {"bibb-ba-ausbildungsmarkt-30-09"}  # the real BIBB layout
    counts = frame[frame.einheit == "anzahl"]
    # a year appears in two workbooks (the year itself and, as previous year, the next one)
    # with the same figures
    twice = counts.groupby(["period", "merkmal", "beruf"]).value.nunique(dropna=False)
    assert (twice == 1).all()
    counts = counts.drop_duplicates(["period", "merkmal", "beruf"])
    totals = counts[counts.beruf == "insgesamt"].pivot(
        index="period", columns="merkmal", values="value"
    )
    assert totals["neue_vertraege"].between(2_800, 3_300).all()
    assert (totals["angebot"] == totals["neue_vertraege"] + totals["unbesetzte_stellen"]).all()
    assert (totals["nachfrage"] == totals["neue_vertraege"] + totals["unversorgte_bewerber"]).all()
    assert (
        totals["nachfrage_erweitert"] == totals["nachfrage"] + totals["bewerber_mit_alternative"]
    ).all()
    assert {"*"} == set(counts.symbol.dropna())
    # the total row holds the exact sum (the sample does not round to multiples of 3);
    # anonymised cells (1 or 2 in a BA part) are the only gap
    parts = counts[
        (counts.beruf != "insgesamt")
        & counts.merkmal.isin(
            [
                "neue_vertraege",
                "unversorgte_bewerber",
                "bewerber_mit_alternative",
                "unbesetzte_stellen",
            ]
        )
    ]
    for (period, merkmal), group in parts.groupby(["period", "merkmal"]):
        gap = totals.loc[period, merkmal] - group.value.sum()
        stars = (group.symbol == "*").sum()
        assert stars <= gap <= 2 * stars, (period, merkmal)
    assert parts[parts.merkmal == "neue_vertraege"].symbol.isna().all()  # BIBB survey: no *
    rates = frame[frame.einheit == "veraenderung_prozent"]
    assert set(rates.period) == {str(y) for y in range(2016, 2026)}
    assert {"*", "."} == set(rates.symbol.dropna())
    assert (rates.value < 0).any() and (rates.value > 0).any()


# Indicator inputs of the bundled sample (Agenturbezirk total, 30 September): the switch to the
# BIBB layout must not change them (neue Ausbildungsverträge, unbesetzte Stellen, unversorgte
# Bewerber, and with those with an alternative the Angebots-Nachfrage-Relation).
PINNED_TOTALS = {
    "2015": (3250, 151, 194, 219),
    "2020": (2900, 247, 246, 183),
    "2025": (2900, 290, 294, 203),
}


@pytest.mark.parametrize("period", sorted(PINNED_TOTALS))
def test_ausbildungsmarkt_indicator_inputs_unchanged(parsed, period: str) -> None:
    frame = parsed["ausbildungsmarkt"]
    hit = frame[(frame.beruf == "insgesamt") & (frame.period == period)]
    got = [
        set(hit[hit.merkmal == m].value)
        for m in (
            "neue_vertraege", "unbesetzte_stellen", "unversorgte_bewerber",
            "bewerber_mit_alternative",
        )
    ]  # fmt: skip
    assert got == [{v} for v in PINNED_TOTALS[period]]


def test_ausbildungsmarkt_workbook_has_the_real_layout(generated) -> None:
    _, paths = generated
    path = next(p for p in paths if p.name == "ausbildungsmarkt_2022-23.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value.endswith("Arbeitsagenturbezirk Krefeld")
    assert [ws.cell(3, c).value for c in (4, 7, 13)] == ["NAA", "UVB ohne Alternative1)", "UBA 2)"]
    assert [ws.cell(4, c).value for c in (4, 5, 6)] == [2022, 2023, "VR"]
    assert ws["A6"].value == "01" and ws["F6"].value == "."
    parsed = ba.parse(path)
    assert "Erstellungsdatum: 15.12.2023" in parsed.notes
    assert ba.ROUNDING_NOTE not in parsed.notes  # the sample says its counts are unrounded


def test_sgb2(parsed) -> None:
    frame = parsed["sgb2"]
    assert sorted(set(frame.period)) == [str(y) for y in range(2015, 2025)]
    keys = {"05114"} | {f"05114000-{n}" for n in city.STADTBEZIRKE}
    assert set(frame.region_key) == keys
    wide = frame.pivot_table(index=["period", "region_key"], columns="merkmal", values="value")
    recomputed = 100 * wide["nef_unter_15"] / wide["bevoelkerung_unter_15"]
    assert (recomputed - wide["sgb2_quote_unter_15"]).abs().max() <= 0.05
    city_rows = wide.xs("05114", level="region_key")
    districts = wide.drop(index="05114", level="region_key").groupby(level="period").sum()
    assert (districts["nef_unter_15"] == city_rows["nef_unter_15"]).all()
    assert city_rows["sgb2_quote_unter_15"].between(22, 30).all()
    quote = wide["sgb2_quote_unter_15"].groupby(level="region_key").mean()
    for high in (2, 4, 5):  # Nord, Mitte, Süd
        assert 30 <= quote[f"05114000-{high}"] <= 46
    for low in (3, 6):  # Hüls, Fischeln
        assert 7 <= quote[f"05114000-{low}"] <= 13


# --------------------------------------------------------------------------------------------
# Messy variants
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("messy")
    return {p.name: p for p in sample.write_messy_variants(root)}


@pytest.fixture(scope="module")
def clean_2024(generated) -> pd.DataFrame:
    root, _ = generated
    return ba.parse(root / "ba" / f"arbeitslose_{sample.MESSY_YEAR}.xlsx").frame


def test_shifted_header_with_reworded_label_still_parses(messy, clean_2024) -> None:
    path = messy[sample.MESSY_SHIFTED]
    wb = openpyxl.load_workbook(path)
    assert wb.active["C14"].value == "Arbeitslose"  # one row lower than the clean file
    texts = {c for row in wb.active.iter_rows(values_only=True) for c in row}
    assert sample.REWORDED[1] in texts and sample.REWORDED[0] not in texts
    result = ba.parse(path)
    pd.testing.assert_frame_equal(result.frame, clean_2024)
    assert any("rows 14–15" in note for note in result.notes)


def test_unrecognisable_header_fails_clearly(messy) -> None:
    path = messy[sample.MESSY_UNKNOWN]
    assert ba.sniff(path) == "arbeitslose"
    with pytest.raises(IngestError) as info:
        ba.parse(path)
    message = str(info.value)
    assert message.startswith(f"ba: {sample.MESSY_UNKNOWN}: sheet 'Arbeitslose'")
    for label in ("Region", "Berichtsmonat", "Arbeitslose › Insgesamt", "unter 25 Jahre"):
        assert label in message


def test_lost_leading_zero_is_repaired(messy, clean_2024) -> None:
    path = messy[sample.MESSY_LEADING_ZERO]
    wb = openpyxl.load_workbook(path)
    assert wb.active["A15"].value == "5114 Krefeld"
    frame = ba.parse(path).frame
    assert set(frame.region_key) == {"05114", "05"}
    pd.testing.assert_frame_equal(frame, clean_2024)
