-- Registered unemployed and rates per month: renames and types; symbols become nulls.
with source as (
    select * from {{ source('ba', 'ba__arbeitslose') }}
)

select
    region_key,
    region_name,
    period as month,
    left(period, 4) as year,
    merkmal,
    personengruppe,
    rechtskreis,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
