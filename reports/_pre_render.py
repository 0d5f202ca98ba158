"""Pre-render step of the report (``project.pre-render`` in _quarto.yml).

Writes one page per catalogue indicator into indikatoren/ before Quarto (>= 1.5) or the
built-in renderer reads the page list, and _variables.yml with the page footer's values of this
render (edition, publication date, sample-data notice). Run from this folder by both; the
repository root is put on the path so that it also works where the project is not
pip-installed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.report.generate_pages import main

status = main([str(Path(__file__).resolve().parent)])
if status == 0:  # the page footer's values of this render (edition, date, sample notice)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bm_texte

    bm_texte.schreibe_variablen()
raise SystemExit(status)
