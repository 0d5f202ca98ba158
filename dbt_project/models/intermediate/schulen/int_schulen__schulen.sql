-- Schools with the keys of the three regions they count towards (city, Stadtbezirk, school).
with schools as (
    select * from {{ ref('stg_schulen__schulen') }}
)

select
    schulnummer,
    schulname,
    schulform,
    ist_oeffentlich,
    betrieb_ab,
    betrieb_bis,
    '{{ var("stadt_region_key") }}' as stadt_key,
    stadtbezirk_key,
    {{ school_key('schulnummer') }} as schule_key
from schools
