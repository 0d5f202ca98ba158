"""End to end on the publishers' real files: refresh, then the real figures in mart and pages.

The inbox holds the real IT.NRW and BA/BIBB files of ../shared/realdata (read from there,
never copied into the repository) and the MSB school register, plus the bundled sample's
school administration files of the school years the real IT.NRW tables cover (a real
report's Stadtbezirk and school figures come from the city itself) and, for the tables of
which no real file is at hand, the sample's files: day care (22543), the BA's monthly
unemployment and SGB II workbooks, the entrants cut of 21121-02-02-4 (the real download is
the leavers cut) and the population by 17 age groups (the real download holds only a
selection of groups). The run must pass every blocking check on this mix, and the report must
show what IT.NRW published: Krefeld 2022/23, 230 of 2,500 leavers without a
Hauptschulabschluss = 9,2 %, NRW 11,835 of 183,830 = 6,4 %.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SAMPLE

pytestmark = pytest.mark.e2e

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CLI = Path(sys.executable).parent / "bildungsmonitor"

REAL_FILES = {
    "itnrw": [
        "regionalstatistik-csv-classic-schulen/21111-02-06-4.csv",
        "regionalstatistik-csv-classic-schulen/21111-01-03-4.csv",
        "regionalstatistik-csv-classic-schulen/13211-02-05-4.csv",
        "regionalstatistik-csv-classic-schulen/82411-01-03-4.csv",
        "ldbnrw-csv-classic/2024_12411-09i.csv",
        "ldbnrw-csv-classic/2024_12521-03i.csv",
        "ldbnrw-csv-classic/2023_22811-01i.csv",
        "ldbnrw-csv-classic/2024_22811-05i.csv",
        "ldbnrw-csv-classic/2024_13111-54i.csv",
        "ldbnrw-csv-classic/2024_22542-06i.csv",
    ],
    "ba": ["bibb-ba-ausbildungsmarkt-krefeld/Krefeld.xlsx"],
    "msb": ["msb-nrw-schuldaten/schuldaten.csv"],
}
SAMPLE_FILES = [
    "itnrw/22543-01-02-4.csv",
    "itnrw/21121-02-02-4.csv",
    "itnrw/12411-02-03-4.csv",
    "ba/arbeitslose_*.xlsx",
    "ba/sgb2_quoten_*.xlsx",
    "geo/*",
]
LAST_SCHOOL_YEAR = "2023-24"
"""The newest school year of the real IT.NRW school tables (pupils 2023/24, leavers 2022/23)."""


def _inbox(folder: Path) -> Path:
    for source, names in REAL_FILES.items():
        (folder / source).mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(REALDATA / name, folder / source / Path(name).name)
    for pattern in SAMPLE_FILES:
        for path in SAMPLE.glob(pattern):
            target = folder / path.relative_to(SAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    (folder / "schulen").mkdir()
    for path in sorted((SAMPLE / "schulen").iterdir()):
        year = re.search(r"_(\d{4}-\d{2})\.", path.name)
        if path.name.startswith("schulen_") or (year and year.group(1) <= LAST_SCHOOL_YEAR):
            shutil.copyfile(path, folder / "schulen" / path.name)
    return folder


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata not present")
    tmp = tmp_path_factory.mktemp("realdata")
    env = dict(os.environ)
    env.update(
        BILDUNGSMONITOR_DATA_DIR=str(_inbox(tmp / "inbox")),
        BILDUNGSMONITOR_WAREHOUSE=str(tmp / "warehouse" / "bm.duckdb"),
        BILDUNGSMONITOR_SITE_DIR=str(tmp / "site"),
        DAGSTER_HOME=str(tmp / "dagster_home"),
    )
    result = subprocess.run(
        [str(CLI), "refresh"], env=env, capture_output=True, text=True, timeout=1500
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp


def _value(con: duckdb.DuckDBPyConnection, indicator: str, region: str, period: str) -> tuple:
    return con.execute(
        "select numerator, denominator, round(value, 1) from marts.fct_indicator_values "
        "where indicator_id = ? and region_key = ? and period = ? and geschlecht = 'insgesamt' "
        "and staatsangehoerigkeit = 'insgesamt' and schulform = 'insgesamt'",
        [indicator, region, period],
    ).fetchone()


def test_the_mart_holds_the_published_leavers_figures(real_run):
    with duckdb.connect(str(real_run / "warehouse" / "bm.duckdb"), read_only=True) as con:
        krefeld = _value(con, "abgang_ohne_abschluss_quote", "05114", "2022/23")
        nrw = _value(con, "abgang_ohne_abschluss_quote", "05", "2022/23")
    assert krefeld == (230, 2500, 9.2)
    assert nrw == (11835, 183830, 6.4)


def test_the_mart_holds_real_social_context_figures(real_run):
    """Real 12411-09i (31.12.2024) and 12521-03i: Krefeld's population and foreigners."""
    with duckdb.connect(str(real_run / "warehouse" / "bm.duckdb"), read_only=True) as con:
        single_years = con.execute(
            "select sum(population) from staging.stg_itnrw__bevoelkerung_altersjahre "
            "where region_key = '05114' and altersjahr <> 'insgesamt' "
            "and reference_date = date '2024-12-31'"
        ).fetchone()[0]
        foreign = _value(con, "auslaenderanteil_bevoelkerung", "05114", "2024")
    assert single_years == 231406
    assert foreign is not None and foreign[0] == 52310


def _page_text(site: Path, name: str) -> str:
    page = (site / name).read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.replace("\u00a0", " ").split())


def test_the_rendered_page_shows_the_published_figures(real_run):
    text = _page_text(real_run / "site", "indikatoren/abgang_ohne_abschluss_quote.html")
    assert "2022/23" in text
    assert "9,2 %" in text
    assert "6,4 %" in text
