"""Cross-source consistency: figures that two sources (or two tables) both state must agree.

- **Leavers**: the school administration's leaver records for Krefeld, summed per school year,
  against IT.NRW's published total for Krefeld (GENESIS 21111-02-06-4). The two count slightly
  differently (reference dates, schools outside the city's own administration, IT.NRW rounds
  to multiples of 5 from 2019/20), so they may differ by up to ``LEAVERS_TOLERANCE_PERCENT`` of
  the IT.NRW figure; beyond that one source is wrong and the report would contradict itself.
  A year present in only one source is not compared (IT.NRW publishes months later).
- **Schulformwechsel**: the report shows a from × to matrix among the four main Sek I types
  (``MAIN_TYPES``: Hauptschule, Realschule, Gesamtschule, Gymnasium) and a by-target × grade
  table over *all* origins. Per school year and target type, the by-grade total minus the
  matrix's column total must equal the changes from other origins (Förderschule,
  Sekundarschule, …), counted independently from the school administration's records. The
  seed year 2017/18 has four such changes: they are explained by origin and pass. Any other
  difference (a record lost or double-counted in the mart) is an ERROR.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from quality import gx_runner, mart_data
from quality.outcome import CheckOutcome, german_number

LEAVERS_TOLERANCE_PERCENT = 5.0
MAIN_TYPES = ("04", "10", "15", "20")
_SHOWN = 5


def evaluate_leavers(
    leavers: pd.DataFrame, tolerance_percent: float = LEAVERS_TOLERANCE_PERCENT
) -> CheckOutcome:
    """``leavers``: school_year, schulen, itnrw (see ``mart_data.leavers_by_source``)."""
    both = leavers.dropna(subset=["schulen", "itnrw"]).copy()
    both = both[both["itnrw"] > 0]
    both["abweichung_prozent"] = (both["schulen"] - both["itnrw"]) / both["itnrw"] * 100
    gx = gx_runner.expectations()
    (outcome,) = gx_runner.validate(
        both,
        [
            gx.ExpectColumnValuesToBeBetween(
                column="abweichung_prozent",
                min_value=-tolerance_percent,
                max_value=tolerance_percent,
            )
        ],
    )
    rows = both.loc[outcome.unexpected_index].reset_index(drop=True)
    only_one = sorted(set(leavers["school_year"]) - set(both["school_year"]))
    largest = both["abweichung_prozent"].abs().max() if not both.empty else None
    if rows.empty:
        summary = (
            f"Abgänge Schulverwaltung und IT.NRW stimmen in {len(both)} Schuljahren auf "
            f"± {german_number(tolerance_percent, 0)} % überein "
            f"(größte Abweichung {german_number(largest, 1)} %)."
        )
    else:
        named = "; ".join(
            f"{r.school_year}: Schulverwaltung {german_number(r.schulen, 0)}, "
            f"IT.NRW {german_number(r.itnrw, 0)} ({german_number(r.abweichung_prozent, 1)} %)"
            for r in rows.head(_SHOWN).itertuples()
        )
        summary = (
            f"Abgänge Krefeld: Schulverwaltung und IT.NRW weichen in {len(rows)} "
            f"{'Schuljahr' if len(rows) == 1 else 'Schuljahren'} um mehr als "
            f"{german_number(tolerance_percent, 0)} % ab: {named}."
        )
    if only_one:
        summary += " Nur in einer Quelle (nicht verglichen): " + ", ".join(only_one) + "."
    return CheckOutcome(
        check_name="leavers_cross_source",
        passed=outcome.success,
        severity="ERROR",
        summary=summary,
        rows=rows,
        metadata={
            "school_years_compared": len(both),
            "beyond_tolerance": len(rows),
            "tolerance_percent": tolerance_percent,
        },
    )


def check_leavers(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    return evaluate_leavers(mart_data.leavers_by_source(con))


def schulformwechsel_reconciliation(
    mart: pd.DataFrame, records: pd.DataFrame, main_types: tuple[str, ...] = MAIN_TYPES
) -> pd.DataFrame:
    """Per school year × main target type: by-grade total, matrix column total, changes from
    other origins (from the records) and the unexplained rest.

    ``mart``: school_year, von_schulform, nach_schulform, jahrgang, anzahl;
    ``records``: school_year, von_schulform, nach_schulform, anzahl.
    """
    into_main = mart[mart["nach_schulform"].isin(main_types)]
    by_grade = into_main.groupby(["school_year", "nach_schulform"])["anzahl"].sum()
    in_matrix = into_main[
        into_main["von_schulform"].isin(main_types)
        & (into_main["von_schulform"] != into_main["nach_schulform"])
    ]
    matrix = in_matrix.groupby(["school_year", "nach_schulform"])["anzahl"].sum()
    other = records[
        records["nach_schulform"].isin(main_types) & ~records["von_schulform"].isin(main_types)
    ]
    explained = other.groupby(["school_year", "nach_schulform"])["anzahl"].sum()
    table = pd.concat(
        {"tabelle_jahrgang": by_grade, "matrix": matrix, "andere_herkunft": explained}, axis=1
    ).fillna(0)
    table["unerklaert"] = table["tabelle_jahrgang"] - table["matrix"] - table["andere_herkunft"]
    return table.reset_index().sort_values(["school_year", "nach_schulform"], ignore_index=True)


def evaluate_schulformwechsel(
    mart: pd.DataFrame, records: pd.DataFrame, main_types: tuple[str, ...] = MAIN_TYPES
) -> CheckOutcome:
    table = schulformwechsel_reconciliation(mart, records, main_types)
    gx = gx_runner.expectations()
    (outcome,) = gx_runner.validate(
        table, [gx.ExpectColumnValuesToBeBetween(column="unerklaert", min_value=0, max_value=0)]
    )
    rows = table.loc[outcome.unexpected_index].reset_index(drop=True)
    explained = int(table["andere_herkunft"].sum())
    if rows.empty:
        summary = (
            f"Matrix und Tabelle nach Jahrgang passen in {table['school_year'].nunique()} "
            f"Schuljahren zusammen; {explained} Wechsel aus anderen Schulformen erklären die "
            "Unterschiede der Spaltensummen."
        )
    else:
        named = "; ".join(
            f"{r.school_year} nach {r.nach_schulform}: nach Jahrgang "
            f"{german_number(r.tabelle_jahrgang, 0)}, Matrix {german_number(r.matrix, 0)}, "
            f"andere Herkunft {german_number(r.andere_herkunft, 0)}, "
            f"unerklärt {german_number(r.unerklaert, 0)}"
            for r in rows.head(_SHOWN).itertuples()
        )
        summary = (
            f"Schulformwechsel: {len(rows)} "
            f"{'Differenz' if len(rows) == 1 else 'Differenzen'} zwischen Matrix und Tabelle "
            f"nach Jahrgang nicht durch andere Herkunftsschulformen erklärt: {named}."
        )
    return CheckOutcome(
        check_name="schulformwechsel_consistency",
        passed=outcome.success,
        severity="ERROR",
        summary=summary,
        rows=rows,
        metadata={
            "comparisons": len(table),
            "explained_by_origin": explained,
            "unexplained": len(rows),
        },
    )


def check_schulformwechsel(con: duckdb.DuckDBPyConnection) -> CheckOutcome:
    return evaluate_schulformwechsel(
        mart_data.schulformwechsel_mart(con), mart_data.schulformwechsel_records(con)
    )
