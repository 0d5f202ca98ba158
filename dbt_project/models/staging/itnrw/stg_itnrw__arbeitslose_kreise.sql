-- BA unemployed and unemployment rates, annual average, Kreise (Regionaldatenbank
-- 13211-02-05-4): renames and types; symbols become nulls. Empty without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__arbeitslose_kreise', ['merkmal', 'personengruppe']) }}
)

select
    region_key,
    region_name,
    period as year,
    merkmal,
    personengruppe,
    case when merkmal = 'arbeitslose' then 'anzahl' else 'prozent' end as einheit,
    {{ value_or_zero() }} as value,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
