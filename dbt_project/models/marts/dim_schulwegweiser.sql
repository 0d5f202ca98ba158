-- The schools of the school guides (issue 20), one row per school and school year registered
-- for: what parents ask (the school administration's profile) with name, address, contact and
-- location from the state register and the Stadtbezirk from the city's register. A profile
-- without a register row keeps null register columns, so the blocking tests name it.
with profile as (
    select * from {{ ref('stg_schulen__schulprofil') }}
),

register as (
    select * from {{ ref('dim_schulen') }}
),

city_register as (
    select * from {{ ref('stg_schulen__schulen') }}
)

select
    profile.school_year,
    profile.schulnummer,
    case when register.schulform = '02' then 'grundschule' else 'weiterfuehrend' end
        as wegweiser,
    register.schulname,
    register.schulform,
    register.schulform_name,
    register.strasse,
    register.plz,
    register.ort,
    register.telefon,
    register.email,
    register.homepage,
    register.rechtsform,
    register.ist_in_betrieb,
    register.ist_krefeld,
    register.lat,
    register.lon,
    city_register.stadtbezirk_key,
    city_register.stadtbezirk_name,
    profile.ganztag,
    profile.ganztag_bis,
    profile.fremdsprachen,
    profile.profil,
    profile.gemeinsames_lernen,
    profile.zuege,
    profile.anmeldung_von,
    profile.anmeldung_bis,
    profile.tag_der_offenen_tuer,
    profile.barrierefrei,
    profile.abschluesse,
    profile.oberstufe,
    profile.zweite_fremdsprache_ab,
    profile.hinweise,
    profile.file_sha256
from profile
left join register
    on profile.schulnummer = register.schulnummer
left join city_register
    on profile.schulnummer = city_register.schulnummer
