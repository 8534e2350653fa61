"""Browser fixtures: the real app served on a loopback port, driven by Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import missing

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "instance" / "screenshots")
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@contextmanager
def serving(app):
    """The app on 127.0.0.1 and a free port (app.live_url) while the block runs."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.live_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_server(make_app):
    """The app with CSRF and everything real, on 127.0.0.1 and a free port."""
    with serving(make_app(WTF_CSRF_ENABLED=True)) as app:
        yield app


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def watch_csp(page, violations: list[str]) -> None:
    """Collect what the browser reports as blocked by the Content-Security-Policy (an inline script, handler
    or style, a resource from elsewhere) on this page."""

    def seen(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", seen)


@pytest.fixture
def csp_violations():
    """Every CSP violation the pages of this test reported; none may remain at its end."""
    violations: list[str] = []
    yield violations
    assert not violations, "\n".join(violations)


@pytest.fixture
def new_page(browser, csp_violations):
    """Open pages in fresh contexts (separate cookies: separate people), watched for CSP violations."""
    contexts = []

    def open_page(viewport=DESKTOP):
        ctx = browser.new_context(viewport=viewport, locale="zh-CN")
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        page = ctx.new_page()
        watch_csp(page, csp_violations)
        return page

    yield open_page
    for ctx in contexts:
        ctx.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
