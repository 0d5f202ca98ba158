"""End to end: the real pipeline (Dagster → dbt → report) on the bundled sample data.

Runs the ``bildungsmonitor`` console script in a subprocess with its own warehouse, site and
DAGSTER_HOME in a temporary folder, as a user would.
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.report.release_checks import code_tokens, seed_codes
from quality.sdc.downloads import read_download
from tests.conftest import (
    CLI,
    LATE_FILE,
    SAMPLE,
    Released,
    copy_workspace,
    materialised_by_last_run,
)
from tests.disclosure_attack import page_tables
from tests.fixtures.broken.make_broken import CASES, write_broken_inbox

pytestmark = pytest.mark.e2e


def _env(tmp: Path, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BILDUNGSMONITOR_DATA_DIR=str(data_dir),
        BILDUNGSMONITOR_WAREHOUSE=str(tmp / "warehouse" / "bm.duckdb"),
        BILDUNGSMONITOR_SITE_DIR=str(tmp / "site"),
        DAGSTER_HOME=str(tmp / "dagster_home"),
    )
    return env


def _refresh(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLI), "refresh"], env=env, capture_output=True, text=True, timeout=900
    )


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


"""Held back from the first run and dropped into the inbox later, as a new monthly delivery."""


def _raw_digest(warehouse: Path) -> dict[str, str]:
    """Content digest of every raw table (order-independent)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' "
                "order by table_name"
            ).fetchall()
        ]
        return {
            t: con.execute(f"select count(*), sum(hash(columns(*))) from raw.{t}")
            .fetchone()
            .__repr__()
            for t in tables
        }


@pytest.fixture(scope="module")
def refreshed(
    tmp_path_factory, released_sample_without_late: Released
) -> tuple[Path, dict[str, str]]:
    """A copy of the session's released sample without ``LATE_FILE``."""
    source = released_sample_without_late.path
    tmp = copy_workspace(source, tmp_path_factory.mktemp("e2e") / "w")
    return tmp, _env(tmp, tmp / "inbox")


def test_a_refresh_leaves_the_report_sources_as_they_were(released_sample_without_late):
    """The run renders a copy of ``reports/``: the generated pages, ``_variables.yml`` and the
    caches land there, not in the checkout (``git status`` stays clean after ``make report``)."""
    assert released_sample_without_late.source_changes == ()


def test_report_shows_the_seed_figures(refreshed):
    tmp, _env_vars = refreshed
    site = tmp / "site"
    assert (site / "index.html").is_file()
    html = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "8,1\u00a0%" in html or "8,1 %" in html
    assert "5,7\u00a0%" in html or "5,7 %" in html
    assert (site / "bericht.pdf").is_file()
    assert (site / "kurzreport-schulerfolg.pdf").is_file()
    kurzreport = _visible_text(site / "kurzreport-schulerfolg.html")
    assert "2016/17 8,1 % 5,7 %" in kurzreport
    # 2017/18: 123 changes in Sek I (the indicator), 119 among the four main types, 98 out of
    # Gymnasium, 71 late changes.
    assert "2017/18 123 119 98 71" in kurzreport


