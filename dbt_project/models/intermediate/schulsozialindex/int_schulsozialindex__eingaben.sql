-- The four inputs of the Schulsozialindex per school year × school, for the schools the index
-- covers: public Grundschulen and public Haupt-, Real-, Sekundar-, Gesamtschulen and Gymnasien
-- (seed schulformen, sozialindex_gruppe) with pupils that year. Shares in %.
-- SGB-II quota of minors: that of the school's Stadtbezirk in December of the year the school
-- year starts, else of the nearest December available (recorded in sgb2_bezugsjahr).
with schools as (
    select * from {{ ref('int_schulen__schulen') }}
    where ist_oeffentlich
),

school_types as (
    select * from {{ ref('schulformen') }}
    where sozialindex_gruppe is not null
),

pupils as (
    select
        school_year,
        schulnummer,
        sum(schueler) as schueler,
        sum(familiensprache_nichtdeutsch) as familiensprache_nichtdeutsch,
        sum(zuzug_ausland) as zuzug_ausland,
        sum(spf_lernen + spf_sprache + spf_emotionale_soziale_entwicklung) as foerderbedarf_lse,
        max(file_sha256) as file_sha256
    from {{ ref('int_schulen__schueler') }}
    group by school_year, schulnummer
),

sgb2 as (
    select
        region_key,
        cast(year as integer) as year,
        value as quote_minderjaehrige
    from {{ ref('stg_ba__sgb2') }}
    where merkmal = 'sgb2_quote_unter_18' and value is not null
),

covered as (
    select
        pupils.school_year,
        pupils.schulnummer,
        schools.schulname,
        schools.schulform,
        school_types.sozialindex_gruppe as gruppe,
        schools.stadtbezirk_key,
        pupils.schueler,
        {{ percent('pupils.familiensprache_nichtdeutsch', 'pupils.schueler') }}
            as anteil_familiensprache_nichtdeutsch,
        {{ percent('pupils.zuzug_ausland', 'pupils.schueler') }} as anteil_zuzug_ausland,
        {{ percent('pupils.foerderbedarf_lse', 'pupils.schueler') }} as anteil_foerderbedarf_lse,
        pupils.file_sha256
    from pupils
    inner join schools on pupils.schulnummer = schools.schulnummer
    inner join school_types on schools.schulform = school_types.schulform
    where pupils.schueler > 0
),

sgb2_matched as (
    select
        covered.school_year,
        covered.schulnummer,
        sgb2.year as sgb2_bezugsjahr,
        sgb2.quote_minderjaehrige,
        row_number() over (
            partition by covered.school_year, covered.schulnummer
            order by abs(sgb2.year - cast(left(covered.school_year, 4) as integer)), sgb2.year
        ) as nearest
    from covered
    inner join sgb2 on covered.stadtbezirk_key = sgb2.region_key
)

select
    covered.school_year,
    covered.schulnummer,
    covered.schulname,
    covered.schulform,
    covered.gruppe,
    covered.stadtbezirk_key,
    covered.schueler,
    covered.anteil_familiensprache_nichtdeutsch,
    covered.anteil_zuzug_ausland,
    covered.anteil_foerderbedarf_lse,
    sgb2_matched.quote_minderjaehrige as sgb2_quote_minderjaehrige,
    sgb2_matched.sgb2_bezugsjahr,
    covered.file_sha256
from covered
left join sgb2_matched
    on
        covered.school_year = sgb2_matched.school_year
        and covered.schulnummer = sgb2_matched.schulnummer
        and sgb2_matched.nearest = 1
