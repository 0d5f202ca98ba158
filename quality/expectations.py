"""great-expectations checks on the indicator mart: completeness, value ranges, year-over-year.

Each ``evaluate_*`` function takes plain frames (see ``quality.mart_data``) and returns a
:class:`~quality.outcome.CheckOutcome`; each ``check_*`` function reads those frames from a
DuckDB connection first. Derived frames (expected keys, year-over-year changes) are built with
pandas; the verdicts come from great-expectations expectations on them, so the offending rows
are the rows GX reports as unexpected.

Decisions, documented here because the catalogue's numbers depend on them:

- **Completeness.** For every catalogue indicator and every level it lists, the *latest
  period* is the latest period the indicator has in the mart at that level, if that is at most
  ``PUBLICATION_LAG`` (2) periods behind the indicator's latest (IT.NRW's Land and Stadt figures
  come about a year and a half after the city's own school data), else the indicator's latest
  period. At that period the expected regions are the region list's
  non-comparison regions of that level (NRW for ``Land``, Krefeld 05114 for ``Stadt``, the nine
  Stadtbezirke, the Agenturbezirk) plus every region of that level the indicator had in any
  earlier period (a comparison city must not drop out of the newest year). Schools open and
  close, so for ``Schule`` (and any level without fixed regions) at least one region must be
  present. A value counts as present when the row shows a value or an official sign (``.``,
  ``x``, ``...``) that explains its absence. An indicator with no rows is missing everywhere.
- **Value ranges** by unit (``RANGE_RULES``): shares in % and scores in Punkte within 0–100,
  everything else ≥ 0; numerators and denominators ≥ 0; for % shares numerator ≤ denominator;
  and a rate must be its own numerator / denominator × the unit's factor (``RATE_FACTORS``,
  within ``RATE_TOLERANCE``) — a formula error (say, a missing bracket) shows up here first.
- **Year over year.** A series is indicator × region × breakdown × kategorie. A value is
  compared with the same series one year earlier: the previous school year, calendar year, the
  same month or reference date a year before (so monthly series compare like with like).
  The change is measured in the indicator's unit — percentage points for ``%`` — except for
  counts (``Anzahl``), where it is the relative change in % of the earlier value (a change of
  300 pupils means something else for NRW than for a Stadtbezirk). Beyond ``yoy_tolerance`` is a
  WARN, beyond ``yoy_hard_limit`` an ERROR (an empty catalogue cell disables that threshold).
  Changes on small bases are sampling noise, not data errors: rates whose denominator is below
  ``MIN_DENOMINATOR`` in either year and counts whose earlier value is below ``MIN_COUNT`` are
  not compared (they are counted in the metadata). One pupil moves a school's share of 30
  leavers by 3.3 points.
- **Scope of year over year.** The catalogue's thresholds are set for the headline figures:
  series whose breakdowns (sex, nationality, school type) are ``insgesamt``, at Land, Stadt
  and Agenturbezirk level, where a breach of the hard limit is an ERROR. Stadtbezirk series are
  compared too, but a breach there is only a WARN (a new Gymnasium's first Abitur class moves a
  district's certificate shares by 20 points). Schools and breakdown cells are not compared:
  on the bundled sample they would flag thousands of real changes (school closures, new school
  types, small groups) and hide the few that matter; their totals are compared.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from quality import gx_runner, mart_data
from quality.outcome import CheckOutcome, german_number, yoy_headline

BREAKDOWNS = ["geschlecht", "staatsangehoerigkeit", "schulform", "kategorie"]
SERIES = ["indicator_id", "region_key", *BREAKDOWNS]
FIXED_LEVELS = ("Land", "Stadt", "Stadtbezirk", "Agenturbezirk")
"""Levels whose regions are fixed by the region list; other levels (schools) come and go."""
AT_LEAST_ONE = "(mindestens eine Region)"

RANGE_RULES: dict[str, tuple[float, float | None]] = {
    "%": (0.0, 100.0),
    "Punkte": (0.0, 100.0),
    "Anzahl": (0.0, None),
    "je 100": (0.0, None),
    "je 1.000": (0.0, None),
    "Stunden je Schüler/in": (0.0, None),
    "EUR": (0.0, None),
}
"""Allowed value range per unit: (minimum, maximum or None)."""
SHARE_UNITS = ("%",)
"""Units whose numerator is part of its denominator (numerator ≤ denominator)."""
RATE_FACTORS: dict[str, float] = {
    "%": 100.0,
    "je 100": 100.0,
    "je 1.000": 1000.0,
    "Stunden je Schüler/in": 1.0,
}
"""Units whose value is factor × numerator / denominator, where the mart carries both."""
RATE_TOLERANCE = 0.05
"""Allowed gap between a rate and its recomputation: half a unit of the last published decimal
(a publisher may round the rate it states)."""
RELATIVE_UNITS = ("Anzahl",)
"""Units whose year-over-year change is measured relative to the earlier value, in %."""
MIN_DENOMINATOR = 100.0
MIN_COUNT = 20.0
HEADLINE_BREAKDOWNS = ["geschlecht", "staatsangehoerigkeit", "schulform"]
"""Year over year compares series whose breakdowns are all ``insgesamt``; ``kategorie`` is part
of an indicator's definition (e.g. the certificate of a leaver share) and always compared."""
ERROR_LEVELS = ("Land", "Stadt", "Agenturbezirk")
WARN_ONLY_LEVELS = ("Stadtbezirk",)
"""Small areas move more: beyond the hard limit there is a reason to look, not to stop."""

