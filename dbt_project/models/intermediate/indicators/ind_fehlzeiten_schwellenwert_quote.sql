{% macro register_indicator__ind_fehlzeiten_schwellenwert_quote() %}{% endmacro %}
-- Pupils with more than 20 unexcused hours / pupils, in %, by Schulform; without Berufskollegs.
with grades as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        schulform,
        schueler_ueber_schwellenwert,
        schueler,
        file_sha256
    from {{ ref('int_schulen__fehlzeiten') }}
    where schulform <> '30'
),

aggregated as (
    select
        region_key,
        school_year,
        {{ total_label('schulform') }} as schulform,
        sum(schueler_ueber_schwellenwert) as above_threshold,
        sum(schueler) as pupils,
        max(file_sha256) as source_file_sha256
    from grades
    group by region_key, school_year, rollup(schulform)
)

select
    'fehlzeiten_schwellenwert_quote' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    above_threshold as numerator,
    pupils as denominator,
    {{ percent('above_threshold', 'pupils') }} as value,
    source_file_sha256
from aggregated
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
