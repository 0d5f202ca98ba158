-- The comparison-city summary: min <= median <= max, from at least three cities.
select *
from {{ ref('pub_vergleichsstaedte') }}
where not (min <= median and median <= max) or n < 3
