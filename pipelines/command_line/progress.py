"""What ``bildungsmonitor refresh`` shows while it runs, and where everything else goes.

The working group wants to see where a run is and what matters, not 600 lines of dbt and
Dagster logs. So a refresh shows one line per stage — with progress bars on a terminal,
plain lines otherwise — and a short summary (``pipelines.command_line.run_refresh``). Everything
else — dbt's node log, Dagster's events and warnings, stack traces — goes to one log file per run,
and with ``--verbose`` to the console as well.

The stages come from Dagster's own event stream. A logger attached to the run
(``RunOutput.logger_defs``) receives every record of the run as it happens, in order and in
this process; the records of structured events carry the ``DagsterEvent`` under
``dagster_meta``, the field Dagster's JSON console logger prints. That is the one public
place where a run's events arrive while it runs: polling the instance's event log from a
second thread would need its own connections to the SQLite storage and lag behind it, and
Dagster's hooks only see a step's end, not the dbt nodes inside it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import dagster as dg

if TYPE_CHECKING:
    from rich.progress import TaskID

STAGE_LABELS: Mapping[str, str] = {
    "inbox": "Eingang (Landing)",
    "raw_tables": "Rohdaten",
    "bildungsmonitor_dbt_assets": "dbt (Modelle und Tests)",
    "mart_checks": "Prüfungen",
    "geheimhaltung": "Geheimhaltung",
    "published_dbt_assets": "veröffentlichte Tabellen",
    "disclosure_audit": "Geheimhaltungsprüfung",
    "schulwegweiser_lage": "Schulwegweiser: Lage",
    "report_site": "Bericht",
    "release": "Freigabe",
}
"""The label of each step of the ``refresh`` job; another step shows its step key."""

LOGGER_NAME = "bildungsmonitor"
KEPT_LOGS = 30
"""Run logs kept in ``<DAGSTER_HOME>/logs`` (a full refresh writes ≈ 0.5 MB)."""
LOG_FORMAT = "%(asctime)s - %(levelname)s - %(message)s"


def stage_label(step_key: str) -> str:
    return STAGE_LABELS.get(step_key, step_key)


def stage_order(step_key: str) -> int:
    """Steps in the order the job runs them; unknown ones last."""
    keys = list(STAGE_LABELS)
    return keys.index(step_key) if step_key in keys else len(keys)


def german_seconds(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",") + " s"


def counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass
class Stage:
    """One step of the run as the console shows it."""

    step_key: str
    expected: int
    """Materialisations and check evaluations planned for the step (0: unknown)."""
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0
    assets: int = 0
    checks: int = 0
    warnings: int = 0
    failed_checks: int = 0
    state: str = "läuft"
    """``läuft``, ``fertig`` or ``FEHLER``."""

    @property
    def label(self) -> str:
        return stage_label(self.step_key)

    @property
    def done(self) -> int:
        return self.assets + self.checks

    def details(self) -> str:
        """What the step produced, e.g. ``71 Assets, 174 Prüfungen (1 mit Warnung)``."""
        parts = []
        if self.assets:
            parts.append(counted(self.assets, "Asset", "Assets"))
        if self.checks:
            checks = counted(self.checks, "Prüfung", "Prüfungen")
            flagged = []
            if self.warnings:
                flagged.append(f"{self.warnings} mit Warnung")
            if self.failed_checks:
                flagged.append(f"{self.failed_checks} fehlgeschlagen")
            parts.append(checks + (f" ({', '.join(flagged)})" if flagged else ""))
        return ", ".join(parts)

    def line(self) -> str:
        """The stage's one line once it has ended."""
        details = self.details()
        result = self.state + (f": {details}" if details else "")
        return f"{self.label:<26} {result}  ({german_seconds(self.seconds)})"


class Display(Protocol):
    """How stages reach the console: live bars on a terminal, plain lines otherwise."""

    def started(self, stage: Stage) -> None: ...

    def advanced(self, stage: Stage) -> None: ...

    def ended(self, stage: Stage) -> None: ...

    def close(self) -> None: ...


