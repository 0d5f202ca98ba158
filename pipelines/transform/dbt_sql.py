"""A dbt model's SQL for a plain DuckDB connection: refs, sources, vars and the project's
small macros resolved by Jinja, so a unit test or a benchmark runs a model as it is written
without a dbt run (the pipeline itself always builds models with dbt)."""

from __future__ import annotations

from collections.abc import Mapping

import jinja2
import yaml

from pipelines import paths


def model_sql(name: str, relations: Mapping[str, str]) -> str:
    """The compiled SQL of ``models/**/<name>.sql``; ``relations`` maps a ref's model name or a
    source's ``<source>.<table>`` to the fixture table that stands in for it."""
    project = paths.DBT_PROJECT_DIR
    (path,) = project.glob(f"models/**/{name}.sql")
    variables = yaml.safe_load((project / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    macros: dict[str, object] = {}
    for macro_file in sorted((project / "macros").glob("*.sql")):
        try:  # macros using dbt's own tags (call, materialization) are not for plain Jinja
            module = env.from_string(macro_file.read_text(encoding="utf-8")).module
        except (jinja2.TemplateError, TypeError):
            continue
        macros |= {k: getattr(module, k) for k in dir(module) if not k.startswith("_")}
    template = env.from_string(path.read_text(encoding="utf-8"))
    return template.render(
        **macros,
        ref=lambda model: relations[model],
        source=lambda source, table: relations[f"{source}.{table}"],
        var=lambda key, default=None: variables.get(key, default),
    )
