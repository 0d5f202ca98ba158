"""The school guides' client-side search: a Pagefind index written into the rendered site.

Run by the post-render step (``reports/_post_render.py``) on both render paths, after every
page is written and before the link and release checks, so the index is part of what is
checked and swapped in. Pagefind comes as a binary wheel from PyPI and works offline; the
browser loads its UI, WebAssembly and index fragments from the site's own ``pagefind/``
folder. Only the school pages are indexed (their ``<main>``: no navbar text in the results).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

INDEXED = "schulwegweiser/schulen/*.html"
BUNDLE = "pagefind"


def build_search_index(site: Path) -> bool:
    """Index the guides' school pages of ``site``; False (and no bundle) when it has none."""
    bundle = site / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)  # a previous render's index never survives its pages
    if not any(site.glob(INDEXED)):
        return False
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", INDEXED,
         "--root-selector", "main", "--force-language", "de", "--output-subdir", BUNDLE,
         "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-10:])
        raise RuntimeError(f"Pagefind could not index {site}:\n{tail}")
    return True
