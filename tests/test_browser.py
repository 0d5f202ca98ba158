"""Browser test of the rendered site: headless Chromium opens every page from a local server.

Fails on console errors, JavaScript exceptions, failed or 4xx/5xx requests, requests to any
host but the local server, and broken links (every local href/src must name a file of the
site, every #fragment an element of its page). Saves a screenshot of every page. Then turns
both PDF editions into PNG pages (pdftoppm) and checks page count and text (pdftotext).

Every page is opened twice, at 1280 px and as a 390 px phone
(``Emulation.setDeviceMetricsOverride``), and must also pass axe-core (no serious or critical
violation of WCAG 2.1 A/AA and best practice; ``tests/browser/axe_core.py`` fetches axe-core
from the npm registry, checked against its pinned integrity), fit the viewport's width, show
the navbar expanded at 1280 px and collapsed at 390 px (its "Menü" button reached with Tab and
opened with Enter), and at 390 px draw no chart or map text below 10 px. Chart text is measured
from the SVG files: the browser gives the rendered width of each ``<img>``, the file its
``viewBox`` width and its smallest font size (matplotlib writes glyphs scaled by size/100), so
the rendered size is font size × rendered width / viewBox width (text inside an ``<img>`` is
not in the page's DOM; inline ``<svg>`` text is measured in the page).

Chromium is driven over the DevTools protocol (``--remote-debugging-port`` and the
``websockets`` client the environment already has), so no WebDriver is needed. Missing Debian
packages (chromium, chromium-driver, poppler-utils) are installed by
``tests/browser/install_chromium.sh``. ``BILDUNGSMONITOR_BROWSER_SITE=<dir>`` tests an
already rendered site (e.g. ``reports/_site`` after ``make report``) instead of rendering the
fixture warehouse.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import functools
import html
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
import yaml
from websockets.sync.client import ClientConnection, connect

from tests.browser import axe_core

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
AXE_TIMEOUT = 120.0
DESKTOP, PHONE = 1280, 390
HEIGHTS = {DESKTOP: 900, PHONE: 844}
MIN_CHART_TEXT_PX = 10.0


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
def site(request: pytest.FixtureRequest) -> Path:
    """The rendered site: the one named by the environment, else the fixture report
    (``tests/conftest.py``, shared with the release checks)."""
    given = os.environ.get("BILDUNGSMONITOR_BROWSER_SITE")
    if given:
        return Path(given).resolve()
    return request.getfixturevalue("fixture_report")[0]


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

    def call(
        self,
        method: str,
        session: str | None = None,
        *,
        timeout: float = PAGE_TIMEOUT,
        **params: object,
    ) -> dict:
        message_id = next(self.ids)
        message: dict = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def evaluate(self, session: str, expression: str, timeout: float = PAGE_TIMEOUT) -> object:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate",
            session,
            timeout=timeout,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, session: str, key: str) -> None:
        """Press and release Tab or Enter, as a keyboard user would."""
        code, text = {"Tab": (9, ""), "Enter": (13, "\r")}[key]
        common = {"key": key, "code": key, "windowsVirtualKeyCode": code}
        self.call("Input.dispatchKeyEvent", session, type="keyDown", text=text, **common)
        self.call("Input.dispatchKeyEvent", session, type="keyUp", **common)

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
    width: int = DESKTOP
    problems: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    screenshot: bytes = b""
    axe: list[dict] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)


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


@contextlib.contextmanager
def tab(browser: DevTools) -> Iterator[tuple[str, int]]:
    """A new tab (its session, the index of its first event) with Page, Runtime, Log and
    Network events on; closed, and its events dropped, afterwards."""
    target = browser.call("Target.createTarget", url="about:blank")["targetId"]
    session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    first_event = len(browser.events)
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(f"{domain}.enable", session)
        yield session, first_event
    finally:
        browser.call("Target.closeTarget", targetId=target)
        del browser.events[first_event:]


def visit(
    browser: DevTools,
    url: str,
    base: str,
    *,
    width: int = DESKTOP,
    site: Path | None = None,
    javascript: bool = True,
) -> Visit:
    """Open ``url`` in a new tab ``width`` px wide; collect errors, outside requests, links,
    a screenshot, axe-core's violations and the layout checks (``layout_problems``)."""
    with tab(browser) as (session, first_event):
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=HEIGHTS.get(width, 900),
            deviceScaleFactor=1,
            mobile=width < 768,
        )
        browser.call("Emulation.setFocusEmulationEnabled", session, enabled=True)
        browser.call("Emulation.setScriptExecutionDisabled", session, value=not javascript)
        browser.call("Page.navigate", session, url=url)
        browser.wait_for("Page.loadEventFired", session)
        dom = json.loads(browser.evaluate(session, COLLECT_DOM))
        height = min(int(dom["height"]), 12000)
        shot = browser.call(
            "Page.captureScreenshot",
            session,
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        )
        page = Visit(url=url, width=width, refs=dom["refs"], ids=set(dom["ids"]))
        page.screenshot = base64.b64decode(shot["data"])
        page.axe = run_axe(browser, session) if javascript else []  # axe needs timers
        page.layout = layout_problems(browser, session, width, base, site)
        time.sleep(0.2)  # late console messages
        browser.call("Runtime.evaluate", session, expression="1")  # flush queued events
        events = [e for e in browser.events[first_event:] if e.get("sessionId") == session]
        page.problems = problems_in(events, base)
        return page


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


