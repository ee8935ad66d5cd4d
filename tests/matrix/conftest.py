"""The identities of the matrix and the world they live in (moto, one app per test module).

Identities (:data:`IDENTITIES`)
    ``owner_a`` (lanting building 2, unit 1-1503), ``neighbour_b`` (the unit next
    door, 1-1504), ``owner_c`` (meixi); staff of estate 1 (lanting) in several
    roles — a butler scoped to building 2, the front desk, cleaning (no right to
    owners' phones), a supervisor —, staff of estate 2 (meixi: front desk,
    supervisor), ``finance_lanting``, ``admin``, ``anonymous``, and two expired
    sessions (owner A's and the admin's: created, then past their idle timeout).

Each call gets a fresh session for its identity (so a row that signs out or
rotates a session cannot disturb the next one); the expired ones are created
fresh too, on a clock set back past the idle timeout.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse
from werkzeug.wrappers import Response

from functions.app import create_app
from functions.auth import CSRF_HEADER, SAFE_METHODS
from portal.accounts import passwords, policy
from portal.accounts.identity import Identity, Kind
from portal.accounts.owners import Owner, OwnerRepository
from portal.accounts.policy import Target
from portal.accounts.sessions import IDLE_TIMEOUT, SessionStore
from portal.accounts.staff.model import StaffAccount
from portal.accounts.staff.repository import StaffRepository
from portal.clock import iso
from portal.phones import mask
from portal.settings import Settings
from portal.store.bootstrap import ensure_tables
from portal.store.table import Table
from portal.workorders.callback_model import Callback
from portal.workorders.callback_repository import item_of
from tests.factories import FakeClock, RecordingSender, make_owner, make_staff, wired
from tests.matrix.routes import (
    LOGIN_ACCOUNT,
    PASSWORD,
    PAYMENT_A,
    PERIODIC_CALLBACK_A,
    RESOLVED_ORDER_A,
    TARGET_CLERK,
    Call,
    Needs,
    Row,
)  # fmt: skip
from tests.matrix.routes_billing import MATRIX_PAYMENTS
from tests.matrix.routes_finance import prepare as prepare_finance
from tests.matrix.routes_publishing import prepare as prepare_publishing
from tests.support.auth import ORIGIN, SITE_URL
from tests.support.payments import FakeAccounts, FakeProvider

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


@dataclass(frozen=True)
class OwnerSpec:
    phone: str
    name: str
    units: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class StaffSpec:
    username: str
    roles: tuple[str, ...]
    estates: tuple[str, ...] = ()
    buildings: dict[str, frozenset[str]] = field(default_factory=dict)


OWNERS: dict[str, OwnerSpec] = {
    "owner_a": OwnerSpec("13812341503", "林晓岚", (("lanting", "2", "1-1503"),)),
    "neighbour_b": OwnerSpec("13912341504", "周立邻", (("lanting", "2", "1-1504"),)),
    "owner_c": OwnerSpec("13712340802", "陈梅溪", (("meixi", "3", "2-0802"),)),
}
"""The owners whose fields must not reach callers who may not see them."""

STAFF: dict[str, StaffSpec] = {
    "butler_lanting": StaffSpec(
        "m.butler.lanting", ("butler",), ("lanting",), {"lanting": frozenset({"2"})}
    ),
    "front_desk_lanting": StaffSpec("m.desk.lanting", ("front_desk",), ("lanting",)),
    "cleaning_lanting": StaffSpec("m.clean.lanting", ("cleaning",), ("lanting",)),
    "supervisor_lanting": StaffSpec("m.super.lanting", ("supervisor",), ("lanting",)),
    "front_desk_meixi": StaffSpec("m.desk.meixi", ("front_desk",), ("meixi",)),
    "supervisor_meixi": StaffSpec("m.super.meixi", ("supervisor",), ("meixi",)),
    "finance_lanting": StaffSpec("m.finance.lanting", ("finance",), ("lanting",)),
    "admin": StaffSpec("m.admin", ("admin",)),
}

EXPIRED: dict[str, str] = {"expired_owner_a": "owner_a", "expired_admin": "admin"}
"""An expired session → whose it was."""

ANONYMOUS = "anonymous"

IDENTITIES: tuple[str, ...] = (*OWNERS, *STAFF, ANONYMOUS, *EXPIRED)


_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass
class World:
    app: Any
    ddb: Any
    settings: Settings
    clock: FakeClock
    owners: dict[str, Owner]
    staff: dict[str, StaffAccount]
    targets: dict[str, Target]
    periodic_callback: Callback | None = None
    _forbidden: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    # -- who is who ---------------------------------------------------------------------

    def account_of(self, who: str) -> tuple[Kind, str] | None:
        """The session kind and user id behind an identity (``None``: anonymous)."""
        if who in self.owners:
            return "owner", self.owners[who].owner_id
        if who in self.staff:
            return "staff", self.staff[who].username
        if who in EXPIRED:
            return self.account_of(EXPIRED[who])
        return None

    def identity(self, who: str) -> Identity | None:
        """The identity the API sees for this caller (``None``: anonymous or expired)."""
        if who in self.owners:
            return self.owners[who].identity()
        if who in self.staff:
            return self.staff[who].identity()
        return None

    def expects(self, row: Row, who: str) -> bool:
        """Whether the policy lets ``who`` make this call."""
        if not isinstance(row.access, Needs):
            return True
        identity = self.identity(who)
        if identity is None or identity.kind not in row.access.kinds:
            return False
        target = None if row.access.target is None else self.targets[row.access.target]
        return policy.can(identity, row.access.action, target)

    def expected_status(self, row: Row, who: str) -> int:
        if self.expects(row, who):
            return row.success
        identity = self.identity(who)
        if identity is None:
            return 401
        if (
            row.hidden_out_of_scope
            and isinstance(row.access, Needs)
            and identity.kind in row.access.kinds  # other kinds: refused before any look-up
            and policy.can(identity, row.access.action)
        ):
            return 404
        return row.denied

    # -- calling ------------------------------------------------------------------------

    def client_for(self, who: str) -> tuple[FlaskClient, str]:
        """A test client carrying a fresh session of ``who``, and its CSRF token."""
        client = self.app.test_client()
        account = self.account_of(who)
        if account is None:
            return client, ""
        kind, user_id = account
        clock = self.clock
        if who in EXPIRED:  # created, then the idle timeout passed
            clock = FakeClock(self.clock() - IDLE_TIMEOUT[kind] - timedelta(minutes=1))
        store = SessionStore(Table(self.ddb, self.settings.table_name("main")), clock)
        token, session = store.create(kind, user_id)
        client.set_cookie("portal_session", token, domain="localhost")
        return client, session.csrf_token

    def path_of(self, row: Row) -> str:
        return _PATH_PARAM.sub(lambda m: row.path_params[m[1]], row.path)

    def call(self, row: Row, who: str) -> TestResponse:
        client, csrf = self.client_for(who)
        kwargs = row.request_kwargs(Call(self, who, IDENTITIES.index(who)))
        headers = dict(kwargs.pop("headers", {}))
        if row.method not in SAFE_METHODS:
            headers["Origin"] = ORIGIN
            if csrf:
                headers[CSRF_HEADER] = csrf
        try:
            return client.open(self.path_of(row), method=row.method, headers=headers, **kwargs)
        finally:
            if row.after is not None:
                row.after(self, who)

    # -- what a row's request needs ------------------------------------------------------

    def sign_in_code(self, phone: str) -> str:
        """A fresh sign-in code for ``phone``, whose owner is created if need be."""
        table = self.settings.table_name("main")
        repo = OwnerRepository(Table(self.ddb, table), self.settings.phone_hash_key)
        if repo.by_phone(phone) is None:
            make_owner(
                self.ddb, self.settings, phone, f"签到{phone[-4:]}", ("lanting", "1", "1-0101")
            )
        sender = RecordingSender()
        codes = wired(self.ddb, self.settings, self.clock, sender, with_estates=False).owner_sign_in
        codes.request(phone)
        (_, text), *_ = sender.sent
        match = re.search(r"(?<!\d)\d{6}(?!\d)", text)
        assert match, "no code in the SMS"
        return match[0]

    def roster_csv(self, *owners: str) -> bytes:
        """A roster with these owners' rows exactly as they are on file."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["楼栋", "单元/房号", "姓名", "手机", "关系"])
        for who in owners:
            owner = self.owners[who]
            for unit in owner.units:
                writer.writerow([f"{unit.building}栋", unit.room, owner.name, owner.phone, "业主"])
        return out.getvalue().encode()

    def reopen_periodic_callback(self) -> None:
        """Put the periodic callback of unit A back as due (a row records its result)."""
        assert self.periodic_callback is not None
        Table(self.ddb, self.settings.table_name("main")).put(item_of(self.periodic_callback))

    def restore(self, who: str) -> None:
        """Put back the record of ``who`` as the world created it."""
        if who in self.staff:
            StaffRepository(Table(self.ddb, self.settings.table_name("main"))).put(self.staff[who])
        elif who in self.owners:
            table = self.settings.table_name("main")
            OwnerRepository(Table(self.ddb, table), self.settings.phone_hash_key).save(self.owners[who])

    # -- what a caller may see -------------------------------------------------------------

    def may_see_owner(self, identity: Identity | None, owner: Owner) -> bool:
        """An owner sees only themself; staff the owners of units they may read (owner.read)."""
        if identity is None:
            return False
        if identity.is_owner:
            return identity.user_id == owner.owner_id
        return any(
            policy.can(identity, "owner.read", Target(u.estate, u.building, u.room))
            for u in owner.units
        )

    def forbidden_strings(self, who: str) -> list[tuple[str, str]]:
        """``(what, text)`` pairs that must not appear in any answer to ``who``."""
        if who not in self._forbidden:
            identity = self.identity(who)
            out: list[tuple[str, str]] = []
            for key, owner in self.owners.items():
                estate = owner.units[0].estate
                if not self.may_see_owner(identity, owner):
                    out += [
                        (f"{key}'s name", owner.name),
                        (f"{key}'s owner id", owner.owner_id),
                        (f"{key}'s masked phone", mask(owner.phone)),
                        *((f"{key}'s unit", u.unit_id) for u in owner.units),
                    ]
                if not policy.sees_phone(identity, owner.owner_id, estate):
                    out.append((f"{key}'s unmasked phone", owner.phone))
            self._forbidden[who] = out
        return self._forbidden[who]

    def leaks(self, who: str, res: Response) -> list[str]:
        """What of another owner's data ``who`` was shown in this answer."""
        texts = [res.get_data(as_text=True)]
        if res.is_json:
            texts.append(json.dumps(res.get_json(silent=True), ensure_ascii=False))
        return [
            what
            for what, text in self.forbidden_strings(who)
            if any(text in body for body in texts)
        ]


