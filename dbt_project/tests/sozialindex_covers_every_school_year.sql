-- Every school the Schulsozialindex covers has a score and a level in every school year it has
-- pupils (a group missing from the reference year would otherwise drop out silently).
select
    inputs.school_year,
    inputs.schulnummer,
    inputs.gruppe
from {{ ref('int_schulsozialindex__eingaben') }} as inputs
left join {{ ref('mart_schulsozialindex') }} as mart
    on inputs.school_year = mart.school_year and inputs.schulnummer = mart.schulnummer
where mart.score is null or mart.stufe is null
