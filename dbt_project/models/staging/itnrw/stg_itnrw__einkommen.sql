-- Disposable income of private households, Kreise (Regionaldatenbank 82411-01-03-4): the total
-- in thousand euros and the amount per inhabitant in euros; symbols become nulls. Empty
-- without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__einkommen', ['merkmal', 'einheit']) }}
)

select
    region_key,
    region_name,
    period as year,
    merkmal,
    einheit,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
