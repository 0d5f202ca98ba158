{% macro register_indicator__ind_schulanfaenger_familiensprache_quote() %}{% endmacro %}
-- Grade-1 pupils whose family mainly speaks a language other than German / all grade-1 pupils,
-- in % (Grundschulen and Förderschulen, 15 October). A stand-in for the language-support need at
-- school entry, which has no source yet (see the catalogue's notes).
with first_graders as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        geschlecht,
        familiensprache_nichtdeutsch,
        schueler,
        file_sha256
    from {{ ref('int_schulen__schueler') }}
    where jahrgang = 1 and schulform in ('02', '08')
),

aggregated as (
    select
        region_key,
        school_year,
        {{ total_label('geschlecht') }} as geschlecht,
        sum(familiensprache_nichtdeutsch) as non_german,
        sum(schueler) as pupils,
        max(file_sha256) as source_file_sha256
    from first_graders
    group by region_key, school_year, rollup(geschlecht)
)

select
    'schulanfaenger_familiensprache_quote' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    non_german as numerator,
    pupils as denominator,
    {{ percent('non_german', 'pupils') }} as value,
    source_file_sha256
from aggregated
