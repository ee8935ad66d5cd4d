"""The work-order pages on a phone (owners, 360×640) and for staff, against the real API.

The whole loop: an owner reports a leak → the front desk receives and assigns it, notes
something internal, marks it done → the owner rates it 5 stars and the page says 已评价
(the internal note never reaches the owner). The connection dropping while an owner
submits (offline, and an answer lost after the order was made): what was typed stays on
the phone, goes out once the network is back, and exactly one order exists. A paid
service: the price quoted in yuan, shown to the owner, accepted. Staff recording an order
for an owner who phoned. Every button and choice on the owner pages is at least 44×44 px,
nothing overflows 360 px, and times are shown in Asia/Shanghai.
"""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Route, expect

from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.support.order_pages import (
    act,
    fill_leak,
    fits,
    mine,
    offline_noise,
    order_ref,
    shanghai,
    sign_in_owner,
    sign_in_staff,
    taps_are_big_enough,
    zh,
)  # fmt: skip


def test_owner_reports_staff_receive_assign_and_finish_owner_rates_it(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340101", "陈晓梅")
    page = owner.page
    fill_leak(page)
    expect(page.get_by_label("联系电话")).to_have_value("13912340101")  # their own number
    expect(page.get_by_label("联系人")).to_have_value("陈晓梅")
    expect(page.locator("#photos")).to_be_visible()
    expect(page.locator("#photo-status")).to_have_text(zh("orders.photos.count", count=0, max=6))
    fits(page)
    taps_are_big_enough(page)
    owner.screenshot("orders-new-360")
    page.get_by_role("button", name="提交", exact=True).click()
    done = page.locator("#done")
    expect(done).to_be_visible()
    expect(page.locator("#done-h")).to_be_focused()
    number = re.search(r"BX-\d{8}-\d{4,6}", page.locator("#done-text").inner_text())
    assert number, page.locator("#done-text").inner_text()
    taps_are_big_enough(page)
    page.get_by_role("link", name="查看进度").click()
    expect(page.locator("#title")).to_have_text(f"报修 {number.group(0)}")
    expect(page.locator("#badges .st")).to_have_text("待受理")
    expect(page.locator("#no-actions")).to_be_visible()
    order_url = page.url
    assert order_ref(page) == ("lanting", number.group(0))

    # The front desk: the new order is in the queue; receive, assign, note, finish.
    desk = sign_in_staff(account_page, account_site, "desk.loop", "front_desk", name="李前台")
    staff = desk.page
    item = staff.locator(f"#part-new li[data-number='{number.group(0)}']")
    expect(item).to_be_visible()
    expect(item.locator(".st")).to_have_text("待受理")
    item.locator("a").click()
    staff.wait_for_url(re.compile(r"/staff/orders/view/\?"))
    expect(staff.locator("#facts dd[data-k=contact]")).to_have_text("陈晓梅 13912340101")
    act(staff, "受理")
    expect(staff.locator("#badges .st")).to_have_text("已受理")
    expect(staff.locator("#facts dd[data-k=responsible]")).to_have_text("李前台")
    act(staff, "派工", {"派给哪位师傅或哪个部门": "陈师傅（工程部）"})
    expect(staff.locator("#badges .st")).to_have_text("已派工")
    act(staff, "内部备注", {"备注内容（仅员工可见，业主看不到）": "楼下1403也要上门看一下"})
    internal = staff.locator("#history li.internal")
    expect(internal).to_have_count(1)
    expect(internal).to_contain_text("内部")
    act(staff, "处理完成", {"处理结果（选填）": "已更换下水管接头"})
    expect(staff.locator("#badges .st")).to_have_text("已完成")
    desk.screenshot("orders-staff-view-390")
    assert desk.unexpected() == []

    # The owner: 待评价; rate 5 stars with a comment; the page says 已评价.
    page.goto(order_url)
    expect(page.locator("#badges .st")).to_have_text("已完成")
    expect(page.locator("#badges")).to_contain_text("待评价")
    expect(page.locator("#facts dd[data-k=assignee]")).to_have_text("陈师傅（工程部）")
    expect(page.locator("#facts dd[data-k=responsible]")).to_have_text("李前台")
    buttons = page.locator("#actions button")
    expect(buttons).to_have_text(["确认完成并评价", "申请返修"])  # not staff's callback
    page.get_by_role("button", name="确认完成并评价").click()
    taps_are_big_enough(page)
    fits(page)
    owner.screenshot("orders-sign-off-360")
    page.locator("#act-form").get_by_role("button", name="确定").click()
    expect(page.locator("#act-status")).to_have_text(zh("orders.view.rating_required"))
    page.get_by_label("★★★★★ 非常满意").check()
    page.get_by_label("评语（选填）").fill("师傅很细心，谢谢！")
    page.locator("#act-form").get_by_role("button", name="确定").click()
    badge = page.locator("#badges .st")
    expect(badge).to_have_text("已评价")
    expect(badge).to_have_attribute("data-state", "signed_off")
    expect(page.locator("#facts dd[data-k=rating]")).to_have_text("5 星")
    history = page.locator("#history li")
    assert history.evaluate_all("(els) => els.map((e) => e.dataset.action)") == [
        "submit",
        "acknowledge",
        "dispatch",
        "resolve",
        "sign_off",
    ]  # the internal note is not shown to the owner
    assert "1403" not in page.inner_text("body")
    expect(history.last).to_contain_text("师傅很细心，谢谢！")
    expect(history.last).to_contain_text("评分：5 星")
    expect(history.first.locator(".by")).to_have_text("您")

    # Times in Asia/Shanghai; the deadlines of a minor repair, each met or running.
    detail = page.evaluate(
        "(p) => fetch(p, {credentials: 'same-origin'}).then((r) => r.json())",
        f"/api/orders/lanting/{number.group(0)}",
    )
    first = detail["history"][0]
    expect(history.first.locator("time")).to_have_text(shanghai(first["at"]))
    stages = page.locator("#deadlines li")
    assert stages.evaluate_all("(els) => els.map((e) => e.dataset.stage)") == [
        d["stage"] for d in detail["order"]["deadlines"]
    ]
    expect(page.locator("#deadlines li[data-stage=acknowledge]")).to_contain_text("按时")
    resolve = detail["order"]["deadlines"][-1]
    expect(page.locator("#deadlines li[data-stage=resolve] small")).to_contain_text(
        "截止 " + shanghai(resolve["due_at"])
    )
    expect(page.locator("#actions button")).to_have_text(["申请返修"])  # still possible
    fits(page)
    owner.screenshot("orders-view-signed-off-360")

    page.goto(account_site.url("/account/orders/"))
    mine = page.locator("#orders li")
    expect(mine).to_have_count(1)
    expect(mine.locator(".st")).to_have_text("已评价")
    taps_are_big_enough(page)
    fits(page)
    assert owner.unexpected() == []


def test_a_submit_without_network_waits_on_the_phone_and_goes_out_once_when_back(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340102", "刘强")
    page = owner.page
    fill_leak(page, "电梯厅的灯不亮了")
    page.context.set_offline(True)
    page.get_by_role("button", name="提交", exact=True).click()
    root = page.locator("#new-order")
    expect(root).to_have_attribute("data-state", "offline")
    expect(page.locator("#status")).to_have_text(zh("orders.new.offline"))
    expect(page.get_by_role("button", name="立即重试")).to_be_visible()
    expect(page.get_by_label("问题描述")).to_be_disabled()
    kept = json.loads(page.evaluate("localStorage.getItem('portal.order-draft')"))
    assert kept["pending"] is True and kept["fields"]["description"] == "电梯厅的灯不亮了"
    assert re.fullmatch(r"[A-Za-z0-9_-]{8,64}", kept["request_id"])
    taps_are_big_enough(page)
    owner.screenshot("orders-new-offline-360")

    page.get_by_role("button", name="立即重试").click()  # still offline: still waiting
    expect(root).to_have_attribute("data-state", "offline")
    page.context.set_offline(False)  # the connection is back: it goes out by itself
    expect(page.locator("#done")).to_be_visible(timeout=15_000)
    assert page.evaluate("localStorage.getItem('portal.order-draft')") is None
    orders = mine(page)
    assert len(orders) == 1 and orders[0]["description"] == "电梯厅的灯不亮了"
    assert orders[0]["number"] in page.locator("#done-text").inner_text()
    assert offline_noise(owner) == []


def test_an_answer_lost_after_the_order_was_made_gives_one_order_on_retry(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340103", "赵敏")
    page = owner.page
    made: list[dict[str, Any]] = []
    bodies: list[dict[str, Any]] = []
    network = {"down": True}

    def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        bodies.append(json.loads(route.request.post_data or "{}"))
        if not made:
            response = route.fetch()  # the server makes the order…
            made.append(response.json())
            route.abort("connectionreset")  # …and the phone never hears back
        elif network["down"]:
            route.abort("connectionreset")  # a retry of the page's own, before the reload
        else:
            route.continue_()

    page.route("**/api/orders", lose_the_first_answer)
    fill_leak(page, "卫生间地漏堵了")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#new-order")).to_have_attribute("data-state", "offline")
    assert len(made) == 1 and made[0]["number"]
    # A reload while waiting: the draft is still on the phone and goes out again by itself.
    network["down"] = False
    page.reload()
    expect(page.locator("#done")).to_be_visible(timeout=15_000)
    expect(page.locator("#done-text")).to_contain_text(made[0]["number"])
    assert len(bodies) >= 2 and {b["request_id"] for b in bodies} == {bodies[0]["request_id"]}
    orders = mine(page)
    assert [o["number"] for o in orders] == [made[0]["number"]]
    assert offline_noise(owner) == []


def test_a_paid_service_is_quoted_in_yuan_and_the_owner_accepts_the_price(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340104", "王芳")
    page = owner.page
    expect(page.locator("#order-form")).to_be_visible()
    page.get_by_label("其他服务").check()
    expect(page.locator("#repair-box")).to_be_hidden()
    page.get_by_label("问题描述").fill("想请师傅帮忙疏通厨房油烟管道")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#done")).to_be_visible()
    page.get_by_role("link", name="查看进度").click()
    order_url = page.url

    desk = sign_in_staff(account_page, account_site, "desk.price", "front_desk")
    staff = desk.page
    estate, number = order_ref(page)
    staff.goto(account_site.url(f"/staff/orders/view/?estate={estate}&number={number}"))
    act(staff, "受理")
    staff.locator("#actions").get_by_role("button", name="报价（有偿服务）").click()
    form = staff.locator("#act-form")
    form.get_by_label("价格（元）").fill("80.5元")
    form.get_by_label("收费项目说明").fill("油烟管道疏通（含材料）")
    form.get_by_role("button", name="确定").click()
    expect(staff.locator("#act-status")).to_have_text(zh("orders.view.yuan_invalid"))
    form.get_by_label("价格（元）").fill("８０．５")  # full-width, as a Chinese keyboard types it
    form.get_by_role("button", name="确定").click()
    expect(staff.locator("#next-status")).to_have_text(
        zh("orders.view.done", action="报价（有偿服务）")
    )
    expect(staff.locator("#price-amount")).to_have_text("¥80.50")
    expect(staff.locator("#price-state")).to_have_text(zh("orders.view.price_waiting"))
    expect(staff.locator("#history li").last).to_contain_text("报价：¥80.50")

    page.goto(order_url)
    expect(page.locator("#price-amount")).to_have_text("¥80.50")
    expect(page.locator("#price-note")).to_have_text("油烟管道疏通（含材料）")
    expect(page.locator("#badges")).to_contain_text("待确认报价")
    page.get_by_role("button", name="确认报价").click()
    taps_are_big_enough(page)
    fits(page)
    owner.screenshot("orders-quote-360")
    page.get_by_role("button", name="接受报价").click()
    expect(page.locator("#price-state")).to_have_text("您的答复：接受")
    expect(page.locator("#history li").last).to_contain_text("报价答复：接受")
    expect(page.locator("#badges")).not_to_contain_text("待确认报价")
    assert owner.unexpected() == [] and desk.unexpected() == []


def test_staff_record_a_phoned_in_order_for_an_owner_and_find_it_in_the_estate_list(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    desk = sign_in_staff(account_page, account_site, "desk.phone", "front_desk")
    page = desk.page
    form = page.locator("#create-form")
    form.get_by_label("来源").select_option("phone")
    form.get_by_label("类型").select_option("complaint")
    expect(page.locator("#c-repair-box")).to_be_hidden()
    form.get_by_label("楼栋").select_option("public")
    expect(page.locator("#c-room-box")).to_be_hidden()
    form.get_by_label("具体位置").fill("3栋电梯厅")
    form.get_by_label("问题描述").fill("晚上十点后还有装修噪音")
    form.get_by_label("联系人").fill("李先生")
    form.get_by_role("button", name="提交", exact=True).click()
    created = page.locator("#create-status a")
    expect(created).to_have_text(re.compile(r"^已登记，工单号 TS-\d{8}-\d{4,6}。$"))
    number = re.search(r"TS-\d{8}-\d{4,6}", created.inner_text())
    assert number
    expect(page.locator(f"#part-new li[data-number='{number.group(0)}']")).to_be_visible()
    page.locator("#list-form").get_by_role("button", name="查看").click()
    listed = page.locator(f"#estate-orders li[data-number='{number.group(0)}']")
    expect(listed).to_contain_text("兰亭苑 公共区域 · 3栋电梯厅")
    fits(page, 390)
    desk.screenshot("orders-queue-390")
    created.click()
    expect(page.locator("#facts dd[data-k=channel]")).to_have_text("来电")
    expect(page.locator("#actions button")).to_contain_text(["受理", "判定无效", "内部备注"])
    act(page, "判定无效", {"不予受理的原因（业主可见）": "经核实为业主自家装修，已提醒注意时间"})
    expect(page.locator("#badges .st")).to_have_text("不予受理")
    expect(page.locator("#facts dd[data-k=reason]")).to_have_text(
        "经核实为业主自家装修，已提醒注意时间"
    )
    # Judged without being received first: the judgement ended that clock, in time.
    expect(page.locator("#deadlines li[data-stage=acknowledge] .tag")).to_have_text("按时")
    desk.screenshot("orders-invalid-390")
    assert desk.unexpected() == []


def test_an_owner_asks_for_a_redo_with_a_reason(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340105", "孙丽")
    page = owner.page
    fill_leak(page, "阳台推拉门关不严")
    page.get_by_label("报修类别").select_option("doors_locks")
    page.get_by_label("急修").check()
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_role("link", name="查看进度").click()
    expect(page.locator("#badges")).to_contain_text("急修")
    order_url = page.url
    desk = sign_in_staff(account_page, account_site, "desk.redo", "front_desk")
    staff = desk.page
    estate, number = order_ref(page)
    staff.goto(account_site.url(f"/staff/orders/view/?estate={estate}&number={number}"))
    act(staff, "受理")
    act(staff, "派工", {"派给哪位师傅或哪个部门": "工程部"})
    act(staff, "师傅已到场")
    act(staff, "处理完成", {"处理结果（选填）": "已调整滑轮"})

    page.goto(order_url)
    page.get_by_role("button", name="申请返修").click()
    page.locator("#act-form").get_by_role("button", name="确定").click()
    note = page.get_by_label("返修原因")
    expect(note).to_have_attribute("aria-invalid", "true")
    note.fill("还是关不严，晚上有风声")
    page.locator("#act-form").get_by_role("button", name="确定").click()
    expect(page.locator("#badges .st")).to_have_text("返修")
    expect(page.locator("#history li").last).to_contain_text("还是关不严，晚上有风声")
    assert owner.unexpected() == [] and desk.unexpected() == []


_SUBMIT = """async (description) => {
  const me = await (await fetch("/api/me", {credentials: "same-origin"})).json();
  const r = await fetch("/api/orders", {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token},
    body: JSON.stringify({kind: "suggestion", estate: "lanting", building: "public",
                          place: "小区花园", description})});
  return (await r.json()).number;
}"""


def test_an_order_page_of_someone_else_or_nonsense_says_not_found(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    owner = sign_in_owner(account_page, account_site, "13912340106", "周杰",
                   "/account/orders/view/?estate=lanting&number=BX-20261122-9999")  # fmt: skip
    page = owner.page
    expect(page.locator("#missing")).to_be_visible()
    page.goto(account_site.url("/account/orders/view/?estate=../x&number=1"))
    expect(page.locator("#missing")).to_be_visible()
    page.goto(account_site.url("/account/orders/"))
    expect(page.locator("#none")).to_be_visible()
    taps_are_big_enough(page)
    assert owner.unexpected(("/api/orders/lanting/BX-20261122-9999", 404)) == []

    first = page.evaluate(_SUBMIT, "花园里多放几张长椅")
    second = page.evaluate(_SUBMIT, "快递柜旁边加个雨棚")
    page.goto(account_site.url("/en/account/orders/"))
    items = page.locator("#orders li")
    expect(items).to_have_count(2)
    assert items.evaluate_all("(els) => els.map((e) => e.dataset.number)") == [second, first]
    expect(items.first.locator("strong")).to_have_text("Suggestion")
    expect(items.first.locator(".st")).to_have_text("Waiting")
    expect(items.first.locator("small")).to_contain_text("Lanting Garden Shared areas · 小区花园")
    expect(page.get_by_role("link", name="Report a problem")).to_be_visible()
    fits(page)
    taps_are_big_enough(page)
    assert owner.unexpected(("/api/orders/lanting/BX-20261122-9999", 404)) == []
