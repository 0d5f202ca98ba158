"""GENESIS web-service client, offline: recorded real responses, never the network."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import vcr
import yaml

from pipelines.ingest import genesis
from pipelines.ingest.genesis_client import (
    BASE_URLS,
    Credentials,
    GenesisApiError,
    GenesisClient,
    GenesisConfigError,
    RetryPolicy,
    resolve_base_url,
)

RECORDED = (
    Path(__file__).resolve().parents[2] / "shared" / "realdata" / "genesis-ffcsv-api-pystatis"
)
needs_recordings = pytest.mark.skipif(not RECORDED.is_dir(), reason="../shared/realdata absent")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class FakeService(requests.adapters.BaseAdapter):
    """A transport adapter answering from a script of recorded bodies or exceptions."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body, content_type = answer
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = content_type
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass

    def form(self, index: int) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.requests[index].body).items()}

    def paths(self) -> list[str]:
        return [urlparse(r.url).path.split("/2020/")[1] for r in self.requests]


def _json(name: str) -> tuple[int, bytes, str]:
    return 200, (RECORDED / name).read_bytes(), "application/json;charset=UTF-8"


def _cassette(name: str) -> dict:
    return yaml.safe_load((RECORDED / name).read_text(encoding="utf-8"))


def _zip_body() -> tuple[int, bytes, str]:
    body = _cassette("cassette_HEAD_12411-01-01-4.yaml")["interactions"][0]["response"]["body"]
    return 200, body["string"], "application/zip"


def _results_ready(result: str) -> tuple[int, bytes, str]:
    """catalogue/results once the job is done: the recorded 104 answer with code 0 and a List."""
    document = json.loads(
        (RECORDED / "12531-0043__catalogue_results_status104.json").read_text("utf-8")
    )
    document["Status"] = {"Code": 0, "Content": "erfolgreich", "Type": "Information"}
    document["List"] = [{"Code": result, "Content": "12531-0043", "Values": "1"}]
    return 200, json.dumps(document).encode("utf-8"), "application/json"


def _client(service: FakeService, **kwargs) -> tuple[GenesisClient, list[float]]:
    session = requests.Session()
    session.mount("https://", service)
    slept: list[float] = []
    kwargs.setdefault("retry", RetryPolicy(max_attempts=4, base_delay=1.0))
    client = GenesisClient(
        Credentials("nutzer", "geheim"), session=session, sleep=slept.append, **kwargs
    )
    return client, slept


# --------------------------------------------------------------------------------------
# Configuration


def test_credentials_from_environment():
    token = Credentials.from_env({"GENESIS_TOKEN": "abc123", "GENESIS_USERNAME": "ignored"})
    assert token.headers() == {"username": "abc123", "password": ""}
    user = Credentials.from_env({"GENESIS_USERNAME": "nutzer", "GENESIS_PASSWORD": "geheim"})
    assert user.headers() == {"username": "nutzer", "password": "geheim"}
    assert "geheim" not in repr(user) and "nutzer" not in repr(user)
    with pytest.raises(GenesisConfigError):
        Credentials.from_env({"GENESIS_USERNAME": "nutzer"})
    with pytest.raises(GenesisConfigError):
        Credentials.from_env({})


def test_base_url_is_configurable():
    assert resolve_base_url(None) == BASE_URLS["regionalstatistik"]
    assert resolve_base_url("Landesdatenbank") == BASE_URLS["landesdatenbank"]
    assert resolve_base_url("https://example.org/genesisWS/rest/2020") == (
        "https://example.org/genesisWS/rest/2020/"
    )
    with pytest.raises(GenesisConfigError):
        resolve_base_url("http://insecure.example.org/")
    client = GenesisClient.from_env(
        {"GENESIS_TOKEN": "t", "GENESIS_BASE_URL": "destatis"}, sleep=lambda s: None
    )
    assert client.base_url == BASE_URLS["destatis"]


# --------------------------------------------------------------------------------------
# Against the recorded real responses


