"""Failure e-mail: the message (pure), delivery to a real SMTP server on 127.0.0.1, the sensor.

The local servers speak TLS with a certificate made for the test (trusted through
``SSL_CERT_FILE``, as an internal CA would be), so the default path — STARTTLS with the
certificate checked — runs for real.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import logging
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipelines.automation.failure_mail import (
    NotificationConfigError,
    RunFailure,
    SmtpSettings,
    StepFailure,
    build_failure_message,
    notify_run_failure,
    refresh_failure_email,
    send_message,
)
from pipelines.automation.jobs import refresh_job

ENV_NAMES = [
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "SMTP_STARTTLS",
    "SMTP_TLS",
    "SMTP_PLAIN_LOGIN",
    "MAIL_FROM",
    "MAIL_TO",
    "DAGSTER_URL",
]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    encrypted: bool


@dataclass
class Collector:
    """aiosmtpd handler that keeps every delivered message and whether it came over TLS."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        encrypted = bool(session.ssl) or server.transport.get_extra_info("ssl_object") is not None
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, encrypted)
        )
        return "250 OK"


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 (its own CA), made for this test run."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bildungsmonitor Test-SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    paths = Certificate(folder / "cert.pem", folder / "key.pem")
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


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
def smtp_server(certificate: Certificate) -> Iterator[tuple[Collector, int]]:
    """A server that offers STARTTLS, as a municipal mail server does."""
    handler = Collector()
    controller, port = _start(handler, tls_context=certificate.server_context())
    yield handler, port
    controller.stop()


@pytest.fixture
def plain_server() -> Iterator[tuple[Collector, int]]:
    """A server that offers no TLS at all."""
    handler = Collector()
    controller, port = _start(handler)
    yield handler, port
    controller.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, certificate: Certificate) -> pytest.MonkeyPatch:
    """No SMTP settings from the machine; the test certificate trusted like an internal CA."""
    for name in ENV_NAMES:
        monkeypatch.delenv(f"BILDUNGSMONITOR_{name}", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    return monkeypatch


def _message() -> email.message.EmailMessage:
    return build_failure_message(FAILURE, sender="a@b.example", recipients=["c@d.example"])


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


BASE_ENV = {
    "BILDUNGSMONITOR_SMTP_HOST": "mail.stadt.example",
    "BILDUNGSMONITOR_MAIL_FROM": "bm@stadt.example",
    "BILDUNGSMONITOR_MAIL_TO": " a@stadt.example ,, b@stadt.example ",
}


def test_settings_read_from_the_given_environment():
    assert SmtpSettings.from_env({}) is None
    settings = SmtpSettings.from_env(BASE_ENV)
    assert settings is not None
    assert settings.port == 25 and settings.tls == "starttls" and settings.user is None
    assert settings.mail_to == ("a@stadt.example", "b@stadt.example")
    with pytest.raises(NotificationConfigError, match="SMTP_PORT"):
        SmtpSettings.from_env(BASE_ENV | {"BILDUNGSMONITOR_SMTP_PORT": "fünfundzwanzig"})
    with pytest.raises(NotificationConfigError, match="MAIL_TO"):
        SmtpSettings.from_env(BASE_ENV | {"BILDUNGSMONITOR_MAIL_TO": " , "})


@pytest.mark.parametrize(
    ("extra", "tls", "port"),
    [
        ({}, "starttls", 25),
        ({"SMTP_PORT": "587"}, "starttls", 587),
        ({"SMTP_PORT": "465"}, "ssl", 465),
        ({"SMTP_TLS": "ssl"}, "ssl", 465),
        ({"SMTP_TLS": "SSL", "SMTP_PORT": "2465"}, "ssl", 2465),
        ({"SMTP_TLS": "starttls", "SMTP_PORT": "465"}, "starttls", 465),
        ({"SMTP_TLS": "none"}, "none", 25),
        ({"SMTP_STARTTLS": "ja"}, "starttls", 25),
        ({"SMTP_STARTTLS": "0"}, "none", 25),
        ({"SMTP_STARTTLS": "nein", "SMTP_TLS": "none"}, "none", 25),
    ],
)
def test_tls_is_the_default_and_plain_smtp_must_be_asked_for(
    extra: dict[str, str], tls: str, port: int
):
    env = BASE_ENV | {f"BILDUNGSMONITOR_{k}": v for k, v in extra.items()}
    settings = SmtpSettings.from_env(env)
    assert settings is not None and (settings.tls, settings.port) == (tls, port)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"SMTP_TLS": "tls"}, "SMTP_TLS muss"),
        ({"SMTP_STARTTLS": "vielleicht"}, "SMTP_STARTTLS ist weder"),
        ({"SMTP_STARTTLS": "1", "SMTP_TLS": "none"}, "widerspricht"),
        ({"SMTP_TLS": "none", "SMTP_USER": "bm", "SMTP_PASSWORD": "geheim"}, "unverschlüsselt"),
        ({"SMTP_STARTTLS": "false", "SMTP_USER": "bm"}, "SMTP_PLAIN_LOGIN=1"),
    ],
)
def test_unclear_or_unsafe_settings_are_refused(extra: dict[str, str], named: str):
    env = BASE_ENV | {f"BILDUNGSMONITOR_{k}": v for k, v in extra.items()}
    with pytest.raises(NotificationConfigError, match=named):
        SmtpSettings.from_env(env)


