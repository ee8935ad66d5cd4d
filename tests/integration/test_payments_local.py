"""Payments under load on DynamoDB Local: concurrent notifications through a real HTTP server,
and DynamoDB throttling a fifth of all calls. Exactly once, whatever happens."""

from __future__ import annotations

import http.client
import json
import random
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from werkzeug.serving import BaseWSGIServer, make_server

from functions.app import create_app
from portal.billing.model import UnitKey
from portal.estates.model import Company
from portal.estates.records import unit_item
from portal.settings import Settings
from portal.store.errors import StoreError
from portal.store.items import decode_item
from portal.wiring import Services
from tests.factories import FakeClock, wired
from tests.support.payments import FakeAccounts, FakeProvider
from tests.unit.billing.conftest import owner_of

PORTS = range(8900, 9000)
"""Where the loopback server of these tests may listen."""


def _units(company: Company, n: int) -> list[UnitKey]:
    estate = company.estate("lanting")
    assert estate is not None
    return [UnitKey(u.estate, u.building, u.room) for u in estate.units()[:n]]


def _billed(ddb: Any, settings: Settings, company: Company, n: int) -> tuple[Services, list[UnitKey]]:
    services = wired(ddb, settings, FakeClock(), providers=FakeAccounts(FakeProvider()))
    estate = company.estate("lanting")
    assert estate is not None
    services.table.batch_put([unit_item(u) for u in estate.units()[:n]])
    report = services.billing_run.run("lanting", "2026-11", actor="cli:test")
    assert report.created == n
    return services, _units(company, n)


def _scan(ddb: Any, services: Services) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(TableName=services.table.name)
    return [decode_item(raw) for page in pages for raw in page.get("Items", [])]


def _exactly_once(ddb: Any, services: Services, payments: list[str]) -> None:
    items = _scan(ddb, services)
    kinds = Counter(str(i["pk"]).split("#")[0] for i in items)
    stored = [i for i in items if i.get("type") == "payment"]
    assert sorted(i["payment_id"] for i in stored if i["status"] == "paid") == sorted(payments)
    assert kinds["PAYTX"] == len(payments)
    bills = [i for i in items if i.get("type") == "bill"]
    paid_bills = [b for b in bills if b["status"] == "paid"]
    assert len(paid_bills) == len(payments)
    assert all(b["paid_fen"] == b["amount_fen"] for b in paid_bills)
    numbers = sorted(int(i["number"]) for i in items if i.get("type") == "receipt")
    assert numbers == list(range(1, len(payments) + 1))
    paid_events = [i for i in items if i.get("action") == "payment.paid"]
    assert len(paid_events) == len(payments)


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Serve an app on a loopback port of 8900–8999 (a real threaded HTTP server)."""
    started: list[BaseWSGIServer] = []

    def serve(app: Any) -> int:
        for port in PORTS:
            try:
                srv = make_server("127.0.0.1", port, app, threaded=True)
            except (OSError, SystemExit):
                continue
            srv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            started.append(srv)
            return port
        pytest.fail("no free port in 8900-8999")

    yield serve
    for srv in started:
        srv.shutdown()
        srv.server_close()


def test_forty_payments_each_notified_fifty_times_at_once_are_recorded_once(
    ddb: Any, settings: Settings, demo_company: Company, server: Any
) -> None:
    services, units = _billed(ddb, settings, demo_company, 40)
    provider = services.payment_accounts.account("fake")
    assert isinstance(provider, FakeProvider)
    payments = []
    for unit in units:
        p, _ = services.payments.create(owner_of(unit), unit, ["2026-11-management"], "sandbox")
        payments.append(p)
    # two servers, as two Lambda instances would be, on the same tables
    other = wired(ddb, settings, services.clock, with_estates=False, providers=FakeAccounts(provider))
    ports = [server(create_app(settings, services)), server(create_app(settings, other))]
    # each payment: one transaction, notified 50 times (the same notification and fresh ones)
    sends: list[tuple[dict[str, str], bytes]] = []
    for p in payments:
        first = provider.notification(p.payment_id, p.amount_fen, services.clock(), tx=f"T{p.payment_id}")
        sends += [first] * 25
        sends += [provider.notification(p.payment_id, p.amount_fen, services.clock(),
                                        tx=f"T{p.payment_id}") for _ in range(25)]  # fmt: skip
    random.Random(7).shuffle(sends)
    local = threading.local()

    def post(job: tuple[int, tuple[dict[str, str], bytes]]) -> int:
        i, (headers, body) = job
        if not hasattr(local, "conns"):
            local.conns = [http.client.HTTPConnection("127.0.0.1", p, timeout=60) for p in ports]
        conn = local.conns[i % 2]
        conn.request("POST", "/api/payments/notify/fake", body=body, headers=headers)
        res = conn.getresponse()
        answer = res.read()
        assert res.status != 200 or json.loads(answer) == {"code": "SUCCESS"}
        return res.status

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = Counter(pool.map(post, enumerate(sends)))
    assert statuses == {200: 50 * len(payments)}, statuses  # no 5xx, no refusal
    _exactly_once(ddb, services, [p.payment_id for p in payments])


class _Throttling:
    """A botocore hook that answers a fifth of DynamoDB's calls with ThrottlingException
    before they leave the process, and counts each call's attempts."""

    def __init__(self, rate: float, seed: int = 11) -> None:
        self.rate, self.random = rate, random.Random(seed)
        self.lock = threading.Lock()
        self.attempts: dict[str, int] = {}
        self.throttled = 0
        self.on = False

    def __call__(self, request: Any, **kwargs: Any) -> AWSResponse | None:
        retries = request.context.get("retries", {})
        with self.lock:
            call = retries.get("invocation-id", "")
            self.attempts[call] = max(self.attempts.get(call, 0), int(retries.get("attempt", 1)))
            if not self.on or self.random.random() >= self.rate:
                return None
            self.throttled += 1
        body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                           "message": "Rate of requests exceeds the allowed throughput."}).encode()  # fmt: skip
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"},
                           _Raw(body))  # fmt: skip


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.body


