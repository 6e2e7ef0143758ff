"""Browser tests: the app served on a local port, driven by headless Chromium (Playwright).

Fixtures:
- `live_server` (session): the session's `app` (same database as the other tests) served by
  werkzeug in a daemon thread; yields the base URL.
- `browser` (session): Debian's /usr/bin/chromium through Playwright. Without it the tests are
  skipped, unless REQUIRE_BROWSER=1 (CI), which makes that a failure.
- `new_context(**options)` (function): makes browser contexts (closed after the test) with the
  base URL set, a desktop viewport and `bypass_csp=True` (axe is injected as script, which the
  app's CSP forbids) unless overridden.
- `page`: a desktop page (1280x900); `phone_page`: a phone (390x844, mobile, touch).
"""
from __future__ import annotations

import logging
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
TIMEOUT_MS = 10_000


def _no_browser(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; REQUIRE_BROWSER=1 requires the browser tests to run",
                    pytrace=False)
    pytest.skip(reason)  # only when chromium is missing; CI sets REQUIRE_BROWSER=1


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    # One log line per request (and per stylesheet) drowns the report of a failing test.
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        werkzeug_log.setLevel(level)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        _no_browser("chromium not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """`new_context(**options)` -> a fresh BrowserContext, closed at the end of the test."""
    contexts = []

    def make(**options):
        settings = {"base_url": live_server, "bypass_csp": True, "locale": "nl-NL",
                    "timezone_id": "Europe/Amsterdam", **DESKTOP}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context):
    return new_context(**PHONE).new_page()
