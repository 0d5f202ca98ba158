"""Dagster assets by layer: landing and raw tables, dbt models, report, release."""
