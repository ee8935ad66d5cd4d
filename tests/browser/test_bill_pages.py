"""The bill pages on a phone (owners, 360×640) and for finance, against the real API and
the sandbox provider's hosted page.

An owner opens my bills (the late one marked, amounts in yuan), pays one bill through the
sandbox's page, and the result page keeps saying it is waiting until the provider's
notification is recorded, then says paid with the receipt number; the receipt page shows
it. Finance opens the unit's account (bills, the payment, its receipt), refunds part of it
in yuan with a reason, and sees the payments under review. Every button and choice on the
owner pages is at least 44×44 px, and nothing overflows 360 px.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from portal.billing.model import UnitKey, due_date
from portal.i18n import translate
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.browser.support import OVERFLOWING
from tests.support.bill_pages import (
    management_bill,
    owner_signs_in,
    periods,
    provider_notifies,
    put_bills,
    put_payment_in_review,
    staff_signs_in,
)

PHONE_W, PHONE_H = 360, 640
MIN_TAP = 44
SMALL_TARGETS = """
(min) => [...document.querySelectorAll("button, a.btn, label.check, select, input, textarea, td a")]
  .filter((el) => el.offsetParent !== null && !(el.matches("input") && el.closest("label.check")))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([, r]) => r.width < min - 0.5 || r.height < min - 0.5)
  .map(([el, r]) => `${el.tagName.toLowerCase()}#${el.id} "${el.textContent.trim().slice(0, 20)}" ` +
    `${r.width.toFixed(1)}×${r.height.toFixed(1)}`)