def _build_world(settings: Settings, ddb: Any) -> World:
    clock = FakeClock(NOW)
    services = wired(ddb, settings, clock, providers=FakeAccounts(FakeProvider()))
    app = create_app(settings, services)
    owners = {
        key: make_owner(ddb, settings, spec.phone, spec.name, *spec.units)
        for key, spec in OWNERS.items()
    }
    password_hash = passwords.hash_password(PASSWORD)
    staff = {
        key: make_staff(
            ddb,
            settings,
            spec.username,
            *spec.roles,
            estates=spec.estates,
            buildings=spec.buildings,
            password_hash=password_hash,
        )
        for key, spec in STAFF.items()
    }
    make_staff(ddb, settings, LOGIN_ACCOUNT, "butler", estates=("lanting",),
               password_hash=password_hash)  # fmt: skip
    make_staff(ddb, settings, TARGET_CLERK, "front_desk", estates=("lanting",))
    a, c = owners["owner_a"].units[0], owners["owner_c"].units[0]
    targets = {
        "estate_1": Target(estate="lanting"),
        "estate_2": Target(estate="meixi"),
        "unit_a": Target(estate=a.estate, building=a.building, room=a.room),
        "unit_c": Target(estate=c.estate, building=c.building, room=c.room),
        "owner_a": Target(estate=a.estate, owner_id=owners["owner_a"].owner_id),
        "owner_c": Target(estate=c.estate, owner_id=owners["owner_c"].owner_id),
    }
    _order_of_unit_a(services, owners["owner_a"])
    _resolved_order_of_unit_a(services, owners["owner_a"], staff["admin"])
    periodic = _periodic_callback_of_unit_a(services, owners["owner_a"])
    _bills_and_a_payment(services, owners)
    prepare_finance(services)
    prepare_publishing(services)
    return World(app, ddb, settings, clock, owners, staff, targets, periodic)


