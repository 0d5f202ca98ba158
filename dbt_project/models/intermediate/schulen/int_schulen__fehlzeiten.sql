-- Absence per school year × school × grade, one column per merkmal, with the school's
-- Schulform and region keys.
with absence as (
    select * from {{ ref('stg_schulen__fehlzeiten') }}
),

schools as (
    select * from {{ ref('int_schulen__schulen') }}
),

wide as (
    select
        school_year,
        schulnummer,
        jahrgang,
        sum(case when merkmal = 'stunden_entschuldigt' then value end) as stunden_entschuldigt,
        sum(case when merkmal = 'stunden_unentschuldigt' then value end) as stunden_unentschuldigt,
        sum(case when merkmal = 'schueler' then value end) as schueler,
        sum(case when merkmal = 'schueler_ueber_schwellenwert' then value end)
            as schueler_ueber_schwellenwert,
        max(file_sha256) as file_sha256
    from absence
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
