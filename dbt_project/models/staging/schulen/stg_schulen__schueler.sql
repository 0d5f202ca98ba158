-- Pupils per school, grade, sex and nationality (long, one row per merkmal): renames, types,
-- sex harmonised to the IT.NRW words.
with source as (
    select * from {{ source('schulen', 'schulen__schueler') }}
)

select
    period as school_year,
    schulnummer,
    cast(jahrgang as integer) as jahrgang,
    case geschlecht when 'm' then 'maennlich' when 'w' then 'weiblich' end as geschlecht,
    staatsangehoerigkeit,
    merkmal,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    file_sha256
from source
