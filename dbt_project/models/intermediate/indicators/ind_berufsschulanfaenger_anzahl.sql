{% macro register_indicator__ind_berufsschulanfaenger_anzahl() %}{% endmacro %}
-- Entrants to vocational schools by iABE sector (kategorie) and sex; year of the school year's
-- start.
with entrants as (
    select * from {{ ref('stg_itnrw__berufskolleg') }}
    where merkmal = 'anfaenger' and abschluss_code = 'insgesamt'
)

select
    'berufsschulanfaenger_anzahl' as indicator_id,
    region_key,
    year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    bildungsbereich as kategorie,
    entrants as numerator,
    cast(null as double) as denominator,
    entrants as value,
    {{ indicator_symbol('symbol') }} as symbol,
    file_sha256 as source_file_sha256
from entrants
