{% macro register_indicator__ind_arbeitslosenquote() %}{% endmacro %}
-- Unemployment rate (all civilian labour force), annual average of the monthly rates. The
-- numerator is the annual average of the unemployed; the denominator, the civilian labour
-- force, is derived from both (BA publishes rates, not the Bezugsgröße).
{{ arbeitslosenquote('arbeitslosenquote', 'insgesamt') }}
