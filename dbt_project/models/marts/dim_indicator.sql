-- The indicator catalogue with what the mart holds for each indicator: first and latest
-- period, the levels present, the number of rows. Indicator pages and CSV downloads start here.
with catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

coverage as (
    select
        indicator_id,
        min(period) as erste_periode,
        max(period) as letzte_periode,
        list_sort(list(distinct region_level)) as ebenen_vorhanden,
        count(*) as zeilen
    from {{ ref('fct_indicator_values') }}
    where value is not null
    group by indicator_id
)

select
    cast(catalogue.indicator_id as varchar) as indicator_id,
    cast(catalogue.name_de as varchar) as name_de,
    cast(catalogue.definition_de as varchar) as definition_de,
    cast(catalogue.numerator_de as varchar) as numerator_de,
    cast(catalogue.denominator_de as varchar) as denominator_de,
    cast(catalogue.unit as varchar) as unit,
    cast(catalogue.handlungsfeld as varchar) as handlungsfeld,
    cast(catalogue.source as varchar) as source,
    cast(catalogue.higher_is_better as boolean) as higher_is_better,
    cast(catalogue.levels as varchar) as levels,
    cast(catalogue.notes_de as varchar) as notes_de,
    cast(catalogue.kategorie_de as varchar) as kategorie_de,
    cast(coverage.erste_periode as varchar) as erste_periode,
    cast(coverage.letzte_periode as varchar) as letzte_periode,
    cast(array_to_string(coverage.ebenen_vorhanden, '|') as varchar) as ebenen_vorhanden,
    cast(coverage.zeilen as bigint) as zeilen
from catalogue
left join coverage on catalogue.indicator_id = coverage.indicator_id
