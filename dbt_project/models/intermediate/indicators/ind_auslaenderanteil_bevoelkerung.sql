{% macro register_indicator__ind_auslaenderanteil_bevoelkerung() %}{% endmacro %}
-- Foreign inhabitants (Ausländerzentralregister, 12521-03i) in % of the population
-- (Bevölkerungsfortschreibung, 12411: groups or single years) on 31 December, by sex.
-- 12521-03i has no total row: all foreigners are the sum of its continent rows (1–5, 9
-- Sonstige); a region-year with a continent withheld (symbol instead of a value) gets no
-- value, never a partial sum.
with foreign_population as (
    select
        region_key,
        reference_date,
        geschlecht,
        case when count(foreigners) = count(*) then sum(foreigners) end as foreigners,
        max(nullif(symbol, '-')) as foreigners_symbol,
        max(file_sha256) as source_file_sha256
    from {{ ref('stg_itnrw__auslaender') }}
    where ebene = 'kontinent'
    group by region_key, reference_date, geschlecht
),

population as (
    select
        region_key,
        reference_date,
        geschlecht,
        population,
        symbol as population_symbol
    from {{ ref('int_itnrw__bevoelkerung_gruppen') }}
    where altersgruppe = 'insgesamt'
)

select
    'auslaenderanteil_bevoelkerung' as indicator_id,
    f.region_key,
    cast(year(f.reference_date) as varchar) as period,
    f.geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    f.foreigners as numerator,
    p.population as denominator,
    {{ percent('f.foreigners', 'p.population') }} as value,
    {{ indicator_symbol('f.foreigners_symbol', 'p.population_symbol') }} as symbol,
    f.source_file_sha256
from foreign_population as f
inner join population as p
    on
        f.region_key = p.region_key
        and f.reference_date = p.reference_date
        and f.geschlecht = p.geschlecht
