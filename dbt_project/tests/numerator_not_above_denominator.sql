-- A share's numerator never exceeds its denominator.
select *
from {{ ref('fct_indicator_values') }}
where
    unit = '%'
    and numerator > denominator
