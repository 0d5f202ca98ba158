-- Schulformwechsel aggregated to counts per school year × from-type × to-type × grade entered,
-- with the direction from the types' Anspruchsniveau (seed schulformen). The per-pupil records
-- end here: no record id, no school number leaves this model.
with changes as (
    select * from {{ ref('stg_schulen__schulformwechsel') }}
),

school_types as (
    select * from {{ ref('schulformen') }}
),

counted as (
    select
        school_year,
        von_schulform,
        nach_schulform,
        jahrgang,
        sum(changes) as anzahl,
        max(file_sha256) as file_sha256
    from changes
    group by school_year, von_schulform, nach_schulform, jahrgang
)

select
    counted.school_year,
    counted.von_schulform,
    counted.nach_schulform,
    counted.jahrgang,
    counted.anzahl,
    case
        when von.niveau > nach.niveau then 'abwaerts'
        when von.niveau < nach.niveau then 'aufwaerts'
        else 'seitwaerts'
    end as richtung,
    counted.jahrgang between 8 and 10 as spaet,
    coalesce(von.sek1_hauptform and nach.sek1_hauptform, false) as zwischen_hauptformen,
    counted.file_sha256
from counted
inner join school_types as von on counted.von_schulform = von.schulform
inner join school_types as nach on counted.nach_schulform = nach.schulform
