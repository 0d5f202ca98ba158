"""The building blocks of the raw tables' pandera schemas: patterns, code columns, the tidy
schema every raw table shares, and the code lists several schemas use.

Kept apart from :mod:`quality.raw_schemas` (the schema of each table) so that the schemas of
the social-context tables (:mod:`quality.raw_schemas_kontext`) build on the same parts.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipelines.ingest import genesis_tables, schulen_templates
from pipelines.ingest.periods import EARLIEST_YEAR, period_problem
from pipelines.ingest.symbols import SYMBOLS

MAX_PROBLEMS = 100
"""Problems listed per validation; a table with millions of bad cells still gives one screen."""

KNOWN_SYMBOLS = [*sorted(SYMBOLS), "p", "r", "s", "e"]
REGION_KEY = r"^(DG|\d{2}|\d{3}|\d{5}|\d{8}|\d{8}-[1-9]|\d{12}|AA\d+)$"
SCHOOL_YEAR = r"^\d{4}/\d{2}$"
YEAR = r"^\d{4}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
INSGESAMT = "insgesamt"
SCHULNUMMER = r"^\d{6}$"
SCHULFORMEN = tuple(schulen_templates.SCHULFORMEN)
SCHULEN_GESCHLECHT = tuple(schulen_templates.GESCHLECHT)
JAHRGAENGE = tuple(str(n) for n in range(1, 14))


def codes(*values: str) -> pa.Column:
    return pa.Column(str, pa.Check.isin([*values]), nullable=False)


def text() -> pa.Column:
    return pa.Column(str, nullable=False)


def _periods_in_range(periods: pd.Series, school_years_ahead: int = 0) -> pd.Series:
    """Each period within the catalogue's range (each distinct value checked once)."""
    inside = {
        p: period_problem(p, school_years_ahead=school_years_ahead) is None
        for p in periods.dropna().unique()
    }
    return periods.map(inside).fillna(True).astype(bool)


PERIOD_IN_RANGE = pa.Check(
    _periods_in_range,
    name=f"period between {EARLIEST_YEAR} and today (no future school year, year, month or date)",
)
NEXT_SCHOOL_YEAR_IN_RANGE = pa.Check(
    lambda periods: _periods_in_range(periods, school_years_ahead=1),
    name=f"school year between {EARLIEST_YEAR} and the next one (the one parents register for)",
)


def tidy_schema(
    name: str,
    source: str,
    period_pattern: str,
    dimensions: dict[str, pa.Column],
    *,
    key: list[str] | None = None,
    value_required: bool = True,
    next_school_year: bool = False,
) -> pa.DataFrameSchema:
    columns = {
        "source": pa.Column(str, pa.Check.eq(source)),
        "table_code": pa.Column(str, nullable=False),
        "region_key": pa.Column(str, pa.Check.str_matches(REGION_KEY), nullable=False),
        "region_name": pa.Column(str, nullable=True),
        "period": pa.Column(
            str,
            [
                pa.Check.str_matches(period_pattern),
                NEXT_SCHOOL_YEAR_IN_RANGE if next_school_year else PERIOD_IN_RANGE,
            ],
            nullable=False,
        ),
        **dimensions,
        "value": pa.Column(float, pa.Check.ge(0), nullable=True),
        "symbol": pa.Column(None, pa.Check.isin(KNOWN_SYMBOLS), nullable=True),
    }
    checks = []
    if value_required:
        checks.append(
            pa.Check(
                lambda df: df["value"].notna() | df["symbol"].notna(),
                name="a missing value is explained by a symbol",
            )
        )
    return pa.DataFrameSchema(
        columns,
        name=name,
        strict=False,
        coerce=False,
        unique=key or ["region_key", "period", *dimensions],
        report_duplicates="all",
        checks=checks,
    )


def counts_ge_0_only(schema: pa.DataFrameSchema, unit: str, counts: str) -> pa.DataFrameSchema:
    """``schema`` with ``value ≥ 0`` checked only on rows whose ``unit`` column is ``counts``;
    rows of the other unit, a change in per cent, may be negative but not below -100."""
    relaxed = schema.update_column("value", checks=[pa.Check.ge(-100)])
    relaxed.checks = [
        *relaxed.checks,
        pa.Check(
            lambda df: (df[unit] != counts) | df["value"].isna() | (df["value"] >= 0),
            name=f"value >= 0 where {unit} = '{counts}'",
        ),
    ]
    return relaxed


ALTERSGRUPPEN = (INSGESAMT, *genesis_tables.ALTERSGRUPPEN_17)
"""Age groups of the population table: IT.NRW's 17 groups (``Altersgruppen (17)``)."""
ALTERSGRUPPEN_KITA = (
    INSGESAMT, "unter_3", "3_bis_unter_6", "6_bis_unter_10", "10_bis_unter_15",
    "15_bis_unter_18", "18_bis_unter_25", "25_bis_unter_65", "65_und_mehr",
)  # fmt: skip
"""Age groups of the day-care table (children under 3 and 3 to under 6 in practice)."""
ALTERSJAHRE = (INSGESAMT, *genesis_tables.ALTERSJAHRE)
GESCHLECHT = (INSGESAMT, "weiblich", "maennlich")
