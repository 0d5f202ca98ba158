{% macro register_indicator__ind_arbeitslosenquote() %}{% endmacro %}
-- Unemployment rate (all civilian labour force), annual average of the monthly rates. The
-- numerator is the annual average of the unemployed; the denominator, the civilian labour
-- force, is derived from both (BA publishes rates, not the Bezugsgröße).
with annual as (
    select * from {{ ref('int_ba__arbeitslose_jahresmittel') }}
    where personengruppe = 'insgesamt' and rechtskreis = 'insgesamt'
),

per_region_year as (
    select
        region_key,
        year,
        max(case when merkmal = 'arbeitslose' then value end) as unemployed,
        max(case when merkmal = 'arbeitslosenquote' then value end) as rate,
        max(file_sha256) as source_file_sha256
    from annual
    group by region_key, year
)

select
    'arbeitslosenquote' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    unemployed as numerator,
    case when rate > 0 then unemployed / rate * 100 end as denominator,
    rate as value,
    source_file_sha256
from per_region_year
