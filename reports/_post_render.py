"""Post-render step of the report (``project.post-render`` in _quarto.yml).

Writes the school guides' search index (Pagefind) into the rendered site. Quarto and the
built-in renderer run it from this folder after every page is rendered, with the site's folder
in ``QUARTO_PROJECT_OUTPUT_DIR``; the repository root is put on the path so that it also works
where the project is not pip-installed.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.report.search_index import build_search_index

site = Path(__file__).resolve().parent / os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", "_site")
build_search_index(site)
