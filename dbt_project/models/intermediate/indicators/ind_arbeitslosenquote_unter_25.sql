{% macro register_indicator__ind_arbeitslosenquote_unter_25() %}{% endmacro %}
-- Unemployment rate of the under-25s (civilian labour force under 25), annual average of the
-- monthly rates. The numerator is the annual average of the unemployed under 25; the
-- denominator is derived from both (BA publishes rates, not the Bezugsgröße).
{{ arbeitslosenquote('arbeitslosenquote_unter_25', 'unter_25') }}
