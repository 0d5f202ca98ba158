-- The disclosure decisions (intern.*, written by the Dagster asset `geheimhaltung`) were made
-- for exactly the marts published now: a `dbt build` after changed marts without a new
-- decision fails here instead of publishing cells nobody checked. Run the pipeline
-- (bildungsmonitor refresh), or build the marts only (--exclude path:models/published).
-- Same expression as pipelines.disclosure.decisions.MARTS_CHECKSUM. A check on the published
-- values (their ref makes it one test of the published step, not of the marts' step).
{{ config(meta={'dagster': {'ref': {'name': 'pub_indicator_values'}}}) }}
select r.marts_pruefsumme
from {{ source('intern', 'geheimhaltung_regeln') }} as r
where exists (select 1 from {{ ref('pub_indicator_values') }})
    and r.marts_pruefsumme is distinct from (
        select
            bit_xor(hash(
                f.indicator_id, f.region_key, f.region_level, f.period, f.geschlecht,
                f.staatsangehoerigkeit, f.schulform, f.kategorie, f.numerator, f.denominator,
                f.value, f.symbol
            ))
        from {{ ref('fct_indicator_values') }} as f
    )
