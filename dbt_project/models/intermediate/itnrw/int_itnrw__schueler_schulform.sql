-- IT.NRW schools and pupils with the Schulart label translated to the Schulform code (seed
-- schulformen); `insgesamt` stays. Schularten without a code (the Orientierungsstufe, always
-- "x" in NRW) are dropped.
with pupils as (
    select * from {{ ref('stg_itnrw__schueler_schulart') }}
),

school_types as (
    select * from {{ ref('schulformen') }}
    where itnrw_schulart is not null
)

select
    pupils.region_key,
    pupils.school_year,
    coalesce(school_types.schulform, 'insgesamt') as schulform,
    pupils.merkmal,
    pupils.geschlecht,
    pupils.value,
    pupils.symbol,
    pupils.file_sha256
from pupils
left join school_types on pupils.schulart = school_types.itnrw_schulart
where pupils.schulart = 'insgesamt' or school_types.schulform is not null
