{% macro register_indicator__ind_beschaeftigte_ohne_berufsabschluss_anteil() %}{% endmacro %}
-- Employees subject to social insurance at their place of work without a vocational
-- qualification in % of all employees on 31 December (Landesdatenbank 13111-54i, all WZ
-- sections, Schulabschluss insgesamt). The denominator includes the employees whose
-- qualification is unknown ('Ausbildung unbekannt'), as the table's total does.
with employees as (
    select
        region_key,
        reference_date,
        max(case when berufsabschluss = 'ohne' then employees end) as without_qualification,
        max(case when berufsabschluss = 'insgesamt' then employees end) as all_employees,
        max(case when berufsabschluss = 'ohne' then nullif(symbol, '-') end)
            as without_symbol,
        max(case when berufsabschluss = 'insgesamt' then nullif(symbol, '-') end)
            as all_symbol,
        max(file_sha256) as source_file_sha256
    from {{ ref('stg_itnrw__beschaeftigte_qualifikation') }}
    where
        wirtschaftsabschnitt = 'insgesamt'
        and schulabschluss = 'insgesamt'
        and berufsabschluss in ('ohne', 'insgesamt')
    group by region_key, reference_date
)

select
    'beschaeftigte_ohne_berufsabschluss_anteil' as indicator_id,
    region_key,
    cast(year(reference_date) as varchar) as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    without_qualification as numerator,
    all_employees as denominator,
    {{ percent('without_qualification', 'all_employees') }} as value,
    {{ indicator_symbol('without_symbol', 'all_symbol') }} as symbol,
    source_file_sha256
from employees
