{#-
    Breakdown columns of an indicator: a column rolled up by `group by cube(...)` or
    `grouping sets` becomes the literal `insgesamt`, as the mart's contract wants for totals.
-#}
{% macro total_label(column) -%}
    case when grouping({{ column }}) = 1 then 'insgesamt' else {{ column }} end
{%- endmacro %}
