{% macro register_indicator__ind_schulformwechsel_spaet_anzahl() %}{% endmacro %}
-- Late Schulformwechsel: changes into grades 8, 9 or 10 of the receiving Schulform, per school
-- year, by receiving Schulform; the whole city (2017/18: 71).
with changes as (
    select * from {{ ref('int_schulen__schulformwechsel') }}
    where spaet
),

aggregated as (
    select
        school_year,
        {{ total_label('nach_schulform') }} as schulform,
        sum(anzahl) as changes,
        max(file_sha256) as source_file_sha256
    from changes
    group by school_year, rollup(nach_schulform)
)

select
    'schulformwechsel_spaet_anzahl' as indicator_id,
    '{{ var("stadt_region_key") }}' as region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    changes as numerator,
    cast(null as double) as denominator,
    changes as value,
    source_file_sha256
from aggregated
