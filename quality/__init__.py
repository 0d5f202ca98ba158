"""Data quality: raw schemas (pandera), mart expectations (great-expectations), disclosure control."""
