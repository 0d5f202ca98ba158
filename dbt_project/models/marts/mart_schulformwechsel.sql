-- Schulformwechsel in Sek I as counts: school year × from-type × to-type × grade entered. The
-- city's matrix (changes among the four main types) and its by-grade table (all origins) are
-- filters and sums of this table; no record id or school number is in it.
with changes as (
    select * from {{ ref('int_schulen__schulformwechsel') }}
),

school_types as (
    select * from {{ ref('schulformen') }}
)

select
    cast(changes.school_year as varchar) as school_year,
    cast(changes.von_schulform as varchar) as von_schulform,
    cast(von.name_de as varchar) as von_schulform_name,
    cast(changes.nach_schulform as varchar) as nach_schulform,
    cast(nach.name_de as varchar) as nach_schulform_name,
    cast(changes.jahrgang as integer) as jahrgang,
    cast(changes.anzahl as integer) as anzahl,
    cast(changes.richtung as varchar) as richtung,
    cast(changes.spaet as boolean) as spaet,
    cast(changes.zwischen_hauptformen as boolean) as zwischen_hauptformen,
    cast(changes.file_sha256 as varchar) as source_file_sha256
from changes
inner join school_types as von on changes.von_schulform = von.schulform
inner join school_types as nach on changes.nach_schulform = nach.schulform
