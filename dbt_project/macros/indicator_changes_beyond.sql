{#-
    Rows of fct_indicator_values (Land and Stadt, all breakdowns `insgesamt`) whose change from the
    indicator's previous period exceeds the catalogue column `limit_column`; for counts the change
    is relative (in % of the previous value), otherwise absolute in the indicator's unit.
-#}
{% macro indicator_changes_beyond(limit_column) %}
with facts as (
    select * from {{ ref('fct_indicator_values') }}
    where
        region_level in ('Land', 'Stadt')
        and geschlecht = 'insgesamt'
        and staatsangehoerigkeit = 'insgesamt'
        and schulform = 'insgesamt'
        and kategorie = 'insgesamt'
        and value is not null
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

changes as (
    select
        indicator_id,
        region_key,
        period,
        unit,
        value,
        lag(value) over (partition by indicator_id, region_key order by period) as previous_value,
        lag(period) over (partition by indicator_id, region_key order by period) as previous_period
    from facts
)

select
    changes.indicator_id,
    changes.region_key,
    changes.previous_period,
    changes.period,
    changes.previous_value,
    changes.value,
    catalogue.{{ limit_column }} as limit_value
from changes
inner join catalogue on changes.indicator_id = catalogue.indicator_id
where
    changes.previous_value is not null
    and case
        when changes.unit = 'Anzahl'
            then abs(changes.value - changes.previous_value)
            > catalogue.{{ limit_column }} / 100 * abs(changes.previous_value)
        else abs(changes.value - changes.previous_value) > catalogue.{{ limit_column }}
    end
{% endmacro %}
