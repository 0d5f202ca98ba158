{% macro register_indicator__ind_jugendhilfe_gruppen_anzahl() %}{% endmacro %}
-- Groups / forms of care in licensed youth-welfare facilities (Heimerziehung, Tagesgruppen,
-- Inobhutnahme …; not day-care groups), year (Landesdatenbank 22542-06i). The table has no
-- total column: the count is the sum over its 13 legal bases; a region-year with a legal basis
-- withheld (symbol instead of a value; '-' is zero) gets no value, never a partial sum.
with groups_by_region as (
    select
        region_key,
        cast(year as varchar) as year,
        case when count(gruppen) = count(*) then sum(gruppen) end as gruppen,
        max(nullif(symbol, '-')) as gruppen_symbol,
        max(file_sha256) as source_file_sha256
    from {{ ref('stg_itnrw__jugendhilfe_gruppen') }}
    group by region_key, year
)

select
    'jugendhilfe_gruppen_anzahl' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    gruppen as numerator,
    cast(null as double) as denominator,
    gruppen as value,
    {{ indicator_symbol('gruppen_symbol') }} as symbol,
    source_file_sha256
from groups_by_region
