"""Authentication and authorisation over HTTP.

- Every request: the session cookie (if any) is looked up server-side and
  turned into an :class:`~portal.accounts.identity.Identity` (``g.identity``); an
  unknown, expired or revoked session, a deleted owner or a disabled staff
  account simply means anonymous.
- Every state-changing request (POST/PUT/PATCH/DELETE) must come from our own
  origin (``Origin``, or ``Referer`` when a browser omits it), and, when it
  carries a session, echo the session's CSRF token in ``X-CSRF-Token``. Views
  authenticated by a provider's signature (payment notifications) opt out with
  :func:`signature_authenticated`.
- Requests that bypass CloudFront (when it is in front) are refused before any of this,
  and the caller's address comes from :mod:`functions.edge`.
- Views ask :func:`require` for an action from the policy table
  (:mod:`portal.accounts.policy`); the answer is the identity or a 401/403.

The cookie is ``__Host-portal_session`` (Secure, HttpOnly, SameSite=Lax,
Path=/, no Domain). In local mode over plain http on 127.0.0.1 a ``__Host-``
cookie cannot be set (the prefix requires Secure), so it is ``portal_session``
without Secure there.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request

from functions.context import services, settings
from functions.edge import client_ip
from portal.accounts import policy
from portal.accounts.audit import Event, actor
from portal.accounts.identity import Identity, Kind
from portal.accounts.policy import Target
from portal.accounts.sessions import Session
from portal.errors import Forbidden, Unauthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
F = TypeVar("F", bound=Callable[..., Any])


def cookie_name() -> str:
    return "portal_session" if settings().is_local else "__Host-portal_session"


def signature_authenticated(view: F) -> F:
    """Mark a view authenticated by a provider signature: no cookie, no CSRF check."""
    view.signature_authenticated = True  # type: ignore[attr-defined]
    return view


def current_identity() -> Identity | None:
    identity: Identity | None = g.get("identity")
    return identity


def signed_in() -> Identity:
    """The caller's identity; ``Unauthenticated`` (401) without a valid session."""
    identity = current_identity()
    if identity is None:
        raise Unauthenticated()
    return identity


def current_session() -> Session | None:
    session: Session | None = g.get("session")
    return session


def require(action: str, target: Target | None = None) -> Identity:
    """The caller's identity if the policy allows ``action`` on ``target``; else 401/403."""
    return policy.require(current_identity(), action, target)


def _view_is_signature_authenticated() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "signature_authenticated", False))


def _load_identity() -> None:
    g.identity = None
    g.session = None
    if _view_is_signature_authenticated():
        return
    token = request.cookies.get(cookie_name())
    if not token:
        return
    store = services().sessions
    session = store.load(token)
    if session is None:
        g.clear_cookie = True
        return
    identity: Identity | None = None
    if session.kind == "owner":
        owner = services().owners.get(session.user_id)
        identity = owner.identity() if owner else None
    else:
        account = services().staff_repo.get(session.user_id)
        identity = account.identity() if account and not account.disabled else None
        g.must_change_password = bool(account and account.must_change_password)
    if identity is None:
        store.revoke(token)
        g.clear_cookie = True
        return
    g.session, g.identity = session, identity


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or _view_is_signature_authenticated():
        return
    origin = request.headers.get("Origin") or _origin_of(request.headers.get("Referer", ""))
    allowed = {settings().site_origin}
    if settings().is_local:
        allowed.add(request.host_url.rstrip("/"))  # 127.0.0.1 vs localhost, any local port
    if origin not in allowed:
        raise Forbidden("csrf_failed")
    session = current_session()
    if session is not None:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise Forbidden("csrf_failed")


PASSWORD_CHANGE_ENDPOINTS = frozenset(
    {"session.me", "session.logout", "auth_staff.change_password"}
)
"""What a staff member whose password was set by an admin may do before choosing their own."""


def _require_own_password() -> None:
    if g.get("must_change_password") and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        raise Forbidden("password_change_required")


def _clear_stale_cookie(response: Response) -> Response:
    if g.get("clear_cookie") and not g.get("cookie_set"):
        _delete_cookie(response)
    return response


def start_session(response: Response, kind: Kind, user_id: str) -> Session:
    """Sign in: replace any current session with a new one and set its cookie."""
    token, session = services().sessions.rotate(request.cookies.get(cookie_name()), kind, user_id)
    cfg = settings()
    from portal.accounts.sessions import ABSOLUTE_TIMEOUT

    response.set_cookie(
        cookie_name(),
        token,
        max_age=int(ABSOLUTE_TIMEOUT[kind].total_seconds()),
        path="/",
        secure=not cfg.is_local,
        httponly=True,
        samesite="Lax",
    )
    g.cookie_set = True
    g.session = session
    return session


def end_session(response: Response) -> None:
    """Sign out: the session ends server-side, the cookie goes, and the audit log says so."""
    token = request.cookies.get(cookie_name())
    identity = current_identity()
    if token:
        services().sessions.revoke(token)
    if identity is not None:
        who = actor(identity.kind, identity.user_id)
        services().audit.record(Event(who, "auth.logout", who, client_ip()))
    _delete_cookie(response)
    g.cookie_set = True


def _delete_cookie(response: Response) -> None:
    response.delete_cookie(
        cookie_name(), path="/", secure=not settings().is_local, httponly=True, samesite="Lax"
    )


def init_app(app: Flask) -> None:
    app.before_request(_load_identity)
    app.before_request(_check_csrf)
    app.before_request(_require_own_password)
    app.after_request(_clear_stale_cookie)
