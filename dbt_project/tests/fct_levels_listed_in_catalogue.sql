-- The mart holds an indicator only at the levels its catalogue row lists, so the catalogue
-- stays a true description of the mart; the message names indicator and level.
with facts as (
    select distinct
        indicator_id,
        region_level
    from {{ ref('fct_indicator_values') }}
),

catalogue as (
    select
        indicator_id,
        string_split(levels, '|') as levels
    from {{ ref('indicator_catalogue') }}
),

unlisted as (
    select
        facts.indicator_id,
        facts.region_level
    from facts
    inner join catalogue on facts.indicator_id = catalogue.indicator_id
    where not list_contains(catalogue.levels, facts.region_level)
)

select
    indicator_id,
    region_level
from unlisted
where
    error(
        'Indicators with values at levels their catalogue row does not list: '
        || (
            select
                string_agg(
                    u.indicator_id || ' (' || u.region_level || ')', '; ' order by u.indicator_id
                )
            from unlisted as u
        )
    ) is null
