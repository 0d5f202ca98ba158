{% macro register_indicator__ind_schulen_anzahl() %}{% endmacro %}
-- Allgemeinbildende schools by Schulform. Land and Stadt: IT.NRW (a school with several
-- Schularten counts once per Schulart, so the total is "x"). Stadtbezirke: the schools of the
-- school administration with pupils in the school year (without Berufskollegs), where they are.
with itnrw as (
    select * from {{ ref('int_itnrw__schueler_schulform') }}
    where merkmal = 'schulen' and geschlecht = 'insgesamt'
),

schools_with_pupils as (
    select distinct
        stadtbezirk_key as region_key,
        school_year,
        schulform,
        schulnummer,
        file_sha256
    from {{ ref('int_schulen__schueler') }}
    where schulform <> '30'
),

districts as (
    select
        region_key,
        school_year,
        {{ total_label('schulform') }} as schulform,
        count(distinct schulnummer) as schools,
        max(file_sha256) as source_file_sha256
    from schools_with_pupils
    group by region_key, school_year, rollup(schulform)
)

select
    'schulen_anzahl' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    value as numerator,
    cast(null as double) as denominator,
    value,
    {{ indicator_symbol('symbol') }} as symbol,
    file_sha256 as source_file_sha256
from itnrw

union all by name

select
    'schulen_anzahl' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    schools as numerator,
    cast(null as double) as denominator,
    schools as value,
    null as symbol,
    source_file_sha256
from districts
