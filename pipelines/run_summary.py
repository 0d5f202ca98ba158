"""Run the refresh job in-process and tell the user, briefly, what happened."""

from __future__ import annotations

import sys

import dagster as dg

from pipelines.plan import RefreshPlan


def run_refresh(plan: RefreshPlan | None = None) -> int:
    """Execute the ``refresh`` job (the plan's part of it) on the persistent instance.

    Returns 0 on success, 1 otherwise. Without a plan, every asset runs.
    """
    from pipelines.definitions import defs
    from pipelines.selection import selected_keys

    job = defs.resolve_job_def("refresh")
    selection = selected_keys(plan, defs) if plan is not None else None
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            asset_selection=selection,
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )
        if not result.success:
            _quality_page_of_failed_run(result.run_id)
            _notify(instance, result)
    print_summary(result)
    return 0 if result.success else 1


def _quality_page_of_failed_run(run_id: str) -> None:
    """Show the working group every check of the failed run (its staging warehouse is kept)."""
    from pipelines.resources import WarehouseResource
    from quality.quality_report import write_quality_report

    warehouse = WarehouseResource()
    staging = warehouse.staging_file()
    if not staging.exists() or warehouse.staging_owner() != run_id:
        return
    try:
        page = write_quality_report(staging, warehouse.quality_dir(), run_id=run_id)
    except Exception as error:  # no check ran (e.g. the inbox failed): nothing to show
        print(f"Qualitätsbericht nicht geschrieben: {error}", file=sys.stderr)
        return
    print(f"Qualitätsbericht: {page}", file=sys.stderr)


def _notify(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> None:
    """E-mail the working group: run-failure sensors do not see in-process runs."""
    from pipelines.notify import notify_run_failure

    try:
        notify_run_failure(instance, result.dagster_run)
    except Exception as error:  # a mail problem must not hide the run's own summary
        print(f"E-Mail-Benachrichtigung fehlgeschlagen: {error}", file=sys.stderr)


def print_summary(result: dg.ExecuteInProcessResult) -> None:
    materialised = [
        event.asset_key.to_user_string()
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    ]
    print(f"Lauf {result.run_id}: {len(materialised)} Assets materialisiert.")
    failed_checks = []
    for event in result.get_asset_check_evaluations():
        if not event.passed:
            failed_checks.append(event)
    for check in failed_checks:
        severity = check.severity.value if check.severity else "ERROR"
        print(
            f"  Prüfung fehlgeschlagen [{severity}]: {check.check_name} "
            f"auf {check.asset_key.to_user_string()}",
            file=sys.stderr,
        )
        for key, value in (check.metadata or {}).items():
            print(f"    {key}: {getattr(value, 'value', value)}", file=sys.stderr)
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "unknown error"
            print(f"  Schritt fehlgeschlagen: {event.step_key}\n    {message}", file=sys.stderr)
    if result.success:
        materialised_set = set(materialised)
        if "release" in materialised_set:
            print("Bericht aktualisiert.")
    else:
        print("Lauf fehlgeschlagen: Warehouse und Bericht bleiben unverändert.", file=sys.stderr)
