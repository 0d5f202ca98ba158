{% macro register_indicator__ind_neue_ausbildungsvertraege_anzahl() %}{% endmacro %}
-- New training contracts in the Berichtsjahr ending 30 September (Agenturbezirk).
{{ training_market_count('neue_ausbildungsvertraege_anzahl', 'neue_vertraege') }}
