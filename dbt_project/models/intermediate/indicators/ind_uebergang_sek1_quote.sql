{% macro register_indicator__ind_uebergang_sek1_quote() %}{% endmacro %}
-- Transitions from grade 4 of the Grundschulen into grade 5 of a Schulform / all transitions,
-- in %; counted where the pupils come from (the Grundschule, its Stadtbezirk, the city).
-- Schulform = receiving Schulform; its `insgesamt` row is 100 % and carries the total count.
with transitions as (
    select
        {{ school_regions() }} as region_key,
        school_year,
        schulform_ziel,
        transitions,
        file_sha256
    from {{ ref('int_schulen__uebergaenge') }}
),

aggregated as (
    select
        region_key,
        school_year,
        {{ total_label('schulform_ziel') }} as schulform,
        sum(transitions) as transitions,
        max(file_sha256) as source_file_sha256
    from transitions
    group by region_key, school_year, rollup(schulform_ziel)
),

with_total as (
    select
        *,
        max(case when schulform = 'insgesamt' then transitions end)
            over (partition by region_key, school_year)
            as all_transitions
    from aggregated
)

select
    'uebergang_sek1_quote' as indicator_id,
    region_key,
    school_year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    schulform,
    transitions as numerator,
    all_transitions as denominator,
    {{ percent('transitions', 'all_transitions') }} as value,
    source_file_sha256
from with_total
