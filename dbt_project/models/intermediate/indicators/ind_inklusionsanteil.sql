{% macro register_indicator__ind_inklusionsanteil() %}{% endmacro %}
-- Pupils with special educational needs at general schools (all but Förderschulen) / all pupils
-- with special needs, in %; the city and its Stadtbezirke, at school location.
with pupils as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        schulform,
        spf_lernen + spf_sprache + spf_emotionale_soziale_entwicklung + spf_sonstige
            as with_needs,
        file_sha256
    from {{ ref('int_schulen__schueler') }}
    where schulform <> '30'
),

aggregated as (
    select
        region_key,
        school_year,
        sum(case when schulform <> '08' then with_needs else 0 end) as at_general_schools,
        sum(with_needs) as with_needs,
        max(file_sha256) as source_file_sha256
    from pupils
    where not {{ is_school_key('region_key') }}
    group by region_key, school_year
)

select
    'inklusionsanteil' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    at_general_schools as numerator,
    with_needs as denominator,
    {{ percent('at_general_schools', 'with_needs') }} as value,
    source_file_sha256
from aggregated
