{#-
    Schools appear in the mart as regions of level `Schule` with the key `S<Schulnummer>`
    (e.g. `S012345`): official region keys are digits only, so the prefix can never collide with
    one, and the 6-digit Schulnummer stays readable. dim_region gives each school its name,
    Schulform and Stadtbezirk (parent_key).
-#}
{% macro school_key(schulnummer_column) -%}
    'S' || {{ schulnummer_column }}
{%- endmacro %}

{% macro is_school_key(region_key_column) -%}
    starts_with({{ region_key_column }}, 'S')
{%- endmacro %}

{#-
    The three regions every school-administration row counts towards: the whole city, the
    school's Stadtbezirk and the school itself. Use in a select list to repeat each row once per
    region (DuckDB unnest); the input needs the columns of int_schulen__schulen.
-#}
{% macro school_regions() -%}
    unnest([stadt_key, stadtbezirk_key, schule_key])
{%- endmacro %}

{#- The same without the city: for indicators whose city value comes from IT.NRW. -#}
{% macro school_regions_below_city() -%}
    unnest([stadtbezirk_key, schule_key])
{%- endmacro %}
