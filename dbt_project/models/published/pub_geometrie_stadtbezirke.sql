select
    region_key,
    region_name,
    geojson
from {{ source('intern', 'geometrie_stadtbezirke') }}
order by region_key