def test_settings_made_in_code_cannot_log_in_over_plain_smtp_either():
    fields = dict(host="h", port=25, password="geheim", mail_from="a@b", mail_to=("c@d",))
    with pytest.raises(NotificationConfigError, match="unverschlüsselt"):
        SmtpSettings(user="bm", tls="none", **fields)
    assert SmtpSettings(user="bm", tls="none", plain_login=True, **fields).plain_login
    assert SmtpSettings(user=None, tls="none", **fields).tls == "none"


# --- delivery to a real SMTP server -----------------------------------------------------


def test_message_arrives_at_a_local_smtp_server_over_starttls(smtp_server, clean_env):
    handler, port = smtp_server
    _configure(clean_env, port)
    settings = SmtpSettings.from_env()
    assert settings is not None and settings.tls == "starttls"
    message = build_failure_message(FAILURE, sender=settings.mail_from, recipients=settings.mail_to)
    send_message(message, settings)
    (received,) = handler.messages
    assert received.encrypted
    assert received.mail_from == "bildungsmonitor@stadt.example"
    assert received.rcpt_tos == ["bildungsbuero@stadt.example", "statistik@stadt.example"]
    assert received.message["Subject"] == "Bildungsmonitor: Lauf fehlgeschlagen (refresh)"
    assert received.message["Date"] and received.message["Message-ID"]
    assert "raw_schulen__schueler" in received.message.get_content()


def _authenticator(logins: list[tuple[bytes, bytes]]):
    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"geheim", handled=False)

    return authenticator


def test_login_goes_over_starttls_by_default(clean_env, certificate):
    """The server accepts AUTH only after TLS (aiosmtpd's default): a login that went out
    in clear text would be rejected."""
    logins: list[tuple[bytes, bytes]] = []
    handler = Collector()
    controller, port = _start(
        handler, authenticator=_authenticator(logins), tls_context=certificate.server_context()
    )
    try:
        _configure(clean_env, port, SMTP_USER="bm", SMTP_PASSWORD="geheim")
        settings = SmtpSettings.from_env()
        assert settings is not None
        send_message(_message(), settings)
        assert logins == [(b"bm", b"geheim")] and len(handler.messages) == 1
        assert handler.messages[0].encrypted

        clean_env.setenv("BILDUNGSMONITOR_SMTP_PASSWORD", "falsch")
        wrong = SmtpSettings.from_env()
        assert wrong is not None
        with pytest.raises(smtplib.SMTPAuthenticationError):
            send_message(_message(), wrong)
        assert len(handler.messages) == 1
    finally:
        controller.stop()


def test_implicit_tls_delivers_and_logs_in(clean_env, certificate):
    logins: list[tuple[bytes, bytes]] = []
    handler = Collector()
    controller, port = _start(  # aiosmtpd counts only STARTTLS as TLS for its AUTH rule
        handler,
        authenticator=_authenticator(logins),
        ssl_context=certificate.server_context(),
        auth_require_tls=False,
    )
    try:
        _configure(clean_env, port, SMTP_TLS="ssl", SMTP_USER="bm", SMTP_PASSWORD="geheim")
        settings = SmtpSettings.from_env()
        assert settings is not None and settings.tls == "ssl"
        send_message(_message(), settings)
        assert logins == [(b"bm", b"geheim")]
        (received,) = handler.messages
        assert received.encrypted
    finally:
        controller.stop()


@pytest.mark.parametrize("extra", [{}, {"SMTP_STARTTLS": "1"}])
def test_starttls_not_offered_fails_instead_of_sending_in_clear(
    plain_server, clean_env, extra: dict[str, str]
):
    handler, port = plain_server
    _configure(clean_env, port, **extra)
    settings = SmtpSettings.from_env()
    assert settings is not None
    with pytest.raises(smtplib.SMTPNotSupportedError):
        send_message(_message(), settings)
    assert handler.messages == []


def test_a_certificate_the_machine_does_not_trust_is_refused(smtp_server, clean_env):
    handler, port = smtp_server
    _configure(clean_env, port)
    clean_env.delenv("SSL_CERT_FILE")
    settings = SmtpSettings.from_env()
    assert settings is not None
    with pytest.raises(ssl.SSLCertVerificationError):
        send_message(_message(), settings)
    assert handler.messages == []


def test_plain_smtp_only_when_asked_for_and_a_password_only_when_allowed(clean_env):
    logins: list[tuple[bytes, bytes]] = []
    handler = Collector()
    controller, port = _start(handler, authenticator=_authenticator(logins), auth_require_tls=False)
    try:
        _configure(clean_env, port, SMTP_TLS="none")
        settings = SmtpSettings.from_env()
        assert settings is not None
        send_message(_message(), settings)
        assert [m.encrypted for m in handler.messages] == [False] and logins == []

        clean_env.setenv("BILDUNGSMONITOR_SMTP_USER", "bm")
        clean_env.setenv("BILDUNGSMONITOR_SMTP_PASSWORD", "geheim")
        with pytest.raises(NotificationConfigError, match="SMTP_PLAIN_LOGIN"):
            SmtpSettings.from_env()
        assert logins == []

        clean_env.setenv("BILDUNGSMONITOR_SMTP_PLAIN_LOGIN", "ja")
        allowed = SmtpSettings.from_env()
        assert allowed is not None
        send_message(_message(), allowed)
        assert logins == [(b"bm", b"geheim")] and len(handler.messages) == 2
    finally:
        controller.stop()


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
    with caplog.at_level(logging.INFO, logger="pipelines.automation.failure_mail"):
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
