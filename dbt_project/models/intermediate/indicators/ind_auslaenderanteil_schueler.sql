{% macro register_indicator__ind_auslaenderanteil_schueler() %}{% endmacro %}
-- Pupils without German citizenship / all pupils of allgemeinbildende schools, in %, by
-- Schulform. Land and Stadt: IT.NRW; Stadtbezirke and schools: the school administration
-- (also by sex), at school location, without Berufskollegs.
with itnrw as (
    select * from {{ ref('int_itnrw__schueler_schulform') }}
    where geschlecht = 'insgesamt'
),

itnrw_shares as (
    select
        region_key,
        school_year,
        schulform,
        max(case when merkmal = 'schueler_auslaendisch' then value end) as foreign_pupils,
        max(case when merkmal = 'schueler' then value end) as pupils,
        max(case when merkmal = 'schueler_auslaendisch' then symbol end) as foreign_symbol,
        max(case when merkmal = 'schueler' then symbol end) as pupils_symbol,
        max(file_sha256) as source_file_sha256
    from itnrw
    group by region_key, school_year, schulform
),

school_pupils as (
    select
        {{ school_regions_below_city() }} as region_key,
        school_year,
        geschlecht,
        schulform,
        case when staatsangehoerigkeit = 'nichtdeutsch' then schueler else 0 end as foreign_pupils,
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
        {{ total_label('schulform') }} as schulform,
        sum(foreign_pupils) as foreign_pupils,
        sum(schueler) as pupils,
        max(file_sha256) as source_file_sha256
    from school_pupils
    group by region_key, school_year, cube(geschlecht, schulform)
)

select
    'auslaenderanteil_schueler' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    foreign_pupils as numerator,
    pupils as denominator,
    {{ percent('foreign_pupils', 'pupils') }} as value,
    {{ indicator_symbol('foreign_symbol', 'pupils_symbol') }} as symbol,
    source_file_sha256
from itnrw_shares

union all by name

select
    'auslaenderanteil_schueler' as indicator_id,
    region_key,
    school_year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    foreign_pupils as numerator,
    pupils as denominator,
    {{ percent('foreign_pupils', 'pupils') }} as value,
    null as symbol,
    source_file_sha256
from schools
where schulform = 'insgesamt' or not {{ is_school_key('region_key') }}