def _same_form(field: str):
    def matcher(recorded, sent):
        def value(request):
            body = request.body or b""
            body = body.decode() if isinstance(body, bytes) else body
            return parse_qs(body).get(field)

        assert value(recorded) == value(sent), field

    return matcher


def _replayer() -> vcr.VCR:
    """Replays only; matches POST, path and the form fields that select the answer."""
    replayer = vcr.VCR(record_mode="none")
    replayer.register_matcher("form_name", _same_form("name"))
    replayer.register_matcher("form_language", _same_form("language"))
    replayer.match_on = ("method", "scheme", "host", "port", "path", "form_name", "form_language")
    return replayer


@needs_recordings
def test_tablefile_replays_the_recorded_cassette(tmp_path):
    cassette = tmp_path / "cassette.yaml"
    shutil.copy(RECORDED / "cassette_HEAD_12411-01-01-4.yaml", cassette)
    client = GenesisClient(Credentials("nutzer", "geheim"), sleep=lambda s: None)
    english = GenesisClient(Credentials("nutzer", "geheim"), sleep=lambda s: None, language="en")
    sent: list[requests.PreparedRequest] = []
    for session in (client.session, english.session):
        session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    with _replayer().use_cassette(str(cassette)) as recording:
        path = client.download("12411-01-01-4", tmp_path / "download")
        metadata = client.metadata_table("12411-01-01-4")
        english_path = english.download("12411-01-01-4", tmp_path / "english")
        english.metadata_table("12411-01-01-4")
        assert recording.all_played and recording.play_count == 4
    assert path.name == "12411-01-01-4_1773175772751_de_flat.csv"
    assert path.read_bytes() == (RECORDED / path.name).read_bytes()  # unzipped member, verbatim
    assert metadata["Object"]["Code"] == "12411-01-01-4"
    for request in sent:
        assert request.method == "POST"
        assert request.headers["username"] == "nutzer" and request.headers["password"] == "geheim"
        assert "geheim" not in (request.body or "") and "geheim" not in request.url
        assert urlparse(request.url).query == ""
    assert "format=ffcsv" in sent[0].body and "name=12411-01-01-4" in sent[0].body
    parsed = genesis.parse(path)
    krefeld = parsed.frame[
        (parsed.frame["region_key"] == "05114") & (parsed.frame["geschlecht"] == "insgesamt")
    ]
    assert krefeld["value"].tolist() == [231406.0]
    in_english = genesis.parse(english_path).frame
    krefeld_en = in_english[(in_english["region_key"] == "05114")]
    assert krefeld_en.set_index("geschlecht")["value"].to_dict() == {
        "insgesamt": 231406.0,
        "maennlich": 113754.0,
        "weiblich": 117652.0,
    }


@needs_recordings
def test_too_large_table_runs_as_job_and_polls_until_the_result_exists(tmp_path):
    result = "12531-0043_175879554"
    service = FakeService(
        [
            _json("12531-0043__tablefile_status98_too_large.json"),
            _json("12531-0043__tablefile_job_true_status99.json"),
            _json("12531-0043__catalogue_results_status104.json"),
            _json("12531-0043__catalogue_results_status104.json"),
            _results_ready(result),
            _zip_body(),
        ]
    )
    client, slept = _client(service, poll_interval=7.0)
    file_name, content = client.tablefile("12531-0043")
    assert service.paths() == [
        "data/tablefile",
        "data/tablefile",
        "catalogue/results",
        "catalogue/results",
        "catalogue/results",
        "data/resultfile",
    ]
    assert service.form(0)["job"] == "false" and service.form(1)["job"] == "true"
    assert service.form(2)["selection"] == result and service.form(5)["name"] == result
    assert slept == [7.0, 7.0]
    assert all(r.method == "POST" for r in service.requests)
    assert content.startswith(b"\xef\xbb\xbfstatistics_code;")
    assert file_name.endswith("_de_flat.csv")


