{#- numerator / denominator in %, null when the denominator is missing or zero. -#}
{% macro percent(numerator, denominator) -%}
    {{ per_unit(numerator, denominator, 100) }}
{%- endmacro %}

{#-
    numerator / denominator × factor (e.g. 1000 for "je 1.000"), null for a missing or zero
    denominator. The arguments may be expressions (`a + b`): they are bracketed.
-#}
{% macro per_unit(numerator, denominator, factor) -%}
    case
        when ({{ denominator }}) > 0 then {{ factor }} * ({{ numerator }}) / ({{ denominator }})
    end
{%- endmacro %}
