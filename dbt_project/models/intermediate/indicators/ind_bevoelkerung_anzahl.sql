{% macro register_indicator__ind_bevoelkerung_anzahl() %}{% endmacro %}
-- Population on 31 December by age group (kategorie) and sex; Land and Stadt.
with population as (
    select * from {{ ref('int_itnrw__bevoelkerung_gruppen') }}
)

select
    'bevoelkerung_anzahl' as indicator_id,
    region_key,
    year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    altersgruppe as kategorie,
    population as numerator,
    cast(null as double) as denominator,
    population as value,
    {{ indicator_symbol('symbol') }} as symbol,
    file_sha256 as source_file_sha256
from population
