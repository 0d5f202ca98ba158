{#- Every indicator cell after disclosure control: a suppressed cell keeps its key, loses its
    numbers and carries the public symbol and reason of the decision. -#}
select
    f.indicator_id,
    c.name_de as indicator_name,
    c.handlungsfeld,
    f.region_key,
    coalesce(r.region_name, f.region_key) as region_name,
    f.region_level,
    f.period,
    f.geschlecht,
    f.staatsangehoerigkeit,
    f.schulform,
    f.kategorie,
    case when g.indicator_id is null then cast(f.numerator as double) end as numerator,
    case when g.indicator_id is null then cast(f.denominator as double) end as denominator,
    case when g.indicator_id is null then cast(f.value as double) end as value,
    f.unit,
    c.source,
    coalesce(g.symbol, f.symbol) as symbol,
    g.suppression_reason
from {{ ref('fct_indicator_values') }} as f
inner join {{ ref('indicator_catalogue') }} as c on f.indicator_id = c.indicator_id
left join {{ ref('dim_region') }} as r on f.region_key = r.region_key
left join {{ source('intern', 'geheimhaltung') }} as g
    on
        f.indicator_id = g.indicator_id
        and f.region_key = g.region_key
        and f.region_level = g.region_level
        and f.period = g.period
        and f.geschlecht is not distinct from g.geschlecht
        and f.staatsangehoerigkeit is not distinct from g.staatsangehoerigkeit
        and f.schulform is not distinct from g.schulform
        and f.kategorie is not distinct from g.kategorie
order by all