def test_every_headline_is_a_statement_and_schulformwechsel_is_one_number(refreshed):
    """On the sample site: no indicator's headline series is a 100 % total, and the
    Schulformwechsel of a school year are the same number on every page that names them."""
    tmp, _env_vars = refreshed
    site = tmp / "site"
    flat = []
    for path in sorted((site / "indikatoren").glob("*.html")):
        for table in page_tables(path, site):
            if table.header[:1] == ["Zeitraum"] and len(table.header) == 5:
                local = [row[1] for row in table.rows if len(row) > 1 and row[1] != "–"]
                if local and all(v.startswith("100,0 %") for v in local):
                    flat.append(path.name)
    assert not flat, f"headline series at a constant 100,0 % (a total category): {flat}"

    name = "Schulformwechsel in der Sekundarstufe I"
    key_rows = [
        row
        for table in page_tables(site / "index.html", site)
        if table.header[:2] == ["Kennzahl", "Stand"]
        for row in table.rows
        if row[0] == name
    ]
    assert key_rows, "the start page shows the Schulformwechsel key figure"
    year, value = key_rows[0][1], key_rows[0][2]
    shown = {"Startseite": value}
    page = site / "indikatoren" / "schulformwechsel_anzahl.html"
    trend = next(t for t in page_tables(page, site) if t.header[:1] == ["Zeitraum"])
    shown["Kennzahlseite"] = next(r[1] for r in trend.rows if r[0] == year)
    kurz = site / "kurzreport-schulerfolg.html"
    series = next(t for t in page_tables(kurz, site) if "Schulformwechsel insgesamt" in t.header)
    column = series.header.index("Schulformwechsel insgesamt")
    shown["Kurzreport, Tabelle"] = next(r[column] for r in series.rows if r[0] == year)
    text = _visible_text(kurz)
    summary = re.search(rf"Schulformwechsel {re.escape(year)}: (\S+) Wechsel in der", text)
    assert summary, "the Kurzreport's summary names the Schulformwechsel of the year"
    shown["Kurzreport, Zusammenfassung"] = summary[1]
    assert len(set(shown.values())) == 1, f"Schulformwechsel {year}: {shown}"


LABEL_COLUMNS = (
    "Geschlecht",
    "Staatsangehörigkeit",
    "Schulform",
    "Kategorie",
    "Grund der Sperrung",
)


def test_downloads_speak_german_no_codes_in_headers_or_labels(refreshed):
    """CSV and XLSX: German headers, and every breakdown cell a label, never a code."""
    tmp, _env_vars = refreshed
    site = tmp / "site"
    codes = seed_codes()
    found = []
    for path in sorted((site / "indikatoren").glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, delimiter=";")
            header = reader.fieldnames or []
            found += [(path.name, h) for h in header if "_" in h]
            labels = {row[c] for row in reader for c in LABEL_COLUMNS if row.get(c)}
        found += [(path.name, v) for v in labels if code_tokens(v, codes) or v in codes.numeric]
    book = openpyxl.load_workbook(site / "indikatoren" / "alle_kennzahlen.xlsx", read_only=True)
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        header = [str(h) for h in next(rows)]
        found += [(sheet.title, h) for h in header if "_" in h]
        at = [header.index(c) for c in LABEL_COLUMNS if c in header]
        # a row ends at its last filled cell (openpyxl's read-only mode)
        labels = {str(row[i]) for row in rows for i in at if i < len(row) and row[i] is not None}
        found += [(sheet.title, v) for v in labels if code_tokens(v, codes) or v in codes.numeric]
    assert not found, found[:20]


def _visible_text(page: Path) -> str:
    text = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", html.unescape(text)).replace("\u00a0", " ")


def _months(warehouse: Path) -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            r[0] for r in con.execute("select distinct period from raw.ba__arbeitslose").fetchall()
        }