_SHOWN = 5
"""Offending rows named in the one-paragraph summary (all are in ``rows``)."""


# --- completeness ---------------------------------------------------------------------------


def _levels(levels: object) -> list[str]:
    if levels is None or (isinstance(levels, float) and pd.isna(levels)):
        return []
    return [level.strip() for level in str(levels).split("|") if level.strip()]


def _key(indicator: object, region: object, period: object) -> str:
    return f"{indicator}|{region}|{period}"


PUBLICATION_LAG = 2
"""Periods a level may be behind its indicator's latest period: IT.NRW publishes the Land and
Stadt figures of a school year about one and a half years after it ends, while the city's own
school data (Stadtbezirk, Schule) are current. The dbt test catalogue_levels_have_values uses
the same lag."""


def _level_period(own: pd.DataFrame, level: str, newest_first: list) -> object:
    """The period whose values a level must show: its own latest, when that is at most
    :data:`PUBLICATION_LAG` periods behind the indicator's latest; else the indicator's latest
    (so the level's values count as missing there)."""
    if not newest_first:
        return None
    periods = own.loc[own["region_level"] == level, "period"]
    if not periods.empty and newest_first.index(periods.max()) <= PUBLICATION_LAG:
        return periods.max()
    return newest_first[0]


def expected_keys(
    values: pd.DataFrame, catalogue: pd.DataFrame, regions: pd.DataFrame
) -> pd.DataFrame:
    """indicator_id, name_de, region_level, region_key, region_name, period, key — one row per
    value the catalogue promises for each indicator's latest period."""
    names = dict(zip(regions["region_key"], regions["region_name"], strict=True))
    by_indicator = dict(tuple(values.groupby("indicator_id", sort=False, observed=True)))
    rows = []
    for ind in catalogue.itertuples(index=False):
        own = by_indicator.get(ind.indicator_id, values.iloc[0:0])
        newest_first = sorted(own["period"].unique(), reverse=True)
        for level in _levels(ind.levels):
            latest = _level_period(own, level, newest_first)
            at_level = regions[regions["region_level"] == level]
            seen_now = own[(own["region_level"] == level) & (own["period"] == latest)]
            if level not in FIXED_LEVELS or at_level.empty:
                present = latest is not None and not seen_now.empty
                region = seen_now["region_key"].iloc[0] if present else AT_LEAST_ONE
                keys = [(region, names.get(region, ""))]
            else:
                core = set(at_level.loc[~at_level["is_comparison_city"], "region_key"])
                seen = set(own.loc[own["region_level"] == level, "region_key"])
                wanted = sorted(core | (seen & set(at_level["region_key"])))
                keys = [(r, names.get(r, "")) for r in wanted]
            for region, name in keys:
                rows.append(
                    {
                        "indicator_id": ind.indicator_id,
                        "name_de": ind.name_de,
                        "region_level": level,
                        "region_key": region,
                        "region_name": name,
                        "period": latest if latest is not None else "(keine Daten)",
                        "key": _key(ind.indicator_id, region, latest),
                    }
                )
    return pd.DataFrame(
        rows,
        columns=[
            "indicator_id", "name_de", "region_level", "region_key", "region_name", "period", "key",
        ],
    )  # fmt: skip


