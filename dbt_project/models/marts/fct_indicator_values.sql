-- Every indicator value in one long table: one row per indicator × region × period × breakdown.
-- Each indicator's formula lives in its own model intermediate/indicators/ind_<indicator_id>.sql;
-- the models are found through their registration line (macros/indicator_models.sql), so
-- adding an indicator needs no edit here. Columns an indicator model leaves out (kategorie,
-- symbol) are null after `union all by name` with the empty template of all columns.
{%- set indicator_models = indicator_models() %}

with template as (
    select
        cast(null as varchar) as indicator_id,
        cast(null as varchar) as region_key,
        cast(null as varchar) as period,
        cast(null as varchar) as geschlecht,
        cast(null as varchar) as staatsangehoerigkeit,
        cast(null as varchar) as schulform,
        cast(null as varchar) as kategorie,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        cast(null as double) as value,
        cast(null as varchar) as symbol,
        cast(null as varchar) as source_file_sha256
    where false
),

indicator_values as (
    select * from template
    {%- for model in indicator_models %}
        union all by name
        select * from {{ ref(model) }}
    {%- endfor %}
),

regions as (
    select * from {{ ref('dim_region') }}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
)

select
    cast(v.indicator_id as varchar) as indicator_id,
    cast(v.region_key as varchar) as region_key,
    cast(r.region_level as varchar) as region_level,
    cast(v.period as varchar) as period,
    cast(v.geschlecht as varchar) as geschlecht,
    cast(v.staatsangehoerigkeit as varchar) as staatsangehoerigkeit,
    cast(v.schulform as varchar) as schulform,
    cast(v.numerator as double) as numerator,
    cast(v.denominator as double) as denominator,
    cast(v.value as double) as value,
    cast(c.unit as varchar) as unit,
    cast(v.source_file_sha256 as varchar) as source_file_sha256,
    cast(coalesce(v.kategorie, 'insgesamt') as varchar) as kategorie,
    -- a rate on a zero denominator has no meaningful value: the official sign for that is `x`
    cast(
        coalesce(v.symbol, case when v.value is null and v.denominator = 0 then 'x' end) as varchar
    ) as symbol
from indicator_values as v
inner join regions as r on v.region_key = r.region_key
inner join catalogue as c on v.indicator_id = c.indicator_id
