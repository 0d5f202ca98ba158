-- A suppressed indicator cell shows neither its value nor the numbers it is computed from.
select
    indicator_id,
    region_key,
    period
from {{ ref('pub_indicator_values') }}
where suppression_reason is not null
    and (
        symbol is distinct from '.' or value is not null or numerator is not null
        or denominator is not null
    )
