"""The staff page's account tools, the owner's message switches and the KPI results approval,
on a 360×640 phone (and a desktop window) in headless Chromium, against the real API and
DynamoDB Local: disabling asks first (cancel, confirm, undo with 启用); a butler limited to
buildings; my own password with the current one; the roster template downloaded (UTF-8 with
BOM, the importer's headers) and the import report as a list naming each problem's column;
greetings switched off on 我的 and still off after a reload; last month's results approved with
a sentence for the missed target, then shown approved and published."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from portal.accounts.roster.columns import TEMPLATE_HEADERS
from portal.clock import iso
from portal.commitments.model import KpiFigure, Snapshot, item_of, snapshot_from
from portal.service_levels import KPIS
from portal.store import owner_keys
from tests.browser.conftest_account import AccountSite, ActingPage, OpenActingPage
from tests.factories import main_table, make_staff
from tests.support.order_pages import (
    PASSWORD,
    PHONE_H,
    PHONE_W,
    SHANGHAI,
    fits,
    password_hash,
    sign_in_owner,
    taps_are_big_enough,
    zh,
)  # fmt: skip

DESKTOP_W, DESKTOP_H = 1280, 800


def _staff(account_page: OpenActingPage, site: AccountSite, username: str, *roles: str,
           estates: tuple[str, ...] = ("lanting",), name: str = "") -> ActingPage:  # fmt: skip
    make_staff(site.client, site.settings, username, *roles, estates=estates,
               password_hash=password_hash(), name=name)  # fmt: skip
    watched = account_page("/staff/signin/", width=PHONE_W, height=PHONE_H)
    page = watched.page
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(site.url("/staff/"))
    expect(page.locator("#me")).to_be_visible()
    return watched


def _api(page: Page, path: str) -> Any:
    return page.evaluate("(p) => fetch(p, {credentials: 'same-origin'}).then((r) => r.json())", path)


def _readable(page: Page) -> None:
    """Fits a 360 px phone with big enough taps, then a desktop window."""
    fits(page, PHONE_W)
    taps_are_big_enough(page)
    page.set_viewport_size({"width": DESKTOP_W, "height": DESKTOP_H})
    fits(page, DESKTOP_W)
    page.set_viewport_size({"width": PHONE_W, "height": PHONE_H})


def test_disabling_an_account_asks_first_can_be_cancelled_and_undone_with_enable(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    make_staff(account_site.client, account_site.settings, "desk.qian", "front_desk",
               estates=("lanting",), name="钱前台")  # fmt: skip
    watched = _staff(account_page, account_site, "admin.wu", "admin", estates=())
    page = watched.page
    item = page.locator("#staff-list li[data-user='desk.qian']")
    expect(item).to_contain_text("正常")
    item.get_by_role("button", name="停用 desk.qian").click()
    confirm = item.locator("#disable-form")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text(zh("account.staff.disable_label", username="desk.qian", name="钱前台"))
    expect(confirm.get_by_role("button", name="确定停用")).to_be_focused()
    assert _api(page, "/api/staff/desk.qian")["disabled"] is False  # nothing done yet
    _readable(page)
    watched.screenshot("staff-disable-confirm-360")

    confirm.get_by_role("button", name="取消").click()
    expect(page.locator("#disable-form")).to_be_hidden()
    expect(item.get_by_role("button", name="停用 desk.qian")).to_be_focused()
    assert _api(page, "/api/staff/desk.qian")["disabled"] is False

    item.get_by_role("button", name="停用 desk.qian").click()
    item.get_by_role("button", name="确定停用").click()
    expect(page.locator("#list-status")).to_have_text(zh("account.staff.disabled_done", username="desk.qian"))
    item = page.locator("#staff-list li[data-user='desk.qian']")
    expect(item).to_contain_text("已停用")
    assert _api(page, "/api/staff/desk.qian")["disabled"] is True

    enable = item.get_by_role("button", name="启用 desk.qian")  # the undo: no question asked
    expect(enable).to_be_focused()
    enable.click()
    expect(page.locator("#list-status")).to_have_text(zh("account.staff.enabled_done", username="desk.qian"))
    assert _api(page, "/api/staff/desk.qian")["disabled"] is False
    assert watched.unexpected() == []


def test_admin_limits_a_butler_to_buildings_on_the_page(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    make_staff(account_site.client, account_site.settings, "butler.sun", "butler",
               estates=("lanting",), name="孙管家")  # fmt: skip
    watched = _staff(account_page, account_site, "admin.zheng", "admin", estates=())
    page = watched.page
    item = page.locator("#staff-list li[data-user='butler.sun']")
    item.get_by_role("button", name="修改角色与小区 butler.sun").click()
    edit = page.locator("#edit-form")
    lanting = edit.locator("fieldset.bld[data-estate='lanting']")
    expect(lanting).to_be_visible()
    expect(lanting.locator("legend")).to_have_text(zh("account.staff.buildings_of", estate="兰亭苑"))
    expect(edit.locator("fieldset.bld[data-estate='meixi']")).to_be_hidden()  # not their estate
    edit.get_by_label("梅溪小筑").check()
    expect(edit.locator("fieldset.bld[data-estate='meixi']")).to_be_visible()
    edit.get_by_label("梅溪小筑").uncheck()
    lanting.get_by_label("2栋").check()
    lanting.get_by_label("3栋").check()
    _readable(page)
    watched.screenshot("staff-butler-buildings-360")
    edit.get_by_role("button", name="保存").click()
    expect(page.locator("#list-status")).to_have_text(zh("account.staff.edit_done", username="butler.sun"))
    expect(page.locator("#staff-list li[data-user='butler.sun']")).to_contain_text("兰亭苑（2栋、3栋）")
    assert _api(page, "/api/staff/butler.sun")["buildings"] == {"lanting": ["2", "3"]}

    # Not a butler any more: no building choices (and the whole estate again when saved).
    page.locator("#staff-list li[data-user='butler.sun']").get_by_role(
        "button", name="修改角色与小区 butler.sun").click()  # fmt: skip
    expect(lanting.get_by_label("2栋")).to_be_checked()
    edit.get_by_label("管家").uncheck()
    edit.get_by_label("前台客服").check()
    expect(lanting).to_be_visible()  # they still have buildings: shown, so they can be cleared
    lanting.get_by_label("2栋").uncheck()
    lanting.get_by_label("3栋").uncheck()
    edit.get_by_role("button", name="保存").click()
    saved = page.locator("#staff-list li[data-user='butler.sun']")
    expect(saved).to_contain_text("前台客服 · 兰亭苑 · ")  # the whole estate again
    assert _api(page, "/api/staff/butler.sun")["buildings"] == {}

    # A new butler gets their buildings when the account is created.
    create = page.locator("#create-form")
    create.get_by_label("用户名").fill("butler.lin")
    create.get_by_label("姓名").fill("林管家")
    create.get_by_label("管家").check()
    expect(create.locator("fieldset.bld[data-estate='meixi']")).to_be_hidden()
    create.get_by_label("梅溪小筑").check()
    create.locator("fieldset.bld[data-estate='meixi']").get_by_label("5栋").check()
    create.get_by_label("初始密码").fill("Meixi-butler-2026")
    create.get_by_role("button", name="创建账号").click()
    expect(page.locator("#create-status")).to_have_text(zh("account.staff.created", username="butler.lin"))
    expect(page.locator("#staff-list li[data-user='butler.lin']")).to_contain_text("梅溪小筑（5栋）")
    expect(create.locator("fieldset.bld[data-estate='meixi']")).to_be_hidden()  # the form is reset
    assert _api(page, "/api/staff/butler.lin")["buildings"] == {"meixi": ["5"]}
    assert watched.unexpected() == []


def test_staff_change_their_own_password_with_the_current_one(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    watched = _staff(account_page, account_site, "desk.feng", "front_desk")
    page = watched.page
    page.get_by_text(zh("account.staff.pw_title")).click()
    form = page.locator("#pw-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text(zh("account.staff.pw_rules", min=10))
    form.get_by_label("当前密码").fill("not-my-password-1")
    form.get_by_label("新密码", exact=True).fill("Feng-desk-own-2027")
    form.get_by_label("再次输入新密码").fill("Feng-desk-own-2027")
    form.get_by_role("button", name=zh("account.staff.pw_submit")).click()
    expect(page.locator("#pw-status")).to_have_text(zh("errors.password_wrong"))
    expect(form.get_by_label("当前密码")).to_be_focused()
    expect(form.get_by_label("当前密码")).to_have_attribute("aria-invalid", "true")
    _readable(page)

    form.get_by_label("当前密码").fill(PASSWORD)
    form.get_by_role("button", name=zh("account.staff.pw_submit")).click()
    expect(page.locator("#pw-status")).to_have_text(zh("account.staff.pw_done"))
    expect(form.get_by_label("新密码", exact=True)).to_have_value("")
    watched.screenshot("staff-own-password-360")
    assert _api(page, "/api/me")["user_id"] == "desk.feng"  # this session stays signed in
    # The new password signs in.
    again = account_page("/staff/signin/", width=PHONE_W, height=PHONE_H)
    again.page.get_by_label("用户名").fill("desk.feng")
    again.page.get_by_label("密码", exact=True).fill("Feng-desk-own-2027")
    again.page.get_by_role("button", name="登录", exact=True).click()
    again.page.wait_for_url(account_site.url("/staff/"))
    assert watched.unexpected(("/api/auth/password", 403)) == [] and again.unexpected() == []


def test_roster_template_downloads_and_the_report_lists_each_problem_with_its_column(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    watched = _staff(account_page, account_site, "desk.chu", "front_desk")
    page = watched.page
    expect(page.locator("#import")).to_be_visible()
    with page.expect_download() as got:
        page.get_by_role("link", name=zh("account.staff.template")).click()
    download = got.value
    assert download.suggested_filename == zh("account.staff.template_file")
    data = Path(download.path()).read_bytes()
    assert data == ("\ufeff" + ",".join(TEMPLATE_HEADERS) + "\r\n").encode()

    roster = ("楼栋,单元/房号,姓名,手机,关系,入伙日期\n"
              "2栋,2-1503,王芳,13800138000,业主,2021-03-15\n"
              "3,1-101,张伟,1380013800,邻居,2021-13-40\n")  # fmt: skip
    page.locator("#imp-file").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#report-h")).to_be_focused()
    rows = page.locator("#report-rows > li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("第 2 行")
    expect(rows.nth(0)).to_contain_text("王芳 · 2栋2单元1503室 · 138****8000")
    bad = page.locator("#report-rows > li[data-row='3']")
    expect(bad.locator(".tag")).to_have_text("错误")
    problems = bad.locator(".problems li")
    expect(problems.filter(has_text="手机：")).to_have_text("手机：" + zh("roster.errors.invalid_phone"))
    expect(bad.locator(".problems li[data-column='relationship']")).to_contain_text("关系：")
    expect(bad.locator(".problems li[data-column='move_in_date']")).to_contain_text("入伙日期：")
    assert "1380013800" not in page.inner_text("body") and "13800138000" not in page.inner_text("body")
    _readable(page)
    watched.screenshot("staff-import-report-360")
    assert watched.unexpected() == []


def test_owner_turns_greetings_off_on_my_page_and_it_stays_off(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    watched = sign_in_owner(account_page, account_site, "13655512611", "周业主", path="/account/")
    page = watched.page
    box = page.locator("#prefs")
    expect(box).to_be_visible()
    greetings = box.get_by_role("switch", name=zh("greetings.prefs_greetings"))
    reminders = box.get_by_role("switch", name=zh("greetings.prefs_reminders"))
    expect(greetings).to_be_checked()
    expect(reminders).to_be_checked()
    expect(box.locator("[data-state=greetings]")).to_have_text(zh("greetings.prefs_on"))
    _readable(page)
    watched.screenshot("my-message-switches-360")

    greetings.click()
    expect(page.locator("#prefs-status")).to_have_text(zh("greetings.prefs_saved"))
    expect(box.locator("[data-state=greetings]")).to_have_text(zh("greetings.prefs_off"))
    assert _api(page, "/api/messages/preferences")["greetings"] is False

    page.reload()
    expect(greetings).not_to_be_checked()
    expect(reminders).to_be_checked()
    page.goto(account_site.url("/en/account/"))
    expect(page.locator("#prefs h2")).to_have_text("Greetings and reminders")
    expect(page.locator("#prefs [data-state=greetings]")).to_have_text("Off")
    assert watched.unexpected() == []


def _last_month_of_meixi(site: AccountSite) -> Snapshot:
    """A prepared snapshot of 梅溪小筑's last month (the served API's real clock): owner
    satisfaction missed (86% < 90%), every other target met."""
    now = datetime.now(SHANGHAI)
    last = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    figures = tuple(
        KpiFigure(k.key, "not_met" if k.key == "satisfaction" else "met",
                  86.0 if k.key == "satisfaction" else k.target, k.target, k.direction, k.unit,
                  43 if k.key == "satisfaction" else 10, 50 if k.key == "satisfaction" else 10)
        for k in KPIS
    )  # fmt: skip
    snapshot = Snapshot("meixi", last, f"{now:%Y-%m}-05", iso(now), figures)
    main_table(site.client, site.settings).put(item_of(snapshot))
    return snapshot


def test_supervisor_approves_last_months_results_with_a_sentence_for_the_missed_target(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    snapshot = _last_month_of_meixi(account_site)
    watched = _staff(account_page, account_site, "sup.he", "supervisor", estates=("meixi",))
    page = watched.page
    page.locator("#approve-link a").click()
    page.wait_for_url(account_site.url("/staff/commitments/"))
    expect(page.locator("#c-state")).to_have_text(zh("commitments.staff.prepared"))
    expect(page.locator("#c-summary")).to_have_text(zh("commitments.staff.missed_count", count=1))
    missed = page.locator("#c-figures li[data-kpi='satisfaction']")
    expect(missed).to_contain_text("86%")
    expect(missed).to_contain_text("≥ 90%")
    expect(page.locator("#c-figures textarea")).to_have_count(1)
    _readable(page)
    watched.screenshot("staff-kpi-approval-360")

    page.get_by_role("button", name=zh("commitments.staff.approve")).click()  # no sentence yet
    why = missed.locator("textarea")
    expect(why).to_be_focused()
    expect(why).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#approve-status")).to_have_text(zh("account.required"))
    sentence = "10月有7户对地下车库照明不满意，已更换全部灯具，并逐户回访。"
    why.fill(sentence)
    page.get_by_role("button", name=zh("commitments.staff.approve")).click()
    expect(page.locator("#c-state")).to_have_text(
        f"{zh('commitments.staff.approved')} · {zh('commitments.staff.published')}")
    expect(page.locator("#c-by")).to_contain_text("sup.he")
    expect(missed.locator(".said")).to_have_text(sentence)
    expect(page.get_by_role("button", name=zh("commitments.staff.approve"))).to_be_hidden()
    stored = main_table(account_site.client, account_site.settings).get(
        owner_keys.kpi_snapshot("meixi", snapshot.month))
    assert stored is not None
    assert snapshot_from(stored).state == "approved"
    assert snapshot_from(stored).explanations == {"satisfaction": sentence}
    _readable(page)
    page.reload()  # shown as approved from the API too
    expect(page.locator("#c-state")).to_contain_text(zh("commitments.staff.published"))
    page.goto(account_site.url("/en/staff/commitments/"))
    expect(page.locator("#c-state")).to_have_text("Approved · Published")
    expect(page.locator("#c-title")).to_have_text(f"{snapshot.month} · Meixi Residences")
    expect(page.locator("#c-figures li[data-kpi='satisfaction'] strong")).to_have_text("Owner satisfaction")
    assert watched.unexpected() == []
