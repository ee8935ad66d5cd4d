"""What the bill pages' browser tests share: signing in on a page, bills and payments put
straight into the store (the test's data, not what is under test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from portal.accounts.passwords import hash_password
from portal.billing.model import Bill, Line, Payment, UnitKey, bill_id, due_date
from portal.billing.providers.http import UrllibTransport
from portal.billing.records import payment_item, review_index
from portal.clock import iso, system_clock
from portal.i18n import translate
from portal.settings import Settings
from portal.wiring import Services
from portal.wiring.clients import Clients
from tests.factories import make_owner, make_staff, wired

PASSWORD = "Lanting-money-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def periods() -> tuple[str, str]:
    """(a period two months ago: late; this month's: due on the 15th of the next), by the
    real clock, which the API under test uses."""
    today = datetime.now(SHANGHAI).date()
    back = (today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    return f"{back:%Y-%m}", f"{today:%Y-%m}"


def management_bill(unit: UnitKey, period: str, fen: int) -> Bill:
    return Bill(unit=unit, bill_id=bill_id(period, "management"), item="management",
                period=period, amount_fen=fen, due_date=due_date(period).isoformat(),
                basis={"area_m2": "89.6", "price": "2.80"})  # fmt: skip


def put_bills(client: Any, settings: Settings, *bills: Bill) -> None:
    wired(client, settings, with_estates=False).bills.put_all(bills)


def put_payment_in_review(client: Any, settings: Settings, unit: UnitKey, bill: Bill,
                          payment_id: str) -> Payment:  # fmt: skip
    """A payment whose money came with the wrong amount: in review, its bill unpaid."""
    now = iso(datetime.now(UTC))
    p = Payment(payment_id=payment_id, unit=unit, provider="sandbox", account="sandbox",
                amount_fen=bill.amount_fen, status="review", created_at=now,
                created_by="owner:test", expires_at=now, review_reason="amount_mismatch",
                lines=(Line(bill.bill_id, bill.item, bill.period, bill.amount_fen, 0,
                            bill.amount_fen),),
                transaction_id="SBTREVIEW1", captured_fen=bill.amount_fen + 1)  # fmt: skip
    item = {**payment_item(p), **review_index(p, now)}
    wired(client, settings, with_estates=False).table.put(item)
    return p


def provider_notifies(client: Any, settings: Settings, payment_id: str) -> None:
    """The sandbox provider sends its signed ``paid`` notification of ``payment_id`` to the
    API's notify URL, now (its control API's ``send``). The test stage's own wiring has no
    network (the transport is offline), so this one talks HTTP over loopback; the signing
    key is the process's throw-away sandbox key, which the API under test verifies with."""
    services = Services(settings, Clients(settings, dynamodb=client), system_clock,
                        payment_transport=UrllibTransport())  # fmt: skip
    sandbox = services.sandbox("sandbox")
    assert sandbox is not None
    sandbox.send(payment_id, "paid")


def owner_signs_in(page: Page, base_url: str, client: Any, settings: Settings, phone: str,
                   name: str, unit: UnitKey, code: Any) -> None:  # fmt: skip
    """``phone`` becomes an owner of ``unit`` and signs in with the SMS code (``code(phone)``)."""
    make_owner(client, settings, phone, name, (unit.estate, unit.building, unit.room))
    page.goto(base_url + "/account/signin/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#status")).to_have_text(translate("auth.code_sent", "zh-CN", minutes=5))
    page.locator("#code").fill(code(phone))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(base_url + "/account/")


def staff_signs_in(page: Page, base_url: str, client: Any, settings: Settings, username: str,
                   *roles: str) -> None:  # fmt: skip
    make_staff(client, settings, username, *roles, estates=("lanting",),
               password_hash=_password_hash())  # fmt: skip
    page.goto(base_url + "/staff/signin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(base_url + "/staff/")
