{#-
    A rate is its own numerator / denominator × the unit's factor (within `tolerance`, for rates
    a publisher rounded): a formula error such as a missing bracket shows up here first.
-#}
{% test rate_matches_numerator_and_denominator(
    model, column_name, unit_column, factors, tolerance=0.05
) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and denominator > 0
  and numerator is not null
  and abs(
      {{ column_name }}
      - case {{ unit_column }}
          {%- for unit, factor in factors.items() %}
          when '{{ unit }}' then {{ factor }}
          {%- endfor %}
      end * numerator / denominator
  ) > {{ tolerance }}
{% endtest %}
