"""Every API route, who may call it and how: the data of the identity matrix.

Each :class:`Row` is one route (method and Flask path template) with

- the status of a successful call (``success``);
- who may make it: :data:`PUBLIC` (anyone, signed in or not: health, the API
  document, signing in and out), or :class:`Needs` — a policy action and,
  where the view checks one, a named target (``"unit_a"``, ``"estate_1"``: see
  ``World.targets`` in ``conftest.py``). The expectation is then *computed*
  from :mod:`portal.accounts.policy` (``can(identity, action, target)``) for each
  identity, never written by hand;
- how to build a valid request for that target: path parameters (``path_params``),
  and the keyword arguments of ``FlaskClient.open`` (``request``: ``json``,
  ``query_string``, ``data`` with files...), static or built per call.

A caller that is allowed must get ``success``; one that is not gets 401 when
anonymous (no session, or an expired one), else 403 (``denied``: 404 for a
route that deliberately hides whether its target exists; say why in ``note``).
Every response is also checked for fields of owners the caller may not see.
State-changing calls carry ``Origin`` and the caller's CSRF token, so what is
tested is authorisation, not CSRF.

Adding a route = adding a row (until you do,
``test_every_api_route_of_the_app_has_a_row_in_the_matrix`` fails), e.g.::

    Row("GET", "/api/units/<estate>/<building>/<room>/orders", 200,
        Needs("order.read", target="unit_a"),
        path_params={"estate": "lanting", "building": "2", "room": "1-1503"}),

A row whose call changes an identity's own record passes ``after=restore``;
one whose call would conflict when repeated builds its request per caller
(``Call.who``, ``Call.index``). Several rows may share a route, one per target
(``variant``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from tests.matrix.routes_billing import BILLING_ROUTES, PAYMENT_A, UNIT_A
from tests.matrix.routes_collection import COLLECTION_ROUTES
from tests.matrix.routes_finance import FINANCE_ROUTES
from tests.matrix.routes_owner_comms import OWNER_COMMS_ROUTES
from tests.matrix.routes_publishing import PUBLISHING_ROUTES
from tests.matrix.rows import PUBLIC, Call, Needs, Public, RequestSpec, Row, restore

if TYPE_CHECKING:
    from tests.matrix.conftest import World

__all__ = ["PAYMENT_A", "PUBLIC", "ROUTES", "UNIT_A", "Call", "Needs", "Public", "RequestSpec",
           "Row", "restore"]  # fmt: skip


PASSWORD = "matrix-garden-2026"
"""The password of every staff identity and of the sign-in account."""
NEW_PASSWORD = "matrix-river-2027"
LOGIN_ACCOUNT = "matrix.login"
"""A staff account used only to sign in with (``POST /api/auth/login``)."""
TARGET_CLERK = "matrix.clerk"
"""A front-desk account of estate 1 that the staff routes read and change."""


def code_request(call: Call) -> Mapping[str, Any]:
    # A number per caller (no owner has it: the answer is the same), so no resend limit hits.
    return {"json": {"phone": f"1370000{call.index:04d}"}}


def verify_request(call: Call) -> Mapping[str, Any]:
    # A new owner per caller, with a fresh code: signing in is open to anyone who has one.
    phone = f"1360000{call.index:04d}"
    return {"json": {"phone": phone, "code": call.world.sign_in_code(phone)}}


def login_request(call: Call) -> Mapping[str, Any]:
    return {"json": {"username": LOGIN_ACCOUNT, "password": PASSWORD}}


def own_password_change(call: Call) -> Mapping[str, Any]:
    return {"json": {"old_password": PASSWORD, "new_password": NEW_PASSWORD}}


def new_staff(call: Call) -> Mapping[str, Any]:
    body = {
        "username": f"new.{call.who}",
        "name": f"New {call.who}",
        "roles": ["butler"],
        "estates": ["lanting"],
        "password": NEW_PASSWORD,
    }
    return {"json": body}


def roster_upload(estate: str, *owners: str) -> Callable[[Call], Mapping[str, Any]]:
    """A roster of ``estate`` with the rows of these world owners (as on file: unchanged)."""

    def build(call: Call) -> Mapping[str, Any]:
        data = call.world.roster_csv(*owners)
        return {
            "query_string": {"estate": estate},
            "data": {"file": (io.BytesIO(data), "roster.csv")},
            "content_type": "multipart/form-data",
        }

    return build


def new_order(call: Call) -> Mapping[str, Any]:
    # Owners' orders are "online" whatever they send; staff record how it came in.
    return {"json": {"kind": "repair", "estate": "lanting", "building": "2", "room": "1-1503",
                     "description": f"厨房水龙头漏水（{call.who}）", "category": "plumbing",
                     "channel": "phone"}}  # fmt: skip


ORDER_A = {"estate": "lanting", "number": "BX-20261122-0001"}
"""An order of owner A's unit, made when the world is built (see ``conftest.py``)."""
RESOLVED_ORDER_A = {"estate": "lanting", "number": "BX-20261122-0002"}
"""Owner A's second order, resolved when the world is built: its callback is due."""
PERIODIC_CALLBACK_A = {"estate": "lanting", "callback_id": "monthly.2026-11.2.1-1503"}
"""Unit A's monthly callback, made when the world is built."""
SATISFIED = {"ratings": {"overall": "satisfied", "attitude": "satisfied"}, "comment": "师傅很细心"}


