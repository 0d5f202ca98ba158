select
    school_year,
    schulnummer,
    aufnahmekapazitaet,
    anmeldungen,
    aufnahmen
from {{ ref('fct_anmeldungen') }}
order by schulnummer, school_year
