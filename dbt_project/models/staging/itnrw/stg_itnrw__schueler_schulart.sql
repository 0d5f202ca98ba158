-- Schools, pupils and foreign pupils by Schulart: renames and types; symbols become nulls.
with source as (
    select * from {{ source('itnrw', 'itnrw__schueler_schulart') }}
)

select
    region_key,
    region_name,
    period as school_year,
    schulart,
    merkmal,
    geschlecht,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
