{% macro register_indicator__ind_unbesetzte_stellen_anzahl() %}{% endmacro %}
-- Registered training places still unfilled on 30 September (Agenturbezirk).
{{ training_market_count('unbesetzte_stellen_anzahl', 'unbesetzte_stellen') }}
