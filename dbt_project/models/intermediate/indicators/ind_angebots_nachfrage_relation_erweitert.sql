{% macro register_indicator__ind_angebots_nachfrage_relation_erweitert() %}{% endmacro %}
-- Training places offered per 100 demanded, demand extended by applicants who have an
-- alternative but still search (Agenturbezirk, Berichtsjahr ending 30 September).
with market as (
    select * from {{ ref('stg_ba__ausbildungsmarkt') }}
    where beruf = 'insgesamt'
),

per_region_year as (
    select
        region_key,
        year,
        max(case when merkmal = 'neue_vertraege' then value end) as contracts,
        max(case when merkmal = 'unbesetzte_stellen' then value end) as unfilled,
        max(case when merkmal = 'unversorgte_bewerber' then value end) as unplaced,
        max(case when merkmal = 'bewerber_mit_alternative' then value end) as with_alternative,
        max(file_sha256) as source_file_sha256
    from market
    group by region_key, year
)

select
    'angebots_nachfrage_relation_erweitert' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    contracts + unfilled as numerator,
    contracts + unplaced + with_alternative as denominator,
    {{ percent('contracts + unfilled', 'contracts + unplaced + with_alternative') }} as value,
    source_file_sha256
from per_region_year
