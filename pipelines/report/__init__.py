"""Render the Quarto report website and its PDF edition (real Quarto or the built-in renderer)."""

from pipelines.report.errors import RenderError
from pipelines.report.render import RenderResult, render_site

__all__ = ["RenderError", "RenderResult", "render_site"]
