-- Entrants to vocational schools by iABE sector: renames and types; symbols become nulls.
with source as (
    select * from {{ source('itnrw', 'itnrw__berufskolleg') }}
)

select
    region_key,
    region_name,
    period as year,
    merkmal,
    bildungsbereich,
    abschluss_code,
    geschlecht,
    {{ value_or_zero() }} as entrants,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