def _runs(env: dict[str, str]) -> list:
    """The Dagster runs recorded in the test's DAGSTER_HOME, newest first."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        return list(instance.get_runs())
    finally:
        instance.dispose()


def test_new_file_in_the_inbox_is_picked_up_and_a_rerun_changes_nothing(refreshed):
    tmp, env = refreshed
    warehouse = tmp / "warehouse" / "bm.duckdb"
    assert "2025-01" not in _months(warehouse)
    shutil.copyfile(SAMPLE / LATE_FILE, tmp / "inbox" / LATE_FILE)

    result = _refresh(env)
    assert result.returncode == 0, result.stderr
    assert {"2025-01", "2025-10"} <= _months(warehouse)
    # only what depends on the new BA file ran: its raw table, the models built from it, ...
    built = materialised_by_last_run(Path(env["DAGSTER_HOME"]))
    expected = {"inbox", "raw_ba__arbeitslose", "intern/geheimhaltung", "report_site"}
    assert expected | {"published/indicator_values"} <= built
    assert "intermediate/ind_arbeitslosenquote" in built
    # ... and nothing from the other sources
    assert not {b for b in built if b.startswith(("raw_itnrw", "raw_schulen"))}
    assert "staging/stg_itnrw__abgaenger" not in built

    archive = tmp / "warehouse" / "archive"
    before = (_tree_digest(archive), _raw_digest(warehouse), _tree_digest(tmp / "site"))
    runs_before = len(_runs(env))
    result = _refresh(env)
    assert result.returncode == 0, result.stderr
    assert "Nichts geändert" in result.stdout
    assert len(_runs(env)) == runs_before  # a no-op refresh starts no run at all
    after = (_tree_digest(archive), _raw_digest(warehouse), _tree_digest(tmp / "site"))
    assert after == before


def test_bad_file_fails_the_run_and_leaves_report_and_warehouse_as_they_were(refreshed, tmp_path):
    tmp, env = refreshed
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    genesis_file = next((inbox / "itnrw").glob("*.csv"))
    lines = genesis_file.read_bytes().splitlines(keepends=True)
    genesis_file.write_bytes(b"".join(lines[: len(lines) // 2]))  # a truncated delivery
    site_before = _tree_digest(tmp / "site")
    warehouse = tmp / "warehouse" / "bm.duckdb"
    warehouse_before = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    result = _refresh(env | {"BILDUNGSMONITOR_DATA_DIR": str(inbox)})

    assert result.returncode != 0
    assert genesis_file.name in result.stderr
    assert _tree_digest(tmp / "site") == site_before
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == warehouse_before


# ------------------------------------------------------- the school guides' input (issue 20)

PROFILE = Path("schulen") / "schulprofil_2025-26.xlsx"
REGISTER = Path("msb") / "schuldaten.csv"


def _closed_school(register: Path) -> str:
    """A Schulnummer the sample's state register lists as closed (key 9) in Krefeld."""
    for line in register.read_text(encoding="utf-8").splitlines():
        if '"05114000";"9"' in line:
            return line.split(";")[0].strip('"')
    raise AssertionError("the sample register lists no closed school")


def _break_profile(path: Path, case: str, closed: str) -> tuple[str, str]:
    """Change the profile's second school as ``case`` says; the column and text to expect."""
    book = openpyxl.load_workbook(path)
    sheet = book["Daten"]
    header = [c.value for c in sheet[1]]
    row = 3  # the second school
    if case == "unknown_school":
        sheet.cell(row, header.index("schulnummer") + 1, "999999")
        expected = ("schulnummer", "nicht im Schulverzeichnis")
    elif case == "closed_school":
        sheet.cell(row, header.index("schulnummer") + 1, closed)
        expected = ("schulnummer", "nicht in Betrieb")
    elif case == "date_in_the_past":  # last year's campaign, copied and not updated
        cell = sheet.cell(row, header.index("anmeldung_von") + 1)
        cell.value = cell.value.replace(year=cell.value.year - 1)
        expected = ("anmeldung_von", "nicht in der Anmeldezeit")
    else:  # duplicate_schulnummer
        first = sheet.cell(2, header.index("schulnummer") + 1).value
        sheet.cell(row, header.index("schulnummer") + 1, first)
        expected = ("schuljahr, schulnummer", "duplicate key")
    book.save(path)
    return expected


@pytest.mark.parametrize(
    "case", ["unknown_school", "closed_school", "date_in_the_past", "duplicate_schulnummer"]
)
def test_a_bad_school_profile_fails_the_run_naming_file_and_column(refreshed, tmp_path, case):
    tmp, env = refreshed
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE, inbox)
    column, text = _break_profile(inbox / PROFILE, case, _closed_school(inbox / REGISTER))
    site_before = _tree_digest(tmp / "site")
    warehouse = tmp / "warehouse" / "bm.duckdb"
    warehouse_before = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    result = _refresh(env | {"BILDUNGSMONITOR_DATA_DIR": str(inbox)})

    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert PROFILE.name in output and f"column '{column}'" in output, output[-3000:]
    assert text in output and "row " in output
    assert _tree_digest(tmp / "site") == site_before
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == warehouse_before


