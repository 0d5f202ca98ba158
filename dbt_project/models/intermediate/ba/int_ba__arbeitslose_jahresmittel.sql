-- Annual averages of the monthly unemployment figures, for complete years only (twelve months):
-- a running year would otherwise look like a change.
with monthly as (
    select * from {{ ref('stg_ba__arbeitslose') }}
),

averaged as (
    select
        region_key,
        year,
        merkmal,
        personengruppe,
        rechtskreis,
        avg(value) as value,
        count(value) as months,
        max(file_sha256) as file_sha256
    from monthly
    group by region_key, year, merkmal, personengruppe, rechtskreis
)

select
    region_key,
    year,
    merkmal,
    personengruppe,
    rechtskreis,
    value,
    file_sha256
from averaged
where months = 12
