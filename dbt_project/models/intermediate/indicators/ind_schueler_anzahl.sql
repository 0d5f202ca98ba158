{% macro register_indicator__ind_schueler_anzahl() %}{% endmacro %}
-- Pupils of allgemeinbildende schools on 15 October by Schulform, sex and nationality.
-- Land and Stadt: IT.NRW (sex: weiblich only; nichtdeutsch = foreign pupils). Stadtbezirke and
-- schools: the school administration, at school location, without Berufskollegs.
with itnrw as (
    select * from {{ ref('int_itnrw__schueler_schulform') }}
    where
        merkmal = 'schueler'
        or (merkmal = 'schueler_auslaendisch' and geschlecht = 'insgesamt')
),

school_pupils as (
    select
        {{ school_regions_below_city() }} as region_key,
        school_year,
        geschlecht,
        staatsangehoerigkeit,
        schulform,
        schueler,
        file_sha256
    from {{ ref('int_schulen__schueler') }}
    where schulform <> '30'
),

schools as (
    select
        region_key,
        school_year,
        {{ total_label('geschlecht') }} as geschlecht,
        {{ total_label('staatsangehoerigkeit') }} as staatsangehoerigkeit,
        {{ total_label('schulform') }} as schulform,
        sum(schueler) as pupils,
        max(file_sha256) as source_file_sha256
    from school_pupils
    group by region_key, school_year, cube(geschlecht, staatsangehoerigkeit, schulform)
)

select
    'schueler_anzahl' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    case when merkmal = 'schueler_auslaendisch' then 'nichtdeutsch' else 'insgesamt' end
        as staatsangehoerigkeit,
    schulform,
    value as numerator,
    cast(null as double) as denominator,
    value,
    {{ indicator_symbol('symbol') }} as symbol,
    file_sha256 as source_file_sha256
from itnrw

union all by name

select
    'schueler_anzahl' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    staatsangehoerigkeit,
    schulform,
    pupils as numerator,
    cast(null as double) as denominator,
    pupils as value,
    null as symbol,
    source_file_sha256
from schools
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
