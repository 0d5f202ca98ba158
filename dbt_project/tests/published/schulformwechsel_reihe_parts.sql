-- The parts of the Schulformwechsel series stay within their wholes.
select *
from {{ ref('pub_schulformwechsel_reihe') }}
where vier_schulformen > insgesamt
    or aus_gymnasium > vier_schulformen
    or spaet > insgesamt
