{#- City-wide only (per-district level counts would show single schools' levels), and only for a
    school year x group of at least var('sozialindex_mindestzahl_schulen') schools
    (pipelines.disclosure.sozialindex.MIN_SCHOOLS_PER_GROUP). -#}
select
    school_year,
    {{ schulgruppe('gruppe') }} as schulgruppe,
    cast(stufe as integer) as stufe,
    cast(count(*) as integer) as anzahl_schulen
from {{ ref('mart_schulsozialindex') }}
where stufe is not null
group by school_year, schulgruppe, stufe
qualify sum(count(*)) over (partition by school_year, schulgruppe)
    >= {{ var('sozialindex_mindestzahl_schulen') }}
order by all