# --------------------------------------------------------------------------- axe, layout


@functools.cache
def axe_source() -> str:
    return axe_core.source()


def run_axe(browser: DevTools, session: str) -> list[dict]:
    """axe-core's violations on the open page (all impacts; ``axe_core.blocking`` filters)."""
    browser.evaluate(session, axe_source())
    return json.loads(browser.evaluate(session, axe_core.run_expression(), AXE_TIMEOUT))


LAYOUT = """(() => {
  const shown = el => {
    if (!el) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const items = [...document.querySelectorAll(
    'header.navbar .navbar-nav > li > a, header.navbar .navbar-nav > li summary')];
  const charts = [...document.querySelectorAll('img')]
    .filter(img => /[.]svg([?#]|$)/.test(img.getAttribute('src') || ''))
    .map(img => ({src: img.currentSrc || img.src, width: img.getBoundingClientRect().width,
                  loaded: img.complete && img.naturalWidth > 0}));
  const inline = [...document.querySelectorAll('svg text')].map(text => {
    const m = text.getScreenCTM();
    return parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b);
  });
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('');
  const scrollers = [...document.querySelectorAll('body *')].filter(el =>
    ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
    && el.scrollWidth > el.clientWidth + 1);
  const unreachable = scrollers.filter(el => !(el.getAttribute('tabindex') === '0'
    && el.getAttribute('role') === 'region' && el.getAttribute('aria-label'))).map(name);
  const active = document.activeElement;
  return JSON.stringify({
    viewport: window.innerWidth, page: document.documentElement.scrollWidth,
    toggle: shown(document.querySelector('.bm-nav-toggle')),
    expanded: document.querySelector('.bm-nav-toggle')?.getAttribute('aria-expanded'),
    focused: !!(active && active.classList.contains('bm-nav-toggle')),
    items: items.length, items_shown: items.filter(shown).length,
    charts, inline: inline.length ? Math.min(...inline) : null, unreachable,
  });
})()"""


def layout_problems(
    browser: DevTools, session: str, width: int, base: str, site: Path | None
) -> list[str]:
    """The page fits the viewport; the navbar is expanded on a desktop and collapsed on a
    phone, where Tab reaches its button and Enter opens it; on a phone no chart text is
    smaller than 10 px."""
    state = json.loads(browser.evaluate(session, LAYOUT))
    problems = [
        f"scrolling box without tabindex=0, role=region and aria-label: {box}"
        for box in state["unreachable"]
    ]  # Chromium lets Tab reach any scroller (axe then passes it), other browsers do not
    if max(state["page"], state["viewport"]) > width:  # a phone zooms out to fit a wide page
        problems.append(f"page {state['page']} px wide in a {width} px viewport")
    if width >= 768:
        if state["toggle"] or state["items_shown"] != state["items"] or not state["items"]:
            problems.append(f"navbar not expanded at {width} px: {state}")
        return problems
    if not state["toggle"] or state["items_shown"]:
        problems.append(f"navbar not collapsed at {width} px: {state}")
    else:
        problems += menu_by_keyboard(browser, session)
    for chart in state["charts"]:
        if not chart["loaded"]:
            problems.append(f"chart not loaded: {chart['src']}")
            continue
        smallest, view_width = svg_text_metrics(local_file(chart["src"], base, site))
        if smallest and view_width:
            px = smallest * chart["width"] / view_width
            if px < MIN_CHART_TEXT_PX:
                problems.append(f"chart text {px:.1f} px at {width} px: {chart['src']}")
    if state["inline"] is not None and state["inline"] < MIN_CHART_TEXT_PX:
        problems.append(f"inline SVG text {state['inline']:.1f} px at {width} px")
    return problems


