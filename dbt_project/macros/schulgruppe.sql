{#- The published name of a Schulsozialindex group (Grundschulen or Weiterführende Schulen). -#}
{% macro schulgruppe(column) -%}
    case when {{ column }} ilike 'grund%' then 'Grundschulen' else 'Weiterführende Schulen' end
{%- endmacro %}
