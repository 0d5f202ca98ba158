-- The weights of each school group sum to 1.
select
    gruppe,
    sum(gewicht) as weight_sum
from {{ ref('mart_schulsozialindex_gewichte') }}
group by gruppe
having abs(sum(gewicht) - 1) > 1e-9
