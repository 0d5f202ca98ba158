"""Pre-render step of the report (``project.pre-render`` in _quarto.yml).

Writes one page per catalogue indicator into indikatoren/ before Quarto (>= 1.5) or the
built-in renderer reads the page list. Run from this folder by both; the repository root is
put on the path so that it also works where the project is not pip-installed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.report.generate_pages import main

raise SystemExit(main([str(Path(__file__).resolve().parent)]))
