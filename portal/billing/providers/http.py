"""The one way the providers talk HTTP, so tests (and the sandbox) can stand in for it.

A :class:`Transport` takes a method, URL, headers and body and gives back an
:class:`HttpResponse`; it raises :class:`~.base.ProviderError` ``unavailable``
when there is no answer (connection refused, timeout). The default,
:class:`UrllibTransport`, uses the standard library (no extra dependency in the
Lambda package) with explicit timeouts well inside API Gateway's 29 s.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from portal.billing.providers.base import ProviderError, header

TIMEOUT_S = 8.0


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str:
        return header(self.headers, name)


class Transport(Protocol):
    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: bytes,
                 timeout: float = TIMEOUT_S) -> HttpResponse:  # fmt: skip
        ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a provider's API never redirects; a redirect is an answer to read


class UrllibTransport:
    """HTTP(S) through ``urllib`` (system CA bundle, no redirects followed)."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect())

    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: bytes,
                 timeout: float = TIMEOUT_S) -> HttpResponse:  # fmt: skip
        if not url.startswith(("https://", "http://")):
            raise ValueError("only http(s) URLs")
        req = urllib.request.Request(url, data=body if method != "GET" else None,
                                     headers=dict(headers), method=method)  # fmt: skip
        try:
            with self._opener.open(req, timeout=timeout) as res:
                return HttpResponse(res.status, dict(res.headers.items()), res.read())
        except urllib.error.HTTPError as err:  # 4xx/5xx: an answer all the same
            try:
                return HttpResponse(err.code, dict((err.headers or {}).items()), err.read())
            finally:
                err.close()
        except (OSError, urllib.error.URLError) as err:
            raise ProviderError("unavailable", type(err).__name__) from err


class OfflineTransport:
    """No network at all (the test stage's default: a test that forgets to stand in for a
    provider fails at once instead of reaching out)."""

    def __call__(self, method: str, url: str, headers: Mapping[str, str], body: bytes,
                 timeout: float = TIMEOUT_S) -> HttpResponse:  # fmt: skip
        raise ProviderError("unavailable", "offline")
