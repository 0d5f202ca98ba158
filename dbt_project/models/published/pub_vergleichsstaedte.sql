{#- The comparison cities per indicator, period and breakdown: median, minimum and maximum of
    their published values (suppressed cells do not count), only where at least three cities
    have a value - fewer are no distribution to sum up. -#}
select
    v.indicator_id,
    v.period,
    v.geschlecht,
    v.staatsangehoerigkeit,
    v.schulform,
    v.kategorie,
    cast(median(v.value) as double) as median,
    cast(min(v.value) as double) as min,
    cast(max(v.value) as double) as max,
    cast(count(v.value) as integer) as n
from {{ ref('pub_indicator_values') }} as v
inner join {{ ref('pub_regions') }} as r on v.region_key = r.region_key
where r.is_comparison_city
group by all
having count(v.value) >= 3
order by all
