-- The report's school-type names (seed bezeichnungen) are the official ones of the SVWS
-- catalogue (seed svws_schulformen, version in _seeds.yml) wherever the code is official.
-- One deliberate exception: the city's data group all Förderschulen under 08, so the report
-- says "Förderschule" where the catalogue's 08 is the Förderschule im Bereich Grund-/Hauptschule.
select
    bezeichnungen.code,
    bezeichnungen.bezeichnung,
    svws.text as svws_text
from {{ ref('bezeichnungen') }} as bezeichnungen
inner join {{ ref('svws_schulformen') }} as svws
    on bezeichnungen.code = svws.code
where
    bezeichnungen.merkmal = 'schulform'
    and bezeichnungen.code <> '08'
    and bezeichnungen.bezeichnung <> svws.text
