{% macro register_indicator__ind_schulformwechsel_anzahl() %}{% endmacro %}
-- Schulformwechsel in Sek I per school year, by receiving Schulform and direction (kategorie:
-- abwaerts / aufwaerts / seitwaerts); the whole city.
with changes as (
    select * from {{ ref('int_schulen__schulformwechsel') }}
),

aggregated as (
    select
        school_year,
        {{ total_label('nach_schulform') }} as schulform,
        {{ total_label('richtung') }} as kategorie,
        sum(anzahl) as changes,
        max(file_sha256) as source_file_sha256
    from changes
    group by school_year, cube(nach_schulform, richtung)
)

select
    'schulformwechsel_anzahl' as indicator_id,
    '{{ var("stadt_region_key") }}' as region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    kategorie,
    changes as numerator,
    cast(null as double) as denominator,
    changes as value,
    source_file_sha256
from aggregated
