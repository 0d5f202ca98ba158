-- Pupils per school year × school × grade × sex × nationality, one column per merkmal, with
-- the school's Schulform and region keys.
with pupils as (
    select * from {{ ref('stg_schulen__schueler') }}
),

schools as (
    select * from {{ ref('int_schulen__schulen') }}
),

wide as (
    select
        school_year,
        schulnummer,
        jahrgang,
        geschlecht,
        staatsangehoerigkeit,
        sum(case when merkmal = 'schueler' then value end) as schueler,
        sum(case when merkmal = 'nichtdeutsche_familiensprache' then value end)
            as familiensprache_nichtdeutsch,
        sum(case when merkmal = 'zuzug_ausland' then value end) as zuzug_ausland,
        sum(case when merkmal = 'foerderbedarf_lernen' then value end) as spf_lernen,
        sum(case when merkmal = 'foerderbedarf_sprache' then value end) as spf_sprache,
        sum(case when merkmal = 'foerderbedarf_emotionale_soziale_entwicklung' then value end)
            as spf_emotionale_soziale_entwicklung,
        sum(case when merkmal = 'foerderbedarf_sonstige' then value end) as spf_sonstige,
        max(file_sha256) as file_sha256
    from pupils
    group by school_year, schulnummer, jahrgang, geschlecht, staatsangehoerigkeit
)

select
    wide.*,
    schools.schulform,
    schools.ist_oeffentlich,
    schools.stadt_key,
    schools.stadtbezirk_key,
    schools.schule_key
from wide
inner join schools on wide.schulnummer = schools.schulnummer
