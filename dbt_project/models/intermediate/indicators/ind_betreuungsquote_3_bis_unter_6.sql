{% macro register_indicator__ind_betreuungsquote_3_bis_unter_6() %}{% endmacro %}
-- Children aged 3 to under 6 in Kita or publicly funded Kindertagespflege (without double
-- counting) on 1 March of year Y / children of that age on 31 December of Y-1, in %. Period = Y.
{{ betreuungsquote('betreuungsquote_3_bis_unter_6', '3_bis_unter_6') }}