def _bills_and_a_payment(services: Any, owners: dict[str, Owner]) -> None:
    """The owners' units with bills of October and November; owner A paid October's with
    ``PAYMENT_A`` (its id made predictable here), which the payment routes read and refund."""
    import uuid
    from unittest import mock

    from portal.billing.model import UnitKey
    from portal.estates.records import unit_item

    wanted = {(u.estate, u.building, u.room) for o in owners.values() for u in o.units}
    company = services.estates.company()
    services.table.batch_put([unit_item(u) for e in company.estates for u in e.units()
                              if (u.estate, u.building, u.room) in wanted])  # fmt: skip
    for estate in ("lanting", "meixi"):
        for period in ("2026-10", "2026-11"):
            services.billing_run.run(estate, period, actor="cli:matrix")
    a = owners["owner_a"].units[0]
    with mock.patch("portal.billing.payments.uuid.uuid4", return_value=uuid.UUID(int=0xA << 96)):
        payment, _ = services.payments.create(owners["owner_a"].identity(),
                                              UnitKey(a.estate, a.building, a.room),
                                              ["2026-10-management"], "sandbox")  # fmt: skip
    assert payment.payment_id == PAYMENT_A["payment_id"]
    provider = services.payment_accounts.account("fake")
    assert services.ledger.record(provider.paid(payment.payment_id, payment.amount_fen)) == "recorded"


