"""Where a request comes from: through CloudFront or not, and the caller's address.

Behind CloudFront (an origin secret is configured: ``PORTAL_ORIGIN_SECRET``), CloudFront
adds :data:`ORIGIN_SECRET_HEADER` to every request it sends to API Gateway (an origin
custom header). A request without it, or with a wrong value, went around CloudFront to
the API Gateway URL: it is refused (403 ``direct_access_refused``) before anything else
looks at it (body, session, CSRF), whatever the route, ``/api/health`` included (uptime
checks go through CloudFront too; a stranger learns neither the stage nor the tables).

The caller's address (per-address limits, the audit log):

- behind CloudFront, the viewer's address CloudFront itself saw
  (:data:`VIEWER_ADDRESS_HEADER`, ``ip:port``, which the origin request policy must
  include), trusted only on a request that passed the check above; when it is missing
  or malformed, API Gateway's address (a CloudFront edge's);
- on Lambda without CloudFront, the address API Gateway saw (:data:`SOURCE_IP_HEADER`,
  put there by Zappa), never ``X-Forwarded-For`` (Zappa's ``REMOTE_ADDR`` comes from it)
  and never ``CloudFront-Viewer-Address``: any caller of the API Gateway URL writes both;
- locally, the socket's peer.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

from flask import Flask, g, request

from functions.context import settings
from functions.request_id import current_request_id
from portal.errors import Forbidden

logger = logging.getLogger(__name__)

ORIGIN_SECRET_HEADER = "X-Portal-Origin-Secret"
"""The origin custom header CloudFront adds; its value is ``PORTAL_ORIGIN_SECRET``."""

VIEWER_ADDRESS_HEADER = "CloudFront-Viewer-Address"
"""Added by CloudFront when the origin request policy includes it: ``198.51.100.7:46532``,
``2001:db8::1:443`` (IPv6 unbracketed: the port is after the last colon)."""

SOURCE_IP_HEADER = "X-Portal-Source-Ip"
"""Set by Zappa on Lambda from API Gateway's ``requestContext.identity.sourceIp``
(``context_header_mappings`` in ``infra/zappa_settings.json``), over any header of that
name the caller sent."""

_LONGEST_ADDRESS = 64
"""Longer than any ``ip:port`` CloudFront writes (an IPv6 address is at most 45 characters)."""


def carries_origin_secret(sent: str | None, secrets: tuple[str, ...]) -> bool:
    """Whether ``sent`` is one of ``secrets``, compared in constant time."""
    if not sent or not sent.isascii():
        return False
    given = sent.encode("ascii")
    matched = False
    for secret in secrets:  # every one is compared: the time says nothing about which
        matched |= hmac.compare_digest(given, secret.encode("ascii"))
    return matched


def refuse_direct_access() -> None:
    """Before every request, when behind CloudFront: refuse it unless it came through."""
    cfg = settings()
    if not cfg.behind_cdn:
        return
    sent = request.headers.get(ORIGIN_SECRET_HEADER)
    if not carries_origin_secret(sent, cfg.origin_secrets):
        # Never the value: a wrong one may be a secret of another stage or an old one.
        logger.warning(
            "refused %s %s [request %s]: %s origin secret (not through CloudFront)",
            request.method, request.path, current_request_id(),
            "no" if sent is None else "a wrong",
        )  # fmt: skip
        raise Forbidden("direct_access_refused")
    g.through_cdn = True


def viewer_ip(value: str) -> str | None:
    """The address of a ``CloudFront-Viewer-Address`` value, or None when it is not one.

    ``ip:port``; the port is after the last colon (IPv6 is not bracketed, though
    ``[ip]:port`` is accepted too). An IPv4-mapped IPv6 address is given as IPv4.
    """
    text = value.strip()
    if len(text) > _LONGEST_ADDRESS:
        return None
    host, colon, port = text.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return None
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:  # fe80::1%eth0 is no viewer's address
            return None
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
    return str(address)


def client_ip() -> str:
    """The caller's address, for the per-address limits and the audit log (see above)."""
    if g.get("through_cdn"):
        viewer = viewer_ip(request.headers.get(VIEWER_ADDRESS_HEADER, ""))
        if viewer is not None:
            return viewer
    if settings().is_local:
        return request.remote_addr or ""
    return request.headers.get(SOURCE_IP_HEADER, "").strip()[:_LONGEST_ADDRESS]


def init_app(app: Flask) -> None:
    """Register the check; call it before any other ``before_request`` that reads the request."""
    app.before_request(refuse_direct_access)
