"""Parsers: one module per source, each a pure function from a file to a tidy long table."""
