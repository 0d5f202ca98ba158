-- Groups in licensed youth-welfare facilities by legal basis, Kreise (Landesdatenbank
-- 22542-06i): renames and types; symbols become nulls. Empty without a delivery.
with source as (
    {{ optional_raw('itnrw', 'itnrw__jugendhilfe_gruppen', [
        'rechtsgrundlage', 'rechtsgrundlage_label'
    ]) }}
)

select
    region_key,
    region_name,
    period as year,
    rechtsgrundlage,
    rechtsgrundlage_label,
    {{ value_or_zero() }} as gruppen,
    cast(symbol as varchar) as symbol,
    {{ null_reason() }} as null_reason,
    table_code,
    file_sha256
from source
