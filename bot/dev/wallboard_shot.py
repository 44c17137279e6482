"""The demo's wallboard screenshot: the board served from the demo's own database by the app's
WSGI application on a local port (in this process, on a thread), opened in headless Chromium
through Selenium, saved at 1920×1080. Nothing is fetched from anywhere else."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

WIDTH, HEIGHT = 1920, 1080
# How long the board may take to draw itself in the browser.
DRAWN_WITHIN = 15.0

Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the demo's output."""


def missing() -> str | None:
    """Why no screenshot can be taken here (None: Chromium, its driver and Selenium are all
    there)."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        return "Chromium is not installed (apt-get install chromium chromium-driver)"
    if not shutil.which("chromedriver"):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed (pip install -e '.[dev]')"
    return None


@contextmanager
def serving(application: Wsgi) -> Iterator[str]:
    """The WSGI application on 127.0.0.1 at a free port, on a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, application, _Server, _Quiet)
    thread = threading.Thread(target=server.serve_forever, name="demo-board", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def screenshot(application: Wsgi, link: str, path: Path) -> None:
    """Open the board `link` names (its path, on the local server) and save it to `path`."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    assert binary and driver_path
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},{HEIGHT}",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    with serving(application) as base:
        browser = webdriver.Chrome(service=Service(driver_path), options=options)
        try:
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
            )
            browser.get(base + urlsplit(link).path)
            WebDriverWait(browser, DRAWN_WITHIN, poll_frequency=0.1).until(
                lambda b: (
                    str(
                        b.execute_script(
                            'const b = document.getElementById("board");'
                            "return b ? b.textContent.trim() : '';"
                        )
                    )
                    != ""
                ),
                "the wallboard never drew itself",
            )
            # The CJK font is loaded and laid out before the picture is taken.
            browser.execute_async_script(
                "document.fonts.ready.then(arguments[arguments.length - 1]);"
            )
            if not browser.save_screenshot(str(path)):
                raise RuntimeError("Chromium saved no screenshot")
        finally:
            browser.quit()
