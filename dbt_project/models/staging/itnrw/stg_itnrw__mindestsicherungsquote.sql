-- Mindestsicherungsquote (percent of the population), Gemeinden (Landesdatenbank 22811-01i):
-- renames and types; symbols become nulls. Empty without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__mindestsicherungsquote', []) }}
)

select
    region_key,
    region_name,
    period as year,
    {{ value_or_zero() }} as mindestsicherungsquote,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
