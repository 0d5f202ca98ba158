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
