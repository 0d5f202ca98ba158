select
    ausnahme,
    gegenstand,
    begruendung,
    beschluss
from {{ ref('geheimhaltung_ausnahmen') }}
order by ausnahme
