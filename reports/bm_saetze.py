"""Generated sentences and notes: the factual text next to figures and tables."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from bm_daten import Edition, Indicator, Trend, format_period
from bm_format import assessment, format_change, format_number, format_value
from bm_tabellen import key_figure


def full_stop(text: str) -> str:
    """End a sentence with one full stop: a text ending in an abbreviation (``%-Pkt.``)
    already has it."""
    return text if text.endswith(".") else text + "."


def summary_points(entries: Iterable[Indicator], ausgabe: Edition) -> str:
    """A markdown bullet list: the latest value of each indicator and how it changed."""
    points = []
    for entry in entries:
        figure = key_figure(entry, ausgabe)
        if figure is None:
            continue
        unit = entry.unit
        text = (
            f"- **{entry.name}{f' ({entry.leit_name})' if entry.leit_name else ''}:** "
            f"{format_value(figure.value, figure.symbol, unit)} in "
            f"{figure.region} ({format_period(figure.period)})"
        )
        if not pd.isna(figure.nrw):
            text += f", Nordrhein-Westfalen {format_value(figure.nrw, figure.nrw_symbol, unit)}"
        change = format_change(figure.value, figure.previous, unit)
        if change != "–":
            verdict = assessment(figure.value, figure.previous, entry)
            text += f"; zum Vorjahr {change}"
            if verdict not in ("–", "unverändert"):
                text += f" ({verdict})"
        points.append(full_stop(text))
    return "\n".join(points) if points else "- Für diese Ausgabe liegen keine Werte vor."


def trend_sentence(series: Trend) -> str:
    """One sentence on the latest value and its change, for the text above a chart."""
    figure = key_figure(series.indicator, series.edition)
    if figure is None:
        return "Für diese Ausgabe liegen keine Werte vor."
    unit = series.indicator.unit
    leit = series.indicator.leit_name
    text = (
        f"{format_period(figure.period)}: {f'{leit} ' if leit else ''}"
        f"{format_value(figure.value, figure.symbol, unit)} "
        f"{'in ' if figure.region == 'Krefeld' else 'im '}{figure.region}"
    )
    if not pd.isna(figure.nrw):
        text += f", {format_value(figure.nrw, figure.nrw_symbol, unit)} in Nordrhein-Westfalen"
    change = format_change(figure.value, figure.previous, unit)
    if change != "–":
        text += f"; Veränderung zum Vorjahr: {change}"
        verdict = assessment(figure.value, figure.previous, series.indicator)
        if verdict not in ("–", "unverändert"):
            text += f" ({verdict})"
    return full_stop(text)


def school_rows_note(count: int) -> str:
    """Why the page shows no single schools although the CSV file may contain some."""
    if not count:
        return ""
    return (
        f"Sie enthält auch {format_number(count)} Zeilen einzelner Schulen, soweit sie nach der "
        "Geheimhaltungsprüfung veröffentlicht werden dürfen; die Seite selbst zeigt keine "
        "Werte einzelner Schulen."
    )


def suppression_note(frame: pd.DataFrame) -> str:
    """The reasons for suppressed values, as a sentence ('' if none). The one public reason of
    disclosure control, "gesperrt", is already the meaning of the symbol "." and is not
    repeated; other reasons (e.g. a publisher's) are named."""
    reasons = [r for r in suppression_reasons(frame) if r != "gesperrt"]
    if not reasons:
        return ""
    return "Gründe für geheim gehaltene Werte: " + "; ".join(reasons) + "."


def suppression_reasons(frame: pd.DataFrame) -> list[str]:
    """The distinct reasons why values of a frame are not published."""
    if "suppression_reason" not in frame:
        return []
    return sorted({r for r in frame["suppression_reason"].dropna().unique() if r})
