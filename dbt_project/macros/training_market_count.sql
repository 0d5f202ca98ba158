{#- One count of the training market (Agenturbezirk, 30 September) as an indicator: the three
    count indicators differ only in the measure they select. -#}
{% macro training_market_count(indicator_id, merkmal) %}
with market as (
    select * from {{ ref('stg_ba__ausbildungsmarkt') }}
    where beruf = 'insgesamt' and merkmal = '{{ merkmal }}'
)

select
    '{{ indicator_id }}' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    value as numerator,
    cast(null as double) as denominator,
    value,
    {{ indicator_symbol('symbol') }} as symbol,
    file_sha256 as source_file_sha256
from market
{% endmacro %}
