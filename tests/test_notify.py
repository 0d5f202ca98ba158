"""Failure e-mail: the message (pure), delivery to a real SMTP server on 127.0.0.1, the sensor."""

from __future__ import annotations

import email
import email.policy
import logging
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import dagster as dg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipelines.jobs import refresh_job
from pipelines.notify import (
    NotificationConfigError,
    RunFailure,
    SmtpSettings,
    StepFailure,
    build_failure_message,
    notify_run_failure,
    refresh_failure_email,
    send_message,
)

ENV_NAMES = [
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "MAIL_FROM",
    "MAIL_TO",
    "DAGSTER_URL",
]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage


@dataclass
class Collector:
    """aiosmtpd handler that keeps every delivered message."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(handler: Collector, **smtp_kwargs) -> tuple[Controller, int]:
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_kwargs)
    controller.start()
    return controller, port


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    controller, port = _start(handler)
    yield handler, port
    controller.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_NAMES:
        monkeypatch.delenv(f"BILDUNGSMONITOR_{name}", raising=False)
    return monkeypatch


def _configure(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> None:
    monkeypatch.setenv("BILDUNGSMONITOR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BILDUNGSMONITOR_SMTP_PORT", str(port))
    monkeypatch.setenv("BILDUNGSMONITOR_MAIL_FROM", "bildungsmonitor@stadt.example")
    monkeypatch.setenv(
        "BILDUNGSMONITOR_MAIL_TO", "bildungsbuero@stadt.example, statistik@stadt.example"
    )
    for name, value in extra.items():
        monkeypatch.setenv(f"BILDUNGSMONITOR_{name}", value)


FAILURE = RunFailure(
    job_name="refresh",
    run_id="4ae0167f-50c5-49fe-9285-c5d7b34a4538",
    steps=(
        StepFailure("raw_schulen__schueler", "IngestError: schulen, datei.xlsx, Zeile 4: Wert -3"),
    ),
    run_message='Execution of run for "refresh" failed.',
    trigger="Zeitplan monthly_refresh",
    run_url="http://dagster.stadt.example/runs/4ae0167f-50c5-49fe-9285-c5d7b34a4538",
)


# --- pure parts -------------------------------------------------------------------------


def test_message_names_job_run_steps_error_and_where_to_look():
    message = build_failure_message(
        FAILURE, sender="bm@stadt.example", recipients=["a@stadt.example", "b@stadt.example"]
    )
    assert message["Subject"] == "Bildungsmonitor: Lauf fehlgeschlagen (refresh)"
    assert message["To"] == "a@stadt.example, b@stadt.example"
    assert message["From"] == "bm@stadt.example"
    body = message.get_content()
    assert "Lauf-ID:    4ae0167f-50c5-49fe-9285-c5d7b34a4538" in body
    assert "  - raw_schulen__schueler\n    IngestError: schulen, datei.xlsx, Zeile 4" in body
    assert "Zeitplan monthly_refresh" in body
    assert "im Dagster-UI:\n    http://dagster.stadt.example/runs/4ae0167f-50c5" in body
    assert "Date" not in message  # no clock in the pure builder


def test_message_without_url_or_steps_still_says_where_to_look():
    failure = RunFailure("refresh", "abc", (), "Run failed to start.", "manuell")
    body = build_failure_message(failure, sender="x@y.example", recipients=["z@y.example"])
    text = body.get_content()
    assert 'im Dagster-UI:\n    unter "Runs", Lauf-ID abc' in text
    assert "Fehlgeschlagene Schritte: keine" in text
    assert "Run failed to start." in text


def test_settings_read_from_the_given_environment():
    assert SmtpSettings.from_env({}) is None
    env = {
        "BILDUNGSMONITOR_SMTP_HOST": "mail.stadt.example",
        "BILDUNGSMONITOR_MAIL_FROM": "bm@stadt.example",
        "BILDUNGSMONITOR_MAIL_TO": " a@stadt.example ,, b@stadt.example ",
        "BILDUNGSMONITOR_SMTP_STARTTLS": "ja",
    }
    settings = SmtpSettings.from_env(env)
    assert settings is not None
    assert settings.port == 25 and settings.starttls and settings.user is None
    assert settings.mail_to == ("a@stadt.example", "b@stadt.example")
    with pytest.raises(NotificationConfigError, match="SMTP_PORT"):
        SmtpSettings.from_env(env | {"BILDUNGSMONITOR_SMTP_PORT": "fünfundzwanzig"})
    with pytest.raises(NotificationConfigError, match="MAIL_TO"):
        SmtpSettings.from_env(env | {"BILDUNGSMONITOR_MAIL_TO": " , "})


# --- delivery to a real SMTP server -----------------------------------------------------


def test_message_arrives_at_a_local_smtp_server(smtp_server, clean_env):
    handler, port = smtp_server
    _configure(clean_env, port)
    settings = SmtpSettings.from_env()
    assert settings is not None
    message = build_failure_message(FAILURE, sender=settings.mail_from, recipients=settings.mail_to)
    send_message(message, settings)
    (received,) = handler.messages
    assert received.mail_from == "bildungsmonitor@stadt.example"
    assert received.rcpt_tos == ["bildungsbuero@stadt.example", "statistik@stadt.example"]
    assert received.message["Subject"] == "Bildungsmonitor: Lauf fehlgeschlagen (refresh)"
    assert received.message["Date"] and received.message["Message-ID"]
    assert "raw_schulen__schueler" in received.message.get_content()


def test_login_uses_the_configured_credentials(clean_env):
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"geheim", handled=False)

    handler = Collector()
    controller, port = _start(handler, authenticator=authenticator, auth_require_tls=False)
    try:
        _configure(clean_env, port, SMTP_USER="bm", SMTP_PASSWORD="geheim")
        settings = SmtpSettings.from_env()
        assert settings is not None
        send_message(
            build_failure_message(FAILURE, sender="a@b.example", recipients=["c@d.example"]),
            settings,
        )
        assert logins == [(b"bm", b"geheim")] and len(handler.messages) == 1

        clean_env.setenv("BILDUNGSMONITOR_SMTP_PASSWORD", "falsch")
        wrong = SmtpSettings.from_env()
        assert wrong is not None
        with pytest.raises(smtplib.SMTPAuthenticationError):
            send_message(
                build_failure_message(FAILURE, sender="a@b.example", recipients=["c@d.example"]),
                wrong,
            )
        assert len(handler.messages) == 1
    finally:
        controller.stop()


def test_starttls_required_but_not_offered_fails_instead_of_sending_in_clear(
    smtp_server, clean_env
):
    handler, port = smtp_server
    _configure(clean_env, port, SMTP_STARTTLS="1")
    settings = SmtpSettings.from_env()
    assert settings is not None
    message = build_failure_message(FAILURE, sender="a@b.example", recipients=["c@d.example"])
    with pytest.raises(smtplib.SMTPNotSupportedError):
        send_message(message, settings)
    assert handler.messages == []


# --- the sensor on a real failed run ----------------------------------------------------


@dg.op
def load_schulen() -> None:
    raise ValueError("schulen: datei.xlsx, Zeile 4, Spalte schueler: -3 ist negativ")


@dg.op
def passes() -> int:
    return 1


@dg.job(name="refresh")
def tiny_refresh() -> None:
    passes()
    load_schulen()


@pytest.fixture
def failed_run() -> Iterator[tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]]:
    with dg.DagsterInstance.ephemeral() as instance:
        result = tiny_refresh.execute_in_process(
            instance=instance, raise_on_error=False, tags={"dagster/schedule_name": "monthly"}
        )
        assert not result.success
        yield instance, result


def _sensor_context(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult):
    return dg.build_run_status_sensor_context(
        sensor_name="refresh_failure_email",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()


def test_sensor_emails_the_failed_run(failed_run, smtp_server, clean_env):
    instance, result = failed_run
    handler, port = smtp_server
    _configure(clean_env, port, DAGSTER_URL="http://127.0.0.1:3000/")
    assert refresh_failure_email(_sensor_context(instance, result)) is None
    (received,) = handler.messages
    assert received.message["Subject"] == "Bildungsmonitor: Lauf fehlgeschlagen (refresh)"
    body = received.message.get_content().replace("\r\n", "\n")
    assert f"Lauf-ID:    {result.run_id}" in body
    assert "  - load_schulen\n    ValueError: schulen: datei.xlsx, Zeile 4" in body
    assert "passes" not in body
    assert "DagsterExecutionStepExecutionError" not in body
    assert "Zeitplan monthly" in body
    assert f"http://127.0.0.1:3000/runs/{result.run_id}" in body


def test_sensor_without_smtp_host_sends_nothing(failed_run, smtp_server, clean_env, caplog):
    instance, result = failed_run
    handler, port = smtp_server
    _configure(clean_env, port)
    clean_env.delenv("BILDUNGSMONITOR_SMTP_HOST")
    assert refresh_failure_email(_sensor_context(instance, result)) is None
    assert handler.messages == []
    with caplog.at_level(logging.INFO, logger="pipelines.notify"):
        assert notify_run_failure(instance, result.dagster_run) is False
    assert "E-Mail-Benachrichtigung aus" in caplog.text


def test_cli_path_notifies_from_the_instance_without_a_failure_event(
    failed_run, smtp_server, clean_env
):
    instance, result = failed_run
    handler, port = smtp_server
    _configure(clean_env, port)
    assert notify_run_failure(instance, result.dagster_run) is True
    (received,) = handler.messages
    body = received.message.get_content().replace("\r\n", "\n")
    assert 'Execution of run for "refresh" failed' in body
    assert "load_schulen" in body


def test_sensor_loads_beside_the_refresh_job_and_starts_running():
    @dg.asset
    def some_asset() -> int:
        return 1

    defs = dg.Definitions(assets=[some_asset], jobs=[refresh_job], sensors=[refresh_failure_email])
    sensor = defs.resolve_sensor_def("refresh_failure_email")
    assert isinstance(sensor, dg.RunStatusSensorDefinition)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_sensor_fails_its_tick_when_the_mail_server_is_unreachable(failed_run, clean_env):
    instance, result = failed_run
    _configure(clean_env, _free_port())  # nothing listens there
    with pytest.raises(OSError):
        refresh_failure_email(_sensor_context(instance, result))
