{#-
    The indicator models fct_indicator_values unions. Each models/intermediate/indicators/
    ind_<indicator_id>.sql starts with the line

        {% raw %}{% macro register_indicator__ind_<indicator_id>() %}{% endmacro %}{% endraw %}

    That folder is also a macro path, so the line registers the model in the project's macro
    namespace — which, unlike `graph`, is complete while dbt parses (refs must be known then).
    Adding an indicator therefore needs no list to edit.
-#}
{% macro indicator_models() %}
    {%- set prefix = 'register_indicator__' -%}
    {%- set names = [] -%}
    {%- for name in bildungsmonitor if name.startswith(prefix) -%}
        {%- do names.append(name[prefix | length:]) -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{% endmacro %}
