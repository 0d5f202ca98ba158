-- A guide's registration span never ends before it starts, and every school's own period lies
-- within it: one row per school whose period sticks out.
select
    f.school_year,
    f.wegweiser,
    s.schulnummer,
    s.anmeldung_von,
    s.anmeldung_bis
from {{ ref('pub_schulwegweiser_anmeldefristen') }} as f
inner join {{ ref('dim_schulwegweiser') }} as s
    on f.school_year = s.school_year and f.wegweiser = s.wegweiser
where
    f.anmeldung_ab > f.anmeldung_bis
    or s.anmeldung_von < f.anmeldung_ab
    or s.anmeldung_bis > f.anmeldung_bis
