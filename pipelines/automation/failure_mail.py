"""E-mail to the working group when a refresh run fails.

A failed monthly run is otherwise noticed only when someone opens the Dagster UI — possibly
weeks later, after a report deadline. The run-failure sensor below sends one plain German
e-mail per failed ``refresh`` run: which steps failed, their error messages, and where to look.

SMTP settings come from the environment and are read when a message is sent, never at import:
``BILDUNGSMONITOR_SMTP_HOST`` (unset: notification off), ``BILDUNGSMONITOR_SMTP_PORT`` (25; 465
with ``ssl``), ``BILDUNGSMONITOR_SMTP_USER`` / ``BILDUNGSMONITOR_SMTP_PASSWORD`` (login only if
a user is set), ``BILDUNGSMONITOR_MAIL_FROM``, ``BILDUNGSMONITOR_MAIL_TO`` (comma-separated),
and optionally ``BILDUNGSMONITOR_DAGSTER_URL`` for a link to the run.

The connection is encrypted unless plain text is asked for, because the message names the
run's errors and the login would otherwise cross the network readable:
``BILDUNGSMONITOR_SMTP_TLS`` is ``starttls`` (default: STARTTLS, no fallback to plain text if
the server does not offer it), ``ssl`` (implicit TLS, the default on port 465) or ``none``
(plain SMTP). The server's certificate is checked against the system's CAs (an internal CA:
``SSL_CERT_FILE``). Even with ``none`` no password is sent unless
``BILDUNGSMONITOR_SMTP_PLAIN_LOGIN`` allows it (``1``/``true``/``ja``). The older
``BILDUNGSMONITOR_SMTP_STARTTLS`` is still read when ``SMTP_TLS`` is unset: a true value means
``starttls``, a false one (``0``/``false``/``nein``) ``none``.

Run-status sensors only see runs launched through the Dagster daemon or UI (runs that carry
their code location). ``bildungsmonitor refresh`` executes in process, so the CLI calls
:func:`notify_run_failure` itself — the same message, the same settings.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import dagster as dg

from pipelines.automation.jobs import refresh_job

ENV_PREFIX = "BILDUNGSMONITOR_"
_TRUE = {"1", "true", "yes", "ja", "on"}
_FALSE = {"0", "false", "no", "nein", "off"}
TLS_MODES = ("starttls", "ssl", "none")
"""``BILDUNGSMONITOR_SMTP_TLS``: STARTTLS (default), implicit TLS, plain SMTP."""
IMPLICIT_TLS_PORT = 465
_WRAPPER_ERRORS = {"DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"}
_MAX_MESSAGE_CHARS = 2000

log = logging.getLogger(__name__)


class NotificationConfigError(ValueError):
    """The SMTP host is set but the rest of the configuration is unusable."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: str  # one of TLS_MODES
    mail_from: str
    mail_to: tuple[str, ...]
    plain_login: bool = False  # a login over plain SMTP was explicitly allowed

    def __post_init__(self) -> None:
        """Refuse settings that would send the password readable, however they were made."""
        if self.tls not in TLS_MODES:
            raise NotificationConfigError(
                f"{ENV_PREFIX}SMTP_TLS muss starttls, ssl oder none sein, nicht {self.tls!r}"
            )
        if self.tls == "none" and self.user and not self.plain_login:
            raise NotificationConfigError(
                f"{ENV_PREFIX}SMTP_TLS=none mit Anmeldung ({ENV_PREFIX}SMTP_USER): das Passwort "
                f"ginge unverschlüsselt über das Netz. STARTTLS oder ssl verwenden, oder "
                f"{ENV_PREFIX}SMTP_PLAIN_LOGIN=1 setzen, um es ausdrücklich zu erlauben."
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings | None:
        """The settings, or ``None`` when no SMTP host is configured (notification off)."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(ENV_PREFIX + name, "").strip()

        host = get("SMTP_HOST")
        if not host:
            return None
        tls = _tls_mode(get("SMTP_TLS").lower(), get("SMTP_STARTTLS").lower(), get("SMTP_PORT"))
        try:
            port = int(get("SMTP_PORT") or (IMPLICIT_TLS_PORT if tls == "ssl" else 25))
        except ValueError as error:
            raise NotificationConfigError(
                f"{ENV_PREFIX}SMTP_PORT ist keine Zahl: {get('SMTP_PORT')!r}"
            ) from error
        recipients = tuple(a.strip() for a in get("MAIL_TO").split(",") if a.strip())
        if not recipients:
            raise NotificationConfigError(f"{ENV_PREFIX}MAIL_TO ist leer")
        sender = get("MAIL_FROM")
        if not sender:
            raise NotificationConfigError(f"{ENV_PREFIX}MAIL_FROM ist leer")
        return cls(
            host=host,
            port=port,
            user=get("SMTP_USER") or None,
            password=env.get(ENV_PREFIX + "SMTP_PASSWORD") or None,
            tls=tls,
            mail_from=sender,
            mail_to=recipients,
            plain_login=get("SMTP_PLAIN_LOGIN").lower() in _TRUE,
        )


def _tls_mode(tls: str, starttls: str, port: str) -> str:
    """``SMTP_TLS``, else the older ``SMTP_STARTTLS``, else implicit TLS on port 465 (where
    STARTTLS would wait for a greeting that never comes) and STARTTLS everywhere else."""
    legacy = "starttls" if starttls in _TRUE else "none" if starttls in _FALSE else None
    if starttls and legacy is None:
        raise NotificationConfigError(
            f"{ENV_PREFIX}SMTP_STARTTLS ist weder ja noch nein: {starttls!r} "
            f"(besser {ENV_PREFIX}SMTP_TLS=starttls|ssl|none)"
        )
    if tls:
        if legacy is not None and legacy != tls:
            raise NotificationConfigError(
                f"{ENV_PREFIX}SMTP_TLS={tls} widerspricht {ENV_PREFIX}SMTP_STARTTLS={starttls}"
            )
        return tls  # an unknown value is named by SmtpSettings
    if legacy is not None:
        return legacy
    return "ssl" if port == str(IMPLICIT_TLS_PORT) else "starttls"


@dataclass(frozen=True)
class StepFailure:
    step_key: str
    message: str


@dataclass(frozen=True)
class RunFailure:
    """What the e-mail says about a failed run (plain data, built from Dagster's events)."""

    job_name: str
    run_id: str
    steps: tuple[StepFailure, ...]
    run_message: str
    trigger: str
    run_url: str | None = None


def error_text(error: object | None) -> str:
    """The messages of an error and its causes, without Dagster's wrapper exceptions."""
    parts: list[str] = []
    while error is not None:
        cause = getattr(error, "cause", None)
        if not (getattr(error, "cls_name", None) in _WRAPPER_ERRORS and cause is not None):
            parts.append(str(getattr(error, "message", error)).strip())
        error = cause
    text = "\n  verursacht durch: ".join(p for p in parts if p)
    return text if len(text) <= _MAX_MESSAGE_CHARS else text[:_MAX_MESSAGE_CHARS] + " …"


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text.strip() or "(keine Meldung)", prefix)


def build_failure_message(
    failure: RunFailure, *, sender: str, recipients: Sequence[str]
) -> EmailMessage:
    """The e-mail for one failed run (pure: no clock, no network)."""
    message = EmailMessage()
    message["Subject"] = f"Bildungsmonitor: Lauf fehlgeschlagen ({failure.job_name})"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    lines = [
        "Guten Tag,",
        "",
        f'der Lauf "{failure.job_name}" des Bildungsmonitors ist fehlgeschlagen.',
        "",
        f"Lauf-ID:    {failure.run_id}",
        f"Ausgelöst:  {failure.trigger}",
        "",
    ]
    if failure.steps:
        lines.append("Fehlgeschlagene Schritte:")
        for step in failure.steps:
            lines += [f"  - {step.step_key}", _indent(step.message, "    ")]
    else:
        lines.append("Fehlgeschlagene Schritte: keine (der Lauf scheiterte außerhalb der Schritte)")
    lines += ["", "Meldung des Laufs:", _indent(failure.run_message, "  "), ""]
    where = failure.run_url or f'unter "Runs", Lauf-ID {failure.run_id}'
    lines += [
        "Was jetzt?",
        "  - Warehouse und veröffentlichter Bericht sind unverändert geblieben: ein",
        "    fehlgeschlagener Lauf ersetzt nichts.",
        "  - Vollständige Meldungen mit Stacktrace und Protokoll im Dagster-UI:",
        f"    {where}",
        "  - Meldungen zu Eingangsdateien nennen Quelle, Datei, Zeile, Spalte und Regel;",
        "    eine Datei vorab prüfen: bildungsmonitor validate <Datei>.",
        "  - Nach der Korrektur den Lauf neu starten: bildungsmonitor refresh (oder im UI).",
        "",
        "Diese Nachricht wurde automatisch vom Bildungsmonitor verschickt.",
    ]
    message.set_content("\n".join(lines))
    return message


def send_message(message: EmailMessage, settings: SmtpSettings, *, timeout: float = 30.0) -> None:
    """Deliver over SMTP, encrypted as configured (the certificate checked), then log in.

    STARTTLS that the server does not offer raises :class:`smtplib.SMTPNotSupportedError`
    before anything is sent. Errors propagate to the caller.
    """
    if "Date" not in message:
        message["Date"] = formatdate(localtime=True)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain="bildungsmonitor")
    context = ssl.create_default_context()
    if settings.tls == "ssl":
        connection = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=timeout, context=context
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with connection as smtp:
        if settings.tls == "starttls":
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message, from_addr=settings.mail_from, to_addrs=list(settings.mail_to))


