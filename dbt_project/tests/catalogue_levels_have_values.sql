-- Every indicator has values at each level the catalogue lists for it (`levels`, e.g.
-- Land|Stadt|Stadtbezirk), and no level lags the indicator's latest period by more than the
-- publication lag: IT.NRW publishes Land and Stadt figures of a school year about one and a
-- half years after it ends, while the city's own school data (Stadtbezirk, Schule) are
-- current, so a level may be up to two periods behind. A level without any value, or further
-- behind (a source that stopped), fails; the message names indicator, level and periods.
{% set publication_lag = 2 %}
with catalogue as (
    select
        indicator_id,
        unnest(string_split(levels, '|')) as region_level
    from {{ ref('indicator_catalogue') }}
),

facts as (
    select * from {{ ref('fct_indicator_values') }}
    where value is not null
),

periods as (
    select distinct
        indicator_id,
        period
    from facts
),

ranked as (
    select
        indicator_id,
        period,
        dense_rank() over (partition by indicator_id order by period desc) - 1 as behind
    from periods
),

latest as (
    select
        indicator_id,
        period
    from ranked
    where behind = 0
),

level_latest as (
    select
        facts.indicator_id,
        facts.region_level,
        min(ranked.behind) as behind,
        max(facts.period) as period
    from facts
    inner join ranked
        on facts.indicator_id = ranked.indicator_id and facts.period = ranked.period
    group by facts.indicator_id, facts.region_level
),

missing as (
    select
        catalogue.indicator_id,
        catalogue.region_level,
        latest.period,
        level_latest.period as level_period
    from catalogue
    inner join latest on catalogue.indicator_id = latest.indicator_id
    left join level_latest
        on
            catalogue.indicator_id = level_latest.indicator_id
            and catalogue.region_level = level_latest.region_level
    where level_latest.indicator_id is null or level_latest.behind > {{ publication_lag }}
)

select
    indicator_id,
    region_level,
    period
from missing
where
    error(
        'Indicators without values at a level the catalogue lists, or more than '
        || '{{ publication_lag }} periods behind their latest period: '
        || (
            select
                string_agg(
                    m.indicator_id || ' (' || m.region_level || ', latest ' || m.period
                    || ', level ' || coalesce(m.level_period, 'none') || ')', '; '
                    order by m.indicator_id, m.region_level
                )
            from missing as m
        )
    ) is null
