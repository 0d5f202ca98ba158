{{ config(severity='warn') }}
-- Changes from one period to the next larger than the catalogue's yoy_tolerance (Land and Stadt
-- totals): a warning to look at the data, not an error. For counts the limit is in per cent
-- of the previous value, otherwise in the indicator's unit.
{{ indicator_changes_beyond('yoy_tolerance') }}
