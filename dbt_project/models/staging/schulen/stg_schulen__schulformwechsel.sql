-- Schulformwechsel, ONE ROW PER CHANGE (per pupil): renames and types only. Downstream models
-- aggregate it at once; the record id never leaves this layer.
with source as (
    select * from {{ source('schulen', 'schulen__schulformwechsel') }}
)

select
    period as school_year,
    datensatz_id,
    nullif(von_schulnummer, '') as von_schulnummer,
    nach_schulnummer,
    von_schulform,
    nach_schulform,
    cast(jahrgang as integer) as jahrgang,
    {{ value_or_zero() }} as changes,
    file_sha256
from source
