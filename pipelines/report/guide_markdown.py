"""What the school guides' generated pages share: where each page lives, the guides'
titles, and the few Markdown pieces every page writes (table cells, counts, raw HTML blocks)."""

from __future__ import annotations

import pandas as pd

from pipelines.report.guide_brochure import TITLES

SCHOOLS_DIR = "schulen"
GUIDE_PAGES = {"grundschule": "grundschulen", "weiterfuehrend": "weiterfuehrende-schulen"}
GUIDE_TITLES = TITLES
BROCHURES = {
    "grundschule": "grundschulwegweiser-broschuere",
    "weiterfuehrend": "wegweiser-weiterfuehrende-schulen-broschuere",
}
MAP_PAGE = "karte"
REGISTRATION_PAGE = "anmeldung"


def count_text(value: object) -> str:
    """A count as the guides print it: 1.234, – when there is none."""
    return f"{int(value):,}".replace(",", ".") if pd.notna(value) else "–"


def cell(text: object) -> str:
    """Text for a pipe-table cell or a list item (no pipe, no line break)."""
    return str(text).replace("|", "/").replace("\n", " ").strip() if pd.notna(text) else "–"


def raw_html(*lines: str) -> list[str]:
    """A raw HTML block (web page only; the PDF leaves it out)."""
    return ["", "```{=html}", *lines, "```", ""]
