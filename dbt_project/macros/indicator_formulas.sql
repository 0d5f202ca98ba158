{#- Formulas shared by indicators that differ only in the group they select. Each indicator
    still has its own ind_<id>.sql (registration line, definition comment, one call). -#}

{#- Betreuungsquote: children of an age group in Kita or publicly funded Kindertagespflege on
    1 March of year Y / children of that age on 31 December of Y-1, in %. Period = Y. -#}
{% macro betreuungsquote(indicator_id, altersgruppe) %}
with children_in_care as (
    select * from {{ ref('stg_itnrw__kindertagesbetreuung') }}
    where betreuungsart = 'insgesamt' and altersgruppe = '{{ altersgruppe }}'
),

population as (
    select * from {{ ref('stg_itnrw__bevoelkerung') }}
    where geschlecht = 'insgesamt' and altersgruppe = '{{ altersgruppe }}'
)

select
    '{{ indicator_id }}' as indicator_id,
    children_in_care.region_key,
    children_in_care.year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    children_in_care.children as numerator,
    population.population as denominator,
    {{ percent('children_in_care.children', 'population.population') }} as value,
    {{ indicator_symbol('children_in_care.symbol', 'population.symbol') }} as symbol,
    children_in_care.file_sha256 as source_file_sha256
from children_in_care
inner join population
    on
        children_in_care.region_key = population.region_key
        and cast(children_in_care.year as integer) = cast(population.year as integer) + 1
{% endmacro %}

{#- Arbeitslosenquote of a group: annual average of the monthly rates; the numerator is the
    annual average of the unemployed, the denominator (civilian labour force) is derived from
    both (BA publishes rates, not the Bezugsgröße). -#}
{% macro arbeitslosenquote(indicator_id, personengruppe) %}
with annual as (
    select * from {{ ref('int_ba__arbeitslose_jahresmittel') }}
    where personengruppe = '{{ personengruppe }}' and rechtskreis = 'insgesamt'
),

per_region_year as (
    select
        region_key,
        year,
        max(case when merkmal = 'arbeitslose' then value end) as unemployed,
        max(case when merkmal = 'arbeitslosenquote' then value end) as rate,
        max(file_sha256) as source_file_sha256
    from annual
    group by region_key, year
)

select
    '{{ indicator_id }}' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    unemployed as numerator,
    case when rate > 0 then unemployed / rate * 100 end as denominator,
    rate as value,
    source_file_sha256
from per_region_year
{% endmacro %}

{#- Angebots-Nachfrage-Relation: training places offered per 100 demanded (Agenturbezirk,
    Berichtsjahr ending 30 September). Offer = new contracts + unfilled vacancies; demand = new
    contracts + unplaced applicants, extended by applicants with an alternative who still search. -#}
{% macro angebots_nachfrage_relation(indicator_id, extended=false) %}
{%- set demand = 'contracts + unplaced' ~ (' + with_alternative' if extended else '') -%}
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
    '{{ indicator_id }}' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    contracts + unfilled as numerator,
    {{ demand }} as denominator,
    {{ percent('contracts + unfilled', demand) }} as value,
    source_file_sha256
from per_region_year
{% endmacro %}
