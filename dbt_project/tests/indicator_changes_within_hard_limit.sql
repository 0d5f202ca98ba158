-- Changes from one period to the next larger than the catalogue's yoy_hard_limit (Land and
-- Stadt totals) are almost certainly data errors (a wrong period, a unit mix-up): the build
-- stops. For counts the limit is in per cent of the previous value.
{{ indicator_changes_beyond('yoy_hard_limit') }}