def menu_by_keyboard(browser: DevTools, session: str, max_tabs: int = 8) -> list[str]:
    """Tab to the navbar's menu button (skip link and brand come first), open it with Enter."""
    for _ in range(max_tabs):
        browser.press(session, "Tab")
        if json.loads(browser.evaluate(session, LAYOUT))["focused"]:
            break
    else:
        return [f"menu button not reached with {max_tabs} presses of Tab"]
    browser.press(session, "Enter")
    state = json.loads(browser.evaluate(session, LAYOUT))
    if state["expanded"] != "true" or state["items_shown"] != state["items"]:
        return [f"Enter on the menu button did not show the navbar: {state}"]
    return []


def local_file(url: str, base: str, site: Path | None) -> Path:
    """The site's file behind a URL of the local server."""
    if site is None or not url.startswith(base):
        raise AssertionError(f"no local file for {url}")
    return site / unquote(urlsplit(url).path).lstrip("/")


SVG_VIEWBOX = re.compile(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)')
SVG_GLYPH_SCALE = re.compile(r"scale\(([\d.]+)[\s,]+-([\d.]+)\)")
SVG_FONT_SIZE = re.compile(r"font-size[:=]\s*\"?([\d.]+)|font:[^;\"]*?([\d.]+)px")


def svg_text_metrics(path: Path) -> tuple[float | None, float | None]:
    """Smallest font size of an SVG in its own units (matplotlib's glyphs are paths scaled by
    size/100; ``<text>`` has a font-size) and its viewBox width."""
    svg = path.read_text("utf-8")
    view = SVG_VIEWBOX.search(svg)
    sizes = [float(x) * 100 for x, y in SVG_GLYPH_SCALE.findall(svg) if x == y]
    sizes += [float(a or b) for a, b in SVG_FONT_SIZE.findall(svg)]
    sizes = [s for s in sizes if s > 0]
    return (min(sizes) if sizes else None), (float(view[1]) if view else None)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=lambda w: f"{w}px")
def test_every_page_loads_cleanly_in_chromium(
    browser: DevTools,
    server: str,
    site: Path,
    tmp_path_factory: pytest.TempPathFactory,
    width: int,
) -> None:
    shots = tmp_path_factory.mktemp(f"screenshots-{width}px")
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert "index.html" in pages and len(pages) > 30
    report, minor = {}, collections.Counter()
    for name in pages:
        page = visit(browser, server + name, server, width=width, site=site)
        problems = [
            *page.problems,
            *broken_links(page, server, site),
            *axe_core.blocking(page.axe),
            *page.layout,
        ]
        minor.update(f"{v['impact']} {v['id']}" for v in page.axe)
        if problems:
            report[name] = problems
        shot = shots / (name.replace("/", "__").removesuffix(".html") + ".png")
        shot.write_bytes(page.screenshot)
        assert page.screenshot.startswith(b"\x89PNG") and len(page.screenshot) > 20_000, name
    print(f"\n{len(pages)} pages opened in Chromium at {width} px; screenshots in {shots}")
    print(f"axe-core {axe_core.VERSION}, all impacts (pages): {dict(minor)}")
    assert report == {}, json.dumps(report, ensure_ascii=False, indent=1)


def test_a_phone_page_failing_axe_the_navbar_or_the_chart_text_is_caught(
    browser: DevTools, server: str, site: Path
) -> None:
    """The phone checks can fail: a navbar that stays open, an image without alt text, a
    scroll box without a keyboard stop, a chart shrunk to 150 px, a page wider than 390 px."""
    chart = next(site.rglob("figure-html/*.svg")).relative_to(site).as_posix()
    bad = site / "_browser_check_phone.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>x</title>'
        '</head><body><header class="navbar"><nav aria-label="Hauptnavigation">'
        '<ul class="navbar-nav"><li><a href="index.html">Start</a></li></ul></nav></header>'
        f'<main><h1>x</h1><img src="{chart}" style="width:150px">'
        '<div style="overflow-x:auto;width:200px"><p style="width:900px">breit</p></div>'
        '<p style="width:600px">zu breit</p></main></body></html>',
        encoding="utf-8",
    )
    try:
        page = visit(browser, server + bad.name, server, width=PHONE, site=site)
    finally:
        bad.unlink()
    problems = "\n".join(axe_core.blocking(page.axe) + page.layout)
    assert "axe critical image-alt" in problems
    assert "scrolling box without tabindex=0, role=region and aria-label: div" in problems
    assert f"navbar not collapsed at {PHONE} px" in problems
    assert f"px at {PHONE} px: {server}{chart}" in problems
    assert f"px wide in a {PHONE} px viewport" in problems


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


