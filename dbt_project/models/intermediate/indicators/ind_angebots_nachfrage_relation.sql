{% macro register_indicator__ind_angebots_nachfrage_relation() %}{% endmacro %}
-- Training places offered per 100 demanded, Berichtsjahr ending 30 September (Agenturbezirk).
-- Offer = new contracts + unfilled vacancies; demand = new contracts + unplaced applicants.
{{ angebots_nachfrage_relation('angebots_nachfrage_relation') }}
