"""The built site in a real browser: headless Chromium (Debian's) opens every page.

Each page must load without console errors, every link and resource on the site's
own server must answer 200, and every image must render (naturalWidth > 0).
Screenshots of every page go to an artifacts folder (``$VITD_KG_ARTIFACTS`` or a
pytest temporary folder), printed at the end for review.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PAGE_LOAD_TIMEOUT_S = 30

if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium and chromium-driver (.ci/apt-packages.txt)")
    pytest.skip("headless Chromium (Debian chromium, chromium-driver) is not installed", allow_module_level=True)

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from vitd_kg import build_site

    return build_site(tmp_path_factory.mktemp("browser") / "site").folder


@pytest.fixture(scope="module")
def server(site):
    """The site served over HTTP on 127.0.0.1 (a free port), stopped after the tests."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1366,900",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("VITD_KG_ARTIFACTS") or tmp_path_factory.mktemp("artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    print(f"\nscreenshots of the documentation site: {folder}")


def _status(url: str) -> int:
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_every_page_loads_cleanly_links_resolve_and_images_render(site, server, browser, artifacts):
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    assert "index.html" in pages and "ontology.html" in pages and len(pages) > 10
    checked: dict[str, int] = {}
    problems: list[str] = []
    for page in pages:
        browser.get(server + page)
        assert browser.execute_script("return document.readyState") == "complete", page
        for entry in browser.get_log("browser"):
            if entry["level"] == "SEVERE":
                problems.append(f"{page}: console error: {entry['message']}")
        urls = browser.execute_script(
            "return Array.from(document.querySelectorAll('[href],[src]'))"
            ".map(e => e.href || e.src).filter(u => typeof u === 'string')"
        )
        for url in urls:
            if url.startswith("data:"):
                continue
            target, _ = urldefrag(url)
            if target.startswith(server):
                if target not in checked:
                    checked[target] = _status(target)
                if checked[target] != 200:
                    problems.append(f"{page}: broken link {target} ({checked[target]})")
            else:
                parsed = urlparse(target)
                if parsed.scheme not in ("http", "https", "mailto") or not parsed.netloc and parsed.scheme != "mailto":
                    problems.append(f"{page}: odd link {url}")
        images = browser.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth])"
        )
        for src, complete, width in images:
            if not (complete and width > 0):
                problems.append(f"{page}: image {src} did not render")
        shot = artifacts / (page.replace("/", "__").removesuffix(".html") + ".png")
        browser.save_screenshot(str(shot))
    assert not problems, "\n".join(problems)
    assert any(url.endswith("model.svg") for url in checked), "the model diagram is not linked"
    assert sum(1 for url in checked if "/maps/" in url) >= 1


def test_pages_use_no_resource_from_the_network(site):
    """No script, stylesheet, font or image comes from another host."""
    import re

    offending = []
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r'<(script|link|img|iframe)\b[^>]*\b(src|href)="(https?:)?//', text):
            offending.append(f"{page.name}: {match.group(0)}")
        for match in re.finditer(r"@import|url\(\s*['\"]?https?:", text):
            offending.append(f"{page.name}: {match.group(0)}")
    assert not offending, offending
