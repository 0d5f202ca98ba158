"""The renderer's error type.

The built-in renderer refuses anything outside the documented Quarto subset instead of
dropping it, because a page that renders differently here and with real Quarto on the city's
machines is worse than a page that does not render at all. Every error names the page and,
where known, the source file and line an editor has to change.
"""

from __future__ import annotations

from pathlib import Path


class RenderError(RuntimeError):
    """A page that cannot be rendered: unsupported construct, failing cell, broken reference."""

    def __init__(
        self,
        page: Path | str,
        message: str,
        *,
        line: int | None = None,
        source: Path | str | None = None,
    ):
        self.page = Path(page)
        self.line = line
        self.source = Path(source) if source is not None else self.page
        self.message = message
        where = self.source.name if line is None else f"{self.source.name}:{line}"
        if self.source != self.page:
            where += f" (included from {self.page.name})"
        elif line is None:
            where = self.page.name
        super().__init__(f"{where}: {message}")
