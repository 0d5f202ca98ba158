-- Every school of the guides is a school of the state register, in operation, in the city,
-- with a Schulform, an address and a Stadtbezirk: a guide never lists a closed school or one
-- the register does not know. One row per failing school, naming the column and the problem.
with guide as (
    select * from {{ ref('dim_schulwegweiser') }}
),

problems as (
    select
        school_year,
        schulnummer,
        case
            when schulname is null
                then 'schulnummer: nicht im Schulverzeichnis des Landes'
            when not ist_in_betrieb
                then 'schulnummer: laut Schulverzeichnis nicht in Betrieb'
            when not ist_krefeld
                then 'schulnummer: laut Schulverzeichnis nicht in der Stadt'
            when strasse is null or plz is null or ort is null
                then 'strasse: Anschrift fehlt im Schulverzeichnis'
            when schulform is null
                then 'schulform: Schulform fehlt'
            when stadtbezirk_key is null
                then 'schulnummer: nicht im Schulregister der Stadt (kein Stadtbezirk)'
        end as problem
    from guide
)

select
    school_year,
    schulnummer,
    problem
from problems
where problem is not null