# ------------------------------------------------------------------ the quality gate (issue 6)


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_delivery_is_stopped_by_the_gate_naming_the_check(refreshed, tmp_path, case):
    tmp, env = refreshed
    spec = write_broken_inbox(case, tmp_path / "inbox")
    site_before = _tree_digest(tmp / "site")
    warehouse = tmp / "warehouse" / "bm.duckdb"
    warehouse_before = hashlib.sha256(warehouse.read_bytes()).hexdigest()

    result = _refresh(env | {"BILDUNGSMONITOR_DATA_DIR": str(tmp_path / "inbox")})

    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert any(name in output for name in spec.named_by), output[-3000:]
    assert _tree_digest(tmp / "site") == site_before
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == warehouse_before


def test_rendered_site_shows_no_small_count_of_a_school_or_stadtbezirk(refreshed):
    """Every cell the unprotected mart holds with a count of 1 or 2 at small-area level, of an
    indicator that counts people (the policy's protected levels; the number of schools is
    public), is absent or suppressed in the CSV downloads of the rendered site."""
    tmp, _env_vars = refreshed
    warehouse = tmp / "warehouse" / "bm.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sensitive = con.execute(
            """
            select v.indicator_id, v.region_key, v.period, v.geschlecht,
                   v.staatsangehoerigkeit, v.schulform, v.kategorie
            from marts.fct_indicator_values as v
            join reference.geheimhaltung as g on g.indicator_id = v.indicator_id
            where v.region_level in ('Schule', 'Stadtbezirk')
              and v.region_level in (select unnest(string_split(g.geschuetzte_ebenen, '|')))
              and ((v.unit = 'Anzahl' and v.value between 1 and 2)
                   or v.numerator between 1 and 2)
            """
        ).fetchall()
    assert sensitive, "the sample must contain small cells, or this test proves nothing"
    published: dict[tuple, tuple[str, str, str]] = {}
    for csv_file in (tmp / "site").rglob("*.csv"):
        for row in read_download(csv_file):  # German headers and labels back to codes
            if "region_key" not in row:
                continue
            key = tuple(
                row.get(c, "insgesamt")
                for c in ("indicator_id", "region_key", "period", "geschlecht",
                          "staatsangehoerigkeit", "schulform", "kategorie")
            )  # fmt: skip
            published[key] = (row["value"], row["numerator"], row["symbol"])
    assert published, "no download read: the check would pass without looking"
    shown = [key for key in sensitive if key in published and published[key][0] not in ("", ".")]
    assert not shown, shown[:10]
    assert all(published[key][1] == "" for key in sensitive if key in published)


def test_no_suppressed_cell_can_be_recovered_from_the_downloads(refreshed):
    """An attacker with only the site's CSV files, the declared hierarchies and an LP solver
    recovers no suppressed count, by difference or to within the protection interval
    (on the main of 2026-11-26 this found 753 cells recovered as 1 or 2)."""
    from tests.disclosure_attack import by_difference, lp_bounds, read_site, region_parents

    tmp, _ = refreshed
    attack = read_site(tmp / "site", region_parents(tmp / "warehouse" / "bm.duckdb"))
    assert attack.hidden, "the sample has small school cells: something must be suppressed"
    assert by_difference(attack) == {}
    assert lp_bounds(attack, 3) == {}


def test_one_symbol_and_one_reason_in_every_download(refreshed):
    """Which cells were small is not told: every suppressed cell reads '.' and 'gesperrt'."""
    tmp, _ = refreshed
    reasons = set()
    for path in (tmp / "site" / "indikatoren").glob("*.csv"):
        for row in read_download(path):  # German headers and labels back to codes
            if row["suppression_reason"]:
                assert row["symbol"] == "."
                reasons.add(row["suppression_reason"])
    assert reasons == {"gesperrt"}
