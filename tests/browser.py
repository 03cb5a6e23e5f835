"""Open an HTML page gitml writes in a real browser (Debian's Chromium, driven by Playwright).

Every HTML page gitml writes goes through this check. Use it from any test::

    from tests.browser import open_in_browser

    def test_my_page_renders(browser, tmp_path):
        path = write_my_page(tmp_path)          # any HTML file gitml wrote
        page = open_in_browser(browser, path)
        page.assert_clean()                     # no console error, no page error, no request
        assert page.charts == {"drift": 1}      # one rendered chart per chart container

``browser`` is a session-wide fixture (registered in ``tests/conftest.py``), so Chromium starts
once per test process. A chart container is any element carrying ``data-gitml-chart="NAME"``;
``page.charts`` maps each NAME to the number of ``svg``/``canvas`` elements rendered inside it,
after waiting (up to ``timeout`` ms) until every container holds one. Pages must be
self-contained: any request other than ``file:`` and ``data:`` URLs is blocked and listed in
``page.requests``, and ``assert_clean`` fails on it.

Chromium is ``/usr/bin/chromium`` (``.ci/system-packages.sh`` installs it); Playwright downloads
no browser. Without it the tests are skipped on a laptop and fail when ``CI`` is set.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHART_SELECTOR = "[data-gitml-chart]"
# Read at import, before the autouse fixture removes CI from each test's environment.
IN_CI = bool(os.environ.get("CI"))

_RENDERED = """(selector) => [...document.querySelectorAll(selector)].every(
    (el) => el.querySelector("svg, canvas") !== null)"""
_COUNT = """(selector) => Object.fromEntries([...document.querySelectorAll(selector)].map(
    (el) => [el.dataset.gitmlChart, el.querySelectorAll("svg, canvas").length]))"""
_BROKEN_IMAGES = """() => [...document.images]
    .filter((img) => !img.complete || img.naturalWidth === 0)
    .map((img) => img.alt || img.src.slice(0, 60))"""


@dataclass
class PageCheck:
    """What a page did in the browser: errors, blocked requests, charts and broken images."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    #: chart container name -> number of svg/canvas elements rendered inside it
    charts: dict[str, int] = field(default_factory=dict)
    broken_images: list[str] = field(default_factory=list)
    text: str = ""

    def assert_clean(self) -> None:
        """No console or page error, no network request, no broken image, every chart drawn."""
        problems = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "network requests (the page must be self-contained)": self.requests,
            "broken images": self.broken_images,
            "chart containers with no svg/canvas": [n for n, c in self.charts.items() if not c],
        }
        found = {name: items for name, items in problems.items() if items}
        assert not found, f"the page misbehaved in Chromium: {found}"


def launch(playwright: Any) -> Any:
    """Debian's Chromium under Playwright; skip (fail in CI) when it is not installed."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        message = "chromium is not installed (apt-get install chromium, or run .ci/run)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the test process (see the module docstring for use)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def open_in_browser(browser: Any, path: Path, timeout: float = 15_000) -> PageCheck:
    """Load ``path`` in a fresh page, wait for its charts, and return what happened."""
    check = PageCheck()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda msg: check.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda error: check.page_errors.append(str(error)))

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                request_route.continue_()
            else:
                check.requests.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        # a chart that never draws is counted as empty below, and assert_clean names it
        with contextlib.suppress(Exception):
            page.wait_for_function(_RENDERED, arg=CHART_SELECTOR, timeout=timeout)
        check.charts = page.evaluate(_COUNT, CHART_SELECTOR)
        check.broken_images = page.evaluate(_BROKEN_IMAGES)
        check.text = page.inner_text("body")
    finally:
        context.close()
    return check
