"""Fixtures for the pages that act: the built site and the real API on one origin.

Registered by ``tests/browser/conftest.py`` (pytest does not load this file by itself).

- ``account_stack`` (session, one per pytest-xdist worker): an in-memory DynamoDB Local
  started as the integration tests start it, the S3 stand-in, the demo site built for the
  URL it is served at, and one server on a free loopback port, in a thread.
- ``account_site``: the requesting module's tables (a prefix of its own, seeded once) and
  the one-origin app ``portal dev`` serves (:func:`functions.local.server.compose`:
  ``/api/*`` to the Flask app of ``create_app(settings)``, the rest to the built site),
  made the server's app for the test. Stage ``test``: no SMS leaves the machine, codes land
  in ``/api/dev/outbox``.
- ``account_page(path)``: a 390×844 phone page, watched as ``open_page`` watches the
  reading pages, across navigations (sign-in → my home → sign-in). Pages that act get
  4xx answers by design (a wrong code is a 401 ``code_invalid``, "not signed in" a 401), so a test names
  the answers it expects and :meth:`ActingPage.unexpected` reports everything else.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Request, Response
from werkzeug.serving import BaseWSGIServer, make_server

from functions.local.static import StaticSite
from portal import ROOT
from portal.settings import Settings
from portal.site.build import build_site
from tests.browser.conftest import HOST, NOW, _QuietHandler
from tests.browser.support import WatchedPage
from tests.integration.conftest import start_dynamodb_local

CONTENT_DIR = ROOT / "site" / "content"
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
_FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d+)")
# Every CSP violation, on every document the page shows (the binding survives navigations).
_CSP_REPORT = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__portalCspViolation(
    `${location.pathname}: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@dataclass(frozen=True)
class AccountSite:
    """The site + API being served, and its store (for test data)."""

    base_url: str
    settings: Settings
    client: Any  # a DynamoDB client on the same tables

    def url(self, path: str) -> str:
        return self.base_url + path

    def sign_in_code(self, phone: str) -> str:
        """The code in the newest text message sent to ``phone`` (the local outbox)."""
        with urllib.request.urlopen(self.url("/api/dev/outbox?limit=200"), timeout=5) as r:
            messages = json.load(r)
        for m in messages:  # newest first
            if m["phone"] == phone:
                found = _CODE.search(m["text"])
                assert found, m["text"]
                return found.group(0)
        raise AssertionError(f"no message to {phone} in the outbox")


@dataclass
class _AccountStack:
    """What every module's account site shares on one worker: the DynamoDB Local, the S3
    stand-in, the built site and the one server (each module has its own tables and app)."""

    ddb: Any
    s3: Any
    server: BaseWSGIServer
    static: StaticSite
    settings: Settings
    sites: dict[str, tuple[AccountSite, Any]] = field(default_factory=dict)


@pytest.fixture(scope="session")
def account_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_AccountStack]:
    from functions.local.s3 import S3Local
    from portal.store.client import s3_client
    from portal.store.objects import Bucket
    from portal.uploads.bucket import prepare_bucket

    root = tmp_path_factory.mktemp("account-site")
    ddb = start_dynamodb_local()
    server: BaseWSGIServer | None = None
    thread: threading.Thread | None = None
    s3: S3Local | None = None
    try:
        settings = Settings(
            stage="test", dynamodb_endpoint=ddb.endpoint, content_dir=CONTENT_DIR, build_dir=root
        )
        server = make_server(HOST, 0, StaticSite(root), threaded=True,
                             request_handler=_QuietHandler)  # fmt: skip
        base_url = f"http://{HOST}:{server.server_port}"
        # Photos go to the S3 stand-in (another origin: CORS for the site's, in the CSP).
        s3 = S3Local(port=0, cors_origins=[base_url]).start()
        settings = settings.with_(site_url=base_url, s3_endpoint=s3.endpoint)
        prepare_bucket(Bucket(s3_client(settings), settings.uploads_bucket),
                       settings.aws_region, [base_url])  # fmt: skip
        result = build_site(CONTENT_DIR, root, now=NOW, site_url=base_url, clean=True, jobs=1,
                            media_origins=[s3.endpoint])  # fmt: skip
        assert not result.errors, [str(e) for e in result.errors]
        static = StaticSite(root, media_origins=[s3.endpoint])
        server.app = static
        thread = threading.Thread(target=server.serve_forever, name="account-site", daemon=True)
        thread.start()
        yield _AccountStack(ddb, s3, server, static, settings)
    finally:
        if server is not None:
            if thread is not None:
                server.shutdown()
                thread.join(timeout=5)
            server.server_close()
        if s3 is not None:
            s3.stop()
        ddb.stop()


@pytest.fixture
def account_site(request: pytest.FixtureRequest, account_stack: _AccountStack) -> AccountSite:
    """The account site of the requesting test's module, being served.

    Each test module has its own tables (a prefix of its own, seeded with the demo once,
    on first use) and its own app; the one server serves the app of the test that runs.
    One DynamoDB Local, one site build and one server per worker, not one per module.
    """
    from functions.app import create_app
    from functions.local.server import compose
    from portal.localdev.demo import seed_demo
    from portal.store.client import dynamodb_client
    from tests.factories import wired

    module = request.module.__name__
    if module not in account_stack.sites:
        settings = account_stack.settings.with_(table_prefix=f"acct-{uuid.uuid4().hex[:8]}-")
        client = dynamodb_client(settings)
        seed_demo(wired(client, settings, with_estates=False), CONTENT_DIR)  # tables + estates
        app = compose(create_app(settings), account_stack.static)
        account_stack.sites[module] = (AccountSite(settings.site_url, settings, client), app)
    site, app = account_stack.sites[module]
    account_stack.server.app = app  # tests on one worker run one at a time
    return site


@dataclass
class ActingPage(WatchedPage):
    """A watched page that may meet 4xx answers it expects."""

    answers: list[tuple[str, int]] = field(default_factory=list)  # (path, status) ≥ 400
    console: list[tuple[str, str]] = field(default_factory=list)  # (text, url) of errors
    csp: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.csp)

    def unexpected(self, *expected: tuple[str, int]) -> list[str]:
        """Every problem except the API answers in ``expected`` ((path, status) pairs)."""
        allowed = set(expected)
        out = [
            f"HTTP {status} {path}"
            for path, status in self.answers
            if (path, status) not in allowed
        ]
        for text, url in self.console:
            failed = _FAILED_LOAD.match(text)
            if failed and (urlsplit(url).path, int(failed.group(1))) in allowed:
                continue  # Chromium's console line for an expected answer
            out.append(f"console: {text} ({url})")
        return out + self.failed_requests + self.csp


class OpenActingPage(Protocol):
    def __call__(self, path: str, width: int = 390, height: int = 844) -> ActingPage: ...


@pytest.fixture
def account_page(browser: Browser, account_site: AccountSite) -> Iterator[OpenActingPage]:
    """``account_page(path)``: a fresh phone-sized browser (no cookies) on ``path``, watched."""
    contexts: list[BrowserContext] = []

    def _open(path: str, width: int = 390, height: int = 844) -> ActingPage:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        contexts.append(context)
        page = context.new_page()
        watched = ActingPage(page)

        def on_csp_violation(text: str) -> None:
            watched.csp.append(text)

        context.expose_function("__portalCspViolation", on_csp_violation)
        context.add_init_script(_CSP_REPORT)

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                watched.console.append((msg.text, msg.location.get("url", "")))

        def on_page_error(exc: Exception) -> None:
            watched.console.append((f"uncaught: {exc}", page.url))

        def on_request_failed(request: Request) -> None:
            # A page that sends you on (401 → sign-in) cancels what it was still loading.
            if request.failure != "net::ERR_ABORTED":
                watched.failed_requests.append(f"{request.url}: {request.failure}")

        def on_response(response: Response) -> None:
            if response.status >= 400:
                watched.answers.append((urlsplit(response.url).path, response.status))

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.on("response", on_response)
        response = page.goto(account_site.url(path), wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response}"
        return watched

    yield _open
    for context in contexts:
        context.close()
