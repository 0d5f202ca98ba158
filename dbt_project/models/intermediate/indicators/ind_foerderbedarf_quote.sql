{% macro register_indicator__ind_foerderbedarf_quote() %}{% endmacro %}
-- Pupils with special educational needs / all pupils, in %, by Förderschwerpunkt (kategorie)
-- and Schulform; Förderschulen included, Berufskollegs not; at school location.
with pupils as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        schulform,
        schueler,
        spf_lernen,
        spf_sprache,
        spf_emotionale_soziale_entwicklung,
        spf_sonstige,
        file_sha256
    from {{ ref('int_schulen__schueler') }}
    where schulform <> '30'
),

aggregated as (
    select
        region_key,
        school_year,
        {{ total_label('schulform') }} as schulform,
        sum(schueler) as pupils,
        sum(spf_lernen) as spf_lernen,
        sum(spf_sprache) as spf_sprache,
        sum(spf_emotionale_soziale_entwicklung) as spf_emotionale_soziale_entwicklung,
        sum(spf_sonstige) as spf_sonstige,
        max(file_sha256) as source_file_sha256
    from pupils
    group by region_key, school_year, rollup(schulform)
),

by_focus as (
    unpivot (
        select
            *,
            spf_lernen + spf_sprache + spf_emotionale_soziale_entwicklung + spf_sonstige
                as insgesamt
        from aggregated
    )
    on spf_lernen, spf_sprache, spf_emotionale_soziale_entwicklung, spf_sonstige, insgesamt
    into name kategorie value with_needs
)

select
    'foerderbedarf_quote' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    kategorie,
    with_needs as numerator,
    pupils as denominator,
    {{ percent('with_needs', 'pupils') }} as value,
    source_file_sha256
from by_focus
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
