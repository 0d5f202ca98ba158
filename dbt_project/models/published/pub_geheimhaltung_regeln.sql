{#- The rule the method page states: the thresholds the decisions were made with. -#}
select
    cast(schwelle_fallzahl as integer) as schwelle_fallzahl,
    cast(schwelle_nenner as integer) as schwelle_nenner,
    cast(schutzintervall as integer) as schutzintervall
from {{ source('intern', 'geheimhaltung_regeln') }}
