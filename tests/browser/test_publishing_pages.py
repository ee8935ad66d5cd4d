"""Staff publishing in the browser, against the real API and builder: a butler writes a notice
for building 2 with the Markdown toolbar, previews it at phone width (the real page), submits
it; a supervisor approves; it is published and the estate's page shows it within the poll;
then it is withdrawn with a reason and leaves the estate's page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from portal.publishing.repository import PublishingRepository
from portal.store.table import Table
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.support.order_pages import sign_in_staff, zh

TITLE = "2栋明日停水通知（浏览器测试）"


def _desk(page: Page, site: AccountSite) -> None:
    page.goto(site.url("/staff/publishing/"))
    expect(page.locator("#pub-desk")).to_be_visible()


def _open_doc(page: Page) -> None:
    page.locator("#docs li", has_text=TITLE).get_by_role("button").click()
    expect(page.locator("#editor-h")).to_have_text(TITLE)


def _estate_page_has(page: Page, site: AccountSite, present: bool) -> None:
    page.goto(site.url("/estates/lanting/notices/"))
    link = page.get_by_role("link", name=TITLE)
    if present:
        expect(link).to_be_visible()
    else:
        expect(link).to_have_count(0)


def test_a_butler_writes_previews_and_submits_a_supervisor_approves_it_goes_live_and_is_withdrawn(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    rules = PublishingRepository(Table(account_site.client, account_site.settings.table_name("main")))
    rules.set_approval("lanting", True, [])
    try:
        butler = sign_in_staff(account_page, account_site, "pub.butler", "butler", name="王管家")
        page = butler.page
        _desk(page, account_site)
        expect(page.locator("#rule")).to_be_visible()
        page.get_by_role("button", name=zh("publishing.new"), exact=True).click()
        page.locator("#notice-form").get_by_label(zh("publishing.field.title"), exact=True).fill(TITLE)
        page.locator("#n-buildings").get_by_label("2栋", exact=True).check()
        body = page.locator("#n-body")
        body.fill("尊敬的2栋业主：明天 9:00–12:00 停水")
        body.evaluate("(el) => el.setSelectionRange(el.value.length - 2, el.value.length)")
        page.locator(".mdbar[data-for=n-body]").get_by_role("button", name=zh("publishing.toolbar.bold")).click()
        expect(body).to_have_value(re.compile(r"\*\*停水\*\*$"))
        page.get_by_role("button", name=zh("publishing.preview"), exact=True).click()
        phone = page.frame_locator("#preview-phone")
        expect(phone.locator("h1")).to_have_text(TITLE)
        expect(phone.locator(".body strong")).to_have_count(1)  # the toolbar's bold, rendered
        page.get_by_role("button", name=zh("publishing.submit"), exact=True).click()
        expect(page.locator("#doc-state")).to_contain_text(zh("publishing.state.submitted"))
        page.get_by_role("button", name=zh("publishing.publish"), exact=True).click()
        expect(page.locator("#status")).to_have_text(zh("errors.publishing_needs_approval"))

        boss = sign_in_staff(account_page, account_site, "pub.boss", "supervisor", name="赵主管")
        _desk(boss.page, account_site)
        _open_doc(boss.page)
        boss.page.get_by_role("button", name=zh("publishing.approve"), exact=True).click()
        expect(boss.page.locator("#doc-state")).to_contain_text(zh("publishing.state.approved"))
        boss.page.get_by_role("button", name=zh("publishing.publish"), exact=True).click()
        expect(boss.page.locator("#site-state")).to_have_text(zh("publishing.site.live"), timeout=30_000)
        expect(boss.page.locator("#history li")).to_have_count(4)  # created, submitted, approved, published

        reader = account_page("/estates/lanting/")
        _estate_page_has(reader.page, account_site, present=True)
        reader.page.goto(account_site.url("/estates/lanting/buildings/2/"))  # building 2's owners
        expect(reader.page.get_by_role("link", name=TITLE)).to_be_visible()
        reader.page.goto(account_site.url("/estates/lanting/buildings/1/"))  # building 1's do not
        expect(reader.page.locator("h1")).to_contain_text("1栋")
        expect(reader.page.get_by_role("link", name=TITLE)).to_have_count(0)

        boss.page.get_by_label(zh("publishing.field.reason")).fill("停水计划取消")
        boss.page.get_by_role("button", name=zh("publishing.withdraw"), exact=True).click()
        expect(boss.page.locator("#site-state")).to_have_text(zh("publishing.site.live"), timeout=30_000)
        expect(boss.page.locator("#doc-state")).to_contain_text(zh("publishing.state.withdrawn"))
        _estate_page_has(reader.page, account_site, present=False)

        assert butler.unexpected(("/api/publishing/docs/" + _id(page) + "/publish", 409)) == []
        assert boss.unexpected() == []
        assert reader.unexpected() == []
    finally:
        rules.set_approval("lanting", False, [])


def _id(page: Page) -> str:
    found = page.locator("#docs li", has_text=TITLE).get_attribute("data-id")
    return found or ""


def test_a_supervisor_publishes_a_campaign_with_an_event_and_its_month_page_shows_it(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    boss = sign_in_staff(account_page, account_site, "pub.boss2", "supervisor", name="钱主管")
    page = boss.page
    _desk(page, account_site)
    page.locator("#p-kind").select_option("campaign")
    page.get_by_role("button", name=zh("publishing.new"), exact=True).click()
    form = page.locator("#campaign-form")
    form.get_by_label(zh("publishing.field.year"), exact=True).fill("2027")
    form.get_by_label(zh("publishing.field.month"), exact=True).fill("5")
    form.get_by_label(zh("publishing.field.title"), exact=True).fill("文明行车宣传月（浏览器测试）")
    form.get_by_label(zh("publishing.field.theme"), exact=True).fill("礼让行人 · 规范停车")
    page.get_by_role("button", name=zh("publishing.add_event"), exact=True).click()
    event = form.locator(".event").first
    event.get_by_label(zh("publishing.field.title"), exact=True).fill("停车秩序宣传日")
    event.get_by_label(zh("publishing.field.start"), exact=True).fill("2027-05-15T09:00")
    event.get_by_label(zh("publishing.field.end"), exact=True).fill("2027-05-15T11:00")
    page.get_by_role("button", name=zh("publishing.save"), exact=True).click()
    expect(page.locator("#doc-state")).to_contain_text(zh("publishing.state.draft"))
    page.get_by_role("button", name=zh("publishing.publish"), exact=True).click()
    expect(page.locator("#site-state")).to_have_text(zh("publishing.site.live"), timeout=30_000)
    reader = account_page("/campaigns/2027-05/")
    expect(reader.page.locator("h1")).to_contain_text("文明行车宣传月（浏览器测试）")
    expect(reader.page.get_by_text("停车秩序宣传日")).to_be_visible()
    assert boss.unexpected() == [] and reader.unexpected() == []
