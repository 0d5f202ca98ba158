"""``make sample-data`` reproduces the bundled sample byte for byte (issue 18).

The sample imitates the publishers' real layouts; whoever changes a generator must
regenerate and commit the sample, and whoever changes the sample by hand is caught here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipelines import paths
from pipelines.sample.generate import MESSY_DIR, generate


def _digests(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() not in skip
    }


def test_make_sample_data_writes_the_committed_sample(tmp_path):
    generate(tmp_path / "sample", tmp_path / "messy")
    committed = _digests(paths.SAMPLE_DATA_DIR, skip=("README.md",))
    assert _digests(tmp_path / "sample") == committed
    assert _digests(tmp_path / "messy") == _digests(MESSY_DIR)
