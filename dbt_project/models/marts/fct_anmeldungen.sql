-- Registrations against places per school and school year of admission, for the schools of
-- the school guides: school totals only (counts of applicants, no breakdown below the school,
-- so no cell describes fewer people than the school's whole intake).
with anmeldungen as (
    select * from {{ ref('stg_schulen__anmeldungen') }}
),

guide_schools as (
    select distinct schulnummer from {{ ref('dim_schulwegweiser') }}
)

select
    anmeldungen.school_year,
    anmeldungen.schulnummer,
    anmeldungen.aufnahmekapazitaet,
    anmeldungen.anmeldungen,
    anmeldungen.aufnahmen,
    anmeldungen.anmeldungen > anmeldungen.aufnahmekapazitaet as ist_uebernachgefragt
from anmeldungen
inner join guide_schools
    on anmeldungen.schulnummer = guide_schools.schulnummer
