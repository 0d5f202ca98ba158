{% macro register_indicator__ind_arbeitslose_anzahl() %}{% endmacro %}
-- Registered unemployed, annual average, total and by legal sphere (kategorie: sgb2 / sgb3).
with annual as (
    select * from {{ ref('int_ba__arbeitslose_jahresmittel') }}
    where merkmal = 'arbeitslose' and personengruppe = 'insgesamt'
)

select
    'arbeitslose_anzahl' as indicator_id,
    region_key,
    year as period,
    'insgesamt' as geschlecht,
    'insgesamt' as staatsangehoerigkeit,
    'insgesamt' as schulform,
    rechtskreis as kategorie,
    value as numerator,
    cast(null as double) as denominator,
    value,
    file_sha256 as source_file_sha256
from annual