def _trigger(tags: Mapping[str, str]) -> str:
    if tags.get("dagster/schedule_name"):
        return f"Zeitplan {tags['dagster/schedule_name']}"
    if tags.get("dagster/sensor_name"):
        return f"Sensor {tags['dagster/sensor_name']}"
    return "manuell (UI oder Kommandozeile)"


def collect_run_failure(
    instance: dg.DagsterInstance,
    dagster_run: dg.DagsterRun,
    failure_event: dg.DagsterEvent | None = None,
    *,
    dagster_url: str | None = None,
) -> RunFailure:
    """Read the failed steps and the run's failure message from the instance's event log."""
    records = instance.get_records_for_run(
        run_id=dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE
    ).records
    steps = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is not None:
            steps.append(
                StepFailure(event.step_key or "?", error_text(event.step_failure_data.error))
            )
    if failure_event is None:
        run_records = instance.get_records_for_run(
            run_id=dagster_run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
        ).records
        if run_records:
            failure_event = run_records[-1].event_log_entry.dagster_event
    run_message = ""
    if failure_event is not None:
        run_message = (failure_event.message or "").strip()
        error = getattr(failure_event.event_specific_data, "error", None)
        if error is not None and not steps:
            run_message = f"{run_message}\n  {error_text(error)}".strip()
    url = f"{dagster_url.rstrip('/')}/runs/{dagster_run.run_id}" if dagster_url else None
    return RunFailure(
        job_name=dagster_run.job_name,
        run_id=dagster_run.run_id,
        steps=tuple(steps),
        run_message=run_message,
        trigger=_trigger(dagster_run.tags),
        run_url=url,
    )


