-- Absence hours and pupils per school and grade (long, one row per merkmal): renames and types.
with source as (
    select * from {{ source('schulen', 'schulen__fehlzeiten') }}
)

select
    period as school_year,
    schulnummer,
    cast(jahrgang as integer) as jahrgang,
    merkmal,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    file_sha256
from source
