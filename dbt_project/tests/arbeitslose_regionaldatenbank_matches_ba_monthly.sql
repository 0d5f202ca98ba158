{{ config(severity='warn') }}
-- Cross-source check of unemployment: the annual averages IT.NRW republishes in the
-- Regionaldatenbank (13211-02-05-4, BA figures) against the mean of the twelve monthly figures
-- of the BA workbooks (int_ba__arbeitslose_jahresmittel, complete years only). The BA
-- workbooks are the source of the indicators; the Regionaldatenbank table is the check.
-- Unemployed: more than 1 % apart; rates: more than 0.2 points apart (the BA's annual rate
-- divides by the annual Bezugsgröße, so it may differ from the mean of the monthly rates by a
-- rounding step, not more). BA "unter 25" is 15 to under 25 years.
with regionaldatenbank as (
    select
        region_key,
        merkmal,
        value,
        cast(year as varchar) as year,
        case personengruppe
            when '15_bis_unter_25' then 'unter_25'
            else personengruppe
        end as personengruppe
    from {{ ref('stg_itnrw__arbeitslose_kreise') }}
    where
        merkmal in ('arbeitslose', 'arbeitslosenquote')
        and personengruppe in ('insgesamt', '15_bis_unter_25')
        and value is not null
),

ba_monthly as (
    select
        region_key,
        merkmal,
        personengruppe,
        value,
        cast(year as varchar) as year
    from {{ ref('int_ba__arbeitslose_jahresmittel') }}
    where rechtskreis = 'insgesamt' and value is not null
)

select
    r.region_key,
    r.year,
    r.merkmal,
    r.personengruppe,
    r.value as regionaldatenbank_value,
    b.value as ba_monthly_mean,
    b.value - r.value as difference
from regionaldatenbank as r
inner join ba_monthly as b
    on
        r.region_key = b.region_key
        and r.year = b.year
        and r.merkmal = b.merkmal
        and r.personengruppe = b.personengruppe
where
    (r.merkmal = 'arbeitslose' and abs(b.value - r.value) > 0.01 * r.value)
    or (r.merkmal = 'arbeitslosenquote' and abs(b.value - r.value) > 0.2)
