{% macro register_indicator__ind_unversorgte_bewerber_anzahl() %}{% endmacro %}
-- Applicants without a training place or an alternative on 30 September (Agenturbezirk).
{{ training_market_count('unversorgte_bewerber_anzahl', 'unversorgte_bewerber') }}
