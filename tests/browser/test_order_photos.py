"""Photos on the owner's new-order form, on a 360×640 phone, against the real API and the S3
stand-in (another origin, as the bucket is on AWS; the page's CSP admits exactly it).

A photo chosen goes up at once with its progress shown, stays on the phone (IndexedDB)
across a reload, and is attached to the order, which staff then see. With the network
cut, the photo and the text wait on the phone and go out once it is back: one order, with
its photo.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.support import images
from tests.support.order_pages import (
    SHANGHAI,
    act,
    fill_leak,
    fits,
    mine,
    offline_noise,
    order_ref,
    sign_in_owner,
    sign_in_staff,
    taps_are_big_enough,
    zh,
)  # fmt: skip

PHOTO = {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": images.JPEG}
KEPT_PHOTOS = """() => new Promise((resolve) => {
  const req = indexedDB.open("portal-order-photos", 1);
  req.onsuccess = () => {
    const all = req.result.transaction("photos").objectStore("photos").getAll();
    all.onsuccess = () => resolve(all.result.map((p) => ({ key: p.key, size: p.size })));
  };
  req.onerror = () => resolve(null);
})"""


def kept_photos(page: Page) -> list[dict[str, Any]]:
    """The photos the page keeps on the phone (IndexedDB): their upload key and size."""
    found: list[dict[str, Any]] = page.evaluate(KEPT_PHOTOS)
    return found


def detail(page: Page, number: str) -> dict[str, Any]:
    got: dict[str, Any] = page.evaluate(
        "(p) => fetch(p, {credentials: 'same-origin'}).then((r) => r.json())",
        f"/api/orders/lanting/{number}",
    )
    return got


def test_a_photo_goes_up_with_its_progress_stays_across_a_reload_and_joins_the_order(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340201", "黄丽")
    page = owner.page
    fill_leak(page, "卫生间吊顶渗水，有水渍")
    page.locator("#f-photos").set_input_files([PHOTO])
    item = page.locator("#photo-list li")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-state", "done")
    expect(item.locator("progress")).to_have_attribute("value", "100")
    expect(item.locator(".photo-state")).to_have_text(zh("orders.photos.done"))
    expect(item.locator("img.thumb")).to_be_visible()  # a preview drawn on the phone
    expect(page.locator("#photo-status")).to_have_text(zh("orders.photos.count", count=1, max=6))
    fits(page)
    taps_are_big_enough(page)
    owner.screenshot("orders-new-photo-360")
    [kept] = kept_photos(page)
    assert kept["key"].startswith("uploads/workorders/") and kept["size"] == len(images.JPEG)

    page.reload()  # the text and the photo are still on the phone
    expect(page.get_by_label("问题描述")).to_have_value("卫生间吊顶渗水，有水渍")
    expect(page.locator("#photo-list li")).to_have_attribute("data-state", "done")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#done")).to_be_visible()
    [order] = mine(page)
    assert order["photos"] == 1
    assert kept_photos(page) == []  # sent: nothing left on the phone
    page.get_by_role("link", name="查看进度").click()
    photo = page.locator("#photo-grid img")
    expect(photo).to_have_count(1)
    expect(photo).to_have_js_property("complete", True)  # loaded (no eval: the CSP forbids it)
    assert photo.evaluate("(img) => img.naturalWidth") == 8  # shown from the bucket
    assert len(detail(page, order["number"])["photo_urls"]) == 1
    assert owner.unexpected() == []


def test_a_camera_sized_photo_is_made_smaller_on_the_phone_before_it_goes_up(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340202", "黄丽")
    page = owner.page
    big = images.big_png(2300, 1700)  # just over the cap: the pipe to Chromium is slow
    assert len(big) > 10 * 1024 * 1024  # over the 10 MB cap as it comes off the phone
    page.locator("#f-photos").set_input_files([{"name": "IMG_0002.png", "mimeType": "image/png",
                                               "buffer": big}])  # fmt: skip
    item = page.locator("#photo-list li")
    expect(item).to_have_attribute("data-state", "done", timeout=60_000)
    [kept] = kept_photos(page)
    assert kept["key"].endswith(".jpg") and kept["size"] < 4 * 1024 * 1024  # 1600 px JPEG
    assert owner.unexpected() == []


def test_a_photo_and_the_text_wait_offline_and_go_out_once_as_one_order_with_the_photo(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340202", "吴刚")
    page = owner.page
    fill_leak(page, "地下车库B区消防管滴水")
    page.context.set_offline(True)
    page.locator("#f-photos").set_input_files([PHOTO])
    item = page.locator("#photo-list li")
    expect(item).to_have_attribute("data-state", "waiting")
    expect(item.locator(".photo-state")).to_have_text(zh("orders.photos.waiting"))
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#new-order")).to_have_attribute("data-state", "offline")
    expect(page.locator("#status")).to_have_text(zh("orders.new.offline"))
    [kept] = kept_photos(page)
    assert kept["key"] == "" and kept["size"] == len(images.JPEG)  # on the phone, not sent
    taps_are_big_enough(page)
    owner.screenshot("orders-new-photo-offline-360")

    page.context.set_offline(False)  # back: the photo goes up, then the order, once
    expect(page.locator("#done")).to_be_visible(timeout=20_000)
    orders = mine(page)
    assert len(orders) == 1 and orders[0]["description"] == "地下车库B区消防管滴水"
    assert orders[0]["photos"] == 1
    assert len(detail(page, orders[0]["number"])["photo_urls"]) == 1
    assert kept_photos(page) == []
    assert offline_noise(owner) == []


def _tomorrow() -> str:
    return (datetime.now(SHANGHAI) + timedelta(days=1)).strftime("%Y-%m-%d")


def test_the_whole_loop_with_a_photo_ends_on_the_kpi_page_with_its_callback(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340203", "郑雪")
    page = owner.page
    fill_leak(page, "客厅插座冒火花，已拉闸")
    page.locator("#f-photos").set_input_files([PHOTO])
    expect(page.locator("#photo-list li")).to_have_attribute("data-state", "done")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#done")).to_be_visible()
    page.get_by_role("link", name="查看进度").click()
    order_url = page.url
    estate, number = order_ref(page)

    # The supervisor: receives and dispatches (staff see the photo), then marks it done.
    boss = sign_in_staff(account_page, account_site, "sup.loop", "supervisor", name="周主管")
    staff = boss.page
    staff.goto(account_site.url(f"/staff/orders/view/?estate={estate}&number={number}"))
    expect(staff.locator("#photo-grid img")).to_have_count(1)
    act(staff, "受理")
    expect(staff.locator("#facts dd[data-k=responsible]")).to_have_text("周主管")
    act(staff, "派工", {"派给哪位师傅或哪个部门": "王师傅（工程部）"})
    act(staff, "处理完成", {"处理结果（选填）": "已更换插座"})

    # The owner signs off; the online callback form is there too.
    page.goto(order_url)
    expect(page.locator("#facts dd[data-k=responsible]")).to_have_text("周主管")
    expect(page.locator("#cb-form")).to_be_visible()
    page.locator("#actions").get_by_role("button", name="确认完成并评价").click()
    page.get_by_label("★★★★★ 非常满意").check()
    page.locator("#act-form").get_by_role("button", name="确定").click()
    expect(page.locator("#badges .st")).to_have_text("已评价")
    taps_are_big_enough(page)
    fits(page)

    # The callback desk: due tomorrow; one attempt not reached, then the owner's answer.
    staff.goto(account_site.url("/staff/callbacks/"))
    expect(staff.locator("#due-form")).to_be_visible()
    staff.locator("#d-day").fill(_tomorrow())
    staff.locator("#due-form").get_by_role("button", name="查看").click()
    item = staff.locator(f"#cb-due li[data-id='order.{number}.0']")
    expect(item).to_be_visible()
    item.get_by_role("button", name="回访").click()
    entry = staff.locator("#entry")
    entry.get_by_label("情况说明（如：无人接听、晚上再打）").fill("无人接听")
    entry.get_by_role("button", name="记下这次联系").click()
    expect(staff.locator("#status")).to_have_text(zh("services.callbacks.saved_attempt"))
    expect(item).to_contain_text(zh("services.callbacks.attempts", count=1))
    item.get_by_role("button", name="回访").click()
    result = staff.locator("#result-form")
    for dim in ("timeliness", "attitude", "skill", "result", "overall"):
        result.locator(f"fieldset[data-dim={dim}]").get_by_label("满意", exact=True).check()
    result.get_by_role("button", name="保存回访结果").click()
    expect(staff.locator("#status")).to_have_text(zh("services.callbacks.saved_result"))
    expect(item).to_have_count(0)
    boss.screenshot("callbacks-desk-390")

    # The month's KPIs: the order is in the callback rate's numerator and denominator.
    staff.goto(account_site.url("/staff/kpi/"))
    rate = staff.locator("#kpis li[data-key=callback_rate]")
    expect(rate).to_be_visible()
    expect(rate.locator(".kpi-value")).to_have_text(re.compile(r"^\d+(\.\d+)?%$"))
    rate.locator("summary").click()
    numerator = rate.locator("details > div").first  # the numerator's orders, as links
    expect(numerator.get_by_role("link", name=number, exact=True)).to_be_visible()
    satisfied = staff.locator("#kpis li[data-key=satisfaction]")
    satisfied.locator("summary").click()
    expect(satisfied.locator("details > div").first.get_by_role(
        "link", name=f"{number}#overall")).to_be_visible()  # the callback's answer, traced
    boss.screenshot("kpi-390")
    assert boss.unexpected() == [] and owner.unexpected() == []


def test_an_owner_answers_the_callback_online_and_not_satisfied_reopens_the_order(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340204", "冯军")
    page = owner.page
    fill_leak(page, "主卧窗户关不上")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_role("link", name="查看进度").click()
    order_url = page.url
    estate, number = order_ref(page)
    desk = sign_in_staff(account_page, account_site, "desk.answer", "front_desk")
    staff = desk.page
    staff.goto(account_site.url(f"/staff/orders/view/?estate={estate}&number={number}"))
    act(staff, "受理")
    act(staff, "派工", {"派给哪位师傅或哪个部门": "工程部"})
    act(staff, "处理完成", {"处理结果（选填）": "已调整合页"})

    page.goto(order_url)
    form = page.locator("#cb-form")
    expect(form).to_be_visible()
    form.locator("fieldset[data-dim=overall]").get_by_label("不满意").check()
    form.get_by_role("button", name="提交评价").click()
    expect(page.locator("#cb-status")).to_have_text(zh("services.answer.comment_required"))
    taps_are_big_enough(page)
    fits(page)
    owner.screenshot("orders-callback-answer-360")
    form.get_by_label("您的意见（选填；不满意请写明原因）").fill("窗户还是关不严")
    form.get_by_role("button", name="提交评价").click()
    expect(page.locator("#cb-done")).to_have_text(zh("services.answer.reopened"))
    expect(form).to_be_hidden()
    expect(page.locator("#badges .st")).to_have_text("返修")
    expect(page.locator("#history li").last).to_contain_text("窗户还是关不严")
    assert owner.unexpected() == [] and desk.unexpected() == []
