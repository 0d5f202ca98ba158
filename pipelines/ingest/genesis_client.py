"""Client for the GENESIS web service 2020 (REST): download tables as flat-file CSV.

Since July 2025 the service accepts POST only, with the credentials in request HEADERS
(``username``/``password``; an API token is sent as ``username`` with an empty password), so
they never end up in URLs or server logs. Large tables are refused in dialogue (status 98)
and must run as a background job (``job=true`` → status 99 with a result name), whose result
is polled in ``catalogue/results`` (104 = not there yet) and fetched from ``data/resultfile``.
Data responses are ZIP archives holding one CSV. The service is slow and rations parallel
requests, so transient failures are retried with exponential back-off — bounded, and with
an injectable ``sleep`` so tests run instantly.

Configuration comes from the environment only when asked (:meth:`GenesisClient.from_env`),
never at import time: ``GENESIS_TOKEN`` or ``GENESIS_USERNAME``/``GENESIS_PASSWORD``, and
``GENESIS_BASE_URL`` (a URL or one of the names in :data:`BASE_URLS`).
"""

from __future__ import annotations

import io
import json
import os
import re
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from pipelines.ingest.errors import IngestError, Problem

SOURCE = "itnrw"

BASE_URLS: dict[str, str] = {
    "regionalstatistik": "https://www.regionalstatistik.de/genesisws/rest/2020/",
    "landesdatenbank": "https://www.landesdatenbank.nrw.de/ldbnrwws/rest/2020/",
    "destatis": "https://www-genesis.destatis.de/genesisWS/rest/2020/",
}
DEFAULT_BASE_URL = BASE_URLS["regionalstatistik"]

STATUS_OK = 0
STATUS_ERROR = -1
STATUS_TOO_LARGE = 98
STATUS_JOB_CREATED = 99
STATUS_NO_OBJECTS = 104

_TOO_MANY = re.compile(r"parallel|zu viele|too many", re.IGNORECASE)
_RESULT_NAME = re.compile(r"([\w-]+_\d+)\s*\.?\s*$")


class GenesisConfigError(ValueError):
    """Missing or contradictory credentials / base URL."""


class GenesisApiError(IngestError):
    """The web service answered with an error status, or never delivered the table."""

    def __init__(self, name: str, rule: str, *, code: int | None = None, value: object = None):
        self.code = code
        super().__init__(Problem(SOURCE, name, rule, value=value))


