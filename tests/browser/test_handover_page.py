"""The foreman's handover page in headless Chromium: the guards' door-cash batches by
collector and day, one from days ago marked overdue; the foreman confirms today's with the
count and amount the records hold (confirmed) and the old one with less cash (a discrepancy
for finance); the page fits a phone; no console error or CSP violation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from portal.billing.model import UnitKey
from portal.finance.handover import joins_batch
from portal.finance.offline import OfflineRequest
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.factories import FakeClock, make_staff, wired
from tests.support.order_pages import PASSWORD, SHANGHAI, password_hash

UNIT = UnitKey("meixi", "4", "1-401")
FEN = 12_000


def _door_cash(site: AccountSite, at: datetime, collector: str, name: str, refs: tuple[str, ...]) -> str:
    """``collector``'s door cash of one-off charges ``refs`` at ``at``: the batch's local day."""
    services = wired(site.client, site.settings, FakeClock(at), with_estates=False)
    day = at.astimezone(SHANGHAI).date().isoformat()
    for ref in refs:
        services.billing_run.add_charge(UNIT, day[:7], ref, FEN, "上门代收", actor="cli:browser")
        services.offline_payments.apply(
            OfflineRequest(UNIT, (f"{day[:7]}-other-{ref}",), "cash", FEN, f"door-{ref}-0001",
                           at_door=True),
            f"staff:{collector}", extra=lambda p, d: [joins_batch(p, d, collector, name)])  # fmt: skip
    return day


def test_the_foreman_confirms_todays_batch_and_counts_less_in_an_overdue_one(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    now = datetime.now(UTC)
    today = _door_cash(account_site, now, "guard.wang", "王保安", ("hnow1", "hnow2"))
    old = _door_cash(account_site, now - timedelta(days=5), "guard.zhou", "周保安", ("hold1",))
    make_staff(account_site.client, account_site.settings, "foreman.meixi", "foreman",
               estates=("meixi",), password_hash=password_hash(), name="孙领班")  # fmt: skip

    watched = account_page("/staff/signin/", width=1280, height=900)
    page = watched.page
    page.get_by_label("用户名").fill("foreman.meixi")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    expect(page.get_by_role("link", name="前台收费")).to_be_hidden()
    page.get_by_role("link", name="现金交接").click()
    page.wait_for_url(account_site.url("/staff/handovers/**"))

    fresh = page.locator(f"#h-list tbody tr[data-day='{today}'][data-collector='guard.wang']")
    late = page.locator(f"#h-list tbody tr[data-day='{old}'][data-collector='guard.zhou']")
    expect(late).to_have_attribute("data-overdue", "true")
    expect(late).to_contain_text("交接逾期")
    expect(fresh).to_contain_text("待交接")
    expect(fresh).not_to_contain_text("交接逾期")
    expect(fresh.locator("td").nth(2)).to_have_text("2")
    expect(fresh.locator("td").nth(3)).to_have_text("240.00")
    expect(page.locator("#h-summary")).to_contain_text("逾期")
    watched.screenshot("handovers-1280")

    fresh.get_by_label(f"清点笔数 {today} 王保安").fill("2")
    fresh.get_by_label(f"清点金额（元） {today} 王保安").fill("240")
    fresh.get_by_role("button", name="确认交接").click()
    expect(page.locator("#status")).to_have_text(f"{today} 王保安：已交接，2 笔、240.00 元。")
    expect(fresh).to_have_attribute("data-state", "confirmed")
    expect(fresh).to_contain_text("foreman.meixi")

    late.get_by_label(f"清点笔数 {old} 周保安").fill("1")
    late.get_by_label(f"清点金额（元） {old} 周保安").fill("100.00")
    late.get_by_label(f"备注 {old} 周保安").fill("少了20元，已报财务")
    late.get_by_role("button", name="确认交接").click()
    expect(page.locator("#status")).to_contain_text("清点结果与登记不符")
    expect(late).to_have_attribute("data-state", "discrepancy")
    expect(late).to_contain_text("账实不符")
    expect(late).to_contain_text("少了20元")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll on a phone"
    watched.screenshot("handovers-390")
    assert watched.unexpected() == []
