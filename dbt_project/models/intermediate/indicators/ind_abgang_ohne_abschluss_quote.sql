-- Leavers without at least a Hauptschulabschluss (Erster Schulabschluss) / all leavers, in %.
-- At school location, by school year; Krefeld, NRW and the comparison cities as IT.NRW publishes them.
with leavers as (
    select * from {{ ref('stg_itnrw__abgaenger') }}
    where geschlecht = 'insgesamt'
),

per_region_year as (
    select
        region_key,
        school_year,
        max(case when abschluss_code = 'ohne_hsa' then leavers end) as without_certificate,
        max(case when abschluss_code = 'insgesamt' then leavers end) as all_leavers,
        max(file_sha256) as source_file_sha256
    from leavers
    group by region_key, school_year
)

select
    'abgang_ohne_abschluss_quote' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    without_certificate as numerator,
    all_leavers as denominator,
    {{ percent('without_certificate', 'all_leavers') }} as value,
    source_file_sha256
from per_region_year
