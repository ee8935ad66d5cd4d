"""The front desk's page in headless Chromium: find a unit's open bills, take a POS card
payment (a wrong amount is caught before sending), read the receipt and the day's list; an
answer lost on the way is retried with the same request id and records nothing twice; the
page fits a phone's width; no console error or CSP violation."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Route, expect

from portal.billing.model import UnitKey
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.factories import make_staff, wired
from tests.support.order_pages import PASSWORD, SHANGHAI, password_hash

UNIT = UnitKey("meixi", "3", "1-301")
LOST = "net::ERR_CONNECTION_RESET"


def test_the_desk_takes_a_card_payment_shows_the_receipt_and_a_lost_answer_records_it_once(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    services = wired(account_site.client, account_site.settings, with_estates=False)
    period = datetime.now(SHANGHAI).strftime("%Y-%m")
    services.billing_run.run("meixi", period, actor="cli:browser")
    owed = sum(b.outstanding_fen for b in services.bills.of_unit(UNIT) if b.outstanding_fen > 0)
    assert owed > 0, "the unit has bills to pay"
    make_staff(account_site.client, account_site.settings, "desk.meixi", "front_desk",
               estates=("meixi",), password_hash=password_hash(), name="李前台")  # fmt: skip

    watched = account_page("/staff/signin/", width=1280, height=900)
    page = watched.page
    page.get_by_label("用户名").fill("desk.meixi")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    expect(page.locator("#finance-links")).to_be_hidden()
    page.get_by_role("link", name="前台收费").click()
    page.wait_for_url(account_site.url("/staff/desk/**"))

    page.get_by_label("楼栋").select_option("3")
    page.get_by_label("房号").fill(UNIT.room)
    page.get_by_role("button", name="查询待缴").click()
    expect(page.locator("#d-total")).to_have_text(f"应收合计 {owed // 100}.{owed % 100:02d} 元")
    page.get_by_label("收款方式").select_option("pos")
    page.get_by_label("银行流水号/POS凭条号").fill("POS000123")
    page.get_by_label("实收金额（元）").fill("1")
    page.get_by_role("button", name="确认收款").click()
    expect(page.locator("#status")).to_contain_text("不一致")
    page.get_by_label("实收金额（元）").fill(f"{owed // 100}.{owed % 100:02d}")

    lost: list[str] = []

    def drop_the_answer(route: Route) -> None:  # recorded by the API, the answer never arrives
        if not lost:
            lost.append(route.fetch().text())
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/offline-payments", drop_the_answer)
    page.get_by_role("button", name="确认收款").click()
    expect(page.locator("#status")).to_have_class(re.compile(r"\berr\b"))
    assert lost and '"first":true' in lost[0].replace(" ", "")
    page.get_by_role("button", name="确认收款").click()  # the same form, sent again
    outcome = page.locator("#r-outcome")
    expect(outcome).to_contain_text("已登记过，未重复收款")
    number = page.locator("#r-number").inner_text()
    assert re.fullmatch(r"meixi-\d{4}-\d{6}", number)
    expect(page.locator("#r-method")).to_have_text("POS刷卡")
    assert page.locator("#r-print").get_attribute("href", timeout=5000).startswith(
        "/account/bills/receipt/?payment=")
    row = page.locator(f"#d-list tbody tr[data-receipt='{number}']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("POS000123")
    expect(page.locator("#d-day-total")).to_contain_text("当日共 ")
    expect(page.locator("#d-bills tbody tr")).to_have_count(0)
    paid = [p for p in services.payments.of_unit(UNIT) if p.receipt_no == number]
    assert len(paid) == 1 and paid[0].provider == "pos" and paid[0].amount_fen == owed
    watched.screenshot("desk-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll on a phone"
    watched.screenshot("desk-390")
    assert [p for p in watched.unexpected() if LOST not in p] == []
