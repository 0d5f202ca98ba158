{% macro register_indicator__ind_mindestsicherungsquote() %}{% endmacro %}
-- Recipients of minimum-income benefits (SGB II, HLU and Grundsicherung SGB XII, AsylbLG;
-- Landesdatenbank 22811-05i, Leistung insgesamt) in % of the population on 31 December of the
-- same year (Bevölkerungsfortschreibung, 12411). 22811-01i publishes the quota itself, without
-- numerator and denominator: it is the plausibility check
-- (tests/mindestsicherungsquote_matches_published.sql).
with recipients as (
    select
        region_key,
        cast(year as varchar) as year,
        recipients,
        symbol as recipients_symbol,
        file_sha256 as source_file_sha256
    from {{ ref('stg_itnrw__mindestsicherung_empfaenger') }}
    where leistung = 'insgesamt'
),

population as (
    select
        region_key,
        year,
        population,
        symbol as population_symbol
    from {{ ref('int_itnrw__bevoelkerung_gruppen') }}
    where altersgruppe = 'insgesamt' and geschlecht = 'insgesamt'
)

select
    'mindestsicherungsquote' as indicator_id,
    r.region_key,
    r.year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    r.recipients as numerator,
    p.population as denominator,
    {{ percent('r.recipients', 'p.population') }} as value,
    {{ indicator_symbol('r.recipients_symbol', 'p.population_symbol') }} as symbol,
    r.source_file_sha256
from recipients as r
inner join population as p
    on
        r.region_key = p.region_key
        and r.year = p.year
