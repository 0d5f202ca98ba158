-- Every code the marts carry in a breakdown column (and the Schulformwechsel's school types)
-- has a German label in the seed bezeichnungen: pages, PDF and downloads never show a code.
-- The message names each missing merkmal and code.
with codes as (
    select distinct
        'geschlecht' as merkmal,
        geschlecht as code
    from {{ ref('fct_indicator_values') }}
    union all
    select distinct
        'staatsangehoerigkeit' as merkmal,
        staatsangehoerigkeit as code
    from {{ ref('fct_indicator_values') }}
    union all
    select distinct
        'schulform' as merkmal,
        schulform as code
    from {{ ref('fct_indicator_values') }}
    union all
    select distinct
        'kategorie' as merkmal,
        kategorie as code
    from {{ ref('fct_indicator_values') }}
    union all
    select distinct
        'schulform' as merkmal,
        von_schulform as code
    from {{ ref('mart_schulformwechsel') }}
    union all
    select distinct
        'schulform' as merkmal,
        nach_schulform as code
    from {{ ref('mart_schulformwechsel') }}
    union all
    select distinct
        'wegweiser' as merkmal,
        wegweiser as code
    from {{ ref('dim_schulwegweiser') }}
    union all
    select distinct
        'ganztag' as merkmal,
        ganztag as code
    from {{ ref('dim_schulwegweiser') }}
    union all
    select distinct
        'barrierefrei' as merkmal,
        barrierefrei as code
    from {{ ref('dim_schulwegweiser') }}
    union all
    select distinct
        'oberstufe' as merkmal,
        oberstufe as code
    from {{ ref('dim_schulwegweiser') }}
    where oberstufe is not null
),

unlabelled as (
    select distinct
        codes.merkmal,
        codes.code
    from codes
    left join {{ ref('bezeichnungen') }} as labels
        on codes.merkmal = labels.merkmal and codes.code = labels.code
    where labels.code is null
)

select
    merkmal,
    code
from unlabelled
where
    error(
        'Codes without a label in seed bezeichnungen: '
        || (
            select string_agg(u.merkmal || '=' || u.code, '; ' order by u.merkmal, u.code)
            from unlabelled as u
        )
    ) is null
