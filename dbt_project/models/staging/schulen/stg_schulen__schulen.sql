-- School master data: one row per school, renamed and typed; the Stadtbezirk as region key.
with source as (
    select * from {{ source('schulen', 'schulen__schulen') }}
)

select
    schulnummer,
    name as schulname,
    schulform,
    region_key as stadtbezirk_key,
    region_name as stadtbezirk_name,
    cast(stadtbezirk as integer) as stadtbezirk_nr,
    traeger,
    traeger = 'oeffentlich' as ist_oeffentlich,
    strasse,
    plz,
    ort,
    utm_ost,
    utm_nord,
    nullif(betrieb_ab, '') as betrieb_ab,
    nullif(betrieb_bis, '') as betrieb_bis,
    cast(period as date) as stand,
    file_sha256
from source
