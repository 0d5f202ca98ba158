-- SGB II quotas of minors per December: renames and types; symbols become nulls.
with source as (
    select * from {{ source('ba', 'ba__sgb2') }}
)

select
    region_key,
    region_name,
    period as year,
    merkmal,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
