-- Leavers by certificate: renames and types only; symbols become nulls with a reason.
with source as (
    select * from {{ source('itnrw', 'itnrw__abgaenger') }}
)

select
    region_key,
    region_name,
    period as school_year,
    abschluss_code,
    abschlussart as abschlussart_label,
    geschlecht,
    {{ value_or_zero() }} as leavers,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
