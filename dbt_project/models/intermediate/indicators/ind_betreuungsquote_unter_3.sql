{% macro register_indicator__ind_betreuungsquote_unter_3() %}{% endmacro %}
-- Children under 3 in Kita or publicly funded Kindertagespflege (without double counting) on
-- 1 March of year Y / children under 3 on 31 December of Y-1, in %. Period = Y.
with children_in_care as (
    select * from {{ ref('stg_itnrw__kindertagesbetreuung') }}
    where betreuungsart = 'insgesamt' and altersgruppe = 'unter_3'
),

population as (
    select * from {{ ref('stg_itnrw__bevoelkerung') }}
    where geschlecht = 'insgesamt' and altersgruppe = 'unter_3'
)

select
    'betreuungsquote_unter_3' as indicator_id,
    children_in_care.region_key,
    children_in_care.year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    children_in_care.children as numerator,
    population.population as denominator,
    {{ percent('children_in_care.children', 'population.population') }} as value,
    {{ indicator_symbol('children_in_care.symbol', 'population.symbol') }} as symbol,
    children_in_care.file_sha256 as source_file_sha256
from children_in_care
inner join population
    on
        children_in_care.region_key = population.region_key
        and cast(children_in_care.year as integer) = cast(population.year as integer) + 1
