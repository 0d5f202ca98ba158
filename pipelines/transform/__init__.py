"""dbt glue: the prepared manifest, the pipeline's dbt command, dbt model SQL for plain DuckDB."""
