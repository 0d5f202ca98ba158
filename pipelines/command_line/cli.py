"""``bildungsmonitor``: the command line of the working group and the analysts.

``refresh`` runs the one Dagster job headless (no second code path); ``validate`` and
``inspect`` read files with the pipeline's own parsers without loading anything;
``publish`` copies the last released report to a web root.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.command_line.dagster_home import ensure_dagster_home

if TYPE_CHECKING:
    import pandas as pd


def _refresh(args: argparse.Namespace) -> int:
    from quality.sdc.thresholds import ThresholdError, Thresholds

    try:  # a setting that makes the disclosure audit meaningless stops the run up front
        Thresholds.from_env()
    except ThresholdError as error:
        print(f"FEHLER: Geheimhaltungs-Einstellung unbrauchbar: {error}", file=sys.stderr)
        return 2
    ensure_dagster_home()
    from pipelines.publishing.cleanup import guarded_refresh

    return guarded_refresh(lambda: _plan_and_run(args))


def _plan_and_run(args: argparse.Namespace) -> int:
    """Plan, then run what changed; called holding the refresh lock, after clean-up."""
    from pipelines.automation.plan import plan_refresh

    plan = plan_refresh(force_full=args.full)
    for reason in plan.reasons:
        print(f"  {reason}")
    if plan.nothing_to_do:
        print("Nichts geändert seit dem letzten Lauf: Warehouse und Bericht sind aktuell.")
        return 0
    if args.dry_run:
        print("Nur geplant (--dry-run): kein Lauf gestartet.")
        return 0
    from pipelines.command_line.run_refresh import run_refresh

    return run_refresh(plan, verbose=args.verbose)


def _validate(args: argparse.Namespace) -> int:
    """Each file: accepted (the checks ``refresh`` runs pass), not used (recognised, one line
    why) or refused (file, row, column). Exit 1 only for refused files: an unused file does
    not fail a run either (see :mod:`pipelines.ingest.unused`)."""
    from pipelines.ingest import unused
    from pipelines.ingest.errors import IngestError
    from pipelines.ingest.identify import parse_file
    from quality.raw_checks import raw_problems

    failed = 0
    accepted: dict[str, tuple[Path, pd.DataFrame]] = {}  # table → the last file accepted
    for name in args.files:
        path = Path(name)
        try:
            parsed = parse_file(path)
            unused.check_used(parsed, path)
        except IngestError as error:
            if not any(p.blocking for p in error.problems):
                for problem in error.problems:
                    print(f"NICHT VERWENDET {path.name}: {problem.rule}")
                continue
            failed += 1
            print(f"FEHLER {path}:\n{error}", file=sys.stderr)
            continue
        except OSError as error:  # vanished or locked while being read: one line, no traceback
            failed += 1
            print(f"FEHLER {path}: Datei nicht lesbar ({error.strerror})", file=sys.stderr)
            continue
        frame = parsed.frame.reset_index(drop=True)
        rows = dict(enumerate(parsed.lines)) if parsed.lines is not None else None
        columns = dict(enumerate(parsed.columns)) if parsed.columns is not None else None
        problems = raw_problems(
            frame,
            f"{parsed.source}__{parsed.table}",
            file=path.name,
            rows=rows,
            columns=columns,
        )
        if problems:
            failed += 1
            listing = "\n".join(str(p) for p in problems)
            print(f"FEHLER {path}:\n{listing}", file=sys.stderr)
            continue
        located = frame.set_axis(parsed.lines) if parsed.lines is not None else frame
        accepted[f"{parsed.source}__{parsed.table}"] = (path, located)
        periods = sorted({str(p) for p in frame["period"].dropna()})
        span = f"{periods[0]} – {periods[-1]}" if periods else "–"
        print(
            f"OK {path.name}: source={parsed.source} table={parsed.table} ({parsed.table_code}, "
            f"{parsed.parser}) periods={span} ({len(periods)}) "
            f"regions={frame['region_key'].nunique()} rows={len(frame)}"
        )
    return 1 if failed or not _profile_matches_register(accepted) else 0


def _profile_matches_register(accepted: dict[str, tuple[Path, pd.DataFrame]]) -> bool:
    """The school guides' profile: its registration dates, and against the state register
    when that was validated together with it (refresh checks both, against the register it
    holds)."""
    from quality.schulwegweiser import date_problems, register_problems

    if "schulen__schulprofil" not in accepted:
        return True
    path, profile = accepted["schulen__schulprofil"]
    files = dict.fromkeys(profile.index, path.name)
    problems = date_problems(profile, files)
    if "msb__schulverzeichnis" in accepted:
        problems = (
            register_problems(profile, accepted["msb__schulverzeichnis"][1], files) + problems
        )
    else:
        print(f"HINWEIS {path.name}: ob die Schulen im Schulverzeichnis stehen, prüft erst der "
              "Lauf (oder validate, zusammen mit schuldaten.csv angegeben)")  # fmt: skip
    if problems:
        listing = "\n".join(str(p) for p in problems)
        print(f"FEHLER {path}:\n{listing}", file=sys.stderr)
    return not problems


def _inspect(args: argparse.Namespace) -> int:
    from pipelines.ingest.errors import IngestError
    from pipelines.ingest.identify import parse_file

    try:
        parsed = parse_file(Path(args.file))
    except IngestError as error:
        print(f"FEHLER {args.file}:\n{error}", file=sys.stderr)
        return 1
    except OSError as error:  # vanished or locked while being read: one line, no traceback
        print(f"FEHLER {args.file}: Datei nicht lesbar ({error.strerror})", file=sys.stderr)
        return 1
    if args.format == "json":
        sys.stdout.write(parsed.frame.to_json(orient="records", force_ascii=False, indent=1))
        sys.stdout.write("\n")
    else:
        parsed.frame.to_csv(sys.stdout, index=False)
    return 0


def _publish(args: argparse.Namespace) -> int:
    from pipelines.publishing.web_root import PublishError, publish_site

    try:
        publication = publish_site(Path(args.to))
    except PublishError as error:
        print(f"FEHLER: {error}", file=sys.stderr)
        return 1
    print(f"Veröffentlicht: {publication}")
    for line in publication.changes.summary():
        print(line)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bildungsmonitor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    refresh = commands.add_parser(
        "refresh", help="run the pipeline through Dagster: what changed, and what depends on it"
    )
    refresh.add_argument("--full", action="store_true", help="rebuild everything, changed or not")
    refresh.add_argument(
        "--dry-run", action="store_true", help="only say what would run (new files are archived)"
    )
    refresh.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also print dbt's and Dagster's full logs (always in the run's log file)",
    )
    refresh.set_defaults(func=_refresh)

    validate = commands.add_parser("validate", help="recognise and validate files, load nothing")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(func=_validate)

    inspect = commands.add_parser("inspect", help="print a file's parsed tidy rows")
    inspect.add_argument("file")
    inspect.add_argument("--format", choices=["csv", "json"], default="csv")
    inspect.set_defaults(func=_inspect)

    publish = commands.add_parser("publish", help="copy the last released report to a web root")
    publish.add_argument("--to", required=True, help="web root (editions/ and current inside)")
    publish.set_defaults(func=_publish)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def entry_point() -> None:
    """The ``bildungsmonitor`` command: :func:`main`, its return value the exit code.

    A normal interpreter exit tears down Dagster's, dbt's and Jupyter's modules (≈ 1-3 s of
    a refresh's wall time); the pipeline keeps it: ending the process abruptly would skip
    the exit handlers of the libraries it uses.
    """
    sys.exit(main())


if __name__ == "__main__":
    entry_point()
