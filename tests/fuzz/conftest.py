"""The callers of the API fuzz test: who they are, signed in afresh for every generated case.

Five identities (:data:`IDENTITIES`): ``anonymous``, ``admin`` (company-wide),
``staff`` (a supervisor of one estate, Lanting), ``finance`` (Lanting's accountant: the
billing runs, payment reviews and refunds are finance's alone) and ``owner`` (one unit in
Lanting), whose
repair :data:`RESOLVED_ORDER` is resolved, so its callback is due (the examples of the
document's order and callback paths name them: the fuzzer also reaches a real callback).
Each pytest test (one operation as one identity) gets its own tables (the ``services``
fixture: a table prefix of its own), and each generated case:

- moves the test's clock a day on, so no rate-limit window (sign-in codes, failed
  passwords, lockouts) carries one case's requests into the next: the fuzzer sees the
  API's answers, not the limits its own earlier cases ran into;
- puts the caller's account back as it was (a case may have disabled, demoted or
  re-passworded it) and opens a fresh session for it (a case may have signed it out);
- sends what a browser on the site sends: the session cookie, the site's ``Origin`` and,
  signed in, the session's CSRF token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from functions import context
from portal.accounts.owners import Owner
from portal.accounts.staff.model import StaffAccount
from portal.wiring import Services
from portal.workorders.model import Location
from portal.workorders.service import NewOrder
from tests.factories import FakeClock, make_owner, make_staff
from tests.fuzz.depth import FULL, REFUSED, SERVED, depth
from tests.support.auth import ORIGIN, PASSWORD, SESSION_COOKIE, password_hash

IDENTITIES = ("anonymous", "admin", "staff", "finance", "owner")

OWNER_PHONE = "13812341503"
OWNER_UNIT = ("lanting", "2", "1-1503")
RESOLVED_ORDER = "BX-20261122-0001"


@dataclass(frozen=True)
class Request:
    """What a case is sent with: headers (``Origin``, ``X-CSRF-Token``) and cookies."""

    headers: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)


@dataclass
class Callers:
    """The identities of one test, on its services and clock."""

    services: Services
    clock: FakeClock
    admin: StaffAccount
    staff: StaffAccount
    finance: StaffAccount
    owner: Owner
    cases: int = 0

    def _restore(self, who: str) -> tuple[str, str] | None:
        """Put ``who``'s account back as created; its session kind and user id."""
        if who == "admin":
            self.services.staff_repo.put(self.admin)
            return "staff", self.admin.username
        if who == "staff":
            self.services.staff_repo.put(self.staff)
            return "staff", self.staff.username
        if who == "finance":
            self.services.staff_repo.put(self.finance)
            return "staff", self.finance.username
        if who == "owner":
            self.services.owners.save(self.owner)
            return "owner", self.owner.owner_id
        return None

    def request_for(self, who: str) -> Request:
        """A day later, ``who`` as created and freshly signed in: what to send the case with."""
        self.cases += 1
        self.clock.now += timedelta(days=1)
        account = self._restore(who)
        if account is None:
            return Request({"Origin": ORIGIN})
        kind, user_id = account
        token, session = self.services.sessions.create(kind, user_id)  # type: ignore[arg-type]
        return Request(
            {"Origin": ORIGIN, "X-CSRF-Token": session.csrf_token}, {SESSION_COOKIE: token}
        )


@pytest.fixture
def bind_app(services: Services) -> Iterator[Callable[[Any], None]]:
    """Serve ``app`` from this test's services (tables in moto, clock under the test's control)."""
    bound: list[Any] = []

    def bind(app: Any) -> None:
        context.init_app(app, services.settings, services)
        bound.append(app)

    yield bind
    for app in bound:
        app.extensions.pop(context.EXTENSION, None)


@pytest.fixture
def callers(services: Services, clock: FakeClock) -> Callers:
    """The admin, the Lanting supervisor and the Lanting owner of this test, in its tables."""
    ddb, cfg = services.clients.dynamodb, services.settings
    hashed = password_hash(PASSWORD)
    admin = make_staff(ddb, cfg, "fuzz.admin", "admin", password_hash=hashed)
    staff = make_staff(ddb, cfg, "fuzz.staff", "supervisor", estates=("lanting",),
                       password_hash=hashed)  # fmt: skip
    finance = make_staff(ddb, cfg, "fuzz.finance", "finance", estates=("lanting",),
                         password_hash=hashed)  # fmt: skip
    owner = make_owner(ddb, cfg, OWNER_PHONE, "林晓岚", OWNER_UNIT)
    _resolved_repair(services, owner, admin)
    # Each case moves the clock a day on, which would expire the estate directory's cache
    # (a minute) before every request and read the company again (5 reads, a tenth of a
    # second of moto each). No route changes estates (``portal estates sync`` does), so
    # the directory read once stays true for the whole test.
    services.estates.cache_for = timedelta(days=365_000)
    return Callers(services, clock, admin, staff, finance, owner)


def _resolved_repair(services: Services, owner: Owner, admin: StaffAccount) -> None:
    orders, by = services.work_orders, admin.identity()
    order = orders.submit(owner.identity(), NewOrder(
        kind="repair", location=Location(*OWNER_UNIT), description="阳台推拉门卡住",
        category="doors_locks"))  # fmt: skip
    assert order.number == RESOLVED_ORDER
    orders.act(by, "lanting", order.number, "acknowledge")
    orders.act(by, "lanting", order.number, "dispatch", "", {"assignee": "工程部 陈师傅"})
    orders.act(by, "lanting", order.number, "resolve")


@pytest.fixture
def count_cases(callers: Callers, record_property: Callable[[str, object], None]) -> Iterator[None]:
    """Record how many cases the test sent (``fuzz_cases`` in a JUnit XML report)."""
    yield
    record_property(CASES_PROPERTY, callers.cases)


CASES_PROPERTY = "fuzz_cases"



THOROUGH_TEST = "test_every_operation_keeps_its_contract"
SERVED_TEST = "test_every_operation_keeps_its_contract_for_each_other_caller_it_serves"
REFUSED_TEST = "test_every_operation_refuses_a_caller_it_does_not_serve_within_its_contract"
TEST_OF_DEPTH = {FULL: THOROUGH_TEST, SERVED: SERVED_TEST, REFUSED: REFUSED_TEST}
_OPERATION = re.compile(r"\[([A-Z]+) (/[^\]]*)\]")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each (operation, identity) pair runs in one of the three fuzz tests, the one of its
    depth (:func:`tests.fuzz.depth.depth`)."""
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        test = getattr(item, "originalname", "").split("[", 1)[0]  # schemathesis: name[operation]
        found = _OPERATION.search(item.name)
        if test not in TEST_OF_DEPTH.values() or found is None:
            kept.append(item)
            continue
        who = item.callspec.params["who"]  # type: ignore[attr-defined]
        wanted = TEST_OF_DEPTH[depth(found.group(1), found.group(2), who)]
        (kept if test == wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