@dataclass(frozen=True)
class Credentials:
    """Username/password or an API token; sent as headers, never as parameters."""

    username: str
    password: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if env is None else env
        token = env.get("GENESIS_TOKEN", "").strip()
        if token:
            return cls(username=token, password="")
        username = env.get("GENESIS_USERNAME", "").strip()
        password = env.get("GENESIS_PASSWORD", "")
        if not username or not password:
            raise GenesisConfigError("set GENESIS_TOKEN, or GENESIS_USERNAME and GENESIS_PASSWORD")
        return cls(username=username, password=password)

    def headers(self) -> dict[str, str]:
        return {"username": self.username, "password": self.password}

    def __repr__(self) -> str:  # never print secrets in logs or tracebacks
        return "Credentials(username=***, password=***)"


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: ``base_delay * 2**attempt`` seconds, capped, at most N tries."""

    max_attempts: int = 5
    base_delay: float = 2.0
    max_delay: float = 120.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2**attempt)


class _Transient(Exception):
    """A failure worth retrying (timeout, 5xx, 429, too many parallel requests)."""


def resolve_base_url(value: str | None) -> str:
    """A base URL or a known database name → URL ending in ``/``."""
    if not value:
        return DEFAULT_BASE_URL
    url = BASE_URLS.get(value.strip().lower(), value.strip())
    if not url.startswith("https://"):
        raise GenesisConfigError(f"GENESIS base URL must be https: {value!r}")
    return url if url.endswith("/") else url + "/"


class GenesisClient:
    """POST-only client for one GENESIS database (Regionalstatistik, Landesdatenbank, Destatis)."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
        poll_interval: float = 10.0,
        max_polls: int = 60,
        timeout: tuple[float, float] = (10.0, 300.0),
        language: str = "de",
    ):
        self.base_url = resolve_base_url(base_url)
        self.credentials = credentials
        self.session = session or requests.Session()
        self.sleep = sleep
        self.retry = retry or RetryPolicy()
        self.poll_interval = poll_interval
        self.max_polls = max_polls
        self.timeout = timeout
        self.language = language

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs) -> GenesisClient:
        env = os.environ if env is None else env
        kwargs.setdefault("base_url", env.get("GENESIS_BASE_URL"))
        return cls(Credentials.from_env(env), **kwargs)

    # ------------------------------------------------------------------ public methods

    def tablefile(self, name: str, **params: str) -> tuple[str, bytes]:
        """Download table ``name`` as ffcsv; return ``(file name, CSV bytes)``.

        Extra ``params`` (``startyear``, ``endyear``, ``regionalvariable``, ``regionalkey``,
        ``quality``…) are passed through. A table too large for dialogue is fetched as a job.
        """
        data = {
            "name": name,
            "area": "all",
            "compress": "false",
            "format": "ffcsv",
            "language": self.language,
            "job": "false",
            **params,
        }
        response = self._post("data", "tablefile", data, name)
        status = _json_status(response)
        if status is None:
            return self._content(response, name)
        code = _code(status)
        if code == STATUS_TOO_LARGE:
            response = self._post("data", "tablefile", data | {"job": "true"}, name)
            status = _json_status(response)
            if status is None:
                return self._content(response, name)
            code = _code(status)
        if code == STATUS_JOB_CREATED:
            result = _result_name(name, status)
            self._wait_for_result(name, result)
            return self.resultfile(result)
        raise _api_error(name, status)

    def resultfile(self, result: str) -> tuple[str, bytes]:
        """Fetch the finished result of a background job as ffcsv."""
        data = {
            "name": result,
            "area": "user",
            "compress": "false",
            "format": "ffcsv",
            "language": self.language,
        }
        response = self._post("data", "resultfile", data, result)
        status = _json_status(response)
        if status is not None:
            raise _api_error(result, status)
        return self._content(response, result)

    def metadata_table(self, name: str) -> dict:
        """The table's metadata object (title, time range, structure)."""
        data = {"name": name, "area": "all", "language": self.language}
        response = self._post("metadata", "table", data, name)
        status = _json_status(response)
        if status is None or _code(status) != STATUS_OK:
            raise _api_error(name, status or {})
        return response.json()

    def download(self, name: str, directory: str | Path, **params: str) -> Path:
        """Download table ``name`` into ``directory`` (file named as the service names it)."""
        file_name, content = self.tablefile(name, **params)
        target = Path(directory) / file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return target

    # ------------------------------------------------------------------ internals

    def _post(self, service: str, method: str, data: dict, name: str) -> requests.Response:
        url = f"{self.base_url}{service}/{method}"
        last = ""
        for attempt in range(self.retry.max_attempts):
            try:
                response = self.session.post(
                    url, data=data, headers=self.credentials.headers(), timeout=self.timeout
                )
                _raise_if_transient(response, name)
                return response
            except (requests.Timeout, requests.ConnectionError, _Transient) as exc:
                last = f"{type(exc).__name__}: {exc}"
                if attempt + 1 < self.retry.max_attempts:
                    self.sleep(self.retry.delay(attempt))
        raise GenesisApiError(
            name,
            f"{service}/{method} failed {self.retry.max_attempts} times, giving up",
            value=last,
        )

    def _wait_for_result(self, name: str, result: str) -> None:
        data = {
            "selection": result,
            "area": "user",
            "pagelength": "1",
            "language": self.language,
        }
        for _ in range(self.max_polls):
            response = self._post("catalogue", "results", data, name)
            status = _json_status(response) or {}
            code = _code(status)
            if code == STATUS_OK and (response.json().get("List") or []):
                return
            if code not in (STATUS_OK, STATUS_NO_OBJECTS):
                raise _api_error(name, status)
            self.sleep(self.poll_interval)
        raise GenesisApiError(
            name,
            f"job result {result} not ready after {self.max_polls} polls",
            code=STATUS_NO_OBJECTS,
        )

    @staticmethod
    def _content(response: requests.Response, name: str) -> tuple[str, bytes]:
        body = response.content
        if body[:4] == b"PK\x03\x04" or "zip" in response.headers.get("Content-Type", ""):
            try:
                with zipfile.ZipFile(io.BytesIO(body)) as archive:
                    members = [m for m in archive.namelist() if not m.endswith("/")]
                    if len(members) != 1:
                        raise GenesisApiError(name, "ZIP should hold one file", value=members)
                    return Path(members[0]).name, archive.read(members[0])
            except zipfile.BadZipFile as exc:
                raise GenesisApiError(name, "damaged ZIP response", value=str(exc)) from exc
        return f"{name}_flat.csv", body


def _raise_if_transient(response: requests.Response, name: str) -> None:
    if response.status_code == 429 or response.status_code >= 500:
        raise _Transient(f"HTTP {response.status_code}")
    status = _json_status(response)
    if (
        status is not None
        and _code(status) != STATUS_OK
        and _TOO_MANY.search(str(status.get("Content", "")))
    ):
        raise _Transient(str(status.get("Content")))
    if response.status_code >= 400:
        detail = status.get("Content") if status else response.text[:200]
        raise GenesisApiError(name, f"HTTP {response.status_code}", value=detail)


def _json_status(response: requests.Response) -> dict | None:
    """The ``Status`` object of a JSON answer, or ``None`` for a data (CSV/ZIP) body."""
    body = response.content.lstrip()
    if not body.startswith(b"{"):
        return None
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    status = document.get("Status") if isinstance(document, dict) else None
    return status if isinstance(status, dict) else {"Code": STATUS_ERROR, "Content": "no Status"}


def _code(status: Mapping) -> int:
    try:
        return int(status.get("Code", STATUS_ERROR))
    except (TypeError, ValueError):
        return STATUS_ERROR


def _result_name(name: str, status: Mapping) -> str:
    match = _RESULT_NAME.search(str(status.get("Content", "")))
    if not match:
        raise GenesisApiError(
            name,
            "job created but no result name in the answer",
            code=STATUS_JOB_CREATED,
            value=status.get("Content"),
        )
    return match.group(1)


def _api_error(name: str, status: Mapping) -> GenesisApiError:
    code = _code(status)
    content = " ".join(str(status.get("Content", "")).split())
    return GenesisApiError(name, f"GENESIS status {code}", code=code, value=content)
