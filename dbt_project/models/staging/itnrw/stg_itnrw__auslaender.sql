-- Foreign population on 31 December by citizenship and sex, Kreise (Landesdatenbank
-- 12521-03i, Ausländerzentralregister): renames and types; symbols become nulls. There is no
-- all-citizenship row: the total is the sum over ebene = 'kontinent'. Empty without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__auslaender', [
        'staatsangehoerigkeit_code', 'staatsangehoerigkeit', 'ebene', 'geschlecht'
    ]) }}
)

select
    region_key,
    region_name,
    cast(period as date) as reference_date,
    left(period, 4) as year,
    staatsangehoerigkeit_code,
    staatsangehoerigkeit,
    ebene,
    geschlecht,
    {{ value_or_zero() }} as foreigners,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
