{% macro register_indicator__ind_neue_ausbildungsvertraege_anzahl() %}{% endmacro %}
-- New training contracts in the Berichtsjahr ending 30 September (Agenturbezirk).
with market as (
    select * from {{ ref('stg_ba__ausbildungsmarkt') }}
    where beruf = 'insgesamt' and merkmal = 'neue_vertraege'
)

select
    'neue_ausbildungsvertraege_anzahl' as indicator_id,
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
