"""The disclosure decisions the ``published`` dbt models join, computed in Python (quality.sdc)."""
