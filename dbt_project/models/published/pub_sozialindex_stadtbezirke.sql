{#- The mean level per Stadtbezirk, withheld where the decision of the asset `geheimhaltung`
    (pipelines.disclosure.sozialindex.hidden_districts) says so. Schools in no district are left
    out (the decision counts them as a withheld part). -#}
with sums as (
    select
        s.school_year,
        {{ schulgruppe('s.gruppe') }} as schulgruppe,
        s.stadtbezirk_key as region_key,
        r.region_name,
        cast(count(*) as integer) as anzahl_schulen,
        cast(sum(s.stufe) as double) as summe_stufen
    from {{ ref('mart_schulsozialindex') }} as s
    left join {{ ref('dim_region') }} as r on s.stadtbezirk_key = r.region_key
    where s.stufe is not null and s.stadtbezirk_key is not null
    group by all
)

select
    sums.school_year,
    sums.schulgruppe,
    sums.region_key,
    sums.region_name,
    sums.anzahl_schulen,
    case when h.region_key is null then sums.summe_stufen / sums.anzahl_schulen end
        as mittlere_stufe,
    case when h.region_key is not null then '.' end as symbol,
    case when h.region_key is not null then 'gesperrt' end as suppression_reason
from sums
left join {{ source('intern', 'sozialindex_sperren') }} as h
    on sums.school_year = h.school_year
        and sums.schulgruppe = h.schulgruppe
        and sums.region_key = h.region_key
order by sums.school_year, sums.schulgruppe, sums.region_key
