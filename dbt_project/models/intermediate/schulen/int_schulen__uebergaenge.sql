-- Transitions Grundschule → Sek I per school year × Grundschule × receiving Schulform, with the
-- Grundschule's region keys (transitions are counted where the pupils come from).
with transitions as (
    select * from {{ ref('stg_schulen__uebergaenge') }}
),

schools as (
    select * from {{ ref('int_schulen__schulen') }}
)

select
    transitions.school_year,
    transitions.schulnummer,
    transitions.schulform_ziel,
    transitions.transitions,
    transitions.file_sha256,
    schools.stadt_key,
    schools.stadtbezirk_key,
    schools.schule_key
from transitions
inner join schools on transitions.schulnummer = schools.schulnummer
