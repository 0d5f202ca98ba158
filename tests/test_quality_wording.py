"""The quality page's words: a passed check never reads as an error, and the year-over-year
sentence does not contradict itself ("0 Sprünge über der harten Grenze … davon 5 über der
harten Grenze")."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pandas as pd
import pytest

from pipelines.report.release_checks import RELEASE_CHECKS
from quality.outcome import yoy_headline
from quality.quality_report import render_quality_page, severity_label, status_of


def _results(*checks: tuple[str, str, str, bool]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "run_id": "lauf-1",
                "check_name": name,
                "asset_key": asset,
                "severity": severity,
                "passed": passed,
                "n_failures": 0 if passed else 2,
                "details": {"summary": f"Befund {name}", "rows": [], "metadata": {}},
                "checked_at": datetime(2026, 3, 2, 8, 0),
            }
            for name, asset, severity, passed in checks
        ]
    )


def _overview(page: str) -> list[list[str]]:
    """The overview table's rows as cell texts."""
    table = page.split("<h2>Übersicht</h2>", 1)[1].split("</table>", 1)[0]
    return [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in row]
        for row in (re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r) for r in table.split("<tr>")[1:])
    ]


@pytest.mark.parametrize(
    ("passed", "severity", "status"),
    [
        (True, "ERROR", "bestanden"),
        (True, "WARN", "bestanden"),
        (False, "ERROR", "nicht bestanden"),
        (False, "WARN", "Warnung"),
    ],
)
def test_status_is_the_result_and_severity_what_failing_means(passed, severity, status) -> None:
    assert status_of(passed, severity) == status
    assert severity_label(severity) == {"ERROR": "blockierend", "WARN": "Warnung"}[severity]


def test_a_passed_blocking_check_reads_bestanden_and_blockierend_never_error() -> None:
    page = render_quality_page(
        "lauf-1",
        _results(
            ("completeness", "marts/fct_indicator_values", "ERROR", True),
            ("report_no_code_tokens", "report_site", "ERROR", False),
            ("yoy_plausibility", "marts/fct_indicator_values", "WARN", False),
        ),
    )
    rows = _overview(page)
    assert rows[0][0] == "Status" and rows[0][3] == "Schwere bei Fehlschlag"
    by_check = {r[1]: (r[0], r[3]) for r in rows[1:]}
    assert by_check["Vollständigkeit gegenüber dem Indikatorenkatalog completeness"] == (
        "bestanden",
        "blockierend",
    )
    assert by_check["Bericht: keine Codes im sichtbaren Text report_no_code_tokens"] == (
        "nicht bestanden",
        "blockierend",
    )
    assert by_check["Plausibilität der Veränderung zum Vorjahr yoy_plausibility"] == (
        "Warnung",
        "Warnung",
    )
    assert "ERROR" not in page and "WARN<" not in page
    assert "1 nicht bestanden, 1 mit Warnung, 1 bestanden" in re.sub(r"<[^>]+>", "", page)


def test_every_release_check_has_a_german_name_on_the_page() -> None:
    checks = [(c.name, "report_site", "ERROR", True) for c in RELEASE_CHECKS]
    checks.append(("downloads_disclosure_audit", "report_site", "ERROR", True))
    page = html.unescape(render_quality_page("lauf-1", _results(*checks)))
    for check in RELEASE_CHECKS:
        assert check.label in page
    assert "Geheimhaltung der Downloads (CSV) des Berichts" in page


@pytest.mark.parametrize(
    ("counts", "sentence"),
    [
        (
            (0, 57, 5),
            "Land, Städte und Agenturbezirke: kein Sprung über der harten Grenze; 57 Warnungen: "
            "52 Veränderungen über der Toleranz, 5 Stadtbezirkswerte über der harten Grenze "
            "(bei Stadtbezirken nur Warnung)",
        ),
        (
            (1, 1, 0),
            "Land, Städte und Agenturbezirke: 1 Sprung über der harten Grenze (blockierend); "
            "1 Warnung: 1 Veränderung über der Toleranz",
        ),
        (
            (3, 1, 1),
            "Land, Städte und Agenturbezirke: 3 Sprünge über der harten Grenze (blockierend); "
            "1 Warnung: 1 Stadtbezirkswert über der harten Grenze (bei Stadtbezirken nur Warnung)",
        ),
        ((2, 0, 0), "Land, Städte und Agenturbezirke: 2 Sprünge über der harten Grenze "
         "(blockierend); keine Warnungen"),
    ],
)  # fmt: skip
def test_the_year_over_year_sentence_does_not_contradict_itself(counts, sentence) -> None:
    text = yoy_headline(*counts)
    assert text == sentence
    assert not re.search(r"\b0 Sprünge", text)