def test_without_javascript_the_phone_navbar_stays_open(
    browser: DevTools, server: str, site: Path
) -> None:
    """The menu button needs the page's inline script; without it no link may be hidden."""
    page = visit(browser, server + "index.html", server, width=PHONE, javascript=False)
    state = next(p for p in page.layout if p.startswith("navbar not collapsed"))
    shown = re.search(r"'items': (\d+), 'items_shown': (\d+)", state)
    assert "'toggle': False" in state and shown[1] == shown[2] != "0", state


# --------------------------------------------------------------------------- school guides

GUIDE_FILTERS = """(async () => {
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  const form = document.getElementById('bm-filter');
  const status = () => form.querySelector('.bm-treffer').textContent;
  const shown = () => [...document.querySelectorAll('.bm-schulliste li')]
    .filter((li) => !li.hidden && li.offsetParent !== null);
  const choose = (select, value) => {
    select.value = value;
    select.dispatchEvent(new Event('change', {bubbles: true}));
  };
  const out = {formShown: !form.hidden, before: status(), total: shown().length};
  // the first filter choice that leaves out at least one school
  for (const select of form.querySelectorAll('select')) {
    for (const option of [...select.options].slice(1)) {
      choose(select, option.value);
      const left = shown();
      if (left.length < out.total && !out.filter) {
        out.filter = [select.name, option.value];
        out.after = status();
        out.values = left.map((li) => li.dataset[select.name]);
        out.sectionsShown = [...document.querySelectorAll('.bm-bezirk')]
          .filter((s) => !s.hidden).length;
        out.sectionsWithSchools = new Set(left.map((li) => li.closest('.bm-bezirk'))).size;
      }
    }
    choose(select, '');
  }
  out.reset = status();
  const link = document.querySelector('.bm-schulliste li a');
  const words = link.textContent.replace(/[()]/g, '').split(' ');
  out.query = words[words.length - 2];
  out.wanted = new URL(link.getAttribute('href'), document.baseURI).pathname;
  for (let attempt = 0; attempt < 20 && !out.results; attempt++) {
    const input = document.querySelector('#bm-suche input');
    if (input) {
      input.value = out.query;
      input.dispatchEvent(new Event('input', {bubbles: true}));
    }
    await pause(500);
    const found = [...document.querySelectorAll('.pagefind-ui__result-link')];
    if (found.length) out.results = found.map((a) => new URL(a.href).pathname);
  }
  return out;
})()"""


def guide_overviews(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in (site / "schulwegweiser").glob("*.html")
        if 'id="bm-filter"' in p.read_text("utf-8")
    )


def test_guide_filters_and_search_work_offline(browser: DevTools, server: str, site: Path) -> None:
    """On the overview a parent picks a district, school type, all-day offer or language:
    only the schools that match stay listed (districts without one disappear); the search
    (Pagefind, from the site itself) finds a school by its name and links its page; nothing
    is requested from elsewhere."""
    overviews = guide_overviews(site)
    assert overviews, "no guide overview with filters in the site"
    checked = 0
    for name in overviews:
        with tab(browser) as (session, first_event):
            browser.call("Page.navigate", session, url=server + name)
            browser.wait_for("Page.loadEventFired", session)
            out = browser.evaluate(session, GUIDE_FILTERS)
            time.sleep(0.2)
            browser.call("Runtime.evaluate", session, expression="1")
            events = [e for e in browser.events[first_event:] if e.get("sessionId") == session]
            problems = problems_in(events, server)
        assert problems == [], (name, problems)
        total = out["total"]
        assert out["formShown"] and out["before"] == f"{total} von {total} Schulen", out
        assert out["reset"] == out["before"], out
        if out.get("filter"):  # a guide whose schools all offer the same has nothing to hide
            _, value = out["filter"]
            assert all(value in v.split() for v in out["values"]), out
            assert out["after"] == f"{len(out['values'])} von {total} Schulen", out
            assert out["sectionsShown"] == out["sectionsWithSchools"], out
            checked += 1
        assert out.get("results"), f"{name}: the search found nothing: {out}"
        assert out["wanted"] in out["results"], out
    assert checked, "no overview where a filter hides a school: the filter is not tested"


