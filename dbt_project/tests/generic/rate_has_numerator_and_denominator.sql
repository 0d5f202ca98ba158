{#- A rate (any unit but a count) with a value carries the numerator and denominator behind it. -#}
{% test rate_has_numerator_and_denominator(model, column_name, unit_column, count_units) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and {{ unit_column }} not in ('{{ count_units | join("', '") }}')
  and (numerator is null or denominator is null)
{% endtest %}
