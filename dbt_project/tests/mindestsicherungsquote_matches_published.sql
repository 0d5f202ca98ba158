{{ config(severity='warn') }}
-- The Mindestsicherungsquote computed from the recipients (22811-05i) and the population on
-- 31.12. (12411) lies within 1 percentage point of the quota IT.NRW publishes (22811-01i),
-- wherever both exist. A larger gap means the two deliveries do not fit together (another
-- population basis, a missing benefit, a wrong year).
with computed as (
    select
        region_key,
        period,
        value
    from {{ ref('ind_mindestsicherungsquote') }}
    where value is not null
),

published as (
    select
        region_key,
        mindestsicherungsquote,
        cast(year as varchar) as period
    from {{ ref('stg_itnrw__mindestsicherungsquote') }}
    where mindestsicherungsquote is not null
)

select
    c.region_key,
    c.period,
    c.value as computed_quota,
    p.mindestsicherungsquote as published_quota,
    c.value - p.mindestsicherungsquote as difference
from computed as c
inner join published as p
    on c.region_key = p.region_key and c.period = p.period
where abs(c.value - p.mindestsicherungsquote) > 1
