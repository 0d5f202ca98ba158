-- Every indicator value in one long table: one row per indicator × region × period × breakdown.
-- Each indicator's formula lives in its own model under intermediate/indicators/ind_<indicator_id>.sql.
{%- set indicator_models = [
    'ind_abgang_ohne_abschluss_quote',
] %}

with indicator_values as (
    {% for model in indicator_models %}
    select * from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

regions as (
    select * from {{ ref('regions') }}
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
    cast(v.source_file_sha256 as varchar) as source_file_sha256
from indicator_values as v
inner join regions as r on v.region_key = r.region_key
inner join catalogue as c on v.indicator_id = c.indicator_id
