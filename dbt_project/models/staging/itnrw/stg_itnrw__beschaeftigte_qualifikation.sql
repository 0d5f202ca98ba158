-- Employees subject to social insurance (place of work) on 31 December by WZ section and
-- school / vocational qualification, Kreise (Landesdatenbank 13111-54i): renames and types;
-- symbols become nulls. Empty without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__beschaeftigte_qualifikation', [
        'wirtschaftsabschnitt', 'wirtschaftsabschnitt_label', 'schulabschluss', 'berufsabschluss'
    ]) }}
)

select
    region_key,
    region_name,
    cast(period as date) as reference_date,
    left(period, 4) as year,
    wirtschaftsabschnitt,
    wirtschaftsabschnitt_label,
    schulabschluss,
    berufsabschluss,
    {{ value_or_zero() }} as employees,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
