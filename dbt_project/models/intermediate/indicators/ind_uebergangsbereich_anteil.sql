{% macro register_indicator__ind_uebergangsbereich_anteil() %}{% endmacro %}
-- Entrants to the Übergangsbereich / all entrants to vocational schools (iABE), in %, by sex;
-- year in which the school year starts (Krefeld 2016: 14.5 %).
with entrants as (
    select * from {{ ref('stg_itnrw__berufskolleg') }}
    where merkmal = 'anfaenger' and abschluss_code = 'insgesamt'
),

per_region_year as (
    select
        region_key,
        year,
        geschlecht,
        max(case when bildungsbereich = 'uebergangsbereich' then entrants end) as transition,
        max(case when bildungsbereich = 'insgesamt' then entrants end) as all_entrants,
        max(case when bildungsbereich = 'uebergangsbereich' then symbol end) as transition_symbol,
        max(case when bildungsbereich = 'insgesamt' then symbol end) as all_symbol,
        max(file_sha256) as source_file_sha256
    from entrants
    group by region_key, year, geschlecht
)

select
    'uebergangsbereich_anteil' as indicator_id,
    region_key,
    year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    transition as numerator,
    all_entrants as denominator,
    {{ percent('transition', 'all_entrants') }} as value,
    {{ indicator_symbol('transition_symbol', 'all_symbol') }} as symbol,
    source_file_sha256
from per_region_year
