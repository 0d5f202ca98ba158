{#-
    A raw table that a data directory may lack: the social-context tables (issue 18) are loaded
    only when their download was delivered. Selects the raw table when the warehouse has it,
    else an empty relation with the raw layer's columns (the table's dimensions as text), so
    that the staging model builds, empty, either way.
-#}
{% macro optional_raw(source_name, table_name, dimensions) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set loaded = execute and adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) is not none -%}
    {%- if loaded -%}
        select * from {{ relation }}
    {%- else -%}
        select
            cast(null as varchar) as source,
            cast(null as varchar) as table_code,
            cast(null as varchar) as region_key,
            cast(null as varchar) as region_name,
            cast(null as varchar) as period,
            {%- for dimension in dimensions %}
            cast(null as varchar) as {{ dimension }},
            {%- endfor %}
            cast(null as double) as value,
            cast(null as varchar) as symbol,
            cast(null as varchar) as file_sha256
        where false
    {%- endif -%}
{%- endmacro %}
