{% macro register_indicator__ind_wiederholer_quote() %}{% endmacro %}
-- Repeaters (not promoted + voluntary) / pupils of the same grades, in %, by Schulform.
-- Not grades 1 and 2 (Schuleingangsphase, no promotion), not Förderschulen or Berufskollegs.
with grades as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        schulform,
        nicht_versetzt + freiwillig as repeaters,
        schueler,
        file_sha256
    from {{ ref('int_schulen__wiederholer') }}
    where jahrgang >= 3 and schulform not in ('08', '30')
),

aggregated as (
    select
        region_key,
        school_year,
        {{ total_label('schulform') }} as schulform,
        sum(repeaters) as repeaters,
        sum(schueler) as pupils,
        max(file_sha256) as source_file_sha256
    from grades
    group by region_key, school_year, rollup(schulform)
)

select
    'wiederholer_quote' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    repeaters as numerator,
    pupils as denominator,
    {{ percent('repeaters', 'pupils') }} as value,
    source_file_sha256
from aggregated
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
