-- The registration span of each school guide and school year, as "Wie melde ich mein Kind
-- an?" states it: how many schools take registrations, from the first school's first day to
-- the last school's last day (each school has its own period within it).
select
    school_year,
    wegweiser,
    cast(count(distinct schulnummer) as integer) as schulen,
    min(anmeldung_von) as anmeldung_ab,
    max(anmeldung_bis) as anmeldung_bis
from {{ ref('dim_schulwegweiser') }}
group by school_year, wegweiser
order by school_year, wegweiser
