-- Leavers per school by certificate and sex: renames, types, sex harmonised.
with source as (
    select * from {{ source('schulen', 'schulen__abgaenger') }}
)

select
    period as school_year,
    schulnummer,
    abschlussart as abschluss_code,
    case geschlecht when 'm' then 'maennlich' when 'w' then 'weiblich' end as geschlecht,
    {{ value_or_zero() }} as leavers,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    file_sha256
from source
