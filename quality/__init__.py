"""Data quality: pandera raw schemas, great-expectations mart checks, disclosure control."""
