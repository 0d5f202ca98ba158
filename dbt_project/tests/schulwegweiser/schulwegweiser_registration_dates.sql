-- Registration dates lie in the school year before the one registered for (the enrolment
-- campaign for 2025/26 runs between 1 August 2024 and 31 July 2025), the period does not end
-- before it starts, and an open day is not after the registration closes: a profile copied
-- from last year keeps last year's dates and fails here.
with guide as (
    select
        school_year,
        schulnummer,
        anmeldung_von,
        anmeldung_bis,
        tag_der_offenen_tuer,
        make_date(cast(left(school_year, 4) as integer) - 1, 8, 1) as frueheste,
        make_date(cast(left(school_year, 4) as integer), 7, 31) as spaeteste
    from {{ ref('dim_schulwegweiser') }}
),

problems as (
    select
        school_year,
        schulnummer,
        case
            when anmeldung_von not between frueheste and spaeteste
                then 'anmeldung_von: nicht im Schuljahr vor dem Schuljahr der Anmeldung'
            when anmeldung_bis not between frueheste and spaeteste
                then 'anmeldung_bis: nicht im Schuljahr vor dem Schuljahr der Anmeldung'
            when anmeldung_bis < anmeldung_von
                then 'anmeldung_bis: vor anmeldung_von'
            when tag_der_offenen_tuer not between frueheste and anmeldung_bis
                then 'tag_der_offenen_tuer: nicht vor dem Ende der Anmeldung'
        end as problem
    from guide
)

select
    school_year,
    schulnummer,
    problem
from problems
where problem is not null
