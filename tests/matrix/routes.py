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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portal.accounts.identity import Kind

if TYPE_CHECKING:
    from tests.matrix.conftest import World


@dataclass(frozen=True)
class Call:
    """One call of a row: the world and who is calling (and their position, for unique data)."""

    world: World
    who: str
    index: int


RequestSpec = Mapping[str, Any] | Callable[[Call], Mapping[str, Any]]
"""Keyword arguments of ``FlaskClient.open``, or a function of the call returning them."""


@dataclass(frozen=True)
class Public:
    """Anyone may call it, signed in or not."""


PUBLIC = Public()


@dataclass(frozen=True)
class Needs:
    """The caller needs ``action`` (``portal.accounts.policy.POLICY``) on ``target``."""

    action: str
    target: str | None = None
    """A name in ``World.targets``; ``None`` when the view checks the action alone."""
    kinds: tuple[Kind, ...] = ("owner", "staff")
    """The kinds of account the view serves (others with the action get 403)."""


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    success: int
    access: Public | Needs
    path_params: Mapping[str, str] = field(default_factory=dict)
    request: RequestSpec = field(default_factory=dict)
    variant: str = ""
    denied: int = 403
    """Status for a signed-in caller who is not allowed (404 where existence is hidden)."""
    hidden_out_of_scope: bool = False
    """A caller who holds the role but not the scope gets 404: the target's existence is hidden."""
    check_owner_fields: bool = True
    """Check the body for fields of owners the caller may not see (off only with a note)."""
    after: Callable[[World, str], None] | None = None
    """Run after each call, e.g. to restore the caller's record the call changed."""
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")

    def request_kwargs(self, call: Call) -> dict[str, Any]:
        spec = self.request(call) if callable(self.request) else self.request
        return dict(spec)


def restore(world: World, who: str) -> None:
    world.restore(who)


# ----------------------------------------------------------------------------- requests

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

PAYMENT_A = {"payment_id": "202611220000000alanting"}
"""Owner A's payment of October's management fee, recorded when the world is built."""
UNIT_A = {"estate": "lanting", "building": "2", "room": "1-1503"}


def notification(call: Call) -> Mapping[str, Any]:
    # The provider repeating its notification of PAYMENT_A: whoever sends it, it is signed.
    from tests.support.payments import FakeProvider

    headers, body = FakeProvider().notification(PAYMENT_A["payment_id"], 37100, call.world.clock())
    return {"data": body, "headers": headers}


def readings_upload(call: Call) -> Mapping[str, Any]:
    data = "楼栋,单元/房号,表类,上期读数,本期读数\n2,1-1503,水,10,12\n".encode()
    return {"query_string": {"estate": "lanting", "period": "2026-12", "dry_run": "true"},
            "data": {"file": (io.BytesIO(data), "readings.csv")},
            "content_type": "multipart/form-data"}  # fmt: skip


def one_off_charge(call: Call) -> Mapping[str, Any]:
    return {"json": {**UNIT_A, "period": "2026-11", "ref": f"m{call.index}", "amount_fen": 500,
                     "note": "门禁卡补办"}}  # fmt: skip


# ----------------------------------------------------------------------------- the routes

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
    # -- bills and payments ------------------------------------------------------------
    Row("GET", "/api/bills/mine", 200, Needs("bill.read", kinds=("owner",))),
    Row(
        "GET",
        "/api/bills/<estate>/<building>/<room>",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=UNIT_A,
        hidden_out_of_scope=True,
        note="Another owner, or finance and managers of another estate, get 404: the unit's "
        "account is hidden; roles that never read bills get 403.",
    ),
    Row(
        "POST",
        "/api/bills/runs",
        200,
        Needs("bill.run", target="estate_1"),
        request={"json": {"estate": "lanting", "period": "2026-12"}},
    ),
    Row("POST", "/api/bills/charges", 201, Needs("bill.run", target="estate_1"),
        request=one_off_charge),
    Row("POST", "/api/bills/readings", 200, Needs("bill.run", target="estate_1"),
        request=readings_upload),
    Row(
        "POST",
        "/api/payments",
        201,
        Needs("payment.create", target="unit_a", kinds=("owner",)),
        request={"json": {**UNIT_A, "bills": ["2026-11-management"], "provider": "fake"}},
    ),
    Row(
        "GET",
        "/api/payments/<payment_id>",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=PAYMENT_A,
        denied=404,
        note="Another's payment answers 404, like a missing one.",
    ),
    Row(
        "GET",
        "/api/payments/<payment_id>/receipt",
        200,
        Needs("bill.read", target="unit_a"),
        path_params=PAYMENT_A,
        denied=404,
        note="Another's receipt answers 404, like a missing one.",
    ),
    Row(
        "GET",
        "/api/payments/review",
        200,
        Needs("payment.review", target="estate_1"),
        request={"query_string": {"estate": "lanting"}},
    ),
    Row(
        "POST",
        "/api/payments/<payment_id>/refunds",
        201,
        Needs("payment.refund", target="estate_1"),
        path_params=PAYMENT_A,
        request={"json": {"amount_fen": 1, "reason": "矩阵测试退款"}},
        hidden_out_of_scope=True,
        note="Finance of another estate gets 404 (the payment's existence is hidden); every "
        "other role gets 403 before any look-up.",
    ),
    Row("POST", "/api/payments/notify/<provider>", 200, PUBLIC,
        path_params={"provider": "fake"}, request=notification),
)
"""Every route of the API (see the module docstring to add one)."""
