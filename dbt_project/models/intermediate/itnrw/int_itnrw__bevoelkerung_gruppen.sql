-- Population on 31 December in the age groups the indicators use (seed kategorien): IT.NRW's
-- 17 groups (12411-02-03-4, Kreise) summed to 18_bis_unter_25, 25_bis_unter_65 and 65_und_mehr,
-- the groups under 18 and insgesamt as published. A region and date the group table lacks
-- (a Gemeinde) takes its single years of age (12411-09i) summed to the same groups.
-- A group is only given when all its parts were delivered: a download of a selection of the
-- 17 groups (the real 12411-02-03-4 file holds 6 to under 20 only) must not turn 18 to under
-- 20 into "18 to under 25".
with age_groups as (
    select
        region_key,
        reference_date,
        year,
        case
            when altersgruppe in ('18_bis_unter_20', '20_bis_unter_25') then 2
            when altersgruppe in (
                    '25_bis_unter_30', '30_bis_unter_35', '35_bis_unter_40', '40_bis_unter_45',
                    '45_bis_unter_50', '50_bis_unter_55', '55_bis_unter_60', '60_bis_unter_65'
                ) then 8
            when altersgruppe in ('65_bis_unter_75', '75_und_mehr') then 2
            else 1
        end as parts_needed,
        case
            when altersgruppe in ('18_bis_unter_20', '20_bis_unter_25') then '18_bis_unter_25'
            when altersgruppe in (
                    '25_bis_unter_30', '30_bis_unter_35', '35_bis_unter_40', '40_bis_unter_45',
                    '45_bis_unter_50', '50_bis_unter_55', '55_bis_unter_60', '60_bis_unter_65'
                ) then '25_bis_unter_65'
            when altersgruppe in ('65_bis_unter_75', '75_und_mehr') then '65_und_mehr'
            else altersgruppe
        end as altersgruppe,
        geschlecht,
        population,
        symbol,
        file_sha256
    from {{ ref('stg_itnrw__bevoelkerung') }}
),

single_years as (
    select
        region_key,
        reference_date,
        year,
        case
            when altersjahr = 'insgesamt' then 1
            when alter_von < 3 then 3
            when alter_von < 6 then 3
            when alter_von < 10 then 4
            when alter_von < 15 then 5
            when alter_von < 18 then 3
            when alter_von < 25 then 7
            when alter_von < 65 then 40
            else 26
        end as parts_needed,
        case
            when altersjahr = 'insgesamt' then 'insgesamt'
            when alter_von < 3 then 'unter_3'
            when alter_von < 6 then '3_bis_unter_6'
            when alter_von < 10 then '6_bis_unter_10'
            when alter_von < 15 then '10_bis_unter_15'
            when alter_von < 18 then '15_bis_unter_18'
            when alter_von < 25 then '18_bis_unter_25'
            when alter_von < 65 then '25_bis_unter_65'
            else '65_und_mehr'
        end as altersgruppe,
        geschlecht,
        population,
        symbol,
        file_sha256
    from {{ ref('stg_itnrw__bevoelkerung_altersjahre') }}
),

covered as (
    select distinct
        region_key,
        reference_date
    from age_groups
),

combined as (
    select * from age_groups
    union all
    select single_years.*
    from single_years
    left join covered
        on
            single_years.region_key = covered.region_key
            and single_years.reference_date = covered.reference_date
    where covered.region_key is null
)

select
    region_key,
    reference_date,
    year,
    altersgruppe,
    geschlecht,
    sum(population) as population,
    max(symbol) as symbol,
    max(file_sha256) as file_sha256
from combined
group by region_key, reference_date, year, altersgruppe, geschlecht
having count(*) = max(parts_needed)
