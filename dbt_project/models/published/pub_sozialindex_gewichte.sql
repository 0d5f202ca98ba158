select
    {{ schulgruppe('gruppe') }} as schulgruppe,
    referenz_schuljahr as school_year,
    eingabe as merkmal,
    case eingabe
        when 'familiensprache_nichtdeutsch' then 'Familiensprache nicht Deutsch'
        when 'zuzug_ausland' then 'Zuzug aus dem Ausland'
        when 'foerderbedarf_lse'
            then 'Förderbedarf Lernen, Sprache, emotionale und soziale Entwicklung'
        when 'sgb2_quote_minderjaehrige' then 'SGB-II-Quote der Minderjährigen im Stadtbezirk'
        else eingabe
    end as merkmal_name,
    cast(gewicht as double) as gewicht
from {{ ref('mart_schulsozialindex_gewichte') }}
order by schulgruppe, school_year, merkmal
