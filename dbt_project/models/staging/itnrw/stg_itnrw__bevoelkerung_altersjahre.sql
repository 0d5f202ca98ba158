-- Population on 31 December by single year of age (IT.NRW Landesdatenbank 12411-09i,
-- Gemeinden): renames and types; symbols become nulls. Empty without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__bevoelkerung_altersjahre', ['altersjahr', 'geschlecht']) }}
)

select
    region_key,
    region_name,
    cast(period as date) as reference_date,
    left(period, 4) as year,
    altersjahr,
    case
        when altersjahr != 'insgesamt'
            then cast(replace(altersjahr, '_und_mehr', '') as integer)
    end as alter_von,
    geschlecht,
    {{ value_or_zero() }} as population,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
