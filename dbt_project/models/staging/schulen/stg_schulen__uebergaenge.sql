-- Transitions Grundschule → Sek I per Grundschule and receiving Schulform: renames and types.
with source as (
    select * from {{ source('schulen', 'schulen__uebergaenge') }}
)

select
    period as school_year,
    schulnummer,
    schulform_ziel,
    {{ value_or_zero() }} as transitions,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    file_sha256
from source
