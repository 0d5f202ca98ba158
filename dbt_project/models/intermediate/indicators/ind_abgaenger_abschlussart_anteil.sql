{% macro register_indicator__ind_abgaenger_abschlussart_anteil() %}{% endmacro %}
-- Leavers by highest certificate (kategorie: ohne_hsa, hsa, msa, fhr, ahr) / all leavers, in %.
-- Land and Stadt: IT.NRW ("darunter" rows left out, seed abschlussarten); Stadtbezirke and
-- schools: the school administration. The kategorie `insgesamt` row carries all leavers.
with certificates as (
    select * from {{ ref('abschlussarten') }}
),

itnrw_leavers as (
    select
        leavers.region_key,
        leavers.school_year,
        leavers.geschlecht,
        certificates.abschluss_gruppe as kategorie,
        leavers.leavers,
        leavers.symbol,
        leavers.file_sha256
    from {{ ref('stg_itnrw__abgaenger') }} as leavers
    inner join certificates
        on
            certificates.quelle = 'itnrw'
            and leavers.abschluss_code = certificates.abschluss_code
    where
        leavers.geschlecht in ('insgesamt', 'weiblich')
        and (certificates.additiv or certificates.abschluss_gruppe = 'insgesamt')
),

itnrw as (
    select
        *,
        max(case when kategorie = 'insgesamt' then leavers end)
            over (partition by region_key, school_year, geschlecht)
            as all_leavers,
        max(case when kategorie = 'insgesamt' then symbol end)
            over (partition by region_key, school_year, geschlecht)
            as all_symbol
    from itnrw_leavers
),

school_leavers as (
    select
        {{ school_regions_below_city() }} as region_key,
        school_year,
        geschlecht,
        schulform,
        abschluss_gruppe,
        leavers,
        file_sha256
    from {{ ref('int_schulen__abgaenger') }}
),

schools_aggregated as (
    select
        region_key,
        school_year,
        {{ total_label('geschlecht') }} as geschlecht,
        {{ total_label('schulform') }} as schulform,
        {{ total_label('abschluss_gruppe') }} as kategorie,
        sum(leavers) as leavers,
        max(file_sha256) as source_file_sha256
    from school_leavers
    group by region_key, school_year, cube(geschlecht, schulform, abschluss_gruppe)
),

schools as (
    select
        *,
        max(case when kategorie = 'insgesamt' then leavers end)
            over (partition by region_key, school_year, geschlecht, schulform)
            as all_leavers
    from schools_aggregated
)

select
    'abgaenger_abschlussart_anteil' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    kategorie,
    leavers as numerator,
    all_leavers as denominator,
    {{ percent('leavers', 'all_leavers') }} as value,
    {{ indicator_symbol('symbol', 'all_symbol') }} as symbol,
    file_sha256 as source_file_sha256
from itnrw

union all by name

select
    'abgaenger_abschlussart_anteil' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    kategorie,
    leavers as numerator,
    all_leavers as denominator,
    {{ percent('leavers', 'all_leavers') }} as value,
    null as symbol,
    source_file_sha256
from schools
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
