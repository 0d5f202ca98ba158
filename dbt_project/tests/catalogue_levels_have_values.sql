-- Every indicator has values at each level the catalogue lists for it (`levels`, e.g.
-- Land|Stadt|Stadtbezirk) in its latest period; the message names indicator, level and period.
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

latest as (
    select
        indicator_id,
        max(period) as period
    from facts
    group by indicator_id
),

present as (
    select distinct
        facts.indicator_id,
        facts.region_level
    from facts
    inner join latest
        on facts.indicator_id = latest.indicator_id and facts.period = latest.period
),

missing as (
    select
        catalogue.indicator_id,
        catalogue.region_level,
        latest.period
    from catalogue
    inner join latest on catalogue.indicator_id = latest.indicator_id
    left join present
        on
            catalogue.indicator_id = present.indicator_id
            and catalogue.region_level = present.region_level
    where present.indicator_id is null
)

select
    indicator_id,
    region_level,
    period
from missing
where
    error(
        'Indicators without values at a level the catalogue lists, in their latest period: '
        || (
            select
                string_agg(
                    m.indicator_id || ' (' || m.region_level || ', ' || m.period || ')', '; '
                    order by m.indicator_id, m.region_level
                )
            from missing as m
        )
    ) is null
