"""The finance page in headless Chromium on a desktop screen: the collection rate the API
computes, the SVG trend, daily path and arrears buckets, the drill-down to a building's
units, a reminder, and no console error or CSP violation."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import expect

from portal.billing.model import UnitKey
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.factories import make_staff, wired
from tests.support.finance import offline
from tests.support.order_pages import PASSWORD, SHANGHAI, password_hash


def test_the_finance_page_shows_the_apis_rate_with_charts_and_drills_down_to_units(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    services = wired(account_site.client, account_site.settings, with_estates=False)
    period = datetime.now(SHANGHAI).strftime("%Y-%m")
    services.billing_run.run("meixi", period, actor="cli:browser")
    units = [UnitKey("meixi", "1", room) for room in ("1-101", "1-102", "1-201")]
    for i, unit in enumerate(units):
        bills = [b for b in services.bills.of_unit(unit) if b.period == period and b.outstanding_fen]
        if bills:
            services.offline_payments.apply(
                offline(unit, [b.bill_id for b in bills], sum(b.outstanding_fen for b in bills),
                        request_id=f"browser-{period}-{i:04d}"), "cli:browser")  # fmt: skip
    expected = services.collection.report(None, "meixi", period)
    assert expected.total.paid_fen > 0, "the demo units paid nothing: pick units that exist"
    make_staff(account_site.client, account_site.settings, "fin.meixi", "finance", estates=("meixi",),
               password_hash=password_hash(), name="钱会计")  # fmt: skip

    watched = account_page("/staff/signin/", width=1280, height=900)
    page = watched.page
    page.get_by_label("用户名").fill("fin.meixi")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    page.goto(account_site.url(f"/staff/collection/?estate=meixi&period={period}"))

    rate = page.locator("#c-rate-amount")
    expect(rate).to_contain_text(f"{expected.total.rate_amount}%")
    expect(rate).to_contain_text("目标 98%")
    expect(page.locator("#c-rate-households")).to_contain_text(
        f"已缴 {expected.total.paid_households} 户 / 应缴 {expected.total.households} 户")
    expect(page.locator("#trend-chart polyline.line")).to_have_count(1)
    expect(page.locator("#trend-chart polyline.target")).to_have_count(1)
    expect(page.locator("#daily-chart polyline.target")).to_have_count(1)
    expect(page.locator("#bucket-chart rect.bar")).to_have_count(4)
    foot = page.locator("#c-rows tfoot td")
    expect(foot.nth(1)).to_have_text(f"{expected.total.billed_fen // 100}.{expected.total.billed_fen % 100:02d}")
    assert page.locator("#c-export-xlsx").get_attribute("href", timeout=5000).startswith("/api/collection/export?")

    page.locator("#c-rows tbody tr[data-key='1'] button").click()
    expect(page.locator("#c-rows tbody tr[data-key='meixi/1/1-101']")).to_be_visible()
    expect(page.locator("#c-rows thead th").first).to_have_text("房号")

    page.locator("#remind-all").click()
    expect(page.locator("#status")).to_have_text(re.compile(r"^已安排催缴 \d+ 位业主"))
    watched.screenshot("collection-1280")
    assert watched.unexpected() == []
