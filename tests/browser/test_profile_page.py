"""The owner profile page (客户动态表) at phone size: a butler opens a unit, records the
segment and the family, saves, and the page shows it again after a reload, with the unit's
orders on its timeline; nothing overflows and every tap target is big enough."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.support.order_pages import (
    fill_leak,
    fits,
    sign_in_owner,
    sign_in_staff,
    taps_are_big_enough,
    zh,
)


def test_a_butler_keeps_a_units_profile_and_sees_its_timeline(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340203", "黄丽")
    fill_leak(owner.page, "阳台地漏反水")
    owner.page.get_by_role("button", name="提交", exact=True).click()
    expect(owner.page.locator("#done")).to_be_visible()

    staff = sign_in_staff(account_page, account_site, "zhou.butler", "butler", name="周管家")
    page = staff.page
    page.set_viewport_size({"width": 360, "height": 640})  # a butler on the phone, at the door
    page.goto(account_site.url("/staff/profiles/?estate=lanting&building=2&room=2-1503"))
    expect(page.locator("#profile")).to_be_visible()
    expect(page.locator("#p-timeline li[data-source=order]").first).to_contain_text("报修")
    page.locator("#e-segment").select_option("key")
    # As a butler types it: "儿子" is kept as 子女 (profiles.relationship_words).
    page.locator("#e-members").fill("黄小明，儿子，13912340204")
    page.get_by_role("button", name=zh("services.profile.save")).click()
    expect(page.locator("#edit-status")).to_have_text(zh("services.profile.saved"))
    expect(page.locator("#p-facts")).to_contain_text("黄小明（子女）")
    fits(page)
    taps_are_big_enough(page)
    staff.screenshot("staff-profile-360")

    page.reload()
    expect(page.locator("#profile")).to_be_visible()
    expect(page.locator("#e-segment")).to_have_value("key")
    expect(page.locator("#p-facts")).to_contain_text(zh("profiles.segments.key"))
    assert staff.unexpected() == [] and owner.unexpected() == []
