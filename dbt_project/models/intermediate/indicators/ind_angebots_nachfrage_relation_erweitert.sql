{% macro register_indicator__ind_angebots_nachfrage_relation_erweitert() %}{% endmacro %}
-- Training places offered per 100 demanded, demand extended by applicants who have an
-- alternative but still search (Agenturbezirk, Berichtsjahr ending 30 September).
{{ angebots_nachfrage_relation('angebots_nachfrage_relation_erweitert', extended=true) }}
