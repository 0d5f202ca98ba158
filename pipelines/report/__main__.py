"""Command line: ``python -m pipelines.report [project] [--output-dir DIR] [-P key:value]``.

Mirrors ``quarto render <project> --output-dir <dir> -P key:value`` so editors can preview
the site with or without Quarto installed. ``--kernel-per-page`` runs every page in a new
kernel as Quarto does (slower; the default reuses one kernel per worker with a fresh
namespace for each page). ``--cache-dir DIR`` keeps rendered pages there and copies a page
whose source and data did not change instead of running it again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.report.errors import RenderError
from pipelines.report.render import render_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.report", description=__doc__)
    parser.add_argument("project", nargs="?", type=Path, default=Path("reports"))
    parser.add_argument("--output-dir", type=Path, help="default: <project>/_site")
    parser.add_argument("-P", dest="params", action="append", default=[], metavar="KEY:VALUE")
    parser.add_argument("--kernel-per-page", action="store_true", help="a new kernel per page")
    parser.add_argument(
        "--renderer", choices=["auto", "quarto", "builtin"], default="auto", help="default: auto"
    )
    parser.add_argument(
        "--cache-dir", type=Path, help="page cache of the built-in renderer (default: none)"
    )
    args = parser.parse_args(argv)
    if bad := [p for p in args.params if ":" not in p]:
        parser.error(f"-P expects key:value, got {bad}")
    params = dict(p.split(":", 1) for p in args.params)
    try:
        result = render_site(
            args.project,
            args.output_dir or args.project / "_site",
            params=params,
            renderer=args.renderer,
            kernels="per-page" if args.kernel_per_page else "shared",
            cache_dir=args.cache_dir,
        )
    except RenderError as exc:
        parser.exit(1, f"error: {exc}\n")
    pdfs = ", ".join(p.name for p in result.pdfs) or "none"
    cached = f" ({len(result.cached)} from the cache)" if result.cached else ""
    print(
        f"{result.renderer}: {len(result.pages)} pages{cached}, PDFs {pdfs} "
        f"in {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
