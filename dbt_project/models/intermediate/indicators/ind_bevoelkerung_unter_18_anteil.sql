{% macro register_indicator__ind_bevoelkerung_unter_18_anteil() %}{% endmacro %}
-- Share of minors (sum of the age groups below 18) in the population on 31 December, by sex.
with population as (
    select
        *,
        altersgruppe in (
            'unter_3', '3_bis_unter_6', '6_bis_unter_10', '10_bis_unter_15', '15_bis_unter_18'
        ) as is_minor
    from {{ ref('int_itnrw__bevoelkerung_gruppen') }}
),

per_region_year as (
    select
        region_key,
        year,
        geschlecht,
        -- all five groups under 18, or no value: a selection of groups is no share of minors
        case
            when count(case when is_minor then 1 end) = 5
                then sum(case when is_minor then population end)
        end as minors,
        max(case when altersgruppe = 'insgesamt' then population end) as everyone,
        max(file_sha256) as source_file_sha256
    from population
    group by region_key, year, geschlecht
)

select
    'bevoelkerung_unter_18_anteil' as indicator_id,
    region_key,
    year as period,
    geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    minors as numerator,
    everyone as denominator,
    {{ percent('minors', 'everyone') }} as value,
    source_file_sha256
from per_region_year
where minors is not null
