-- Registrations, places and admissions per school and school year of admission, one row each
-- (the template's three counts pivoted back). Empty without a delivery.
with source as (
    {{ optional_raw('schulen', 'schulen__anmeldungen', ['schulnummer', 'merkmal']) }}
)

select
    period as school_year,
    schulnummer,
    cast(max(case when merkmal = 'aufnahmekapazitaet' then value end) as integer)
        as aufnahmekapazitaet,
    cast(max(case when merkmal = 'anmeldungen' then value end) as integer) as anmeldungen,
    cast(max(case when merkmal = 'aufnahmen' then value end) as integer) as aufnahmen,
    max(file_sha256) as file_sha256
from source
group by period, schulnummer
