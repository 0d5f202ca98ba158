"""The dbt indicator mart on the bundled sample: seed facts, completeness, the analyst workflow.

The end-to-end tests load the sample's raw tables the way the pipeline does (archive every
file, then build ``raw.<source>__<table>``), run ``dbt build`` against a temporary copy and
check the figures of the city's concept paper (``shared/domain.md``). The fast tests read the
project's files only.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.assets.landing import land_all, write_delivery_log
from pipelines.assets.raw import RAW_TABLES, build_raw_table
from pipelines.disclosure.decisions import (
    decide_indicator_values,
    decide_sozialindex,
    record_thresholds,
    write_geometry,
)
from pipelines.ingest.archive import Archive
from pipelines.report.contract import TABLES
from quality.sdc.thresholds import Thresholds

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO_ROOT / "dbt_project"
SAMPLE = REPO_ROOT / "data" / "sample"
CATALOGUE = DBT_PROJECT / "seeds" / "indicator_catalogue.csv"
INDICATORS = DBT_PROJECT / "models" / "intermediate" / "indicators"
HANDLUNGSFELDER = {
    "Rahmenbedingungen",
    "Frühkindliche Bildung",
    "Allgemeinbildende Schule",
    "Berufliche Bildung",
    "Weiterbildung",
}

HS, RS, GE, GY = "04", "10", "15", "20"
# Schulformwechsel 2017/18 from the concept paper (shared/domain.md): from row → to column.
SEED_MATRIX = {
    HS: {RS: 2, GY: 0, GE: 0},
    RS: {HS: 12, GY: 0, GE: 2},
    GE: {HS: 1, RS: 4, GY: 0},
    GY: {HS: 8, RS: 70, GE: 20},
}
SEED_BY_GRADE = {  # to-type → {grade entered: changes}, all origins; "–" is 0
    HS: {5: 0, 6: 0, 7: 2, 8: 3, 9: 15, 10: 2},
    RS: {5: 0, 6: 0, 7: 43, 8: 15, 9: 12, 10: 6},
    GE: {5: 0, 6: 3, 7: 3, 8: 16, 9: 1, 10: 0},
    GY: {5: 0, 6: 0, 7: 1, 8: 1, 9: 0, 10: 0},
}
SEED_BY_GRADE_TOTALS = {HS: 22, RS: 76, GE: 23, GY: 2}


def catalogue_rows() -> list[dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def copy_project(target: Path) -> Path:
    """The dbt project without build output, so runs never touch the repository's target/."""
    shutil.copytree(DBT_PROJECT, target, ignore=shutil.ignore_patterns("target", "logs"))
    return target


