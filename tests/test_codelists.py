"""Official code lists from the SVWS-Server catalogues (../shared/realdata/svws-nrw-kataloge)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines import paths
from pipelines.ingest import codelists

SVWS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "svws-nrw-kataloge"
SEEDS = paths.REPO_ROOT / "dbt_project" / "seeds"


@pytest.fixture(scope="module")
def svws() -> Path:
    if not (SVWS / codelists.SCHULFORM).is_file():
        pytest.skip("../shared/realdata/svws-nrw-kataloge absent")
    return SVWS


def test_schulform_labels(svws):
    labels = {code: text for code, text, _order in codelists.labels(svws, "schulform")}
    assert labels["02"] == "Grundschule"
    assert labels["20"] == "Gymnasium"
    assert labels["15"] == "Gesamtschule"
    assert labels["10"] == "Realschule"
    assert labels["30"] == "Berufskolleg"
    assert len(labels) == 19


def test_abschluss_labels_are_the_current_wording(svws):
    labels = {code: text for code, text, _order in codelists.labels(svws, "abschluss")}
    assert labels["A"] == "Ohne Abschluss"
    assert (
        labels["D"] == "Erweiterter Erster Schulabschluss"
    )  # Hauptschulabschluss nach 10 until 2021
    assert labels["K"] == "Abitur / Allgemeine Hochschulreife"
    history = [
        c for c in codelists.read_catalogues(svws) if c.katalog == "abschluss" and c.code == "D"
    ]
    assert [(c.text, c.gueltig_von, c.gueltig_bis) for c in history] == [
        ("Hauptschulabschluss nach Klasse 10", None, 2021),
        ("Erweiterter Erster Schulabschluss", 2022, None),
    ]


def test_abgangsarten(svws):
    rows = [c for c in codelists.read_catalogues(svws) if c.katalog == "abgangsart"]
    codes = {c.code for c in rows}
    assert {"GY/K", "BK/0A", "H/A"} <= codes
    assert all(c.text for c in rows)
    assert len(rows) == len({(c.code, c.text, c.gueltig_von, c.gueltig_bis) for c in rows})


def test_committed_seed_equals_the_derived_one(svws):
    committed = (SEEDS / "svws_schulformen.csv").read_text(encoding="utf-8")
    assert committed == codelists.schulform_seed(svws), (
        "regenerate: python -m pipelines.ingest.codelists "
        "--svws ../shared/realdata/svws-nrw-kataloge "
        "--write-seed dbt_project/seeds/svws_schulformen.csv"
    )


def test_seed_version_note_names_the_svws_commit(svws):
    seeds = yaml.safe_load((SEEDS / "_seeds.yml").read_text(encoding="utf-8"))["seeds"]
    entry = next(s for s in seeds if s["name"] == "svws_schulformen")
    assert entry["description"] == (
        f"SVWS-Server {codelists.svws_version(svws)}, {codelists.SVWS_PATHS[codelists.SCHULFORM]}"
    )


def test_check_reports_differences_of_the_project_seed(svws, capsys):
    status = codelists.main(["--svws", str(svws), "--check", str(SEEDS / "schulformen.csv")])
    out = capsys.readouterr().out
    assert status == 1
    assert (
        "08: Bezeichnung 'Förderschule', SVWS 'Förderschule im Bereich Grund-/Hauptschule'" in out
    )
    assert "02:" not in out  # Grundschule agrees


def test_missing_catalogue_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Schulform\.json"):
        codelists.read_catalogues(tmp_path)
