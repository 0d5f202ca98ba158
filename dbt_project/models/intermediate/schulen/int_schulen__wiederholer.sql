-- Repeaters and pupils per school year × school × grade, one column per merkmal, with the
-- school's Schulform and region keys.
with repeaters as (
    select * from {{ ref('stg_schulen__wiederholer') }}
),

schools as (
    select * from {{ ref('int_schulen__schulen') }}
),

wide as (
    select
        school_year,
        schulnummer,
        jahrgang,
        sum(case when merkmal = 'wiederholer_nicht_versetzt' then value end) as nicht_versetzt,
        sum(case when merkmal = 'wiederholer_freiwillig' then value end) as freiwillig,
        sum(case when merkmal = 'schueler' then value end) as schueler,
        max(file_sha256) as file_sha256
    from repeaters
    group by school_year, schulnummer, jahrgang
)

select
    wide.*,
    schools.schulform,
    schools.stadt_key,
    schools.stadtbezirk_key,
    schools.schule_key
from wide
inner join schools on wide.schulnummer = schools.schulnummer
