{% macro register_indicator__ind_weiterbildungskolleg_quote() %}{% endmacro %}
-- Students of Weiterbildungskollegs on 15 October of year Y per 1,000 inhabitants aged 18 to
-- under 65 on 31 December of Y.
with students as (
    select * from {{ ref('int_itnrw__schueler_schulform') }}
    where schulform = '25' and merkmal = 'schueler' and geschlecht = 'insgesamt'
),

adults as (
    select
        region_key,
        year,
        sum(population) as adults,
        max(symbol) as symbol
    from {{ ref('int_itnrw__bevoelkerung_gruppen') }}
    where geschlecht = 'insgesamt' and altersgruppe in ('18_bis_unter_25', '25_bis_unter_65')
    group by region_key, year
)

select
    'weiterbildungskolleg_quote' as indicator_id,
    students.region_key,
    students.school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    students.value as numerator,
    adults.adults as denominator,
    {{ per_unit('students.value', 'adults.adults', 1000) }} as value,
    {{ indicator_symbol('students.symbol', 'adults.symbol') }} as symbol,
    students.file_sha256 as source_file_sha256
from students
inner join adults
    on
        students.region_key = adults.region_key
        and left(students.school_year, 4) = adults.year
