"""What the work-order pages' browser tests share: signing in an owner (SMS code) and staff
(password) on phone-sized pages, filling the new-order form, acting on an order, and the
checks every page passes (nothing overflows, every tap target is at least 44×44 px)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from portal.accounts.passwords import hash_password
from portal.i18n import translate
from tests.browser.conftest_account import AccountSite, ActingPage, OpenActingPage
from tests.browser.support import OVERFLOWING
from tests.factories import make_owner, make_staff

PHONE_W, PHONE_H = 360, 640
PASSWORD = "Lanting-desk-2026"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MIN_TAP = 44

# Every visible thing an owner taps: buttons, links drawn as buttons, radio choices.
SMALL_TARGETS = """
(min) => [...document.querySelectorAll("button, a.btn, label.check, select, input, textarea")]
  .filter((el) => el.offsetParent !== null && !(el.matches("input") && el.closest("label.check")))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < min - 0.5 || r.height < min - 0.5)
  .map(([el, r]) => `${el.tagName.toLowerCase()}#${el.id} "${el.textContent.trim().slice(0, 20)}" ` +
    `${r.width.toFixed(1)}×${r.height.toFixed(1)}`)
"""


def zh(key: str, **params: object) -> str:
    return translate(key, "zh-CN", **params)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def fits(page: Page, width: int = PHONE_W) -> None:
    assert page.evaluate(OVERFLOWING, width) == []


def taps_are_big_enough(page: Page) -> None:
    assert page.evaluate(SMALL_TARGETS, MIN_TAP) == []


def sign_in_owner(account_page: OpenActingPage, site: AccountSite, phone: str, name: str,
          path: str = "/account/orders/new/") -> ActingPage:  # fmt: skip
    """An owner of Lanting 2栋 2-1503, signed in by SMS code on a 360×640 phone, on ``path``."""
    make_owner(site.client, site.settings, phone, name, ("lanting", "2", "2-1503"))
    watched = account_page("/account/signin/", width=PHONE_W, height=PHONE_H)
    page = watched.page
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#status")).to_have_text(zh("auth.code_sent", minutes=5))
    page.locator("#code").fill(site.sign_in_code(phone))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(site.url("/account/"))
    page.goto(site.url(path))
    return watched


def sign_in_staff(account_page: OpenActingPage, site: AccountSite, username: str,
          *roles: str, name: str = "") -> ActingPage:  # fmt: skip
    make_staff(site.client, site.settings, username, *roles, estates=("lanting",),
               password_hash=password_hash(), name=name)  # fmt: skip
    watched = account_page("/staff/signin/")
    page = watched.page
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(site.url("/staff/"))
    expect(page.locator("#orders-link")).to_be_visible()
    page.locator("#orders-link a").click()
    page.wait_for_url(site.url("/staff/orders/"))
    expect(page.locator("#desk")).to_be_visible()
    return watched


def fill_leak(page: Page, description: str = "厨房水槽下水管漏水，滴到楼下") -> None:
    form = page.locator("#order-form")
    expect(form).to_be_visible()
    expect(page.get_by_label("报修", exact=True)).to_be_checked()
    expect(page.locator("#f-where option").first).to_have_text("兰亭苑 2栋2单元1503室")
    page.get_by_label("报修类别").select_option("plumbing")
    page.get_by_label("问题描述").fill(description)
    page.get_by_label("方便上门的时间（选填）").fill("今天下午")


def order_ref(page: Page) -> tuple[str, str]:
    query = parse_qs(urlsplit(page.url).query)
    return query["estate"][0], query["number"][0]


def mine(page: Page) -> list[dict[str, Any]]:
    """The signed-in owner's orders, as the API lists them."""
    items: list[dict[str, Any]] = page.evaluate(
        """() => fetch("/api/orders/mine", {credentials: "same-origin"})
                 .then((r) => r.json()).then((j) => j.items)"""
    )
    return items


def shanghai(iso: str) -> str:
    return (
        datetime.fromisoformat(iso.replace("Z", "+00:00"))
        .astimezone(SHANGHAI)
        .strftime("%Y-%m-%d %H:%M")
    )


def act(page: Page, button: str, fields: dict[str, str] | None = None) -> None:
    page.locator("#actions").get_by_role("button", name=button, exact=True).click()
    for label, value in (fields or {}).items():
        page.locator("#act-form").get_by_label(label).fill(value)
    if fields is not None:
        page.locator("#act-form").get_by_role("button", name="确定").click()
    expect(page.locator("#next-status")).to_have_text(
        zh("orders.view.done", action=button), timeout=10_000
    )


def offline_noise(watched: ActingPage) -> list[str]:
    """What the test's own cut connection leaves behind (the refused requests), removed."""
    return [
        p for p in watched.unexpected()
        if "ERR_INTERNET_DISCONNECTED" not in p and "ERR_CONNECTION_RESET" not in p
    ]  # fmt: skip


