-- Recipients of minimum-income benefits by benefit, Gemeinden (Landesdatenbank 22811-05i):
-- renames and types; symbols become nulls. The file prints the SGB II column twice with the
-- same figures (the raw schema refuses differing ones): `distinct` keeps one row. Empty
-- without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__mindestsicherung_empfaenger', ['leistung']) }}
)

select distinct
    region_key,
    region_name,
    period as year,
    leistung,
    {{ value_or_zero() }} as recipients,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