def _order_of_unit_a(services: Any, owner: Owner) -> None:
    """``BX-20261122-0001``: owner A's repair, which the order routes read and note on."""
    from portal.workorders.model import Location
    from portal.workorders.service import NewOrder

    order = services.work_orders.submit(owner.identity(), NewOrder(
        kind="repair", location=Location("lanting", "2", "1-1503"),
        description="卫生间地漏返味", category="plumbing", contact_name=owner.name,
        contact_phone=owner.phone))  # fmt: skip
    assert order.number == "BX-20261122-0001"


def _resolved_order_of_unit_a(services: Any, owner: Owner, admin: StaffAccount) -> None:
    """``BX-20261122-0002``: owner A's repair, resolved, so its callback is due: the owner
    answers it online, and everyone who may read the order sees it."""
    from portal.workorders.model import Location
    from portal.workorders.service import NewOrder

    orders, staff = services.work_orders, admin.identity()
    order = orders.submit(owner.identity(), NewOrder(
        kind="repair", location=Location("lanting", "2", "1-1503"), description="阳台推拉门卡住",
        category="doors_locks"))  # fmt: skip
    assert order.number == RESOLVED_ORDER_A["number"]
    orders.act(staff, "lanting", order.number, "acknowledge")
    orders.act(staff, "lanting", order.number, "dispatch", "", {"assignee": "工程部 陈师傅"})
    orders.act(staff, "lanting", order.number, "resolve")


def _periodic_callback_of_unit_a(services: Any, owner: Owner) -> Callback:
    """The monthly callback of unit A (as the daily plan makes it): its result moves no order,
    so the rows that record one put it back as due after each call."""
    callback = Callback(
        callback_id=PERIODIC_CALLBACK_A["callback_id"], estate="lanting", kind="monthly",
        building="2", room="1-1503", due_at="2026-12-05T16:00:00Z", created_at=iso(NOW),
        created_by="system:callback_plan", owner_id=owner.owner_id, period="2026-11",
    )  # fmt: skip
    services.callback_repo.create(callback)
    return callback


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The owners, staff and app of the matrix, on moto, built once per test module."""
    from moto import mock_aws

    from portal.store.client import dynamodb_client

    settings = Settings(
        stage="test",
        table_prefix="portal-matrix-",
        site_url=SITE_URL,
        build_dir=tmp_path_factory.mktemp("matrix") / "site",
        payments=MATRIX_PAYMENTS,
    )
    with pytest.MonkeyPatch.context() as mp:
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            mp.setenv(k, "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-east-1")
        with mock_aws():
            ddb = dynamodb_client(settings)
            ensure_tables(ddb, settings.table_prefix)
            yield _build_world(settings, ddb)
