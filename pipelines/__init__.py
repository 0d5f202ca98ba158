"""Bildungsmonitor: the Dagster code location of the municipal education monitoring pipeline."""
