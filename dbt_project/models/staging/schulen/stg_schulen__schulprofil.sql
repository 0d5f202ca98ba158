-- The school guides' profile per school and school year registered for: renames and types.
-- Empty without a delivery.
with source as (
    {{ optional_raw('schulen', 'schulen__schulprofil', [
        'schulnummer', 'ganztag', 'ganztag_bis', 'fremdsprachen', 'profil',
        'gemeinsames_lernen', 'zuege', 'anmeldung_von', 'anmeldung_bis',
        'tag_der_offenen_tuer', 'barrierefrei', 'abschluesse', 'oberstufe',
        'zweite_fremdsprache_ab', 'hinweise'
    ]) }}
)

select
    period as school_year,
    schulnummer,
    ganztag,
    nullif(ganztag_bis, '') as ganztag_bis,
    fremdsprachen,
    nullif(profil, '') as profil,
    gemeinsames_lernen = 'ja' as gemeinsames_lernen,
    cast(zuege as integer) as zuege,
    cast(anmeldung_von as date) as anmeldung_von,
    cast(anmeldung_bis as date) as anmeldung_bis,
    cast(nullif(tag_der_offenen_tuer, '') as date) as tag_der_offenen_tuer,
    barrierefrei,
    nullif(abschluesse, '') as abschluesse,
    nullif(oberstufe, '') as oberstufe,
    cast(nullif(zweite_fremdsprache_ab, '') as integer) as zweite_fremdsprache_ab,
    nullif(hinweise, '') as hinweise,
    file_sha256
from source
