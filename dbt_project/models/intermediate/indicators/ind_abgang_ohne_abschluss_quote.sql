{% macro register_indicator__ind_abgang_ohne_abschluss_quote() %}{% endmacro %}
-- Leavers without at least a Hauptschulabschluss (Erster Schulabschluss) / all leavers, in %.
-- At school location, by school year. Land and Stadt (Krefeld, NRW, the comparison cities) as
-- IT.NRW publishes them; Stadtbezirke and schools from the school administration, where
-- Förderschule certificates count as "without".
with itnrw_leavers as (
    select * from {{ ref('stg_itnrw__abgaenger') }}
),

itnrw as (
    select
        region_key,
        school_year,
        geschlecht,
        max(case when abschluss_code = 'ohne_hsa' then leavers end) as without_certificate,
        max(case when abschluss_code = 'insgesamt' then leavers end) as all_leavers,
        max(case when abschluss_code = 'ohne_hsa' then symbol end) as without_symbol,
        max(case when abschluss_code = 'insgesamt' then symbol end) as all_symbol,
        max(file_sha256) as source_file_sha256
    from itnrw_leavers
    where geschlecht in ('insgesamt', 'weiblich')
    group by region_key, school_year, geschlecht
),

school_leavers as (
    select
        {{ school_regions_below_city() }} as region_key,
        school_year,
        geschlecht,
        schulform,
        leavers,
        abschluss_gruppe,
        file_sha256
    from {{ ref('int_schulen__abgaenger') }}
),

schools as (
    select
        region_key,
        school_year,
        {{ total_label('geschlecht') }} as geschlecht,
        {{ total_label('schulform') }} as schulform,
        sum(case when abschluss_gruppe = 'ohne_hsa' then leavers end) as without_certificate,
        sum(leavers) as all_leavers,
        max(file_sha256) as source_file_sha256
    from school_leavers
    group by region_key, school_year, cube(geschlecht, schulform)
)

select
    'abgang_ohne_abschluss_quote' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    without_certificate as numerator,
    all_leavers as denominator,
    {{ percent('without_certificate', 'all_leavers') }} as value,
    {{ indicator_symbol('without_symbol', 'all_symbol') }} as symbol,
    source_file_sha256
from itnrw

union all by name

select
    'abgang_ohne_abschluss_quote' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    without_certificate as numerator,
    all_leavers as denominator,
    {{ percent('without_certificate', 'all_leavers') }} as value,
    null as symbol,
    source_file_sha256
from schools
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
