{% macro register_indicator__ind_sgb2_quote_unter_15() %}{% endmacro %}
-- Non-employable SGB II beneficiaries under 15 / population under 15, December, in %; the
-- city and its Stadtbezirke. Computed from the counts (BA's own quote is rounded).
with quotas as (
    select * from {{ ref('stg_ba__sgb2') }}
),

per_region_year as (
    select
        region_key,
        year,
        max(case when merkmal = 'nef_unter_15' then value end) as beneficiaries,
        max(case when merkmal = 'bevoelkerung_unter_15' then value end) as population,
        max(case when merkmal = 'nef_unter_15' then symbol end) as beneficiaries_symbol,
        max(case when merkmal = 'bevoelkerung_unter_15' then symbol end) as population_symbol,
        max(file_sha256) as source_file_sha256
    from quotas
    group by region_key, year
)

select
    'sgb2_quote_unter_15' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    beneficiaries as numerator,
    population as denominator,
    {{ percent('beneficiaries', 'population') }} as value,
    {{ indicator_symbol('beneficiaries_symbol', 'population_symbol') }} as symbol,
    source_file_sha256
from per_region_year