@needs_recordings
def test_job_that_never_finishes_gives_up_after_bounded_polls():
    polls = 3
    service = FakeService(
        [
            _json("12531-0043__tablefile_status98_too_large.json"),
            _json("12531-0043__tablefile_job_true_status99.json"),
        ]
        + [_json("12531-0043__catalogue_results_status104.json")] * polls
    )
    client, slept = _client(service, poll_interval=5.0, max_polls=polls)
    with pytest.raises(GenesisApiError) as info:
        client.tablefile("12531-0043")
    assert info.value.code == 104 and "not ready" in str(info.value)
    assert slept == [5.0] * polls


@needs_recordings
def test_error_status_becomes_genesis_api_error():
    service = FakeService([_json("61111-0021__tablefile_error_response.json")])
    client, slept = _client(service)
    with pytest.raises(GenesisApiError) as info:
        client.tablefile("61111-0021")
    error = info.value
    assert error.code == -1 and slept == []
    assert error.problems[0].source == "itnrw" and error.problems[0].file == "61111-0021"
    assert "kein Datenquader gefunden" in str(error)


@needs_recordings
def test_plain_csv_body_of_the_old_service_is_returned_as_is(tmp_path):
    interaction = _cassette("cassette_83e602f_12411-01-01-4.yaml")["interactions"][0]
    body = interaction["response"]["body"]["string"].encode("utf-8")
    service = FakeService([(200, body, "text/csv;charset=UTF-8")])
    client, _ = _client(service)
    path = client.download("12411-01-01-4", tmp_path)
    assert path.name == "12411-01-01-4_flat.csv"
    parsed = genesis.parse(path)
    assert parsed.parser == genesis.FFCSV_2024 and parsed.table == "bevoelkerung"
    krefeld = parsed.frame[
        (parsed.frame["region_key"] == "05114") & (parsed.frame["geschlecht"] == "insgesamt")
    ]
    assert krefeld["value"].tolist() == [228426.0]


# --------------------------------------------------------------------------------------
# Retries with exponential back-off


@needs_recordings
def test_timeouts_and_connection_errors_are_retried_with_backoff():
    service = FakeService(
        [requests.Timeout("read timed out"), requests.ConnectionError("reset"), _zip_body()]
    )
    client, slept = _client(service, retry=RetryPolicy(max_attempts=4, base_delay=2.0))
    file_name, _ = client.tablefile("12411-01-01-4")
    assert slept == [2.0, 4.0] and len(service.requests) == 3
    assert file_name == "12411-01-01-4_1773175772751_de_flat.csv"


@needs_recordings
def test_server_errors_and_too_many_parallel_requests_are_retried():
    too_many = {"Status": {"Code": -1, "Content": "Zu viele parallele Anfragen", "Type": "Fehler"}}
    service = FakeService(
        [
            (503, b"Service Unavailable", "text/html"),
            (429, b"", "text/plain"),
            (200, json.dumps(too_many).encode(), "application/json"),
            _zip_body(),
        ]
    )
    client, slept = _client(service)
    client.tablefile("12411-01-01-4")
    assert slept == [1.0, 2.0, 4.0]


def test_retries_are_bounded():
    service = FakeService([(502, b"Bad Gateway", "text/html")] * 4)
    client, slept = _client(
        service, retry=RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=3.0)
    )
    with pytest.raises(GenesisApiError) as info:
        client.tablefile("12411-01-01-4")
    assert "failed 4 times" in str(info.value) and "HTTP 502" in str(info.value)
    assert slept == [1.0, 2.0, 3.0] and len(service.requests) == 4


def test_authentication_error_is_not_retried():
    body = json.dumps({"Status": {"Code": -1, "Content": "Anmeldung fehlgeschlagen"}}).encode()
    service = FakeService([(401, body, "application/json")])
    client, slept = _client(service)
    with pytest.raises(GenesisApiError) as info:
        client.tablefile("12411-01-01-4")
    assert "HTTP 401" in str(info.value) and "Anmeldung fehlgeschlagen" in str(info.value)
    assert slept == [] and len(service.requests) == 1


def test_damaged_zip_is_a_clear_error():
    service = FakeService([(200, b"PK\x03\x04 not really a zip", "application/zip")])
    client, _ = _client(service)
    with pytest.raises(GenesisApiError, match="damaged ZIP"):
        client.tablefile("12411-01-01-4")