def shown(values: pd.DataFrame) -> pd.DataFrame:
    """Rows that show something: a value, or an official sign that explains its absence."""
    has_symbol = values["symbol"].notna() if "symbol" in values else False
    return values[values["value"].notna() | has_symbol]


def evaluate_completeness(
    values: pd.DataFrame, catalogue: pd.DataFrame, regions: pd.DataFrame
) -> CheckOutcome:
    values = shown(values)
    expected = expected_keys(values, catalogue, regions)
    present = {
        _key(i, r, p)
        for i, r, p in zip(
            values["indicator_id"], values["region_key"], values["period"], strict=True
        )
    }
    # The expectation gets a flag per expected value, not the set of every present key: GX
    # copies its parameters many times per validation (seconds for a large value_set).
    flagged = expected.assign(in_mart=expected["key"].isin(present))
    gx = gx_runner.expectations()
    (outcome,) = gx_runner.validate(
        flagged, [gx.ExpectColumnValuesToBeInSet(column="in_mart", value_set=[True])]
    )
    missing = expected.loc[outcome.unexpected_index].drop(columns="key")
    without_rows = sorted(set(catalogue["indicator_id"]) - set(values["indicator_id"]))
    if missing.empty:
        summary = (
            f"Alle {len(expected)} erwarteten Werte ({catalogue.shape[0]} Indikatoren × Regionen "
            "× jeweils neuester Zeitraum) sind vorhanden."
        )
    else:
        named = "; ".join(
            f"{r.indicator_id} × {r.region_key}"
            + (f" ({r.region_name})" if r.region_name else "")
            + f" × {r.period}"
            for r in missing.head(_SHOWN).itertuples()
        )
        more = f" und {len(missing) - _SHOWN} weitere" if len(missing) > _SHOWN else ""
        verb = "fehlt" if len(missing) == 1 else "fehlen"
        summary = f"{len(missing)} von {len(expected)} erwarteten Werten {verb}: {named}{more}."
        if without_rows:
            summary += " Ohne jede Zeile im Mart: " + ", ".join(without_rows) + "."
    return CheckOutcome(
        check_name="completeness",
        passed=outcome.success,
        severity="ERROR",
        summary=summary,
        rows=missing.reset_index(drop=True),
        metadata={
            "indicators": int(catalogue.shape[0]),
            "expected_values": len(expected),
            "missing_values": len(missing),
        },
    )


