"""``make sample-data``: regenerate the bundled synthetic sample and the messy test variants.

Every generator is deterministic (fixed seed, fixed dates), so a rerun on a clean checkout
leaves ``git status`` clean.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from pipelines import paths
from pipelines.sample import ba, genesis, geo, schulen

GENERATORS = (genesis, schulen, ba)
MESSY_DIR = paths.REPO_ROOT / "tests" / "fixtures" / "messy"


def generate(out_dir: Path, messy_dir: Path | None = None) -> list[Path]:
    """Write the sample into ``out_dir`` (one folder per source) and the messy variants."""
    written: list[Path] = []
    for module in (*GENERATORS, geo):
        written += module.write_sample(out_dir)
    if messy_dir is not None:
        shutil.rmtree(messy_dir, ignore_errors=True)
        messy_dir.mkdir(parents=True)
        for module in GENERATORS:
            written += module.write_messy_variants(messy_dir)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=paths.SAMPLE_DATA_DIR)
    parser.add_argument("--messy", type=Path, default=MESSY_DIR)
    args = parser.parse_args()
    files = generate(args.out, args.messy)
    print(f"{len(files)} Dateien geschrieben nach {args.out} und {args.messy}")


if __name__ == "__main__":
    main()
