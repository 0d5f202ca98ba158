{% macro register_indicator__ind_schulen_anzahl() %}{% endmacro %}
-- Allgemeinbildende schools by Schulform. Land and Stadt: IT.NRW (a school with several
-- Schularten counts once per Schulart, so its total is "x"). Stadtbezirke: the schools of the
-- school administration with pupils in the school year (without Berufskollegs), where they are.
-- Krefeld's total: the administration's schools counted once each (the sum of its districts),
-- in the school years it delivered; IT.NRW's "x" stays where it did not.
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
),

city as (
    select
        '{{ var("stadt_region_key") }}' as region_key,
        school_year,
        'insgesamt' as schulform,
        count(distinct schulnummer) as schools,
        max(file_sha256) as source_file_sha256
    from schools_with_pupils
    group by school_year
)

select
    'schulen_anzahl' as indicator_id,
    itnrw.region_key,
    itnrw.school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    itnrw.schulform,
    itnrw.value as numerator,
    cast(null as double) as denominator,
    itnrw.value,
    {{ indicator_symbol('itnrw.symbol') }} as symbol,
    itnrw.file_sha256 as source_file_sha256
from itnrw
left join city
    on
        itnrw.region_key = city.region_key
        and itnrw.school_year = city.school_year
        and itnrw.schulform = city.schulform
where city.region_key is null

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
from city