def check_completeness(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    return evaluate_completeness(
        mart_data.indicator_values(con), mart_data.catalogue(con), mart_data.regions(con)
    )


# --- value ranges ---------------------------------------------------------------------------


def evaluate_value_ranges(values: pd.DataFrame) -> CheckOutcome:
    gx = gx_runner.expectations()
    broken: list[pd.DataFrame] = []

    def collect(frame: pd.DataFrame, checks: list, rules: list[str]) -> None:
        for outcome, rule in zip(gx_runner.validate(frame, checks), rules, strict=True):
            if not outcome.success:
                broken.append(frame.loc[outcome.unexpected_index].assign(regel=rule))

    for unit, (low, high) in RANGE_RULES.items():
        rule = (
            f"Wert außerhalb {german_number(low, 0)}–{german_number(high, 0)} ({unit})"
            if high is not None
            else f"Wert unter {german_number(low, 0)} ({unit})"
        )
        collect(
            values[values["unit"] == unit],
            [gx.ExpectColumnValuesToBeBetween(column="value", min_value=low, max_value=high)],
            [rule],
        )
    collect(
        values,
        [
            gx.ExpectColumnValuesToBeBetween(column="numerator", min_value=0),
            gx.ExpectColumnValuesToBeBetween(column="denominator", min_value=0),
        ],
        ["Zähler negativ", "Nenner negativ"],
    )
    collect(
        values[values["unit"].isin(SHARE_UNITS)],
        [
            gx.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="denominator",
                column_B="numerator",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        ],
        ["Zähler größer als Nenner"],
    )
    rates = values[
        values["unit"].isin(list(RATE_FACTORS))
        & values["numerator"].notna()
        & values["denominator"].gt(0)
        & values["value"].notna()
    ]
    recomputed = rates["unit"].map(RATE_FACTORS) * rates["numerator"] / rates["denominator"]
    collect(
        rates.assign(abweichung=(rates["value"] - recomputed).abs()),
        [gx.ExpectColumnValuesToBeBetween(column="abweichung", max_value=RATE_TOLERANCE)],
        ["Wert passt nicht zu Zähler und Nenner"],
    )
    columns = [*SERIES, "period", "numerator", "denominator", "value", "unit", "regel"]
    rows = (
        pd.concat(broken)[columns].reset_index(drop=True)
        if broken
        else pd.DataFrame(columns=columns)
    )
    unruled = sorted(set(values["unit"].dropna()) - set(RANGE_RULES))
    if rows.empty:
        summary = f"Alle {len(values)} Werte liegen im zulässigen Bereich ihrer Einheit."
    else:
        named = "; ".join(
            f"{r.indicator_id} × {r.region_key} × {r.period}: {german_number(r.value, 1)} "
            f"{r.unit} ({r.regel})"
            for r in rows.head(_SHOWN).itertuples()
        )
        more = f" und {len(rows) - _SHOWN} weitere" if len(rows) > _SHOWN else ""
        summary = f"{len(rows)} unmögliche Werte: {named}{more}."
    if unruled:
        summary += " Einheiten ohne Bereichsregel: " + ", ".join(unruled) + "."
    return CheckOutcome(
        check_name="value_ranges",
        passed=rows.empty,
        severity="ERROR",
        summary=summary,
        rows=rows,
        metadata={"values": len(values), "out_of_range": len(rows)},
    )


def check_value_ranges(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    return evaluate_value_ranges(mart_data.indicator_values(con))


# --- year over year -------------------------------------------------------------------------

_SCHOOL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH_OR_DATE = re.compile(r"^(\d{4})(-\d{2}(?:-\d{2})?)$")


def previous_period(period: str) -> str | None:
    """The same period one year earlier: ``2017/18`` → ``2016/17``, ``2024`` → ``2023``,
    ``2024-09`` → ``2023-09``, ``2024-12-31`` → ``2023-12-31``; None for anything else."""
    if m := _SCHOOL_YEAR.match(period):
        start = int(m.group(1)) - 1
        return f"{start}/{(start + 1) % 100:02d}"
    if m := _YEAR.match(period):
        return str(int(m.group(1)) - 1)
    if m := _MONTH_OR_DATE.match(period):
        return f"{int(m.group(1)) - 1}{m.group(2)}"
    return None


def year_over_year(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    min_denominator: float = MIN_DENOMINATOR,
    min_count: float = MIN_COUNT,
) -> tuple[pd.DataFrame, int]:
    """Every comparable pair of a value and its value one year earlier, with the change in the
    unit of the check (see module docstring), the thresholds, and the number of pairs skipped
    as too small."""
    headline = (values[HEADLINE_BREAKDOWNS] == "insgesamt").all(axis=1) & values[
        "region_level"
    ].isin(ERROR_LEVELS + WARN_ONLY_LEVELS)
    current = values[headline].dropna(subset=["value"]).copy()
    current["previous_period"] = [previous_period(str(p)) for p in current["period"]]
    earlier = current[[*SERIES, "period", "value", "denominator"]].rename(
        columns={
            "period": "previous_period",
            "value": "previous_value",
            "denominator": "previous_denominator",
        }
    )
    pairs = current.merge(earlier, on=[*SERIES, "previous_period"], how="inner")
    pairs = pairs.merge(
        catalogue[["indicator_id", "yoy_tolerance", "yoy_hard_limit"]], on="indicator_id"
    )
    relative = pairs["unit"].isin(RELATIVE_UNITS)
    small_rate = pairs["denominator"].lt(min_denominator) | pairs["previous_denominator"].lt(
        min_denominator
    )
    small_count = relative & (pairs["previous_value"].abs() < min_count)
    comparable = ~(small_rate | small_count)
    skipped = int((~comparable).sum())
    pairs = pairs[comparable].copy()
    difference = pairs["value"] - pairs["previous_value"]
    pairs["change"] = difference.where(
        ~pairs["unit"].isin(RELATIVE_UNITS), difference / pairs["previous_value"] * 100
    )
    pairs["abs_change"] = pairs["change"].abs()
    pairs["change_unit"] = pairs["unit"].map(
        lambda u: "%-Punkte" if u == "%" else ("% (relativ)" if u in RELATIVE_UNITS else u)
    )
    return pairs.reset_index(drop=True), skipped


def evaluate_year_over_year(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    regions: pd.DataFrame | None = None,
    *,
    min_denominator: float = MIN_DENOMINATOR,
    min_count: float = MIN_COUNT,
) -> CheckOutcome:
    pairs, skipped = year_over_year(
        values, catalogue, min_denominator=min_denominator, min_count=min_count
    )
    gx = gx_runner.expectations()
    beyond_hard, beyond_tolerance = gx_runner.validate(
        pairs,
        [
            gx.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=limit,
                column_B="abs_change",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
            for limit in ("yoy_hard_limit", "yoy_tolerance")
        ],
    )
    hard = set(beyond_hard.unexpected_index)
    errors = {i for i in hard if pairs.at[i, "region_level"] in ERROR_LEVELS}
    warnings = (set(beyond_tolerance.unexpected_index) | hard) - errors
    flagged = pairs.loc[sorted(errors | warnings)].copy()
    flagged["schwere"] = ["ERROR" if i in errors else "WARN" for i in flagged.index]
    flagged["grenze"] = ["harte Grenze" if i in hard else "Toleranz" for i in flagged.index]
    flagged["limit"] = flagged["yoy_hard_limit"].where(
        flagged["grenze"] == "harte Grenze", flagged["yoy_tolerance"]
    )
    names = (
        dict(zip(regions["region_key"], regions["region_name"], strict=True))
        if regions is not None
        else {}
    )
    flagged["region_name"] = flagged["region_key"].map(names).fillna("")
    # errors first, then headline levels before Stadtbezirke, then by how far beyond the limit
    flagged["level_rank"] = flagged["region_level"].map(
        {level: n for n, level in enumerate(ERROR_LEVELS + WARN_ONLY_LEVELS)}
    )
    flagged["excess"] = flagged["abs_change"] / flagged["limit"]
    flagged = flagged.sort_values(
        ["schwere", "level_rank", "excess"], ascending=[True, True, False], kind="stable"
    )
    rows = flagged[
        [
            "schwere", "indicator_id", "region_level", "region_key", "region_name", *BREAKDOWNS,
            "previous_period", "period", "previous_value", "value", "change", "change_unit",
            "grenze", "limit",
        ]
    ].reset_index(drop=True)  # fmt: skip
    severity = "WARN" if warnings and not errors else "ERROR"
    hard_warnings = len(hard - errors)
    if rows.empty:
        summary = (
            f"{len(pairs)} Vorjahresvergleiche innerhalb der Toleranz "
            f"({skipped} wegen kleiner Fallzahl nicht verglichen)."
        )
    else:
        named = "; ".join(
            f"{r.indicator_id} × {r.region_key}"
            + (f" ({r.region_name})" if r.region_name else "")
            + _breakdown_label(r)
            + f", {r.previous_period} → {r.period}: {german_number(r.change, 1)} {r.change_unit} "
            + f"({r.grenze} {german_number(r.limit, 1)})"
            for r in rows.head(_SHOWN).itertuples()
        )
        more = f" und {len(rows) - _SHOWN} weitere" if len(rows) > _SHOWN else ""
        summary = f"{yoy_headline(len(errors), len(warnings), hard_warnings)}: {named}{more}."
    return CheckOutcome(
        check_name="yoy_plausibility",
        passed=rows.empty,
        severity=severity,
        summary=summary,
        rows=rows,
        metadata={
            "comparisons": len(pairs),
            "skipped_small_base": skipped,
            "beyond_hard_limit": len(errors),
            "warnings": len(warnings),
        },
    )


def _breakdown_label(row: object) -> str:
    parts = [str(getattr(row, c)) for c in BREAKDOWNS if getattr(row, c) != "insgesamt"]
    return f" [{', '.join(parts)}]" if parts else ""


def check_year_over_year(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    return evaluate_year_over_year(
        mart_data.indicator_values(con), mart_data.catalogue(con), mart_data.regions(con)
    )
