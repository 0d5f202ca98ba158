{% macro register_indicator__ind_weiterbildungskolleg_studierende_anzahl() %}{% endmacro %}
-- Students of Weiterbildungskollegs (IT.NRW Schulart "Abendschulen und Kollegs", Schulform 25)
-- on 15 October, by sex (weiblich) and nationality (nichtdeutsch = foreign students).
with students as (
    select * from {{ ref('int_itnrw__schueler_schulform') }}
    where
        schulform = '25'
        and (
            merkmal = 'schueler'
            or (merkmal = 'schueler_auslaendisch' and geschlecht = 'insgesamt')
        )
)

select
    'weiterbildungskolleg_studierende_anzahl' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    case when merkmal = 'schueler_auslaendisch' then 'nichtdeutsch' else 'insgesamt' end
        as staatsangehoerigkeit,
    'insgesamt' as schulform,
    value as numerator,
    cast(null as double) as denominator,
    value,
    {{ indicator_symbol('symbol') }} as symbol,
    file_sha256 as source_file_sha256
from students