class PlainDisplay:
    """One line per stage when it ends: for pipes, log files and ``--verbose``."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def started(self, stage: Stage) -> None:
        return None

    def advanced(self, stage: Stage) -> None:
        return None

    def ended(self, stage: Stage) -> None:
        self.out.write(stage.line() + "\n")
        self.out.flush()

    def close(self) -> None:
        return None


class LiveDisplay:
    """Running stages as rich progress bars on a terminal — a bar that fills for the long
    steps (dbt's models and tests), a pulsing one where no count is known beforehand. A
    stage that ends leaves its plain line above them, as on a pipe."""

    def __init__(self, out: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            TextColumn("{task.fields[count]}"),
            TimeElapsedColumn(),
            console=Console(file=out, highlight=False),
            redirect_stdout=False,  # sys.stdout goes to the run log meanwhile
            redirect_stderr=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.progress.start()

    def started(self, stage: Stage) -> None:
        total = stage.expected if stage.expected > 1 else None
        label = f"{stage.label:<26}"
        self.tasks[stage.step_key] = self.progress.add_task(label, total=total, count="")

    def advanced(self, stage: Stage) -> None:
        if stage.expected > 1:
            done = min(stage.done, stage.expected)
            self.progress.update(
                self.tasks[stage.step_key], completed=done, count=f"{done}/{stage.expected}"
            )

    def ended(self, stage: Stage) -> None:
        self.progress.remove_task(self.tasks.pop(stage.step_key))
        style = None if stage.state == "fertig" else "bold red"
        self.progress.console.print(stage.line(), style=style, markup=False)

    def close(self) -> None:
        self.progress.stop()


class RunProgress:
    """Turns the run's Dagster events into stages on a display."""

    def __init__(self, display: Display, expected: Mapping[str, int]) -> None:
        self.display = display
        self.expected = dict(expected)
        self.stages: dict[str, Stage] = {}
        self.lock = threading.Lock()

    def on_event(self, event: dg.DagsterEvent) -> None:
        step_key = event.step_key
        if step_key is None:
            return
        with self.lock:
            if event.is_step_start:
                stage = Stage(step_key, self.expected.get(step_key, 0))
                self.stages[step_key] = stage
                self.display.started(stage)
                return
            stage = self.stages.get(step_key)
            if stage is None or stage.state != "läuft":
                return
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                stage.assets += 1
                self.display.advanced(stage)
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                evaluation = event.asset_check_evaluation_data
                stage.checks += 1
                if not evaluation.passed:
                    if evaluation.severity == dg.AssetCheckSeverity.WARN:
                        stage.warnings += 1
                    else:
                        stage.failed_checks += 1
                self.display.advanced(stage)
            elif event.is_step_success or event.is_step_failure:
                stage.state = "fertig" if event.is_step_success else "FEHLER"
                stage.seconds = time.monotonic() - stage.started
                self.display.ended(stage)

    def not_run(self) -> list[str]:
        """Planned steps that never started (their upstream failed)."""
        return [
            stage_label(key)
            for key in sorted(self.expected, key=stage_order)
            if key not in self.stages
        ]


class RunLogHandler(logging.Handler):
    """The run logger's handler: every record into the run's log file (and to the console
    with ``--verbose``); the records of Dagster events to the stage display."""

    def __init__(
        self, log: TextIO, progress: RunProgress, echo: TextIO | None, lock: threading.Lock
    ) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.log = log
        self.progress = progress
        self.echo = echo
        self.write_lock = lock

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + "\n"
            with self.write_lock:
                self.log.write(text)
                if self.echo is not None:
                    self.echo.write(text)
                    self.echo.flush()
            meta = getattr(record, "dagster_meta", None) or {}
            event = meta.get("dagster_event")
            if isinstance(event, dg.DagsterEvent):
                self.progress.on_event(event)
        except Exception:  # the console must never fail the run: logging reports it
            self.handleError(record)


class Tee(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` during a run: dbt's node log (dagster-dbt prints it),
    warnings and anything else printed go to the run log, and with ``--verbose`` to the
    console as well."""

    def __init__(self, log: TextIO, echo: TextIO | None, lock: threading.Lock) -> None:
        self.log = log
        self.echo = echo
        self.lock = lock

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self.lock:
            self.log.write(text)
            if self.echo is not None:
                self.echo.write(text)
        return len(text)

    def flush(self) -> None:
        with self.lock:
            self.log.flush()
            if self.echo is not None:
                self.echo.flush()


@dataclass
class RunOutput:
    """The console and log of one run, while it runs (see :func:`run_output`)."""

    progress: RunProgress
    handler: RunLogHandler
    log_path: Path

    def logger_defs(self) -> dict[str, dg.LoggerDefinition]:
        """The logger to attach to the job: Dagster builds it when the run starts."""

        def build(_init: dg.InitLoggerContext) -> logging.Logger:
            # a logger of its own, outside logging's registry, as Dagster's console logger
            logger = logging.Logger(LOGGER_NAME, level=logging.DEBUG)
            logger.addHandler(self.handler)
            return logger

        description = "Stages on the console, every record in the run's log file."
        return {LOGGER_NAME: dg.LoggerDefinition(build, description=description)}

    def run_config(self) -> dict[str, Any]:
        """Run config that turns on only this logger (not Dagster's console logger)."""
        return {"loggers": {LOGGER_NAME: {}}}


def run_log_path(dagster_home: Path, run_id: str) -> Path:
    """``<DAGSTER_HOME>/logs/refresh-<date>-<time>-<run>.log``, beside the run history."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return dagster_home / "logs" / f"refresh-{stamp}-{run_id[:8]}.log"


def prune_run_logs(folder: Path, keep: int = KEPT_LOGS) -> None:
    """Keep the newest ``keep`` run logs (their names sort by start time)."""
    logs = sorted(folder.glob("refresh-*.log"))
    for old in logs[: max(len(logs) - keep, 0)]:
        old.unlink(missing_ok=True)


@contextlib.contextmanager
def run_output(
    log_path: Path, expected: Mapping[str, int], *, verbose: bool = False
) -> Iterator[RunOutput]:
    """Show the run's stages on the console and send everything else to ``log_path``.

    While open, ``sys.stdout`` and ``sys.stderr`` write to the log (and the console with
    ``verbose``); the stage display writes to the real stdout. On a terminal the stages are
    live progress bars, otherwise (or with ``verbose``, whose log lines would tear the bars
    apart) one plain line per stage.
    """
    out, err = sys.stdout, sys.stderr
    log_path.parent.mkdir(parents=True, exist_ok=True)
    prune_run_logs(log_path.parent, KEPT_LOGS - 1)
    lock = threading.Lock()
    with log_path.open("a", encoding="utf-8") as log:
        display: Display = PlainDisplay(out)
        if not verbose and _is_terminal(out):
            display = LiveDisplay(out)
        progress = RunProgress(display, expected)
        handler = RunLogHandler(log, progress, err if verbose else None, lock)
        try:
            with (
                contextlib.redirect_stdout(Tee(log, out if verbose else None, lock)),
                contextlib.redirect_stderr(Tee(log, err if verbose else None, lock)),
            ):
                yield RunOutput(progress, handler, log_path)
        finally:
            display.close()


def _is_terminal(stream: TextIO) -> bool:
    """A terminal rich can draw on (not a pipe, not TERM=dumb)."""
    from rich.console import Console

    console = Console(file=stream)
    return console.is_terminal and not console.is_dumb_terminal