def reopen_periodic_callback(world: World, who: str) -> None:
    world.reopen_periodic_callback()


def profile_change(call: Call) -> Mapping[str, Any]:
    # No version: each allowed caller changes the profile as stored then.
    return {"json": {"segment": "general", "defects": [f"客厅墙面空鼓（{call.who}）"]}}


ROUTES: tuple[Row, ...] = (
    # -- public: health, the API document, signing in and out ------------------------
    Row("GET", "/api/health", 200, PUBLIC),
    Row("GET", "/api/openapi.json", 200, PUBLIC),
    Row("POST", "/api/auth/code", 200, PUBLIC, request=code_request),
    Row("POST", "/api/auth/verify", 200, PUBLIC, request=verify_request),
    Row("POST", "/api/auth/login", 200, PUBLIC, request=login_request),
    Row("POST", "/api/auth/logout", 204, PUBLIC),
    Row(
        "GET",
        "/api/dev/outbox",
        200,
        PUBLIC,
        check_owner_fields=False,
        note="Local and test stages only (404 in dev and prod, tested in "
        "tests/unit/test_session_revocation.py): the developer's own SMS outbox, which "
        "shows every recipient's number unmasked by design.",
    ),
    # -- who am I, my own account ----------------------------------------------------
    Row("GET", "/api/me", 200, Needs("me.read")),
    Row(
        "POST",
        "/api/auth/password",
        204,
        Needs("me.read", kinds=("staff",)),
        request=own_password_change,
        after=restore,
    ),
    # -- staff accounts --------------------------------------------------------------
    Row("GET", "/api/staff", 200, Needs("staff.read")),
    Row(
        "GET",
        "/api/staff/<username>",
        200,
        Needs("staff.read", target="estate_1"),
        path_params={"username": TARGET_CLERK},
        hidden_out_of_scope=True,
        note="A manager of another estate cannot tell whether this username exists.",
    ),
    Row("POST", "/api/staff", 201, Needs("staff.manage"), request=new_staff),
    Row(
        "PATCH",
        "/api/staff/<username>",
        200,
        Needs("staff.manage"),
        path_params={"username": TARGET_CLERK},
        request=lambda call: {"json": {"name": f"Clerk {call.who}"}},
    ),
    Row(
        "POST",
        "/api/staff/<username>/password",
        200,
        Needs("staff.manage"),
        path_params={"username": TARGET_CLERK},
        request={"json": {"password": NEW_PASSWORD}},
    ),
    # -- owners ----------------------------------------------------------------------
    Row(
        "POST",
        "/api/owners/import",
        200,
        Needs("owner.import", target="estate_1"),
        request=roster_upload("lanting", "owner_a", "neighbour_b"),
        variant="estate 1",
    ),
    Row(
        "POST",
        "/api/owners/import",
        200,
        Needs("owner.import", target="estate_2"),
        request=roster_upload("meixi", "owner_c"),
        variant="estate 2",
    ),
    # -- work orders -----------------------------------------------------------------
    Row("POST", "/api/orders", 201, Needs("workorder.create", target="unit_a"), request=new_order),
    Row("POST", "/api/orders/photos", 201, Needs("workorder.create"),
        request={"json": {"content_type": "image/jpeg", "size": 2048}}),
    Row("GET", "/api/orders/mine", 200, Needs("workorder.read", kinds=("owner",))),
    Row(
        "GET",
        "/api/orders",
        200,
        Needs("workorder.read", target="estate_1", kinds=("staff",)),
        request={"query_string": {"estate": "lanting"}},
    ),
    Row(
        "GET",
        "/api/orders/queue",
        200,
        Needs("workorder.read", kinds=("staff",)),
        note="Each staff member's queue over their own estates (admin: all).",
    ),
    Row(
        "GET",
        "/api/orders/<estate>/<number>",
        200,
        Needs("workorder.read", target="unit_a"),
        path_params=ORDER_A,
        denied=404,
        note="Another's order answers 404, like a missing one.",
    ),
    Row(
        "POST",
        "/api/orders/<estate>/<number>/actions",
        200,
        Needs("workorder.handle", target="unit_a", kinds=("staff",)),
        path_params=ORDER_A,
        request=lambda call: {"json": {"action": "note", "note": f"跟进记录（{call.who}）"}},
        hidden_out_of_scope=True,
        note="Staff outside the unit's scope get 404 (the order's existence is hidden); "
        "owners and roles that never handle orders get 403 before any look-up.",
    ),
    # -- callbacks (回访) -------------------------------------------------------------
    Row(
        "GET",
        "/api/callbacks",
        200,
        Needs("callback.record", target="estate_1", kinds=("staff",)),
        request={"query_string": {"estate": "lanting", "day": "2026-12-31"}},
    ),
    Row(
        "GET",
        "/api/callbacks/<estate>/<callback_id>",
        200,
        Needs("callback.record", target="unit_a", kinds=("staff",)),
        path_params=PERIODIC_CALLBACK_A,
        hidden_out_of_scope=True,
        note="Staff outside the unit's scope get 404 (the callback's existence is hidden); "
        "owners and roles that never call back get 403 before any look-up.",
    ),
    Row(
        "POST",
        "/api/callbacks/<estate>/<callback_id>/attempts",
        200,
        Needs("callback.record", target="unit_a", kinds=("staff",)),
        path_params=PERIODIC_CALLBACK_A,
        request=lambda call: {"json": {"method": "phone", "note": f"无人接听（{call.who}）"}},
        hidden_out_of_scope=True,
        note="As for reading it: out of scope 404, no right to call back 403.",
    ),
    Row(
        "POST",
        "/api/callbacks/<estate>/<callback_id>/result",
        200,
        Needs("callback.record", target="unit_a", kinds=("staff",)),
        path_params=PERIODIC_CALLBACK_A,
        request={"json": {**SATISFIED, "method": "phone"}},
        hidden_out_of_scope=True,
        after=reopen_periodic_callback,
        note="As for reading it: out of scope 404, no right to call back 403. The callback is "
        "put back as due after each call (a result is recorded once).",
    ),
    Row(
        "GET",
        "/api/orders/<estate>/<number>/callback",
        200,
        Needs("workorder.read", target="unit_a"),
        path_params=RESOLVED_ORDER_A,
        denied=404,
        note="As for the order itself: another's order answers 404, like a missing one.",
    ),
    Row(
        "POST",
        "/api/orders/<estate>/<number>/callback",
        200,
        Needs("workorder.read", target="unit_a", kinds=("owner",)),
        path_params=RESOLVED_ORDER_A,
        request={"json": SATISFIED},
        hidden_out_of_scope=True,
        note="Only the order's owner answers online: other owners get 404 (as for the order), "
        "staff 403 before any look-up.",
    ),
    # -- owner profiles (客户动态表) -----------------------------------------------------
    Row(
        "GET",
        "/api/profiles",
        200,
        Needs("profile.read", target="estate_1", kinds=("staff",)),
        request={"query_string": {"estate": "lanting", "building": "2"}},
    ),
    Row(
        "GET",
        "/api/profiles/completeness",
        200,
        Needs("profile.read", target="estate_1", kinds=("staff",)),
        request={"query_string": {"estate": "lanting"}},
    ),
    Row(
        "GET",
        "/api/profiles/<estate>/<building>/<room>",
        200,
        Needs("profile.read", target="unit_a", kinds=("staff",)),
        path_params=UNIT_A,
    ),
    Row(
        "PATCH",
        "/api/profiles/<estate>/<building>/<room>",
        200,
        Needs("profile.manage", target="unit_a", kinds=("staff",)),
        path_params=UNIT_A,
        request=profile_change,
    ),
    Row(
        "GET",
        "/api/profiles/<estate>/<building>/<room>/timeline",
        200,
        Needs("profile.read", target="unit_a", kinds=("staff",)),
        path_params=UNIT_A,
    ),
    Row(
        "GET",
        "/api/profiles/<estate>/<building>/<room>/history",
        200,
        Needs("profile.read", target="unit_a", kinds=("staff",)),
        path_params=UNIT_A,
    ),
    # -- the month's service KPIs ---------------------------------------------------------
    Row(
        "GET",
        "/api/kpi",
        200,
        Needs("kpi.read", target="estate_1", kinds=("staff",)),
        request={"query_string": {"estate": "lanting", "month": "2026-11"}},
    ),
    *BILLING_ROUTES,
    *FINANCE_ROUTES,
    *COLLECTION_ROUTES,
    *OWNER_COMMS_ROUTES,
    *PUBLISHING_ROUTES,
)
"""Every route of the API (see the module docstring to add one)."""
