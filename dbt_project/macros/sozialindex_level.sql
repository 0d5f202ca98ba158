{#-
    Level of a 0–100 Schulsozialindex score (1 = least need, `levels` = most need).
    - hybrid (NRW since 2024/25): scores at or above the threshold (the score of the reference
      year's top share of schools) form the highest level; below it, levels - 1 equal-width
      intervals of [0, threshold).
    - gleichbreit (NRW 2021): `levels` equal-width intervals of [0, 100].
-#}
{% macro sozialindex_level(score, scheme, levels, threshold) -%}
    case
        when {{ score }} is null then null
        when {{ scheme }} = 'hybrid' and {{ score }} >= {{ threshold }} then {{ levels }}
        when {{ scheme }} = 'hybrid'
            then least(
                {{ levels }} - 1,
                floor({{ score }} / ({{ threshold }} / ({{ levels }} - 1))) + 1
            )
        else least({{ levels }}, floor({{ score }} / (100.0 / {{ levels }})) + 1)
    end
{%- endmacro %}
