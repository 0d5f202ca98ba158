{#- numerator / denominator in %, null when the denominator is missing or zero. -#}
{% macro percent(numerator, denominator) -%}
    case when {{ denominator }} > 0 then 100.0 * {{ numerator }} / {{ denominator }} end
{%- endmacro %}
