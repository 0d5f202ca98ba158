"""Render the Quarto report website and its PDF edition (real Quarto or the built-in renderer).

The renderer's imports (nbclient, pypandoc, typst) are heavy, so they load on first use:
``pipelines.report.changelog`` and ``pipelines.report.contract`` stay cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.report.errors import RenderError
    from pipelines.report.render import RenderResult, render_site

__all__ = ["RenderError", "RenderResult", "render_site"]


def __getattr__(name: str) -> Any:
    if name == "RenderError":
        from pipelines.report.errors import RenderError

        return RenderError
    if name in ("RenderResult", "render_site"):
        from pipelines.report import render

        return getattr(render, name)
    raise AttributeError(f"module 'pipelines.report' has no attribute {name!r}")
