"""Deterministic generator of the bundled, clearly synthetic sample data (``make sample-data``)."""
