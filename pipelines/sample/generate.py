"""``make sample-data``: regenerate the bundled synthetic sample and the messy test variants.

Every generator is deterministic (fixed seed, fixed dates), so a rerun on a clean checkout
leaves ``git status`` clean. ``--scale state --out DIR`` writes the state-sized data of the
benchmark's scale scenario instead (:mod:`pipelines.sample.scale`; no messy variants).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

from pipelines import paths
from pipelines.sample import ba, genesis, genesis_kontext, geo, scale, schulen, schulregister

GENERATORS = (genesis, genesis_kontext, schulen, ba, schulregister)
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale",
        choices=["city", *scale.SCALES],
        default="city",
        help="city: the bundled sample (default); state: state-sized data for the benchmark",
    )
    parser.add_argument("--out", type=Path, help=f"default: {paths.SAMPLE_DATA_DIR}")
    parser.add_argument("--messy", type=Path, default=MESSY_DIR, help="city sample only")
    args = parser.parse_args(argv)
    if args.scale == "city":
        out = args.out or paths.SAMPLE_DATA_DIR
        files = generate(out, args.messy)
        print(f"{len(files)} Dateien geschrieben nach {out} und {args.messy}")
        return
    if args.out is None:
        parser.error("--scale state needs --out DIR (it must not overwrite the bundled sample)")
    clock = time.perf_counter()
    files = scale.write_scale(args.out, scale.SCALES[args.scale], args.scale)
    size = sum(path.stat().st_size for path in files)
    print(
        f"{len(files)} Dateien ({size / 1024**2:.0f} MiB) in {time.perf_counter() - clock:.0f} s "
        f"geschrieben nach {args.out}"
    )


if __name__ == "__main__":
    main()
