"""The ``bildungsmonitor`` command: arguments, the in-process refresh run, what the console shows,
the Dagster home."""
