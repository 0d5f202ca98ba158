"""Browser test of the rendered site: headless Chromium opens every page from a local server.

Fails on console errors, JavaScript exceptions, failed or 4xx/5xx requests, requests to any
host but the local server, and broken links (every local href/src must name a file of the
site, every #fragment an element of its page). Saves a screenshot of every page. Then turns
both PDF editions into PNG pages (pdftoppm) and checks page count and text (pdftotext).

Chromium is driven over the DevTools protocol (``--remote-debugging-port`` and the
``websockets`` client the environment already has), so no WebDriver is needed. Missing Debian
packages (chromium, chromium-driver, poppler-utils) are installed by
``tests/browser/install_chromium.sh``. ``BILDUNGSMONITOR_BROWSER_SITE=<dir>`` tests an
already rendered site (e.g. ``reports/_site`` after ``make report``) instead of rendering the
fixture warehouse.
"""

from __future__ import annotations

import base64
import functools
import http.server
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from websockets.sync.client import ClientConnection, connect

from pipelines.report import render_site
from tests.test_report_data import build_warehouse
from tests.test_report_render import copy_project

pytestmark = pytest.mark.e2e

INSTALL = Path(__file__).parent / "browser" / "install_chromium.sh"
CHROMIUM = "/usr/bin/chromium"
TOOLS = (CHROMIUM, "/usr/bin/pdftoppm", "/usr/bin/pdftotext", "/usr/bin/pdfinfo")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-sync",
    "--metrics-recording-only",
    # nothing may leave the machine: any other host fails to resolve (and is reported)
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1280,900",
]
PAGE_TIMEOUT = 30.0


# --------------------------------------------------------------------------- set-up