def notify_run_failure(
    instance: dg.DagsterInstance,
    dagster_run: dg.DagsterRun,
    failure_event: dg.DagsterEvent | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    logger: logging.Logger | None = None,
) -> bool:
    """E-mail the failure if SMTP is configured; ``True`` if a message was sent."""
    logger = logger or log
    env = os.environ if environ is None else environ
    settings = SmtpSettings.from_env(env)
    if settings is None:
        logger.info(
            "E-Mail-Benachrichtigung aus: %sSMTP_HOST ist nicht gesetzt (Lauf %s).",
            ENV_PREFIX,
            dagster_run.run_id,
        )
        return False
    failure = collect_run_failure(
        instance,
        dagster_run,
        failure_event,
        dagster_url=env.get(ENV_PREFIX + "DAGSTER_URL") or None,
    )
    message = build_failure_message(failure, sender=settings.mail_from, recipients=settings.mail_to)
    send_message(message, settings)
    logger.info(
        "Fehler-E-Mail zu Lauf %s an %s verschickt.", failure.run_id, ", ".join(settings.mail_to)
    )
    return True


@dg.run_failure_sensor(
    name="refresh_failure_email",
    monitored_jobs=[refresh_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="E-Mail an die Arbeitsgruppe, wenn ein refresh-Lauf fehlschlägt "
    "(SMTP-Einstellungen aus BILDUNGSMONITOR_SMTP_* / BILDUNGSMONITOR_MAIL_*).",
)
def refresh_failure_email(context: dg.RunFailureSensorContext) -> None:
    """Send the failure e-mail; a delivery error fails the sensor tick, visible in the UI."""
    notify_run_failure(
        context.instance, context.dagster_run, context.failure_event, logger=context.log
    )
