{#- Aggregates only: no school names or record ids leave the mart. -#}
select
    school_year,
    von_schulform,
    von_schulform_name,
    nach_schulform,
    nach_schulform_name,
    cast(jahrgang as integer) as jahrgang,
    cast(sum(anzahl) as double) as anzahl,
    cast(null as varchar) as symbol,
    cast(null as varchar) as suppression_reason
from {{ ref('mart_schulformwechsel') }}
group by all
order by all
