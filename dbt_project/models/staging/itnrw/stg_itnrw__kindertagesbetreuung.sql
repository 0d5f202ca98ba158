-- Children in day care on 1 March by type of care and age group: renames, types, symbols.
with source as (
    select * from {{ source('itnrw', 'itnrw__kindertagesbetreuung') }}
)

select
    region_key,
    region_name,
    cast(period as date) as reference_date,
    left(period, 4) as year,
    betreuungsart,
    altersgruppe,
    {{ value_or_zero() }} as children,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
