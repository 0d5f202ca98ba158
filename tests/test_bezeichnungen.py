"""The one label table (seed ``bezeichnungen``): every code named, in natural order.

Fast tests on the seeds and the fixture warehouse. That every code the marts carry has a
label is the dbt test ``bezeichnungen_cover_mart_codes`` (``dbt_project/tests``): it fails
every ``dbt build`` — the pipeline's and ``test_dbt_mart``'s on the sample — naming the codes.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from types import ModuleType

import duckdb
import pytest

from quality.sdc.downloads import CODED_COLUMNS, LABELS_SEED, label_table
from tests.test_report_data import build_warehouse, fresh_report_helpers

SEEDS = LABELS_SEED.parent
AGE_GROUPS = [
    "unter_3", "3_bis_unter_6", "6_bis_unter_10", "10_bis_unter_15", "15_bis_unter_18",
    "18_bis_unter_25", "25_bis_unter_65", "65_und_mehr",
]  # fmt: skip
CODE_LIKE = ("_", "maennlich", "nichtdeutsch")


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_codes_and_labels_are_unique_per_merkmal_and_labels_read_as_words() -> None:
    rows = _seed("bezeichnungen")
    for column in ("code", "bezeichnung"):
        keys = [(r["merkmal"], r[column]) for r in rows]
        assert len(keys) == len(set(keys)), column
    for row in rows:
        int(row["sortierung"])
        assert row["bezeichnung"].strip() == row["bezeichnung"] != ""
        assert not any(token in row["bezeichnung"] for token in CODE_LIKE), row
    for merkmal, labels in label_table().items():
        # a download is read back label → code: no label may be another code of its merkmal
        assert not {name for code, name in labels.items() if name != code} & set(labels), merkmal
    for merkmal in CODED_COLUMNS[:-1]:
        labels = label_table()[merkmal]
        assert labels["insgesamt"] == "Insgesamt", merkmal


def test_the_other_seeds_name_their_codes_as_the_label_table() -> None:
    """What the dbt test ``bezeichnungen_agree_with_seeds`` checks in the warehouse."""
    labels = {(r["merkmal"], r["code"]): r for r in _seed("bezeichnungen")}
    for merkmal, seed, column in (("schulform", "schulformen", "schulform"),
                                  ("kategorie", "kategorien", "kategorie")):  # fmt: skip
        for row in _seed(seed):
            label = labels[(merkmal, row[column])]
            assert label["bezeichnung"] == row["name_de"], row
            assert label["sortierung"] == row["sortierung"], row


def test_the_guide_templates_name_their_codes_as_the_label_table() -> None:
    """The school guides' codes: the delivery template documents them with the same German
    names the pages show (one wording, not two)."""
    from pipelines.ingest.schulen_templates import BARRIEREFREI, GANZTAG, OBERSTUFE

    labels = label_table()
    for merkmal, codes in (("ganztag", GANZTAG), ("barrierefrei", BARRIEREFREI),
                           ("oberstufe", OBERSTUFE)):  # fmt: skip
        assert labels[merkmal] == dict(codes), merkmal
        assert list(labels[merkmal]) == list(codes), merkmal  # the template's order


def test_every_published_column_has_a_german_header() -> None:
    from pipelines.report.contract import OPTIONAL_COLUMNS, TABLES

    headers = label_table()["spalte"]
    columns = [*TABLES["indicator_values"], *OPTIONAL_COLUMNS["indicator_values"]]
    assert set(columns) <= set(headers)
    assert all(h[0].isupper() and "_" not in h for h in headers.values())


@pytest.fixture
def bm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The fixture warehouse with the population by age group, as the marts code it
    (inserted in alphabetical order, which is not the natural one)."""
    path = build_warehouse(tmp_path / "w.duckdb", kategorie=True)
    with duckdb.connect(str(path)) as con:
        for n, code in enumerate(sorted(AGE_GROUPS)):
            con.execute(
                "INSERT INTO published.indicator_values SELECT * REPLACE (? AS kategorie, "
                "value / 10 + ? AS value) FROM published.indicator_values "
                "WHERE indicator_id = 'bevoelkerung_anzahl' AND region_key = '05114' "
                "AND kategorie = 'insgesamt'",
                [code, n],
            )
        con.execute(
            "UPDATE published.indicator_catalogue SET kategorie_de = 'Altersgruppe' "
            "WHERE indicator_id = 'bevoelkerung_anzahl'"
        )
    monkeypatch.setenv("BILDUNGSMONITOR_WAREHOUSE", str(path))
    return fresh_report_helpers(monkeypatch, "bm_report_labels")


def test_age_groups_in_natural_order(bm: ModuleType) -> None:
    shuffled = AGE_GROUPS[:]
    random.Random(17).shuffle(shuffled)
    assert bm.sorted_codes("kategorie", ["insgesamt", *shuffled]) == ["insgesamt", *AGE_GROUPS]
    assert bm.code_label("kategorie", "10_bis_unter_15") == "10 bis unter 15 Jahre"
    assert bm.code_label("schulform", "02") == "Grundschule"
    assert bm.code_label("kategorie", "neu_und_unbekannt") == "neu_und_unbekannt"
    assert bm.sorted_codes("kategorie", ["zzz", "unter_3", "aaa"]) == ["unter_3", "aaa", "zzz"]
    assert bm.column_headers(["region_key", "value", "neu"]) == ["Regionalschlüssel", "Wert", "neu"]


def test_breakdown_tables_show_labels_in_natural_order(bm: ModuleType) -> None:
    text = bm.breakdown_tables(bm.indicator("bevoelkerung_anzahl"), bm.edition())
    assert "**Nach Altersgruppe**" in text
    labels = [bm.code_label("kategorie", code) for code in AGE_GROUPS]
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    shown = [line.split("|")[1].strip() for line in lines]
    assert [s for s in shown if s in labels] == labels
    assert not any(code in text for code in AGE_GROUPS)
