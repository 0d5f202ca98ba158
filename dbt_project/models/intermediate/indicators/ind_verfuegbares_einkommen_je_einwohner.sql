{% macro register_indicator__ind_verfuegbares_einkommen_je_einwohner() %}{% endmacro %}
-- Disposable income of private households per inhabitant in EUR, as the VGR der Länder publish
-- it (Regionaldatenbank 82411-01-03-4): a published amount, not computed here. The numerator is
-- the published total (Tsd. EUR × 1000); the denominator, the VGR's inhabitants (annual
-- average), is derived from both (the table publishes no inhabitants), as the Bezugsgröße of
-- the Arbeitslosenquote is. A year with either figure withheld gets no value.
with income as (
    select
        region_key,
        cast(year as varchar) as year,
        max(case when merkmal = 'verfuegbares_einkommen' then value * 1000 end) as total_eur,
        max(case when merkmal = 'verfuegbares_einkommen_je_einwohner' then value end) as per_head,
        max(nullif(symbol, '-')) as income_symbol,
        max(file_sha256) as source_file_sha256
    from {{ ref('stg_itnrw__einkommen') }}
    group by region_key, year
)

select
    'verfuegbares_einkommen_je_einwohner' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    case when per_head > 0 then total_eur end as numerator,
    case when per_head > 0 then total_eur / per_head end as denominator,
    case when per_head > 0 and total_eur is not null then per_head end as value,
    {{ indicator_symbol('income_symbol') }} as symbol,
    source_file_sha256
from income
