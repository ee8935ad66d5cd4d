"""Crash safety of the payment path: the API, a process of its own, is killed with SIGKILL at
each named step of recording a payment (``tests/support/crash_server.py``), started again,
and the provider sends its notification again, as Alipay does until it hears ``success``.

Whatever the step: no payment lost, none recorded twice, every bill right, nothing left
held, receipt numbers gap-free. The notifications are Alipay's, signed with RSA2 by a key
made here and verified by the real adapter in the server process.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from portal.billing.model import UnitKey
from portal.billing.providers import crypto
from portal.billing.providers.base import yuan_from_fen
from portal.billing.providers.config import payment_settings
from portal.clock import system_clock
from portal.estates.model import Company
from portal.estates.records import unit_item
from portal.localdev.ports import free_port
from portal.settings import Settings
from portal.store.items import decode_item
from portal.wiring import Services
from tests.factories import wired
from tests.support.auth import SITE_URL
from tests.support.crash_server import STEPS
from tests.support.payments import ALIPAY_APP_ID, ALIPAY_SELLER, alipay_body, alipay_params, key
from tests.unit.billing.conftest import owner_of

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "lanting-alipay"
PAYMENTS = json.dumps({
    "accounts": {ACCOUNT: {
        "provider": "alipay", "app_id": ALIPAY_APP_ID, "seller_id": ALIPAY_SELLER,
        "private_key": "env:PORTAL_PAY_TEST_ALIPAY_PRIVATE_KEY",
        "alipay_public_key": "env:PORTAL_PAY_TEST_ALIPAY_PUBLIC_KEY"}},
    "estates": {"*": [ACCOUNT]},
})  # fmt: skip


def _env(settings: Settings) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "PORTAL_STAGE": "test",
        "PORTAL_DYNAMODB_ENDPOINT": str(settings.dynamodb_endpoint),
        "PORTAL_TABLE_PREFIX": settings.table_prefix,
        "PORTAL_SITE_URL": SITE_URL,
        "PORTAL_PAYMENTS": PAYMENTS,
        "PORTAL_PAY_TEST_ALIPAY_PRIVATE_KEY": crypto.private_pem(key("merchant")),
        "PORTAL_PAY_TEST_ALIPAY_PUBLIC_KEY": crypto.public_pem(key("alipay").public_key()),
    }


@dataclass
class Api:
    """The API process: started, killed (by itself) and started again on one port."""

    env: dict[str, str]
    port: int
    process: subprocess.Popen[str] | None = None

    def start(self, crash_at: str | None = None) -> None:
        command = [sys.executable, "-m", "tests.support.crash_server", "--port", str(self.port)]
        self.process = subprocess.Popen([*command, *(["--crash-at", crash_at] if crash_at else [])],
                                        cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"
        for _ in range(100):  # the socket is bound before "ready"; be sure it accepts
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=5).connect()
                return
            except OSError:
                time.sleep(0.05)

    def notify(self, body: bytes) -> tuple[int, bytes] | None:
        """The provider's POST; None when the connection died without an answer."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", f"/api/payments/notify/{ACCOUNT}", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            res = conn.getresponse()
            return res.status, res.read()
        except (ConnectionError, http.client.RemoteDisconnected):
            return None
        finally:
            conn.close()

    def died_by_sigkill(self) -> bool:
        assert self.process is not None
        return self.process.wait(timeout=30) == -9

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    server = Api(_env(settings), free_port())
    yield server
    server.stop()


def _notification(payment_id: str, amount_fen: int) -> bytes:
    now = datetime.now(UTC)
    return alipay_body(alipay_params(
        now, out_trade_no=payment_id, trade_no=f"2026{payment_id[-20:]}",
        total_amount=yuan_from_fen(amount_fen), receipt_amount=yuan_from_fen(amount_fen),
        notify_id=f"n-{payment_id}"))  # fmt: skip


def _services(ddb: Any, settings: Settings, company: Company, api: Api) -> Services:
    ours = settings.with_(payments=payment_settings(api.env, local=True))
    services = wired(ddb, ours, system_clock)
    estate = company.estate("lanting")
    assert estate is not None
    services.table.batch_put([unit_item(u) for u in estate.units()[: len(STEPS)]])
    assert services.billing_run.run("lanting", "2026-11", actor="cli:test").created == len(STEPS)
    return services


def _items(ddb: Any, services: Services) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(TableName=services.table.name)
    return [decode_item(raw) for page in pages for raw in page.get("Items", [])]


def test_killing_the_api_at_each_step_of_recording_loses_and_doubles_nothing(
    ddb: Any, settings: Settings, demo_company: Company, api: Api
) -> None:
    services = _services(ddb, settings, demo_company, api)
    units = [UnitKey(i["estate"], i["building"], i["room"]) for i in _items(ddb, services)
             if i.get("type") == "bill"]  # fmt: skip
    answers: dict[str, list[tuple[int, bytes] | None]] = {}
    payments = []
    for step, unit in zip(STEPS, sorted(units, key=lambda u: u.unit_id), strict=True):
        payment, start = services.payments.create(owner_of(unit), unit, ["2026-11-management"],
                                                  "alipay")  # fmt: skip
        assert payment.account == ACCOUNT and start.kind == "redirect"
        body = _notification(payment.payment_id, payment.amount_fen)
        api.start(crash_at=step)
        first = api.notify(body)
        assert first is None, f"{step}: answered {first}"  # the process died mid-way
        assert api.died_by_sigkill(), step
        api.start()  # a new instance; the provider sends the same notification again
        answers[step] = [first, api.notify(body), api.notify(body)]
        api.stop()
        payments.append(payment)

    for step, (_, retry, repeat) in answers.items():
        assert retry == (200, b"success"), step
        assert repeat == (200, b"success"), step
    items = _items(ddb, services)
    stored = {i["payment_id"]: i for i in items if i.get("type") == "payment"}
    for p in payments:
        assert stored[p.payment_id]["status"] == "paid"
    bills = [i for i in items if i.get("type") == "bill"]
    assert all(b["status"] == "paid" and b["paid_fen"] == b["amount_fen"] for b in bills)
    assert not any(b.get("pending_payment") for b in bills)  # nothing held
    numbers = sorted(int(i["number"]) for i in items if i.get("type") == "receipt")
    assert numbers == list(range(1, len(STEPS) + 1))  # one each, no gap
    assert sum(1 for i in items if str(i["pk"]).startswith("PAYTX#")) == len(STEPS)
    assert sum(1 for i in items if i.get("action") == "payment.paid") == len(STEPS)
