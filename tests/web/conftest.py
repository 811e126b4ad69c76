"""A running planforge page and a real headless Chromium driving it.

The browser is Debian's chromium with chromium-driver (no browser downloads are possible here);
on CI they must exist, elsewhere the browser tests are skipped with the reason. Downloads are
fetched with the browser's own cookies, as a browser would send them.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "web"


class Server:
    def __init__(self, app, server, thread):
        self.app, self.server, self.thread = app, server, thread
        self.url = f"http://127.0.0.1:{server.effective_port}"


def start_server(tmp: Path, **options) -> Server:
    from waitress import create_server

    from planforge.web.app import create_app

    app = create_app(jobs_root=tmp / "jobs", render_jobs=1, **options)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return Server(app, server, thread)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(tmp_path_factory.mktemp("web"),
                           plugins_dir=str(ROOT / "examples" / "declarative-plugins"))
    yield running
    running.server.close()
    running.app.extensions["planforge"]["store"].close()


def _find(names: tuple[str, ...]) -> str | None:
    return next((path for name in names if (path := shutil.which(name))), None)


@pytest.fixture(scope="module")
def browser():
    chromium = _find(("chromium", "chromium-browser", "google-chrome"))
    driver_path = _find(("chromedriver",))
    if chromium is None or driver_path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are required on CI")
        pytest.skip("chromium / chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                     "--lang=zh-CN"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> Path:
    """Keep what the page looked like: docs/web/ holds these for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, min(max(800, height + 40), 4000))
    driver.save_screenshot(str(target))
    driver.set_window_size(1280, 1000)
    return target


def fetch(driver, url: str) -> bytes:
    """A download as the browser would make it, with the browser's cookies."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with opener.open(request, timeout=120) as response:
        return response.read()
