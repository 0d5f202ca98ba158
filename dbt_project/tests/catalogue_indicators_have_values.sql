-- Every indicator of the catalogue has values in the mart. A catalogue row without an indicator
-- model (or whose model yields no values) stops the build, and the message names it.
with catalogue as (
    select indicator_id from {{ ref('indicator_catalogue') }}
),

present as (
    select distinct indicator_id
    from {{ ref('fct_indicator_values') }}
    where value is not null
),

missing as (
    select catalogue.indicator_id
    from catalogue
    left join present on catalogue.indicator_id = present.indicator_id
    where present.indicator_id is null
)

-- error() stops the build with the names (a plain failing test would only count rows); it is
-- in the where clause because dbt wraps the test in a count(*) that prunes unused columns.
select indicator_id as missing_indicator
from missing
where
    error(
        'Catalogue indicators without values in fct_indicator_values: '
        || (select string_agg(m.indicator_id, ', ' order by m.indicator_id) from missing as m)
        || '. Each needs models/intermediate/indicators/ind_<indicator_id>.sql '
        || '(see dbt_project/README.md, "Adding an indicator").'
    ) is null