def test_every_school_page_has_its_map_point(browser: DevTools, server: str, site: Path) -> None:
    """The locator map of every school page draws its point inside the map's frame."""
    pages = sorted(
        p.relative_to(site).as_posix() for p in (site / "schulwegweiser" / "schulen").glob("*.html")
    )
    assert pages, "no school pages in the site"
    script = """(() => {
      const svg = document.querySelector('svg.bm-karte-klein');
      const points = svg ? svg.querySelectorAll('.bm-kartenpunkt') : [];
      if (points.length !== 1) return `${points.length} points`;
      const frame = svg.getBoundingClientRect(), dot = points[0].getBoundingClientRect();
      const inside = dot.width > 0 && dot.left >= frame.left && dot.right <= frame.right
        && dot.top >= frame.top && dot.bottom <= frame.bottom;
      return inside ? 'ok' : 'outside the map';
    })()"""
    found = {}
    for name in pages:
        with tab(browser) as (session, _):
            browser.call("Page.navigate", session, url=server + name)
            browser.wait_for("Page.loadEventFired", session)
            found[name] = browser.evaluate(session, script)
    assert {n: r for n, r in found.items() if r != "ok"} == {}


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
            ["Schulerfolg sichern", "1 Worum es geht", "Abbildung 1",
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
    for url in licence_urls():  # the one address the licence's attribution must print
        text = text.replace(url, "")
    assert "http://" not in text and "https://" not in text


def guide_schools(site: Path) -> dict[str, list[tuple[str, str]]]:
    """Guide title → (school name, phone) of its school pages, read from the pages."""
    schools: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for page in sorted((site / "schulwegweiser" / "schulen").glob("*.html")):
        text = page.read_text("utf-8")
        name = re.search(r'<h1 class="title">(.*?)</h1>', text)[1]
        guide = re.search(r'<p class="subtitle">(.*?) \d{4}/\d{2}</p>', text)[1]
        phone = re.search(r"<td[^>]*>Telefon</td>\s*<td[^>]*>(.*?)</td>", text)[1]
        schools[guide].append((html.unescape(name), html.unescape(phone)))
    return schools


def test_guide_brochures_hold_each_school_once_and_no_phone_number_wraps(
    tools: None, site: Path
) -> None:
    """Both brochures exist; each school of its guide has exactly one page (the page with
    its facts table) and its phone number on one line of pdftotext's layout."""
    schools = guide_schools(site)
    brochures = {
        "Grundschulwegweiser": ("grundschulwegweiser-broschuere.pdf", (419.5, 595.3)),  # A5
        "Wegweiser weiterführende Schulen": (
            "wegweiser-weiterfuehrende-schulen-broschuere.pdf",
            (595.3, 841.9),  # A4
        ),
    }
    assert set(schools) == set(brochures)
    for guide, (pdf, size) in brochures.items():
        path = site / "schulwegweiser" / pdf
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        found = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
        assert abs(float(found[1]) - size[0]) < 1 and abs(float(found[2]) - size[1]) < 1, info
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        title = " ".join(text.split("\f")[0].split())  # who publishes it, as of when, licence
        for imprint in ("Herausgeber: Stadt Krefeld", "Stand: ", "Lizenz: Datenlizenz"):
            assert imprint in title, (pdf, title)
        pages = [page for page in text.split("\f") if "Merkmal" in page]
        # a long name wraps in its heading, at a space or after a hyphen
        joined = [re.sub(r"-\s+", "-", " ".join(page.split())) for page in pages]
        assert len(pages) == len(schools[guide]), pdf
        for name, phone in schools[guide]:
            holding = [n for n, page in enumerate(joined) if " ".join(name.split()) in page]
            assert len(holding) == 1, (pdf, name, holding)
            lines = [" ".join(line.split()) for line in pages[holding[0]].splitlines()]
            assert any(" ".join(phone.split()) in line for line in lines), (pdf, name, phone)


def licence_urls() -> list[str]:
    """The licence's address from the imprint settings (``reports/_impressum.yml``)."""
    settings = Path(__file__).parents[1] / "reports" / "_impressum.yml"
    if not settings.is_file():
        return []
    data = yaml.safe_load(settings.read_text("utf-8")) or {}
    return [v for k, v in data.items() if k.endswith("_url") and isinstance(v, str)]