@pytest.fixture(scope="module")
def tools() -> None:
    """Chromium and poppler-utils, installed from Debian if missing."""
    if all(Path(t).exists() for t in TOOLS):
        return
    done = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, check=False)
    missing = [t for t in TOOLS if not Path(t).exists()]
    if done.returncode != 0 or missing:
        pytest.fail(
            f"browser test tools missing ({missing}); {INSTALL.name} said:\n"
            + (done.stderr or done.stdout)[-2000:]
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rendered site: the one named by the environment, else the fixture report."""
    given = os.environ.get("BILDUNGSMONITOR_BROWSER_SITE")
    if given:
        return Path(given).resolve()
    root = tmp_path_factory.mktemp("browser-site")
    warehouse = build_warehouse(root / "w.duckdb", kategorie=True)
    result = render_site(
        copy_project(root / "reports"),
        root / "_site",
        env={"BILDUNGSMONITOR_WAREHOUSE": str(warehouse)},
        renderer="builtin",
    )
    print(f"\nrendered {len(result.pages)} pages in {result.seconds:.1f} s")
    return result.output_dir


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The site over HTTP on 127.0.0.1 (a random free port), as a web server would serve it."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


# --------------------------------------------------------------------------- DevTools protocol


class DevTools:
    """A minimal Chrome DevTools protocol client: commands, and the events received."""

    def __init__(self, ws: ClientConnection):
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def call(self, method: str, session: str | None = None, **params: object) -> dict:
        message_id = next(self.ids)
        message: dict = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + PAGE_TIMEOUT
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = PAGE_TIMEOUT) -> None:
        """Receive events until ``method`` arrives for ``session``."""
        if any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            event = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return
        raise TimeoutError(f"no {method} within {timeout} s")


@pytest.fixture(scope="module")
def browser(tools: None) -> Iterator[DevTools]:
    """Headless Chromium with a fresh profile, driven over its DevTools websocket."""
    profile = Path(tempfile.mkdtemp(prefix="bm-chromium-"))
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        with connect(f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=20) as ws:
            yield DevTools(ws)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------- visiting pages


@dataclass
class Visit:
    """What a page did in the browser."""

    url: str
    problems: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    screenshot: bytes = b""


COLLECT_DOM = """(() => {
  const refs = [];
  for (const el of document.querySelectorAll('[href], [src]')) {
    for (const name of ['href', 'src']) {
      const value = el.getAttribute(name);
      if (value !== null) refs.push(new URL(value, document.baseURI).href);
    }
  }
  return JSON.stringify({refs, ids: [...document.querySelectorAll('[id]')].map(e => e.id),
                         height: document.documentElement.scrollHeight});
})()"""


def visit(browser: DevTools, url: str, base: str) -> Visit:
    """Open ``url`` in a new tab; collect errors, outside requests, links and a screenshot."""
    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    first_event = len(browser.events)
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session)
        browser.call("Page.navigate", session, url=url)
        browser.wait_for("Page.loadEventFired", session)
        result = browser.call(
            "Runtime.evaluate", session, expression=COLLECT_DOM, returnByValue=True
        )
        dom = json.loads(result["result"]["value"])
        height = min(int(dom["height"]), 12000)
        shot = browser.call(
            "Page.captureScreenshot",
            session,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1},
        )
        page = Visit(url=url, refs=dom["refs"], ids=set(dom["ids"]))
        page.screenshot = base64.b64decode(shot["data"])
        time.sleep(0.2)  # late console messages
        browser.call("Runtime.evaluate", session, expression="1")  # flush queued events
        events = [e for e in browser.events[first_event:] if e.get("sessionId") == session]
        page.problems = problems_in(events, base)
        return page
    finally:
        browser.call("Target.closeTarget", targetId=target)
        del browser.events[first_event:]


def problems_in(events: list[dict], base: str) -> list[str]:
    """Console errors, exceptions, failed requests and requests leaving the local server."""
    problems = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            problems.append(f"console error: {text}")
        elif method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            problems.append(f"console error: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            request_url = params["request"]["url"]
            if not request_url.startswith((base, "data:", "about:")):
                problems.append(f"request to an outside host: {request_url}")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            problems.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"request failed: {params.get('errorText')}")
    return problems


def broken_links(page: Visit, base: str, site: Path) -> list[str]:
    """Local refs that name no file of the site, or a #fragment no element has."""
    problems = []
    for ref in page.refs:
        if ref.startswith(("data:", "about:")):
            continue
        if not ref.startswith(base):
            problems.append(f"link to an outside host: {ref}")
            continue
        parts = urlsplit(ref)
        path = site / unquote(parts.path).lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            problems.append(f"broken link: {ref}")
        elif parts.fragment:
            ids = page.ids if ref.split("#")[0] == page.url.split("#")[0] else ids_of(path)
            if unquote(parts.fragment) not in ids:
                problems.append(f"broken anchor: {ref}")
    return problems


@functools.cache
def ids_of(path: Path) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', path.read_text("utf-8")))


# --------------------------------------------------------------------------- tests


def test_every_page_loads_cleanly_in_chromium(
    browser: DevTools, server: str, site: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    shots = tmp_path_factory.mktemp("screenshots")
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert "index.html" in pages and len(pages) > 30
    report = {}
    for name in pages:
        page = visit(browser, server + name, server)
        problems = page.problems + broken_links(page, server, site)
        if problems:
            report[name] = problems
        shot = shots / (name.replace("/", "__").removesuffix(".html") + ".png")
        shot.write_bytes(page.screenshot)
        assert page.screenshot.startswith(b"\x89PNG") and len(page.screenshot) > 20_000, name
    print(f"\n{len(pages)} pages opened in Chromium; screenshots in {shots}")
    assert report == {}, json.dumps(report, ensure_ascii=False, indent=1)


def test_a_page_with_an_outside_request_or_a_broken_link_is_caught(
    browser: DevTools, server: str, site: Path
) -> None:
    """The checks above can fail: a page that loads a CDN script and links nowhere."""
    bad = site / "_browser_check.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>x</title>'
        '<script src="https://cdn.example.org/x.js"></script></head><body>'
        '<a href="fehlt.html">weg</a><a href="#nirgends">Anker</a>'
        "<script>console.error('kaputt')</script></body></html>",
        encoding="utf-8",
    )
    try:
        page = visit(browser, server + bad.name, server)
        problems = "\n".join(page.problems + broken_links(page, server, site))
    finally:
        bad.unlink()
    assert "request to an outside host: https://cdn.example.org/x.js" in problems
    assert "console error: kaputt" in problems
    assert f"broken link: {server}fehlt.html" in problems
    assert "broken anchor" in problems


@pytest.mark.parametrize(
    ("pdf", "min_pages", "phrases"),
    [
        (
            "bericht.pdf",
            30,
            ["Bildungsbericht Krefeld", "Inhaltsverzeichnis", "Abbildung 1", "Tabelle 1",
             "Quelle:", "Schulerfolg sichern", "Schulsozialindex", "Kennzahlenkatalog"],
        ),
        (
            "kurzreport-schulerfolg.pdf",
            6,
            ["Schulerfolg sichern", "Inhaltsverzeichnis", "1 Worum es geht", "Abbildung 1",
             "Schulformwechsel", "Quelle:", "8,1 %"],
        ),
    ],
)  # fmt: skip
def test_pdf_editions_turn_into_pages_with_their_text(
    tools: None, site: Path, tmp_path: Path, pdf: str, min_pages: int, phrases: list[str]
) -> None:
    path = site / pdf
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)[1])
    assert pages >= min_pages
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "seite")],
        capture_output=True,
        check=True,
    )
    images = sorted(tmp_path.glob("seite-*.png"))
    assert len(images) == pages
    assert all(p.stat().st_size > 1000 for p in images)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    missing = [p for p in phrases if p not in text]
    assert missing == []
    assert "http://" not in text and "https://" not in text
