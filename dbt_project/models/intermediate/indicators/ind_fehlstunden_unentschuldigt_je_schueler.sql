{% macro register_indicator__ind_fehlstunden_unentschuldigt_je_schueler() %}{% endmacro %}
-- Unexcused hours of absence / pupils, per school year, by Schulform; without Berufskollegs.
with grades as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        schulform,
        stunden_unentschuldigt,
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
        sum(stunden_unentschuldigt) as hours,
        sum(schueler) as pupils,
        max(file_sha256) as source_file_sha256
    from grades
    group by region_key, school_year, rollup(schulform)
)

select
    'fehlstunden_unentschuldigt_je_schueler' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    hours as numerator,
    pupils as denominator,
    {{ per_unit('hours', 'pupils', 1) }} as value,
    source_file_sha256
from aggregated
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