"""
PAYMENT_STATUS = "(id) => fetch('/api/payments/' + id, {credentials: 'same-origin'}).then((r) => r.json())"


def _zh(key: str, **params: object) -> str:
    return translate(key, "zh-CN", **params)


def _fits_and_taps(page: Page) -> None:
    assert page.evaluate(OVERFLOWING, PHONE_W) == []
    assert page.evaluate(SMALL_TARGETS, MIN_TAP) == []


def test_an_owner_pays_one_bill_and_the_result_says_paid_only_once_the_notification_is_recorded(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    site = account_site
    unit = UnitKey("lanting", "2", "1-1201")
    late, current = periods()
    put_bills(site.client, site.settings, management_bill(unit, late, 25088),
              management_bill(unit, current, 25088))  # fmt: skip
    owner = account_page("/account/signin/", width=PHONE_W, height=PHONE_H)
    page = owner.page
    owner_signs_in(page, site.base_url, site.client, site.settings, "13912340201", "林秀英",
                   unit, site.sign_in_code)  # fmt: skip
    page.get_by_role("link", name="我的账单").click()
    page.wait_for_url(site.url("/account/bills/"))
    section = page.locator(f"section[data-unit='{unit.unit_id}']")
    expect(section.locator("h2")).to_have_text("兰亭苑 2栋1单元1201室")
    expect(section.locator("[data-f=outstanding]")).to_have_text("待缴合计 ¥501.76")
    rows = section.locator("[data-f=unpaid] li")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(f"物业费 {late}")
    expect(rows.first.locator(".tag.u")).to_have_text(_zh("billing.status.late"))
    expect(rows.last.locator(".tag.u")).to_have_count(0)
    # the billing rule's own due date: a December bill is due in January of the next year
    expect(rows.last).to_contain_text(_zh("bills.js.due", date=due_date(current).isoformat()),
                                      timeout=1)  # fmt: skip
    expect(section.locator("[data-f=total]")).to_have_text("已选 2 笔，合计 ¥501.76")
    expect(section.get_by_label("本地模拟支付")).to_be_checked()
    _fits_and_taps(page)
    owner.screenshot("bills-mine-360")

    rows.first.locator("input[type=checkbox]").uncheck()  # pay this month's only
    expect(section.locator("[data-f=total]")).to_have_text("已选 1 笔，合计 ¥250.88")
    section.get_by_role("button", name="去缴费").click()
    page.wait_for_url(re.compile(r"/sandbox-pay/[0-9a-z_]+$"))
    payment_id = page.url.rsplit("/", 1)[1]
    page.get_by_label("不发送（只能查询）").check()  # the provider holds its notification back
    page.get_by_role("button", name="确认支付").click()
    page.wait_for_url(re.compile(r"/account/bills/paid/\?payment="))
    root = page.locator("#bill-paid")
    expect(root).to_have_attribute("data-state", "waiting")
    expect(page.locator("#headline")).to_have_text(_zh("bills.paid.waiting"))
    expect(page.locator("#f-amount")).to_have_text("¥250.88")
    time.sleep(4)  # the page keeps asking; the API still says pending, so must the page
    assert page.evaluate(PAYMENT_STATUS, payment_id)["status"] == "pending"
    expect(root).to_have_attribute("data-state", "waiting")
    expect(page.locator("#headline")).not_to_have_text(_zh("bills.paid.paid"))
    expect(page.locator("#receipt-link")).to_be_hidden()
    _fits_and_taps(page)
    owner.screenshot("bills-paid-waiting-360")

    provider_notifies(site.client, site.settings, payment_id)  # signed, verified, recorded
    recorded = page.evaluate(PAYMENT_STATUS, payment_id)
    assert recorded["status"] == "paid" and re.fullmatch(r"lanting-\d{4}-\d{6}", recorded["receipt_no"])
    expect(root).to_have_attribute("data-state", "paid", timeout=20_000)
    expect(page.locator("#headline")).to_have_text(_zh("bills.paid.paid"))
    expect(page.locator("#explain")).to_have_text(
        _zh("bills.paid.paid_text", yuan="250.88", receipt=recorded["receipt_no"]))
    _fits_and_taps(page)
    owner.screenshot("bills-paid-360")

    page.get_by_role("link", name="查看收据").click()
    page.wait_for_url(re.compile(r"/account/bills/receipt/\?payment="))
    receipt = page.locator("#receipt")
    expect(receipt).to_be_visible()
    expect(receipt.locator("dd[data-v=number]")).to_have_text(recorded["receipt_no"])
    expect(receipt.locator("dd[data-v=unit]")).to_have_text("兰亭苑 2 1-1201")
    expect(receipt.locator("td[data-v=capital]")).to_have_text("贰佰伍拾元捌角捌分")
    expect(receipt.locator("#r-lines tr")).to_have_count(1)
    expect(receipt.locator(".en").first).to_be_hidden()
    page.get_by_label("中英文对照").check()
    expect(receipt.locator("h1 .en")).to_have_text("Receipt")
    _fits_and_taps(page)
    owner.screenshot("bills-receipt-360")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印收据")).to_be_hidden()
    owner.screenshot("bills-receipt-print")
    page.emulate_media(media="screen")

    page.goto(site.url("/account/bills/"))
    expect(section.locator("[data-f=unpaid] li")).to_have_count(1)
    expect(section.locator("[data-f=paid] li")).to_have_count(1)
    expect(section.locator("[data-f=paid] li .tag")).to_have_text(_zh("billing.status.paid"))
    assert owner.unexpected() == []


def test_the_result_page_of_an_unknown_payment_says_it_was_not_found(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    site = account_site
    owner = account_page("/account/signin/", width=PHONE_W, height=PHONE_H)
    owner_signs_in(owner.page, site.base_url, site.client, site.settings, "13912340202", "高峰",
                   UnitKey("lanting", "2", "1-1202"), site.sign_in_code)  # fmt: skip
    missing = "20261122deadbeeflanting"
    owner.page.goto(site.url(f"/account/bills/paid/?payment={missing}"))
    expect(owner.page.locator("#bill-paid")).to_have_attribute("data-state", "missing")
    expect(owner.page.locator("#headline")).to_have_text(_zh("bills.paid.missing"))
    owner.page.goto(site.url("/account/bills/"))
    expect(owner.page.locator("[data-f=none-unpaid]")).to_be_visible()
    _fits_and_taps(owner.page)
    assert owner.unexpected((f"/api/payments/{missing}", 404)) == []


def test_finance_sees_a_units_account_refunds_part_of_a_payment_and_lists_the_review(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    site = account_site
    unit = UnitKey("lanting", "2", "1-1203")
    late, current = periods()
    bill = management_bill(unit, current, 37100)
    other = management_bill(UnitKey("lanting", "2", "1-1204"), late, 12345)
    put_bills(site.client, site.settings, bill, other)
    # The owner pays through the API and the sandbox (notified at once).
    owner = account_page("/account/signin/")
    owner_signs_in(owner.page, site.base_url, site.client, site.settings, "13912340203", "郑伟",
                   unit, site.sign_in_code)  # fmt: skip
    payment_id = owner.page.evaluate("""async ({bill, ...unit}) => {
      const me = await (await fetch("/api/me", {credentials: "same-origin"})).json();
      const r = await (await fetch("/api/payments", {method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token},
        body: JSON.stringify({...unit, bills: [bill], provider: "sandbox"})})).json();
      await fetch("/sandbox-pay/" + r.payment.payment_id + "/confirm?json=1&notify=never",
                  {method: "POST"});
      return r.payment.payment_id;
    }""", {"estate": "lanting", "building": "2", "room": "1-1203", "bill": bill.bill_id})
    provider_notifies(site.client, site.settings, payment_id)
    paid = owner.page.evaluate(PAYMENT_STATUS, payment_id)
    assert paid["status"] == "paid"
    review = put_payment_in_review(site.client, site.settings, other.unit, other,
                                   "20261101cafef00dlanting")  # fmt: skip

    money = account_page("/staff/signin/")
    page = money.page
    staff_signs_in(page, site.base_url, site.client, site.settings, "qian.pages", "finance")
    page.get_by_role("link", name="收费台账").click()
    page.wait_for_url(site.url("/staff/bills/"))
    form = page.locator("#find-form")
    expect(form.get_by_label("小区")).to_have_value("lanting")
    form.get_by_label("楼栋").select_option("2")
    form.get_by_label("房号").fill("1-1203")
    form.get_by_role("button", name="查询").click()
    expect(page.locator("#acct-title")).to_have_text("兰亭苑 2栋1单元1203室")
    expect(page.locator("#acct-outstanding")).to_have_text("欠费合计 ¥0.00")
    expect(page.locator("#no-unpaid")).to_be_visible()
    expect(page.locator(f"#history-rows tr[data-bill='{bill.bill_id}']")).to_contain_text("已缴")
    pay_row = page.locator(f"#payment-rows tr[data-payment='{paid['payment_id']}']")
    expect(pay_row).to_contain_text(paid["receipt_no"])
    expect(pay_row).to_contain_text("371.00")
    money.screenshot("bills-unit-account-390")

    pay_row.get_by_role("button", name="退款").click()
    refund = page.locator("#refund-form")
    expect(refund.get_by_label("退款金额（元）")).to_have_value("371.00")
    refund.get_by_label("退款金额（元）").fill("1.5元多")
    refund.get_by_role("button", name="确认退款").click()
    expect(page.locator("#refund-status")).to_have_text(_zh("bills.js.refund_invalid"))
    refund.get_by_label("退款金额（元）").fill("１．５")  # full-width, as a Chinese keyboard types it
    refund.get_by_role("button", name="确认退款").click()
    expect(page.locator("#refund-status")).to_have_text(_zh("bills.js.refund_reason_required"))
    refund.get_by_label(re.compile("退款原因")).fill("多收门禁卡工本费")
    refund.get_by_role("button", name="确认退款").click()
    expect(page.locator("#status")).to_contain_text("已退款 ¥1.50")
    expect(refund).to_be_hidden()
    expect(page.locator("#payment-rows tr.refund")).to_contain_text("多收门禁卡工本费")
    states = "|".join(_zh(f"billing.refund_states.{s}") for s in ("requested", "succeeded"))
    expect(page.locator("#payment-rows tr.refund")).to_contain_text(re.compile(states))
    expect(page.locator("#acct-outstanding")).to_have_text("欠费合计 ¥1.50")
    expect(page.locator("#unpaid-rows tr")).to_contain_text("部分已缴")
    account = page.evaluate("(p) => fetch(p).then((r) => r.json())", "/api/bills/lanting/2/1-1203")
    assert account["unpaid"][0]["paid_fen"] == 37100 - 150  # exactly 150 fen went back

    page.get_by_role("link", name="待核对缴费").click()
    page.wait_for_url(re.compile(r"/staff/bills/review/"))
    row = page.locator(f"#review-rows tr[data-payment='{review.payment_id}']")
    expect(row).to_contain_text(_zh("bills.reasons.amount_mismatch"))
    expect(row).to_contain_text("兰亭苑 2栋1单元1204室")
    expect(row).to_contain_text("123.45")
    money.screenshot("bills-review-390")
    row.get_by_role("link", name="查看房屋台账").click()
    expect(page.locator("#acct-title")).to_have_text("兰亭苑 2栋1单元1204室")
    expect(page.locator(f"#payment-rows tr[data-payment='{review.payment_id}']")).to_contain_text(
        _zh("billing.payment_status.review"))
    assert money.unexpected() == [] and owner.unexpected() == []

    # A supervisor reads the same account, but refunds are finance's: no button to press.
    boss = account_page("/staff/signin/")
    staff_signs_in(boss.page, site.base_url, site.client, site.settings, "zhou.pages",
                   "supervisor")  # fmt: skip
    boss.page.goto(site.url("/staff/bills/?estate=lanting&building=2&room=1-1203"))
    boss_row = boss.page.locator(f"#payment-rows tr[data-payment='{paid['payment_id']}']")
    expect(boss_row).to_contain_text(paid["receipt_no"])
    expect(boss_row.get_by_role("button", name="退款")).to_have_count(0)
    assert boss.unexpected() == []
