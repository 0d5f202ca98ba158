-- Training market per Berichtsjahr (ending 30 September): one row per count (renames, types;
-- symbols become nulls). The BIBB's VR columns, the change on the previous year in % (raw rows
-- with merkmal '<merkmal>_vr_prozent', einheit 'veraenderung_prozent'; any sign), are joined
-- onto the count of the same measure, year and occupation group as veraenderung_prozent.
-- Rates are told apart by the merkmal suffix, which deliveries parsed before the einheit
-- column existed carry as well.
with source as (
    select * from {{ source('ba', 'ba__ausbildungsmarkt') }}
),

counts as (
    select * from source
    where not ends_with(merkmal, '_vr_prozent')
),

changes as (
    select
        region_key,
        period,
        beruf,
        left(merkmal, length(merkmal) - length('_vr_prozent')) as merkmal,
        cast(value as double) as veraenderung_prozent,
        cast(symbol as varchar) as veraenderung_symbol
    from source
    where ends_with(merkmal, '_vr_prozent')
)

select
    counts.region_key,
    counts.region_name,
    counts.period as year,
    counts.merkmal,
    counts.beruf,
    counts.beruf_name,
    {{ value_or_zero('counts.value', 'counts.symbol') }} as value,
    cast(counts.symbol as varchar) as symbol,
    {{ null_reason('counts.value', 'counts.symbol') }} as null_reason,
    changes.veraenderung_prozent,
    changes.veraenderung_symbol,
    counts.table_code,
    counts.file_sha256
from counts
left join changes
    on
        counts.region_key = changes.region_key
        and counts.period = changes.period
        and counts.merkmal = changes.merkmal
        and counts.beruf = changes.beruf
