select
    region_key,
    region_name,
    region_level,
    parent_key,
    is_comparison_city,
    schulnummer,
    schulform,
    ist_oeffentlich
from {{ ref('dim_region') }}
order by region_key
