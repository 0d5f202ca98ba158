{#- The catalogue without the internal plausibility limits. -#}
select
    indicator_id,
    name_de,
    definition_de,
    numerator_de,
    denominator_de,
    unit,
    handlungsfeld,
    source,
    higher_is_better,
    levels,
    notes_de,
    kategorie_de,
    leit_merkmal,
    leit_code,
    leit_name_de
from {{ ref('indicator_catalogue') }}
order by indicator_id
