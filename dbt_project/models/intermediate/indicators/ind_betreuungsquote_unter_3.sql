{% macro register_indicator__ind_betreuungsquote_unter_3() %}{% endmacro %}
-- Children under 3 in Kita or publicly funded Kindertagespflege (without double counting) on
-- 1 March of year Y / children under 3 on 31 December of Y-1, in %. Period = Y.
{{ betreuungsquote('betreuungsquote_unter_3', 'unter_3') }}
