"""``published.sozialindex_stadtbezirke``: the mean Schulsozialindex level per Stadtbezirk,
only where it says nothing about fewer than :data:`MIN_SCHOOLS_PER_GROUP` schools.

The city-wide distribution (``published.sozialindex_stufen``) gives the city's number of
schools and sum of levels per school year and group. With the district counts and means, the
levels of the schools in districts whose mean is withheld add up to a known residual, so
withholding one small district alone protects nothing: its mean is (city sum − Σ published
district sums) / n. Hence the secondary suppression of :func:`hidden_districts`.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

MIN_SCHOOLS_PER_GROUP = 3
"""Gruppenstatistiken über Schulen nur für Gruppen von mindestens 3 Schulen.

The mean level of one school is that school's level; of two schools, each of them learns the
other's level from its own. Three is the smallest group whose mean is no single school's
figure (the same minimum as for published counts), and the page promises no levels of single
schools. The rule holds for every published mean, for the mean that follows from the
published figures (the withheld districts taken together) and for the city-wide distribution
(``published.sozialindex_stufen`` leaves out a school year × group with fewer schools)."""

SYMBOL = "."
REASON = "gesperrt"

COLUMNS = (
    "school_year", "schulgruppe", "region_key", "region_name", "anzahl_schulen",
    "mittlere_stufe", "symbol", "suppression_reason",
)  # fmt: skip
"""The published table's columns (``pipelines/report/contract.py`` names the same)."""

GROUP = ["school_year", "schulgruppe"]

DISTRICT_QUERY = """
    select s.school_year,
           case when s.gruppe ilike 'grund%' then 'Grundschulen'
                else 'Weiterführende Schulen' end as schulgruppe,
           s.stadtbezirk_key as region_key, r.region_name,
           cast(count(*) as integer) as anzahl_schulen,
           cast(sum(s.stufe) as double) as summe_stufen
    from marts.mart_schulsozialindex as s
    left join marts.dim_region as r on s.stadtbezirk_key = r.region_key
    where s.stufe is not null
    group by all
    order by all
"""
"""Schools and their sum of levels per district: input of the suppression, never published
as it is (the sums of small districts are the levels of their schools)."""


def hidden_districts(schools: Mapping[str, int], unassigned: int = 0) -> set[str]:
    """The districts of one school year × group whose mean level is withheld.

    ``schools``: district → schools with a level; ``unassigned``: schools of the group in no
    district (in the city-wide distribution, in no district row: a part always withheld).
    Primary: every district with fewer than :data:`MIN_SCHOOLS_PER_GROUP` schools. Secondary:
    while something is withheld, withhold the published district with the fewest schools
    (ties: by key) until at least two parts are withheld and they hold at least
    :data:`MIN_SCHOOLS_PER_GROUP` schools, so the residual mean covers enough schools and no
    single part. A group with fewer schools city-wide has all its means withheld.
    """
    schools = {key: n for key, n in schools.items() if n > 0}  # no schools: no mean, no cover
    if sum(schools.values()) + unassigned < MIN_SCHOOLS_PER_GROUP:
        return set(schools)
    hidden = {key for key, n in schools.items() if n < MIN_SCHOOLS_PER_GROUP}
    parts = len(hidden) + (1 if unassigned > 0 else 0)
    held = sum(schools[key] for key in hidden) + unassigned
    candidates = sorted((n, key) for key, n in schools.items() if key not in hidden)
    while parts and (parts < 2 or held < MIN_SCHOOLS_PER_GROUP) and candidates:
        n, key = candidates.pop(0)
        hidden.add(key)
        parts += 1
        held += n
    return hidden


def protect_district_means(sums: pd.DataFrame) -> pd.DataFrame:
    """The published district table from :data:`DISTRICT_QUERY`'s rows (school_year,
    schulgruppe, region_key, region_name, anzahl_schulen, summe_stufen): the mean level where
    :func:`hidden_districts` allows it, else NULL with symbol and reason; the sums dropped.
    Rows without a district are counted as withheld and left out."""
    parts = []
    for _, group in sums.groupby(GROUP, sort=True, dropna=False):
        assigned = group[group["region_key"].notna()]
        if assigned.empty:
            continue
        unassigned = int(group.loc[group["region_key"].isna(), "anzahl_schulen"].sum())
        counts = dict(
            zip(assigned["region_key"], assigned["anzahl_schulen"].astype(int), strict=True)
        )
        hidden = assigned["region_key"].isin(hidden_districts(counts, unassigned))
        means = assigned["summe_stufen"] / assigned["anzahl_schulen"]
        parts.append(
            assigned.assign(
                mittlere_stufe=means.where(~hidden),
                symbol=pd.Series(SYMBOL, index=assigned.index).where(hidden),
                suppression_reason=pd.Series(REASON, index=assigned.index).where(hidden),
            )
        )
    frame = pd.concat(parts) if parts else sums.iloc[0:0]
    frame = frame.sort_values(["school_year", "schulgruppe", "region_key"])
    return (
        frame.reindex(columns=list(COLUMNS))
        .astype(
            {
                "school_year": "string",
                "schulgruppe": "string",
                "region_key": "string",
                "region_name": "string",
                "anzahl_schulen": "int32",
                "mittlere_stufe": "float64",
                "symbol": "string",
                "suppression_reason": "string",
            }
        )
        .reset_index(drop=True)
    )


def district_means(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``published.sozialindex_stadtbezirke`` from the marts of the connected warehouse."""
    return protect_district_means(con.execute(DISTRICT_QUERY).df())
