-- Schulsozialindex per school year × school, Grundschulen and secondary schools separately
-- (gruppe): the input shares, their z-scores against the reference school year, the weights,
-- the weighted index, a 0–100 score on the reference year's scale and the level (1 = least,
-- highest = most need). Parameters come from mart_schulsozialindex_gewichte; the method is
-- described in models/marts/methods/schulsozialindex.md.
with inputs as (
    select * from {{ ref('int_schulsozialindex__eingaben') }}
),

parameters as (
    select * from {{ ref('mart_schulsozialindex_gewichte') }}
),

long_inputs as (
    select
        inputs.school_year,
        inputs.schulnummer,
        inputs.gruppe,
        input_names.eingabe,
        case input_names.eingabe
            when 'familiensprache_nichtdeutsch' then inputs.anteil_familiensprache_nichtdeutsch
            when 'zuzug_ausland' then inputs.anteil_zuzug_ausland
            when 'foerderbedarf_lse' then inputs.anteil_foerderbedarf_lse
            when 'sgb2_quote_minderjaehrige' then inputs.sgb2_quote_minderjaehrige
        end as wert
    from inputs
    cross join (
        values
        ('familiensprache_nichtdeutsch'),
        ('zuzug_ausland'),
        ('foerderbedarf_lse'),
        ('sgb2_quote_minderjaehrige')
    ) as input_names (eingabe)
),

standardised_long as (
    select
        long_inputs.school_year,
        long_inputs.schulnummer,
        long_inputs.eingabe,
        parameters.gewicht,
        (long_inputs.wert - parameters.mittelwert_referenz)
        / nullif(parameters.standardabweichung_referenz, 0) as z
    from long_inputs
    inner join parameters
        on
            long_inputs.gruppe = parameters.gruppe
            and long_inputs.eingabe = parameters.eingabe
),

indexed as (
    select
        school_year,
        schulnummer,
        max(case when eingabe = 'familiensprache_nichtdeutsch' then z end)
            as z_familiensprache_nichtdeutsch,
        max(case when eingabe = 'zuzug_ausland' then z end)
            as z_zuzug_ausland,
        max(case when eingabe = 'foerderbedarf_lse' then z end)
            as z_foerderbedarf_lse,
        max(case when eingabe = 'sgb2_quote_minderjaehrige' then z end)
            as z_sgb2_quote_minderjaehrige,
        max(case when eingabe = 'familiensprache_nichtdeutsch' then gewicht end)
            as gewicht_familiensprache_nichtdeutsch,
        max(case when eingabe = 'zuzug_ausland' then gewicht end)
            as gewicht_zuzug_ausland,
        max(case when eingabe = 'foerderbedarf_lse' then gewicht end)
            as gewicht_foerderbedarf_lse,
        max(case when eingabe = 'sgb2_quote_minderjaehrige' then gewicht end)
            as gewicht_sgb2_quote_minderjaehrige,
        -- null unless every input has a z-score (sum() would silently skip a missing one)
        case when count(z) = count(*) then sum(gewicht * z) end as indexwert
    from standardised_long
    group by school_year, schulnummer
),

scale as (
    select distinct
        gruppe,
        indexwert_min_referenz,
        indexwert_max_referenz,
        score_schwelle_hoechste_stufe,
        referenz_schuljahr,
        stufenschema,
        stufen
    from parameters
),

scored as (
    select
        inputs.*,
        indexed.z_familiensprache_nichtdeutsch,
        indexed.z_zuzug_ausland,
        indexed.z_foerderbedarf_lse,
        indexed.z_sgb2_quote_minderjaehrige,
        indexed.gewicht_familiensprache_nichtdeutsch,
        indexed.gewicht_zuzug_ausland,
        indexed.gewicht_foerderbedarf_lse,
        indexed.gewicht_sgb2_quote_minderjaehrige,
        indexed.indexwert,
        scale.score_schwelle_hoechste_stufe,
        scale.referenz_schuljahr,
        scale.stufenschema,
        scale.stufen,
        greatest(
            0,
            least(
                100,
                100 * (indexed.indexwert - scale.indexwert_min_referenz)
                / nullif(scale.indexwert_max_referenz - scale.indexwert_min_referenz, 0)
            )
        ) as score
    from inputs
    inner join indexed
        on inputs.school_year = indexed.school_year and inputs.schulnummer = indexed.schulnummer
    inner join scale on inputs.gruppe = scale.gruppe
)

select
    cast(school_year as varchar) as school_year,
    cast(gruppe as varchar) as gruppe,
    cast(schulnummer as varchar) as schulnummer,
    cast({{ school_key('schulnummer') }} as varchar) as region_key,
    cast(schulname as varchar) as schulname,
    cast(schulform as varchar) as schulform,
    cast(stadtbezirk_key as varchar) as stadtbezirk_key,
    cast(schueler as double) as schueler,
    cast(anteil_familiensprache_nichtdeutsch as double) as anteil_familiensprache_nichtdeutsch,
    cast(anteil_zuzug_ausland as double) as anteil_zuzug_ausland,
    cast(anteil_foerderbedarf_lse as double) as anteil_foerderbedarf_lse,
    cast(sgb2_quote_minderjaehrige as double) as sgb2_quote_minderjaehrige,
    cast(sgb2_bezugsjahr as integer) as sgb2_bezugsjahr,
    cast(z_familiensprache_nichtdeutsch as double) as z_familiensprache_nichtdeutsch,
    cast(z_zuzug_ausland as double) as z_zuzug_ausland,
    cast(z_foerderbedarf_lse as double) as z_foerderbedarf_lse,
    cast(z_sgb2_quote_minderjaehrige as double) as z_sgb2_quote_minderjaehrige,
    cast(gewicht_familiensprache_nichtdeutsch as double) as gewicht_familiensprache_nichtdeutsch,
    cast(gewicht_zuzug_ausland as double) as gewicht_zuzug_ausland,
    cast(gewicht_foerderbedarf_lse as double) as gewicht_foerderbedarf_lse,
    cast(gewicht_sgb2_quote_minderjaehrige as double) as gewicht_sgb2_quote_minderjaehrige,
    cast(indexwert as double) as indexwert,
    cast(score as double) as score,
    cast(
        {{ sozialindex_level('score', 'stufenschema', 'stufen', 'score_schwelle_hoechste_stufe') }}
        as integer
    ) as stufe,
    cast(stufenschema as varchar) as stufenschema,
    cast(referenz_schuljahr as varchar) as referenz_schuljahr,
    cast(file_sha256 as varchar) as source_file_sha256
from scored
