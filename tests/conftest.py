"""Shared fixtures: where the real reference files and the bundled sample live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
REALDATA = REPO_ROOT.parent / "shared" / "realdata"
SAMPLE = REPO_ROOT / "data" / "sample"


@pytest.fixture
def realdata() -> Path:
    """The publishers' real files (tests only; CI has ../shared beside the checkout)."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is not beside this checkout")
    return REALDATA


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def fixture_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped report rendered once per test session from the fixture warehouse (with
    the ``kategorie`` column): ``(site, warehouse)``. Shared by the release-check and the
    browser tests, which only read it (a test that edits pages works on its own copy): one
    cold render less in CI."""
    from pipelines.report import render_site
    from tests.test_report_data import build_warehouse
    from tests.test_report_render import copy_project

    root = tmp_path_factory.mktemp("fixture-report")
    warehouse = build_warehouse(root / "bildungsmonitor.duckdb", kategorie=True)
    result = render_site(
        copy_project(root / "reports"),
        root / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    print(f"\nfixture report: {len(result.pages)} pages in {result.seconds:.1f} s")
    return result.output_dir, warehouse


@pytest.fixture(scope="session")
def shared_render_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One page cache for the end-to-end refreshes of a test session (see
    ``use_render_cache``)."""
    return tmp_path_factory.mktemp("render-cache")


def use_render_cache(warehouse_dir: Path, cache: Path) -> None:
    """Let the refreshes of ``warehouse_dir`` use the session's page cache: several modules
    refresh the same sample, and a page whose recorded queries and sources are unchanged
    need not run again. The cache is content-addressed (``pipelines.report.cache``), so a
    page of other data still renders; the cache's own tests use fresh folders."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    (warehouse_dir / "render-cache").symlink_to(cache, target_is_directory=True)
