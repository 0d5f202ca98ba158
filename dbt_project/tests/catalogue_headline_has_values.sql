-- Every headline category the catalogue names (leit_merkmal = leit_code) has values for the
-- indicator in the mart, with all other breakdowns at `insgesamt`: the pages show that series.
-- A typo in the seed (a code the indicator does not have) returns the indicator.
with headline as (
    select
        indicator_id,
        leit_merkmal,
        leit_code
    from {{ ref('indicator_catalogue') }}
    where leit_merkmal is not null
),

present as (
    select
        h.indicator_id,
        count(v.value) as headline_values
    from headline as h
    left join {{ ref('fct_indicator_values') }} as v
        on
            h.indicator_id = v.indicator_id
            and case h.leit_merkmal
                when 'kategorie' then v.kategorie
                when 'schulform' then v.schulform
                when 'geschlecht' then v.geschlecht
                when 'staatsangehoerigkeit' then v.staatsangehoerigkeit
            end = h.leit_code
            and (h.leit_merkmal = 'kategorie' or v.kategorie = 'insgesamt')
            and (h.leit_merkmal = 'schulform' or v.schulform = 'insgesamt')
            and (h.leit_merkmal = 'geschlecht' or v.geschlecht = 'insgesamt')
            and (
                h.leit_merkmal = 'staatsangehoerigkeit' or v.staatsangehoerigkeit = 'insgesamt'
            )
    group by h.indicator_id
)

select
    indicator_id,
    headline_values
from present
where headline_values = 0
