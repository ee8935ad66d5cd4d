"""Signing test clients in: the ``auth`` fixture's actions (the Flask tutorial's ``AuthActions``).

``auth.owner(phone, name, *units)`` and ``auth.staff(username, *roles, ...)`` create the
person and a session for them; ``auth.login(username, password)`` goes through
``POST /api/auth/login``; ``auth.signed_in(...)`` is a login that must succeed. Each
returns a :class:`Caller`: a test client that sends the site's ``Origin`` and the
session's CSRF token with every state-changing request.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from argon2 import PasswordHasher, Type
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.accounts import passwords
from portal.accounts.owners import Owner
from portal.accounts.staff.model import StaffAccount
from portal.settings import Settings
from portal.wiring import Services
from tests.factories import make_owner, make_staff

SITE_URL = "http://127.0.0.1:8000"
"""The ``site_url`` of the test settings (``tests/conftest.py``), as ``portal dev`` serves it."""
ORIGIN = Settings(site_url=SITE_URL).site_origin
"""The site's origin: the only one the API lets change state (``Origin`` header)."""
SAME_ORIGIN = {"Origin": ORIGIN}

PASSWORD = "lanting-garden-7"
"""The password of the staff accounts the tests create (a good one: it passes the rules)."""
OTHER_PASSWORD = "meixi-river-2026"
"""A second good password, for changes and resets."""

SESSION_COOKIE = "portal_session"
"""The cookie's name in the local and test stages (``__Host-`` prefixed elsewhere)."""


FAST_HASHING = passwords.PasswordHashing(
    PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, hash_len=32, salt_len=16,
                   type=Type.ID)
)  # fmt: skip
"""argon2id with tiny parameters for the unit suite's services (the production parameters,
46 MiB, cost ~0.1 s a hash; ``test_passwords`` checks those). The wiring injects it."""


@cache
def password_hash(password: str = PASSWORD) -> str:
    """The argon2id hash of ``password`` made the way the unit suite's services hash, once."""
    return FAST_HASHING.hash(password)


class Caller:
    """A test client that sends ``Origin`` and, once signed in, the session's CSRF token."""

    def __init__(self, client: FlaskClient, origin: str, csrf_token: str = "",
                 token: str = "") -> None:  # fmt: skip
        self.client = client
        self.token = token
        """The session cookie's value (empty if the session came from a login answer)."""
        self.csrf_token = csrf_token
        self.headers = {"Origin": origin}
        if csrf_token:
            self.headers["X-CSRF-Token"] = csrf_token

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.post(path, json=body, headers=self.headers, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.patch(path, json=body, headers=self.headers, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.put(path, json=body, headers=self.headers, **kwargs)

    def me(self) -> TestResponse:
        return self.client.get("/api/me")


class AuthActions:
    """Signs clients of one app in: the owners and staff of a test, with their sessions."""

    def __init__(self, app: Any, services: Services) -> None:
        self.app = app
        self.services = services
        self.settings = services.settings
        self.ddb = services.clients.dynamodb

    @property
    def origin(self) -> str:
        """The site's origin (from ``settings.site_url``): the one allowed to change state."""
        return self.settings.site_origin

    @property
    def same_origin(self) -> dict[str, str]:
        return {"Origin": self.origin}

    def client(self) -> FlaskClient:
        return self.app.test_client()  # type: ignore[no-any-return]

    def anonymous(self) -> Caller:
        return Caller(self.client(), self.origin)

    def session(self, client: FlaskClient, kind: str, user_id: str) -> str:
        """Open a session for ``user_id`` in the store and give ``client`` its cookie."""
        return self._open_session(client, kind, user_id)[0]

    def _open_session(self, client: FlaskClient, kind: str, user_id: str) -> tuple[str, str]:
        token, session = self.services.sessions.create(kind, user_id)  # type: ignore[arg-type]
        client.set_cookie(SESSION_COOKIE, token, domain="localhost")
        return token, session.csrf_token

    def as_user(self, kind: str, user_id: str, client: FlaskClient | None = None) -> Caller:
        """A caller signed in as an existing owner (by id) or staff member (by username).

        The session is opened in the store (as a sign-in would), so no request is spent on
        it; its CSRF token is the one ``GET /api/me`` would answer.
        """
        client = client or self.client()
        token, csrf = self._open_session(client, kind, user_id)
        return Caller(client, self.origin, csrf, token)

    def owner(self, phone: str, name: str = "王芳", *units: tuple[str, str, str]) -> Caller:
        """Create an owner (with ``units``, or one unit of Lanting) and sign them in."""
        owner = self.make_owner(phone, name, *(units or (("lanting", "2", "1-1503"),)))
        return self.as_user("owner", owner.owner_id)

    def make_owner(self, phone: str, name: str, *units: tuple[str, str, str]) -> Owner:
        return make_owner(self.ddb, self.settings, phone, name, *units)

    def staff(self, username: str, *roles: str, **account: Any) -> Caller:
        """Create a staff account (see :func:`tests.factories.make_staff`) and sign it in."""
        self.make_staff(username, *roles, **account)
        return self.as_user("staff", username)

    def make_staff(self, username: str, *roles: str, password: str | None = None,
                   **account: Any) -> StaffAccount:  # fmt: skip
        """A staff account; with ``password``, one that can sign in with it."""
        if password is not None:
            account["password_hash"] = password_hash(password)
        return make_staff(self.ddb, self.settings, username, *roles, **account)

    def login(self, username: str, password: str, client: FlaskClient | None = None
              ) -> TestResponse:  # fmt: skip
        """``POST /api/auth/login`` from the site's origin (a fresh client unless given)."""
        return (client or self.client()).post(
            "/api/auth/login",
            json={"username": username, "password": password},
            headers=self.same_origin,
        )

    def signed_in(self, username: str, password: str = PASSWORD) -> Caller:
        """A caller signed in by password; the login must succeed."""
        client = self.client()
        res = self.login(username, password, client)
        assert res.status_code == 200, res.json
        return Caller(client, self.origin, res.json["csrf_token"])
