-- Every catalogue indicator states its disclosure policy (seed geheimhaltung): a new indicator
-- is published only once someone has decided whether and how it is protected.
select c.indicator_id
from {{ ref('indicator_catalogue') }} as c
left join {{ ref('geheimhaltung') }} as g on c.indicator_id = g.indicator_id
where g.indicator_id is null
