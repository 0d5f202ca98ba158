{#- Values whose unit is % lie within 0–100. -#}
{% test share_within_percent(model, column_name, unit_column) %}
select *
from {{ model }}
where {{ unit_column }} = '%'
  and ({{ column_name }} < 0 or {{ column_name }} > 100)
{% endtest %}
