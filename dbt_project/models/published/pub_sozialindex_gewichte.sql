-- The weights of the Schulsozialindex inputs; the inputs named from the one label table
-- (seed bezeichnungen, merkmal sozialindex_merkmal).
with labels as (
    select
        code,
        bezeichnung
    from {{ ref('bezeichnungen') }}
    where merkmal = 'sozialindex_merkmal'
)

select
    {{ schulgruppe('g.gruppe') }} as schulgruppe,
    g.referenz_schuljahr as school_year,
    g.eingabe as merkmal,
    coalesce(labels.bezeichnung, g.eingabe) as merkmal_name,
    cast(g.gewicht as double) as gewicht
from {{ ref('mart_schulsozialindex_gewichte') }} as g
left join labels on g.eingabe = labels.code
order by schulgruppe, school_year, merkmal