def run_dbt(project: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the venv's dbt on ``project`` against ``warehouse``; output in stdout."""
    env = {
        **os.environ,
        "BILDUNGSMONITOR_WAREHOUSE": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--profiles-dir", str(project)]
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False
    )


# --- fast: the project's files -------------------------------------------------------------


def test_catalogue_spans_all_handlungsfelder_with_25_indicators():
    rows = catalogue_rows()
    ids = [r["indicator_id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert len(rows) >= 25
    assert {r["handlungsfeld"] for r in rows} == HANDLUNGSFELDER
    for required in ("abgang_ohne_abschluss_quote", "schulformwechsel_spaet_anzahl"):
        assert required in ids


def test_every_catalogue_indicator_has_a_registered_model():
    registration = re.compile(r"\{% macro register_indicator__(ind_\w+)\(\) %\}\{% endmacro %\}")
    registered = {}
    for path in sorted(INDICATORS.glob("*.sql")):
        match = registration.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert match, f"{path.name}: first line is not the registration line"
        assert match.group(1) == path.stem, f"{path.name} registers {match.group(1)}"
        registered[path.stem.removeprefix("ind_")] = path
    assert sorted(registered) == sorted(r["indicator_id"] for r in catalogue_rows())


def test_indicator_folder_keeps_the_macro_path_rules():
    """The folder is also a macro path: yml would be read twice, top-level blocks warn."""
    assert not list(INDICATORS.glob("*.yml")) + list(INDICATORS.glob("*.yaml"))
    block = re.compile(r"^\s*\{%-?\s*(set|if|for)\b", re.MULTILINE)
    for path in INDICATORS.glob("*.sql"):
        assert not block.search(path.read_text(encoding="utf-8")), path.name


# --- end to end: dbt build on the sample -----------------------------------------------------


@pytest.fixture(scope="session")
def raw_warehouse(tmp_path_factory) -> Path:
    """A warehouse holding every raw table of the bundled sample, loaded as the pipeline does."""
    folder = tmp_path_factory.mktemp("raw")
    archive = Archive(folder / "archive")
    deliveries = land_all(SAMPLE, archive)
    warehouse = folder / "warehouse.duckdb"  # not raw.duckdb: the catalog would shadow schema raw
    with duckdb.connect(str(warehouse)) as con:
        write_delivery_log(con, deliveries)
        for table in RAW_TABLES:
            build_raw_table(con, archive, table)
    return warehouse


PUBLISHED = "path:models/published"
"""The published models: they join the disclosure decisions of the Dagster asset
``geheimhaltung``, so a build without them covers the marts only."""


def decide(warehouse: Path) -> None:
    """What the asset ``geheimhaltung`` writes to ``intern`` (no earlier editions)."""
    with duckdb.connect(str(warehouse)) as con:
        decide_indicator_values(con, Thresholds())
        decide_sozialindex(con)
        record_thresholds(con, Thresholds())
        write_geometry(con, SAMPLE / "geo" / "stadtbezirke.geojson")


@pytest.fixture(scope="session")
def mart(raw_warehouse, tmp_path_factory) -> Path:
    """The warehouse after the pipeline's two ``dbt build`` steps on a copy of the project:
    the marts, the disclosure decision, then the published models."""
    folder = tmp_path_factory.mktemp("mart")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(raw_warehouse, warehouse)
    project = copy_project(folder / "dbt_project")
    for step in ("--exclude", "--select"):
        result = run_dbt(project, warehouse, "build", step, PUBLISHED)
        assert result.returncode == 0, result.stdout[-8000:]
        assert "Deprecated functionality" not in result.stdout, result.stdout[-8000:]
        if step == "--exclude":
            decide(warehouse)
    return warehouse


def test_the_published_models_are_every_table_the_report_reads(mart):
    tables = query(
        mart, "select table_name from information_schema.tables where table_schema = 'published'"
    )
    assert {t for (t,) in tables} == set(TABLES)


def test_a_build_after_changed_marts_without_a_new_decision_fails(mart, tmp_path):
    """Published models join the decisions made for the marts of that run: new cells must
    not go out unchecked when someone runs dbt by hand."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(mart, warehouse)
    project = copy_project(tmp_path / "dbt_project")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_indicator_values set value = value + 1 where value = 1")
    result = run_dbt(project, warehouse, "build", "--select", PUBLISHED)
    assert result.returncode != 0
    assert "published_decisions_match_the_marts" in result.stdout


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def indicator_total(warehouse: Path, indicator_id: str, region_key: str, period: str) -> tuple:
    rows = query(
        warehouse,
        "select value, numerator, denominator from marts.indicator_values_named "
        "where indicator_id = ? and region_key = ? and period = ? and geschlecht = 'insgesamt' "
        "and staatsangehoerigkeit = 'insgesamt' and schulform = 'insgesamt' "
        "and kategorie = 'insgesamt'",
        [indicator_id, region_key, period],
    )
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.e2e
def test_leavers_without_certificate_reproduce_the_seed_facts(mart):
    value, numerator, denominator = indicator_total(
        mart, "abgang_ohne_abschluss_quote", "05114", "2016/17"
    )
    assert (numerator, denominator) == (174, 2160)
    assert round(value, 1) == 8.1
    nrw_value, _, _ = indicator_total(mart, "abgang_ohne_abschluss_quote", "05", "2016/17")
    assert round(nrw_value, 1) == 5.7


@pytest.mark.e2e
def test_uebergangsbereich_share_2016(mart):
    value, numerator, denominator = indicator_total(
        mart, "uebergangsbereich_anteil", "05114", "2016"
    )
    assert round(value, 1) == 14.5
    assert numerator < denominator


@pytest.mark.e2e
def test_schulformwechsel_matrix_2017_18_cell_by_cell(mart):
    rows = query(
        mart,
        "select von_schulform, nach_schulform, sum(anzahl) from marts.mart_schulformwechsel "
        "where school_year = '2017/18' and zwischen_hauptformen group by all",
    )
    cells = {(von, nach): count for von, nach, count in rows}
    for von, targets in SEED_MATRIX.items():
        for nach, expected in targets.items():
            assert cells.get((von, nach), 0) == expected, (von, nach)
        assert sum(cells.get((von, n), 0) for n in targets) == sum(targets.values())
    assert set(cells) <= {(v, n) for v, targets in SEED_MATRIX.items() for n in targets}
    assert sum(cells.values()) == 119
    into = {n: sum(c for (v, t), c in cells.items() if t == n) for n in (HS, RS, GY, GE)}
    assert into == {HS: 21, RS: 76, GY: 0, GE: 22}


@pytest.mark.e2e
def test_schulformwechsel_by_grade_2017_18_cell_by_cell(mart):
    rows = query(
        mart,
        "select nach_schulform, jahrgang, sum(anzahl) from marts.mart_schulformwechsel "
        "where school_year = '2017/18' group by all",
    )
    cells = {(nach, grade): count for nach, grade, count in rows}
    for nach, grades in SEED_BY_GRADE.items():
        for grade, expected in grades.items():
            assert cells.get((nach, grade), 0) == expected, (nach, grade)
        total = sum(c for (n, _), c in cells.items() if n == nach)
        assert total == SEED_BY_GRADE_TOTALS[nach]
    late = sum(c for (n, g), c in cells.items() if n in SEED_BY_GRADE and 8 <= g <= 10)
    assert late == 71
    value, _, _ = indicator_total(mart, "schulformwechsel_spaet_anzahl", "05114", "2017/18")
    assert value == 71


@pytest.mark.e2e
def test_schulformwechsel_records_never_leave_intermediate(mart):
    columns = query(
        mart,
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_schema in ('marts') "
        "and column_name in ('datensatz_id', 'von_schulnummer', 'nach_schulnummer')",
    )
    assert columns == []


@pytest.mark.e2e
def test_every_catalogue_indicator_has_values_in_every_field(mart):
    rows = query(
        mart,
        "select c.handlungsfeld, c.indicator_id, count(v.value) "
        "from reference.indicator_catalogue as c left join marts.indicator_values_named as v "
        "on v.indicator_id = c.indicator_id group by all",
    )
    assert len(rows) >= 25
    assert all(count > 0 for _, _, count in rows), [r for r in rows if r[2] == 0]
    assert {field for field, _, _ in rows} == HANDLUNGSFELDER
    covered = query(mart, "select count(*) from marts.dim_indicator where zeilen > 0")
    assert covered == [(len(rows),)]


@pytest.mark.e2e
def test_sozialindex_scores_every_covered_school_in_every_year(mart):
    expected = set(
        query(
            mart,
            "select p.school_year, p.schulnummer from staging.stg_schulen__schueler as p "
            "join staging.stg_schulen__schulen as s using (schulnummer) "
            "where s.ist_oeffentlich and s.schulform in ('02', '04', '10', '14', '15', '20') "
            "and p.merkmal = 'schueler' group by all having sum(p.value) > 0",
        )
    )
    scored = query(
        mart,
        "select school_year, schulnummer, score, stufe, gruppe from marts.mart_schulsozialindex",
    )
    assert {(year, school) for year, school, *_ in scored} == expected
    assert all(0 <= score <= 100 and 1 <= level <= 9 for _, _, score, level, _ in scored)
    assert {group for *_, group in scored} == {"grundschule", "weiterfuehrend"}
    weights = query(
        mart,
        "select gruppe, sum(gewicht), count(*) from marts.mart_schulsozialindex_gewichte "
        "group by gruppe",
    )
    assert [(g, round(s, 9), n) for g, s, n in sorted(weights)] == [
        ("grundschule", 1.0, 4),
        ("weiterfuehrend", 1.0, 4),
    ]
    method = (DBT_PROJECT / "models" / "marts" / "methods" / "schulsozialindex.md").read_text(
        encoding="utf-8"
    )
    assert "mart_schulsozialindex_gewichte" in method


@pytest.mark.e2e
def test_catalogue_row_without_model_fails_naming_it_and_readme_example_fixes_it(
    raw_warehouse, tmp_path
):
    """The analyst workflow of dbt_project/README.md, step by step on a copy."""
    project = copy_project(tmp_path / "dbt_project")
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(raw_warehouse, warehouse)
    with (project / "seeds" / "indicator_catalogue.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "familiensprache_quote,Familiensprache nicht Deutsch,Anteil …,Schüler/innen mit "
            "nichtdeutscher Familiensprache,Schüler/innen,%,Allgemeinbildende Schule,"
            "Schulverwaltung,,Stadt|Stadtbezirk|Schule,4,10,,,,,\n"  # no leit_* columns
        )
    failed = run_dbt(project, warehouse, "build", "--exclude", PUBLISHED)
    assert failed.returncode != 0
    assert (
        "Catalogue indicators without values in fct_indicator_values: familiensprache_quote"
        in failed.stdout
    ), failed.stdout[-6000:]

    readme = (DBT_PROJECT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```sql\n(.*?)```", readme, re.DOTALL)
    assert example, "README lost its example indicator"
    model = "\n".join(line.removeprefix("   ") for line in example.group(1).splitlines())
    indicators = project / "models" / "intermediate" / "indicators"
    (indicators / "ind_familiensprache_quote.sql").write_text(model + "\n", encoding="utf-8")
    with (project / "seeds" / "geheimhaltung.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "familiensprache_quote,Stadt|Stadtbezirk|Schule,schueler_familiensprache_nd,"
            "schueler_gesamt,true,false,\n"
        )
    fixed = run_dbt(project, warehouse, "build", "--exclude", PUBLISHED)
    assert fixed.returncode == 0, fixed.stdout[-6000:]
    levels = query(
        warehouse,
        "select distinct region_level from marts.fct_indicator_values "
        "where indicator_id = 'familiensprache_quote' and value is not null",
    )
    assert {level for (level,) in levels} == {"Stadt", "Stadtbezirk", "Schule"}


@pytest.mark.e2e
def test_docs_generate(mart, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(mart, warehouse)
    project = copy_project(tmp_path / "dbt_project")
    result = run_dbt(project, warehouse, "docs", "generate")
    assert result.returncode == 0, result.stdout[-6000:]
    catalog = (project / "target" / "catalog.json").read_text(encoding="utf-8")
    assert "fct_indicator_values" in catalog and "mart_schulsozialindex" in catalog
