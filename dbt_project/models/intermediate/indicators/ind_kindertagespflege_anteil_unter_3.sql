{% macro register_indicator__ind_kindertagespflege_anteil_unter_3() %}{% endmacro %}
-- Children under 3 in Kindertagespflege / all children under 3 in day care, 1 March, in %.
with children_in_care as (
    select * from {{ ref('stg_itnrw__kindertagesbetreuung') }}
    where altersgruppe = 'unter_3'
),

per_region_year as (
    select
        region_key,
        year,
        max(case when betreuungsart = 'kindertagespflege' then children end) as childminding,
        max(case when betreuungsart = 'insgesamt' then children end) as all_in_care,
        max(case when betreuungsart = 'kindertagespflege' then symbol end) as childminding_symbol,
        max(case when betreuungsart = 'insgesamt' then symbol end) as all_symbol,
        max(file_sha256) as source_file_sha256
    from children_in_care
    group by region_key, year
)

select
    'kindertagespflege_anteil_unter_3' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    childminding as numerator,
    all_in_care as denominator,
    {{ percent('childminding', 'all_in_care') }} as value,
    {{ indicator_symbol('childminding_symbol', 'all_symbol') }} as symbol,
    source_file_sha256
from per_region_year
