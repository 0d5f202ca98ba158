-- Every region the mart knows: the region list (seed: NRW, the kreisfreie Städte, Krefeld's
-- Stadtbezirke, the Agenturbezirk) and the city's schools as regions of level `Schule`
-- (key S<Schulnummer>, parent = the Stadtbezirk of the school's address).
with regions as (
    select * from {{ ref('regions') }}
),

schools as (
    select * from {{ ref('int_schulen__schulen') }}
)

select
    cast(region_key as varchar) as region_key,
    cast(region_name as varchar) as region_name,
    cast(region_level as varchar) as region_level,
    cast(parent_key as varchar) as parent_key,
    cast(is_comparison_city as boolean) as is_comparison_city,
    cast(null as varchar) as schulnummer,
    cast(null as varchar) as schulform,
    cast(null as boolean) as ist_oeffentlich
from regions

union all

select
    cast(schule_key as varchar) as region_key,
    cast(schulname as varchar) as region_name,
    'Schule' as region_level,
    cast(stadtbezirk_key as varchar) as parent_key,
    false as is_comparison_city,
    cast(schulnummer as varchar) as schulnummer,
    cast(schulform as varchar) as schulform,
    cast(ist_oeffentlich as boolean) as ist_oeffentlich
from schools
