-- Leavers per school year × school × certificate × sex, with the harmonised certificate group
-- (seed abschlussarten: Förderschule certificates count as "ohne Hauptschulabschluss") and the
-- school's Schulform and region keys.
with leavers as (
    select * from {{ ref('stg_schulen__abgaenger') }}
),

certificates as (
    select * from {{ ref('abschlussarten') }}
    where quelle = 'schulen'
),

schools as (
    select * from {{ ref('int_schulen__schulen') }}
)

select
    leavers.school_year,
    leavers.schulnummer,
    leavers.abschluss_code,
    certificates.abschluss_gruppe,
    leavers.geschlecht,
    leavers.leavers,
    leavers.file_sha256,
    schools.schulform,
    schools.stadt_key,
    schools.stadtbezirk_key,
    schools.schule_key
from leavers
inner join certificates on leavers.abschluss_code = certificates.abschluss_code
inner join schools on leavers.schulnummer = schools.schulnummer
