"""Real Krefeld figures of the social-context indicators computed from 13111-54i and 22542-06i.

The indicator models (``ind_beschaeftigte_ohne_berufsabschluss_anteil``,
``ind_jugendhilfe_gruppen_anzahl``) select and sum what is computed here from the parsed real
file (``../shared/realdata/ldbnrw-csv-classic``); the figures are quoted from the file's own
lines (``grep -a Krefeld``, Windows-1252).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines.ingest.identify import parse_file
from quality.raw_schemas import validate_tidy

LDB = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "ldbnrw-csv-classic"
KREFELD = "05114"


def _frame(name: str, table: str) -> pd.DataFrame:
    path = LDB / name
    if not path.is_file():
        pytest.skip(f"{path} absent (../shared/realdata)")
    parsed = parse_file(path)
    assert (parsed.source, parsed.table) == ("itnrw", table)
    assert validate_tidy(parsed.frame, f"itnrw__{table}", file=path.name) == []
    return parsed.frame


def _one(frame: pd.DataFrame, **where: str) -> float:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, rows
    return float(rows["value"].iloc[0])


def test_beschaeftigte_ohne_berufsabschluss_anteil_krefeld_2024():
    # 31.12.2024;    Krefeld, krfr. Stadt;;Insgesamt;96597;2817;14857;25037;40417;13469;
    #     14483;56578;16842;8694
    frame = _frame("2024_13111-54i.csv", "beschaeftigte_qualifikation")
    base = {
        "region_key": KREFELD,
        "period": "2024-12-31",
        "wirtschaftsabschnitt": "insgesamt",
        "schulabschluss": "insgesamt",
    }
    numerator = _one(frame, **base, berufsabschluss="ohne")
    denominator = _one(frame, **base, berufsabschluss="insgesamt")
    unknown = _one(frame, **base, berufsabschluss="unbekannt")
    assert (numerator, denominator, unknown) == (14483, 96597, 8694)
    assert 100 * numerator / denominator == pytest.approx(14.99, abs=0.005)
    # the denominator includes 'Ausbildung unbekannt' (catalogue notes_de: about 9 %)
    assert 100 * unknown / denominator == pytest.approx(9.0, abs=0.05)
    parts = frame[
        (frame["region_key"] == KREFELD)
        & (frame["wirtschaftsabschnitt"] == "insgesamt")
        & (frame["schulabschluss"] == "insgesamt")
        & (frame["berufsabschluss"] != "insgesamt")
    ]
    assert parts["value"].sum() == denominator
    # NRW: 31.12.2024;Nordrhein-Westfalen;;Insgesamt;7390826;…;1153812;4150960;1386201;699853
    nrw = {**base, "region_key": "05"}
    share_nrw = (
        100
        * _one(frame, **nrw, berufsabschluss="ohne")
        / _one(frame, **nrw, berufsabschluss="insgesamt")
    )
    assert share_nrw == pytest.approx(15.61, abs=0.005)


def test_jugendhilfe_gruppen_anzahl_krefeld_2024():
    # 2024;05114;    Krefeld, krfr. Stadt;3;-;2;1;5;-;2;5;1;2;-;-;-
    frame = _frame("2024_22542-06i.csv", "jugendhilfe_gruppen")
    totals = frame.groupby(["region_key", "period"]).agg(
        gruppen=("value", "sum"), complete=("value", lambda v: v.notna().all())
    )
    assert frame["rechtsgrundlage"].nunique() == 13
    assert totals.loc[(KREFELD, "2024"), "gruppen"] == 21
    assert totals.loc[(KREFELD, "2024"), "complete"]
    # 2024;05;Nordrhein-Westfalen;151;188;1131;314;2801;134;1164;1347;405;138;199;5;10
    assert totals.loc[("05", "2024"), "gruppen"] == 7987
    # 2024;05313;    Aachen, krfr. Stadt;x;x;…: a withheld part → no value in the indicator
    assert not totals.loc[("05313", "2024"), "complete"]
