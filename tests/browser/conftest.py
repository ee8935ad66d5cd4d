"""Browser tests: the real demo site, built once, served as the CDN would, in Debian's Chromium.

Session fixtures (one set per pytest-xdist worker):

- ``demo``: ``site/content`` built with a fixed "now" into a temporary folder and
  served by :class:`functions.local.static.StaticSite` (with the security headers)
  on a free loopback port, in a background thread; it also carries what the pages
  are expected to show, read from the content sources, not from the built pages;
- ``browser``: Debian's ``/usr/bin/chromium-headless-shell`` driven by Playwright (sync
  API): the same Blink as ``chromium`` without the browser around it, so the pages lay out,
  run and print alike at half the CPU time of the full browser (which Lighthouse still
  uses, ``bench/lighthouse.py``). There is no browser download: a missing one fails the
  session with the command to run.

``open_page`` opens a path in a fresh browser context and records every console
error, uncaught exception, CSP violation and failed request, so a test can assert
that there were none. Every test in this folder is marked ``browser``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Playwright,
    Request,
    Response,
    expect,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from functions.local.static import StaticSite
from portal import ROOT
from portal.estates.source import load_company
from portal.site.build import build_site
from portal.sourcefile import split_front_matter
from tests.browser.support import DemoSite, Media, OpenPage, WatchedPage

HERE = Path(__file__).resolve().parent

# How long an ``expect(...)`` waits for the page to show what it should (Playwright's default
# is 5 s). A page that acts waits on the API and DynamoDB Local, which on a CI machine with
# every core busy answered a sign-in code request in more than 5 s once. This is a wait,
# not a timing claim: a page that never shows the text still fails.
EXPECT_TIMEOUT_MS = 20_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)

CONTENT_DIR = ROOT / "site" / "content"
NOW = datetime.fromisoformat("2026-11-22T10:00:00+08:00")
HOST = "127.0.0.1"
CHROMIUM = Path("/usr/bin/chromium-headless-shell")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without these, this closed network refuses
    "--disable-component-update",  # Chromium's own background connections
    "--disable-sync",
]

# Records CSP violations as they happen (an init script is not subject to the page's CSP).
_CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


# --- the demo site -------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _front_matter(path: Path) -> dict[str, Any]:
    doc, err = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    assert doc is not None, f"{path}: {err}"
    return dict(doc.meta)


def _first_notice_slug(estate_home: Path) -> str:
    """The first notice the built estate home links to (the pick follows the content)."""
    found = re.search(r'href="/notices/([a-z0-9-]+)/"', estate_home.read_text(encoding="utf-8"))
    assert found, f"{estate_home} links to no notice"
    return found.group(1)


def _campaign_title(content_dir: Path, now: datetime) -> str:
    """The title of this month's campaign: a dated one for this year, else the template."""
    template = None
    for path in sorted((content_dir / "campaigns").glob("*.md")):
        if path.name.endswith(".en.md"):
            continue
        meta = _front_matter(path)
        if meta.get("month") != now.month:
            continue
        if meta.get("year") == now.year:
            return str(meta["title"])
        if meta.get("year") is None:
            template = str(meta["title"])
    assert template is not None, f"no campaign for {now:%Y-%m} in {content_dir}"
    return template


def _expected(root: Path, base_url: str) -> DemoSite:
    company, errors = load_company(CONTENT_DIR)
    assert company is not None, errors
    estate = company.estates[0]
    notice_slug = _first_notice_slug(root / "estates" / estate.slug / "index.html")
    notice = _front_matter(CONTENT_DIR / "notices" / f"{notice_slug}.md")
    return DemoSite(
        base_url=base_url,
        root=root,
        estate_slug=estate.slug,
        estate_name_zh=estate.name.get("zh-CN"),
        estate_name_en=estate.name.get("en"),
        estate_hotline=estate.hotline,
        company_hotline=company.hotline,
        notice_slug=notice_slug,
        notice_title=str(notice["title"]),
        campaign_key=f"{NOW:%Y-%m}",
        campaign_title=_campaign_title(CONTENT_DIR, NOW),
        now=NOW,
        content_dir=CONTENT_DIR,
    )


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    root = tmp_path_factory.mktemp("site")
    server: BaseWSGIServer = make_server(
        HOST, 0, StaticSite(root), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    try:
        base_url = f"http://{HOST}:{server.server_port}"
        # Built for the URL it is served at (canonical links, QR codes); jobs=1: no
        # forking from a process that may already run browser threads.
        result = build_site(CONTENT_DIR, root, now=NOW, site_url=base_url, clean=True, jobs=1)
        assert not result.errors, [str(e) for e in result.errors]
        site = _expected(root, base_url)
        thread.start()
        yield site
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join(timeout=5)
        server.server_close()


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests use Debian's Chromium (packages "
            "chromium-headless-shell and fonts-wqy-microhei). Run `make test`, which installs them.",
            pytrace=False,
        )
    b = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def open_page(browser: Browser, demo: DemoSite) -> Iterator[OpenPage]:
    """``open_page(path, width=390, media="screen")``: a phone-sized page, loaded and watched."""
    contexts: list[BrowserContext] = []

    def _open(
        path: str, width: int = 390, height: int = 844, media: Media = "screen"
    ) -> WatchedPage:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
        )
        contexts.append(context)
        context.add_init_script(_CSP_WATCH)
        page = context.new_page()
        watched = WatchedPage(page)

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                watched.console_errors.append(f"console: {msg.text}")

        def on_page_error(exc: Exception) -> None:
            watched.console_errors.append(f"uncaught: {exc}")

        def on_request_failed(request: Request) -> None:
            # Going on to the next page cancels what the last one was still fetching (an
            # icon after "load"); that is the browser's choice, not a broken resource. A
            # missing file still shows as its HTTP status below.
            if request.failure != "net::ERR_ABORTED":
                watched.failed_requests.append(f"{request.url}: {request.failure}")

        def on_response(response: Response) -> None:
            if response.status >= 400:
                watched.failed_requests.append(f"{response.url}: HTTP {response.status}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        page.emulate_media(media=media)
        response = page.goto(demo.url(path), wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response}"
        page.evaluate("document.fonts.ready.then(() => true)")
        return watched

    yield _open
    for context in contexts:
        context.close()



# The fixtures of the pages that act, registered once here so that a worker starts one
# DynamoDB Local and builds one site for all their modules (imported last: that module
# reads this one's names).
from tests.browser import conftest_account  # noqa: E402

account_stack = conftest_account.account_stack
account_site = conftest_account.account_site
account_page = conftest_account.account_page