def test_throttling_a_fifth_of_all_calls_still_records_every_payment_exactly_once(
    client: Any, ddb: Any, settings: Settings, demo_company: Company
) -> None:
    from portal.store.client import dynamodb_client

    throttled_client = dynamodb_client(settings)  # its own client: the hook is on it alone
    hook = _Throttling(0.2)
    throttled_client.meta.events.register("before-send.dynamodb", hook)
    services, units = _billed(throttled_client, settings, demo_company, 30)
    provider = services.payment_accounts.account("fake")
    assert isinstance(provider, FakeProvider)
    app = create_app(settings, services)
    hook.on = True
    payments: list[str] = []
    failures = Counter[str]()
    for unit in units:
        for _ in range(10):  # the owner tries again after an error
            try:
                p, _ = services.payments.create(owner_of(unit), unit, ["2026-11-management"], "sandbox")
                payments.append(p.payment_id)
                break
            except StoreError as exc:  # throttled three times over: the owner tries again
                failures[f"create {type(exc).__name__}"] += 1
    assert len(payments) == len(units)
    web = app.test_client()
    for pid in payments:
        headers, body = provider.notification(pid, _amount(services, pid), services.clock(),
                                              tx=f"T{pid}")  # fmt: skip
        for _delivery in range(3):  # the provider repeats itself, and again after a 5xx
            for _ in range(10):
                res = web.post("/api/payments/notify/fake", data=body, headers=headers)
                if res.status_code == 200:
                    break
                assert res.status_code == 503, res.get_data(as_text=True)
                failures["notify 503"] += 1
            else:
                pytest.fail(f"{pid} never acknowledged")
    hook.on = False
    print(f"throttled {hook.throttled} of {len(hook.attempts)} calls' attempts; most attempts "
          f"of a call {max(hook.attempts.values())}; retried by the caller: {dict(failures)}")
    assert hook.throttled > 30, hook.throttled
    assert max(hook.attempts.values()) <= settings.max_attempts == 3
    assert failures["notify 503"] > 0  # some calls failed all their attempts: retried above
    _exactly_once(client, services, payments)


def _amount(services: Services, payment_id: str) -> int:
    for _ in range(10):
        try:
            p = services.payments.get(payment_id)
        except StoreError:
            continue
        assert p is not None
        return p.amount_fen
    raise AssertionError("never read")
