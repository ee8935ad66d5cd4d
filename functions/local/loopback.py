"""The local servers answer only requests addressed to this machine.

A web page that rebinds its own name to 127.0.0.1 (DNS rebinding) reaches a
local server with its own ``Host``; :func:`only_loopback` answers it 421 and
nothing else. Used by the site + API server and by the S3 stand-in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from portal.i18n import translate

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def host_is_loopback(environ: WSGIEnvironment) -> bool:
    host = str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return name in LOOPBACK_HOSTS


def misdirected(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """421 Misdirected Request, with the portal's error body."""
    body = json.dumps(
        {"error": {"code": "misdirected_request",
                   "message": translate("errors.misdirected_request", "zh-CN"),
                   "message_en": translate("errors.misdirected_request", "en")}},
        ensure_ascii=False,
    ).encode()  # fmt: skip
    start_response("421 Misdirected Request", [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
    ])  # fmt: skip
    return [body]


def only_loopback(app: WSGIApplication) -> WSGIApplication:
    """``app`` for requests addressed to a loopback host (``127.0.0.1``, ``localhost``,
    ``[::1]``); 421 for any other."""

    def guarded(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not host_is_loopback(environ):
            return misdirected(environ, start_response)
        return app(environ, start_response)

    return guarded
