{#- Per school year: all changes (the indicator "Schulformwechsel in der Sekundarstufe I"), of
    them the changes among Hauptschule, Realschule, Gymnasium and Gesamtschule and those out of
    the Gymnasium among them, and the late changes (into grades 8-10, all origins and targets).
    A sum is NULL when one of its parts is not published: it would be a guess, and publishing it
    could reveal the hidden part. -#}
{%- set four = "('04', '10', '20', '15')" -%}
with cells as (
    select
        school_year,
        anzahl,
        von_schulform in {{ four }} and nach_schulform in {{ four }} as vier,
        von_schulform in {{ four }} and nach_schulform in {{ four }} and von_schulform = '20'
            as aus_gymnasium,
        jahrgang between 8 and 10 as spaet
    from {{ ref('pub_schulformwechsel') }}
)

select
    school_year,
    case
        when bool_or(anzahl is null) then null
        else coalesce(sum(anzahl), 0)
    end as insgesamt,
    case
        when bool_or(anzahl is null and vier) then null
        else coalesce(sum(case when vier then anzahl end), 0)
    end as vier_schulformen,
    case
        when bool_or(anzahl is null and aus_gymnasium) then null
        else coalesce(sum(case when aus_gymnasium then anzahl end), 0)
    end as aus_gymnasium,
    case
        when bool_or(anzahl is null and spaet) then null
        else coalesce(sum(case when spaet then anzahl end), 0)
    end as spaet
from cells
group by school_year
order by school_year
