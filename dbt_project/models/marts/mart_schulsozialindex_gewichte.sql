-- The Schulsozialindex parameters per school group (grundschule, weiterfuehrend), one row per
-- input: mean and standard deviation in the reference school year (the z-scores' reference),
-- the weight, and the group's scale (index range of the reference year → 0–100) and level
-- boundaries. All fixed on the reference year (var sozialindex_referenz_schuljahr), so a school's
-- score and level only move when its own inputs move.
-- Method: models/marts/methods/schulsozialindex.md.
--
-- Weights (var sozialindex_gewichtung): `erste_hauptkomponente` — the first principal component
-- of the inputs' correlation matrix in the reference year (power iteration), normalised to sum 1;
-- or `gleich` — 1/4 each.
{%- set reference_year = var('sozialindex_referenz_schuljahr') %}
{%- set weighting = var('sozialindex_gewichtung') %}
{%- set scheme = var('sozialindex_stufenschema') %}
{%- set levels = var('sozialindex_stufen') | int %}
{%- set top_share = var('sozialindex_anteil_hoechste_stufe') | float %}
{%- if weighting not in ('erste_hauptkomponente', 'gleich') %}
    {{ exceptions.raise_compiler_error(
        "var sozialindex_gewichtung must be erste_hauptkomponente or gleich, not " ~ weighting) }}
{%- endif %}
{%- if scheme not in ('hybrid', 'gleichbreit') %}
    {{ exceptions.raise_compiler_error(
        "var sozialindex_stufenschema must be hybrid or gleichbreit, not " ~ scheme) }}
{%- endif %}

with recursive inputs as (
    select * from {{ ref('int_schulsozialindex__eingaben') }}
),

long as (
    unpivot inputs
    on
    anteil_familiensprache_nichtdeutsch as familiensprache_nichtdeutsch,
    anteil_zuzug_ausland as zuzug_ausland,
    anteil_foerderbedarf_lse as foerderbedarf_lse,
    sgb2_quote_minderjaehrige as sgb2_quote_minderjaehrige
    into name eingabe value wert
),

reference as (
    select * from long
    where school_year = '{{ reference_year }}'
),

reference_stats as (
    select
        gruppe,
        eingabe,
        avg(wert) as mittelwert_referenz,
        stddev_pop(wert) as standardabweichung_referenz,
        count(*) as schulen_referenz
    from reference
    group by gruppe, eingabe
),

correlations as (
    select
        a.gruppe,
        a.eingabe as zeile,
        b.eingabe as spalte,
        corr(a.wert, b.wert) as korrelation
    from reference as a
    inner join reference as b
        on
            a.gruppe = b.gruppe
            and a.schulnummer = b.schulnummer
    group by a.gruppe, a.eingabe, b.eingabe
),

correlation_rows as (
    select
        gruppe,
        zeile as eingabe,
        list(korrelation order by spalte) as korrelationen
    from correlations
    group by gruppe, zeile
),

correlation_matrix as (
    select
        gruppe,
        list(eingabe order by eingabe) as eingaben,
        list(korrelationen order by eingabe) as r
    from correlation_rows
    group by gruppe
),

power_iteration (gruppe, step, v) as (
    select
        gruppe,
        0,
        cast(list_transform(eingaben, lambda e: 1.0) as double[])
    from correlation_matrix
    union all
    select
        gruppe,
        step + 1,
        list_transform(w, lambda x: x / sqrt(list_inner_product(w, w)))
    from (
        select
            it.gruppe,
            it.step,
            list_transform(m.r, lambda rw: list_inner_product(rw, it.v)) as w  -- noqa: RF02
        from power_iteration as it
        inner join correlation_matrix as m on it.gruppe = m.gruppe
    ) as multiplied
    where step < 200
),

first_component as (
    select
        it.gruppe,
        m.eingaben,
        it.v,
        {#- Rayleigh quotient: the eigenvalue of the unit eigenvector v #}
        list_inner_product(
            it.v, list_transform(m.r, lambda rw: list_inner_product(rw, it.v))  -- noqa: RF02
        ) as eigenwert
    from power_iteration as it
    inner join correlation_matrix as m on it.gruppe = m.gruppe
    where it.step = 200
),

loadings as (
    select
        gruppe,
        eigenwert,
        unnest(eingaben) as eingabe,
        unnest(v) as vektor,
        list_sum(v) as vektor_summe
    from first_component
),

weights as (
    select
        stats.gruppe,
        stats.eingabe,
        stats.mittelwert_referenz,
        stats.standardabweichung_referenz,
        stats.schulen_referenz,
        loadings.vektor * sqrt(loadings.eigenwert) as ladung,
        loadings.eigenwert,
        loadings.eigenwert / count(*) over (partition by stats.gruppe) as erklaerter_anteil,
        case
            when '{{ weighting }}' = 'gleich' then 1.0 / count(*) over (partition by stats.gruppe)
            else loadings.vektor / loadings.vektor_summe
        end as gewicht
    from reference_stats as stats
    inner join loadings
        on stats.gruppe = loadings.gruppe and stats.eingabe = loadings.eingabe
),

reference_index as (
    select
        long.gruppe,
        long.schulnummer,
        sum(
            weights.gewicht * (long.wert - weights.mittelwert_referenz)
            / nullif(weights.standardabweichung_referenz, 0)
        ) as indexwert
    from reference as long
    inner join weights on long.gruppe = weights.gruppe and long.eingabe = weights.eingabe
    group by long.gruppe, long.schulnummer
),

boundaries as (
    select
        gruppe,
        min(indexwert) as indexwert_min_referenz,
        max(indexwert) as indexwert_max_referenz,
        {#- the score at the (1 - top share) quantile of the reference year's schools #}
        100 * (quantile_cont(indexwert, 1 - {{ top_share }}) - min(indexwert))
        / nullif(max(indexwert) - min(indexwert), 0) as score_schwelle_hoechste_stufe
    from reference_index
    group by gruppe
)

select
    weights.gruppe,
    weights.eingabe,
    weights.gewicht,
    weights.ladung,
    weights.mittelwert_referenz,
    weights.standardabweichung_referenz,
    weights.eigenwert,
    weights.erklaerter_anteil,
    weights.schulen_referenz,
    boundaries.indexwert_min_referenz,
    boundaries.indexwert_max_referenz,
    case
        when '{{ scheme }}' = 'hybrid' then boundaries.score_schwelle_hoechste_stufe
    end as score_schwelle_hoechste_stufe,
    '{{ reference_year }}' as referenz_schuljahr,
    '{{ weighting }}' as gewichtung,
    '{{ scheme }}' as stufenschema,
    {{ levels }} as stufen
from weights
inner join boundaries on weights.gruppe = boundaries.gruppe
