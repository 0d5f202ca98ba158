-- Every school of the state register, one row per Schulnummer, with the official Schulform
-- name (SVWS catalogue) and a Krefeld flag; no regional filter here: reports filter on
-- ist_krefeld or region_key.
with register as (
    select * from {{ ref('stg_msb__schulverzeichnis') }}
),

schulformen as (
    select * from {{ ref('svws_schulformen') }}
)

select
    register.schulnummer,
    register.schulname,
    register.kurzbezeichnung,
    register.schulform,
    schulformen.kuerzel as schulform_kuerzel,
    schulformen.text as schulform_name,
    register.strasse,
    register.plz,
    register.ort,
    register.telefon,
    register.email,
    register.homepage,
    register.gemeindeschluessel as region_key,
    register.gemeindeschluessel = '{{ var("stadt_region_key") }}000' as ist_krefeld,
    register.bezirksregierung,
    register.rechtsform,
    register.ist_oeffentlich,
    register.traegernummer,
    register.schulbetriebsschluessel,
    register.schulbetriebsschluessel = '1' as ist_in_betrieb,
    register.schulbetriebsdatum,
    register.lat,
    register.lon,
    register.utm_ost,
    register.utm_nord,
    register.stand
from register
left join schulformen
    on register.schulform = schulformen.code
