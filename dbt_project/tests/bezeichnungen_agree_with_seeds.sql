-- The seeds schulformen and kategorien name the same codes as the label table: every code of
-- theirs has a label there with the same name (and, for kategorien, the same order), so no
-- German name is typed twice differently. Returns each disagreement.
with seed_names as (
    select
        'schulform' as merkmal,
        schulform as code,
        name_de,
        sortierung
    from {{ ref('schulformen') }}
    union all
    select
        'kategorie' as merkmal,
        kategorie as code,
        name_de,
        sortierung
    from {{ ref('kategorien') }}
)

select
    seed_names.merkmal,
    seed_names.code,
    seed_names.name_de,
    labels.bezeichnung,
    seed_names.sortierung,
    labels.sortierung as label_sortierung
from seed_names
left join {{ ref('bezeichnungen') }} as labels
    on seed_names.merkmal = labels.merkmal and seed_names.code = labels.code
where
    labels.code is null
    or labels.bezeichnung != seed_names.name_de
    or labels.sortierung != seed_names.sortierung
