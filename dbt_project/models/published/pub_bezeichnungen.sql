select
    merkmal,
    code,
    bezeichnung,
    sortierung
from {{ ref('bezeichnungen') }}
order by merkmal, sortierung, code
