-- Training market per Berichtsjahr (ending 30 September): renames, types; symbols become nulls.
with source as (
    select * from {{ source('ba', 'ba__ausbildungsmarkt') }}
)

select
    region_key,
    region_name,
    period as year,
    merkmal,
    beruf,
    beruf_name,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
