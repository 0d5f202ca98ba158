-- Population on 31 December by age group and sex: renames and types; symbols become nulls.
with source as (
    select * from {{ source('itnrw', 'itnrw__bevoelkerung') }}
)

select
    region_key,
    region_name,
    cast(period as date) as reference_date,
    left(period, 4) as year,
    altersgruppe,
    geschlecht,
    {{ value_or_zero() }} as population,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
