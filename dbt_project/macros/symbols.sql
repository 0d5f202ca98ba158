{#-
    The publishers' special symbols (shared/domain.md): `-` means exactly zero; `.`, `x`, `*`,
    `/` and `...` stand instead of a number. Staging turns them into a value (0 or null) and a
    German reason; the symbol itself is kept so the mart can pass it on (disclosure control
    treats `.` and `*` as already protected cells).
-#}
{% macro value_or_zero(value_column='value', symbol_column='symbol') -%}
    case when {{ symbol_column }} = '-' then 0.0 else cast({{ value_column }} as double) end
{%- endmacro %}

{% macro null_reason(value_column='value', symbol_column='symbol') -%}
    case
        when {{ value_column }} is not null or {{ symbol_column }} = '-' then null
        when {{ symbol_column }} = '.' then 'Zahlenwert unbekannt oder geheim zu halten (.)'
        when {{ symbol_column }} = 'x' then 'Tabellenfach gesperrt, Aussage nicht sinnvoll (x)'
        when {{ symbol_column }} = '*' then 'anonymisiert: Wert kleiner als 10 (*)'
        when {{ symbol_column }} = '...' then 'Angabe fällt später an (...)'
        when {{ symbol_column }} = '/' then 'Zahlenwert nicht sicher genug (/)'
        when {{ symbol_column }} is null then 'Wert fehlt ohne Zeichen'
        else 'Zeichen ' || {{ symbol_column }}
    end
{%- endmacro %}

{#-
    The symbol an indicator row carries: that of its numerator, else that of its denominator
    (`-` is a value, zero, and not passed on). `.` and `*` tell disclosure control the cell is
    already protected; `p`/`r` flags keep their meaning.
-#}
{% macro indicator_symbol(numerator_symbol, denominator_symbol='null') -%}
    coalesce(nullif({{ numerator_symbol }}, '-'), nullif({{ denominator_symbol }}, '-'))
{%- endmacro %}
