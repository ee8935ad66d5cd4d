"""已知晓 on a 360×640 phone in headless Chromium, against the real API and DynamoDB Local:
the owner sees the unread 停水 notice on "我的" and taps 已知晓; the front desk's coverage
page then counts the household, and lists the neighbours still unread with masked phones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from portal.acknowledgements.model import CriticalNotice
from portal.acknowledgements.repository import AcknowledgementRepository
from portal.clock import iso
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.factories import main_table, make_owner, make_staff
from tests.support.order_pages import (
    PASSWORD,
    PHONE_H,
    PHONE_W,
    fits,
    password_hash,
    sign_in_owner,
    taps_are_big_enough,
    zh,
)  # fmt: skip

NOTICE = "2026-11-18-lanting-water-outage-b2"


def _outage_now(site: AccountSite) -> CriticalNotice:
    """The demo's 2栋停水 notice, active at the real clock the served API reads."""
    now = datetime.now(UTC)
    notice = CriticalNotice("lanting", NOTICE, "11月25日2栋停水通知", "", "outage", ("2",),
                            iso(now - timedelta(hours=1)), iso(now + timedelta(days=3)))  # fmt: skip
    AcknowledgementRepository(main_table(site.client, site.settings)).register(notice)
    return notice


def test_owner_taps_acknowledge_on_my_page_and_the_staff_coverage_page_counts_the_household(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    _outage_now(account_site)
    make_owner(account_site.client, account_site.settings, "13655512504", "赵邻居",
               ("lanting", "2", "2-1504"))  # fmt: skip
    watched = sign_in_owner(account_page, account_site, "13655512503", "钱业主", path="/account/")
    page = watched.page
    box = page.locator("#acks")
    expect(box).to_be_visible()
    item = box.locator("li.ack").filter(has_text="2栋停水通知")
    expect(item).to_have_count(1)
    button = item.get_by_role("button", name=zh("acks.ack"))
    expect(button).to_be_visible()
    fits(page, PHONE_W)
    taps_are_big_enough(page)
    watched.screenshot("acks-my-360")
    button.click()
    expect(item.get_by_role("button", name=zh("acks.done"))).to_be_disabled()
    expect(page.locator("#acks-done")).to_be_visible()
    assert watched.unexpected() == []

    make_staff(account_site.client, account_site.settings, "ack.desk", "front_desk",
               estates=("lanting",), password_hash=password_hash(), name="孙前台")  # fmt: skip
    staff = account_page("/staff/signin/", width=PHONE_W, height=PHONE_H)
    spage = staff.page
    spage.get_by_label("用户名").fill("ack.desk")
    spage.get_by_label("密码", exact=True).fill(PASSWORD)
    spage.get_by_role("button", name="登录", exact=True).click()
    spage.wait_for_url(account_site.url("/staff/"))
    spage.goto(account_site.url(f"/staff/acknowledgements/?estate=lanting&notice={NOTICE}"))
    row = spage.locator("#a-buildings tbody tr[data-building='2']")
    expect(row).to_be_visible()
    cells = row.locator("td")
    expect(cells.nth(1)).to_have_text("1")
    targeted = int(cells.nth(2).inner_text())
    assert targeted > 1
    expect(cells.nth(3)).to_have_text(str(targeted - 1))
    expect(spage.locator("#a-total")).to_have_text(zh("acks.counts", acknowledged=1, targeted=targeted))
    neighbour = spage.locator("#a-unread li").filter(has_text="2栋2单元1504室")
    expect(neighbour).to_contain_text("赵邻居 136****2504")
    expect(spage.locator("#a-unread li").filter(has_text="2栋2单元1503室")).to_have_count(0)
    assert "13655512504" not in spage.content()
    fits(spage, PHONE_W)
    staff.screenshot("acks-staff-360")
    assert staff.unexpected() == []
