"""Pandera schemas of the social-context raw tables (issue 18).

Kept beside :mod:`quality.raw_schemas` (whose ``SCHEMAS`` include these); both build on
:mod:`quality.raw_schema_parts`. Codes come from the registry's
mappings in :mod:`pipelines.ingest.genesis_tables_kontext`.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipelines.ingest import genesis_tables_kontext as kontext
from quality.raw_schema_parts import (
    DATE,
    GESCHLECHT,
    INSGESAMT,
    YEAR,
    codes,
    text,
    tidy_schema,
)

PERSONENGRUPPEN = (
    INSGESAMT, "auslaendisch", "schwerbehindert", "langzeitarbeitslos", "maennlich", "weiblich",
    "15_bis_unter_20", "15_bis_unter_25", "55_bis_unter_65",
)  # fmt: skip
WIRTSCHAFTSABSCHNITT = r"^(insgesamt|[A-U](-[A-U])?)$"
_MINDESTSICHERUNG_KEY = ["region_key", "period", "leistung"]


def _same_figures_per_key(frame: pd.DataFrame) -> pd.Series:
    """Rows sharing a key must carry the same value and symbol: ``22811-05i`` prints its SGB II
    column twice (identically); a second, different figure for one key is an error."""
    figures = frame["value"].astype("string").fillna("") + "|" + frame["symbol"].fillna("")
    distinct = figures.groupby([frame[c] for c in _MINDESTSICHERUNG_KEY]).transform("nunique")
    return distinct.le(1)


def _mindestsicherung_empfaenger() -> pa.DataFrameSchema:
    schema = tidy_schema(
        "itnrw__mindestsicherung_empfaenger", "itnrw", YEAR,
        {"leistung": codes(*kontext.MINDESTSICHERUNG_CODES)},
    )  # fmt: skip
    return pa.DataFrameSchema(
        schema.columns,
        name=schema.name,
        strict=False,
        coerce=False,
        unique=None,
        checks=[
            *schema.checks,
            pa.Check(_same_figures_per_key, name="one figure per region, period and Leistung"),
        ],
    )


SCHEMAS_KONTEXT: dict[str, pa.DataFrameSchema] = {
    "itnrw__arbeitslose_kreise": tidy_schema(
        "itnrw__arbeitslose_kreise", "itnrw", YEAR,
        {
            "merkmal": codes("arbeitslose", "arbeitslosenquote", "arbeitslosenquote_abhaengige"),
            "personengruppe": codes(*PERSONENGRUPPEN),
        },
    ),
    "itnrw__mindestsicherungsquote": tidy_schema(
        "itnrw__mindestsicherungsquote", "itnrw", YEAR, {}, key=["region_key", "period"]
    ),
    "itnrw__mindestsicherung_empfaenger": _mindestsicherung_empfaenger(),
    "itnrw__auslaender": tidy_schema(
        "itnrw__auslaender", "itnrw", DATE,
        {
            "staatsangehoerigkeit_code": pa.Column(str, pa.Check.str_matches(r"^\d{1,3}$")),
            "staatsangehoerigkeit": text(),
            "ebene": codes("kontinent", "staat"),
            "geschlecht": codes(*GESCHLECHT),
        },
        key=["region_key", "period", "staatsangehoerigkeit_code", "geschlecht"],
    ),
    "itnrw__jugendhilfe_gruppen": tidy_schema(
        "itnrw__jugendhilfe_gruppen", "itnrw", YEAR,
        {
            "rechtsgrundlage": codes(*(code for _, code in kontext.RECHTSGRUNDLAGEN)),
            "rechtsgrundlage_label": text(),
        },
        key=["region_key", "period", "rechtsgrundlage"],
    ),
    "itnrw__beschaeftigte_qualifikation": tidy_schema(
        "itnrw__beschaeftigte_qualifikation", "itnrw", DATE,
        {
            "wirtschaftsabschnitt": pa.Column(str, pa.Check.str_matches(WIRTSCHAFTSABSCHNITT)),
            "wirtschaftsabschnitt_label": text(),
            "schulabschluss": codes(INSGESAMT, *kontext.SCHULABSCHLUESSE.values()),
            "berufsabschluss": codes(INSGESAMT, *kontext.BERUFSABSCHLUESSE.values()),
        },
        key=["region_key", "period", "wirtschaftsabschnitt", "schulabschluss", "berufsabschluss"],
    ),
    "itnrw__einkommen": tidy_schema(
        "itnrw__einkommen", "itnrw", YEAR,
        {
            "merkmal": codes("verfuegbares_einkommen", "verfuegbares_einkommen_je_einwohner"),
            "einheit": codes("tsd_eur", "eur"),
        },
        key=["region_key", "period", "merkmal"],
    ),
}  # fmt: skip
