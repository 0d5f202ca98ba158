-- Every indicator model is registered and computes exactly its own catalogue indicator:
-- ind_<id> yields indicator_id = <id>, and <id> is a catalogue row. (fct_indicator_values
-- inner-joins the catalogue, so an id missing there would otherwise vanish silently.)
{%- if execute %}
    {%- set registered = indicator_models() %}
    {%- set unregistered = [] %}
    {%- for node in graph.nodes.values() %}
        {%- if node.resource_type == 'model'
            and node.original_file_path.startswith('models/intermediate/indicators/')
            and node.name not in registered %}
            {%- do unregistered.append(node.original_file_path) %}
        {%- endif %}
    {%- endfor %}
    {%- if unregistered %}
        {{ exceptions.raise_compiler_error(
            "Indicator models without their registration line, so fct_indicator_values "
            ~ "does not include them: " ~ unregistered | join(', ')
            ~ ". Start each file with the line  {" ~ "% macro register_indicator__<model name>() %"
            ~ "}{" ~ "% endmacro %" ~ "}  (README: adding an indicator).") }}
    {%- endif %}
{%- endif %}

with produced as (
    {%- for model in indicator_models() %}
        {%- if not loop.first %}
            union all
        {%- endif %}
        select distinct
            '{{ model }}' as model_name,
            indicator_id
        from {{ ref(model) }}
    {%- endfor %}
),

catalogue as (
    select indicator_id from {{ ref('indicator_catalogue') }}
),

wrong as (
    select
        produced.model_name,
        produced.indicator_id
    from produced
    left join catalogue on produced.indicator_id = catalogue.indicator_id
    where
        catalogue.indicator_id is null
        or produced.model_name <> 'ind_' || produced.indicator_id
)

select
    model_name,
    indicator_id
from wrong
where
    error(
        'Indicator models whose indicator_id is not their own catalogue row: '
        || (
            select string_agg(w.model_name || ' → ' || w.indicator_id, '; ' order by w.model_name)
            from wrong as w
        )
        || '. ind_<id> must yield indicator_id <id>, and <id> must be in '
        || 'seeds/indicator_catalogue.csv.'
    ) is null
