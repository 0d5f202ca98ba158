-- Every suppression decided by the asset `geheimhaltung` reaches a published cell (a decision
-- whose key matches no mart row would leave a figure shown that should be hidden). A check on
-- the published model (its other parent is a source, which dagster-dbt does not attach to).
{{ config(meta={'dagster': {'ref': {'name': 'pub_indicator_values'}}}) }}
select g.*
from {{ source('intern', 'geheimhaltung') }} as g
where not exists (
        select 1
        from {{ ref('pub_indicator_values') }} as p
        where p.suppression_reason is not null
            and p.indicator_id = g.indicator_id
            and p.region_key = g.region_key
            and p.period = g.period
            and p.geschlecht is not distinct from g.geschlecht
            and p.staatsangehoerigkeit is not distinct from g.staatsangehoerigkeit
            and p.schulform is not distinct from g.schulform
            and p.kategorie is not distinct from g.kategorie
    )
