-- The state school register (MSB NRW): one row per school, renamed and typed.
with source as (
    select * from {{ source('msb', 'msb__schulverzeichnis') }}
)

select
    cast(schulnummer as varchar) as schulnummer,
    cast(name as varchar) as schulname,
    cast(kurzbezeichnung as varchar) as kurzbezeichnung,
    cast(schulform as varchar) as schulform,
    cast(bezirksregierung as varchar) as bezirksregierung,
    cast(plz as varchar) as plz,
    cast(ort as varchar) as ort,
    cast(strasse as varchar) as strasse,
    cast(telefon as varchar) as telefon,
    cast(email as varchar) as email,
    cast(homepage as varchar) as homepage,
    cast(rechtsform as varchar) as rechtsform,
    coalesce(cast(rechtsform as varchar) = 'oeffentlich', false) as ist_oeffentlich,
    cast(traegernummer as varchar) as traegernummer,
    cast(gemeindeschluessel as varchar) as gemeindeschluessel,
    cast(schulbetriebsschluessel as varchar) as schulbetriebsschluessel,
    cast(schulbetriebsdatum as date) as schulbetriebsdatum,
    cast(utm_ost as double) as utm_ost,
    cast(utm_nord as double) as utm_nord,
    cast(lat as double) as lat,
    cast(lon as double) as lon,
    cast(period as date) as stand,
    file_sha256
from source
