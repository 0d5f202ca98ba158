-- What the report and the website read. Disclosure control is applied in this layer
-- (quality/disclosure): until then it passes the mart through with names attached.
-- New columns go at the end: the report's queries rely on the order above them.
select
    f.indicator_id,
    c.name_de as indicator_name,
    f.region_key,
    r.region_name,
    f.region_level,
    f.period,
    f.geschlecht,
    f.staatsangehoerigkeit,
    f.schulform,
    f.numerator,
    f.denominator,
    f.value,
    f.unit,
    f.symbol,
    c.source,
    f.kategorie,
    cast(null as varchar) as suppression_reason,
    c.handlungsfeld
from {{ ref('fct_indicator_values') }} as f
inner join {{ ref('dim_region') }} as r on f.region_key = r.region_key
inner join {{ ref('indicator_catalogue') }} as c on f.indicator_id = c.indicator_id
