"""The pages that act, on a phone, against the real API and DynamoDB Local.

Owner sign-in with an SMS code (read from the local outbox) → my home (both
languages) → sign out; a wrong code, too many wrong codes, a mistyped number; a staff
admin creating, disabling and resetting an account; a front-desk user choosing a new
password and dry-running a roster import; the pages with JavaScript off. Every page is
390×844; screenshots go to
``test-artifacts/screenshots/``. Besides the 4xx answers a flow expects by design
(named in each test), there must be no console error, failed request or CSP violation.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from portal.accounts.passwords import hash_password
from portal.accounts.signin.owner import MAX_TRIES
from portal.accounts.staff.model import StaffAccount
from portal.accounts.staff.repository import StaffRepository
from portal.i18n import translate
from portal.store.table import Table
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.browser.support import OVERFLOWING
from tests.factories import make_owner, make_staff

ME_401 = ("/api/me", 401)
PAGES = ("/account/signin/", "/account/", "/staff/signin/", "/staff/", "/account/orders/new/",
         "/account/orders/", "/account/orders/view/", "/staff/orders/", "/staff/orders/view/",
         "/staff/commitments/")


def _zh(key: str, **params: object) -> str:
    return translate(key, "zh-CN", **params)


def _fits_the_screen(page: Page, width: int = 390) -> None:
    assert page.evaluate(OVERFLOWING, width) == []


def test_owner_signs_in_with_a_code_sees_their_homes_then_signs_out(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    phone = "13912340001"
    make_owner(account_site.client, account_site.settings, phone, "陈晓梅",
               ("lanting", "2", "2-1503"), ("meixi", "5", "1-101"))  # fmt: skip
    watched = account_page("/account/signin/")
    page = watched.page
    expect(page.locator("noscript")).to_have_count(1)
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    status = page.locator("#status")
    expect(status).to_have_text(_zh("auth.code_sent", minutes=5))
    send = page.locator("#send")
    expect(send).to_be_disabled()
    expect(send).to_have_text(re.compile(r"^\d+ 秒后可重新获取$"))
    expect(page.locator("#code")).to_be_focused()
    watched.screenshot("account-signin-code-sent-390")

    page.locator("#code").fill(account_site.sign_in_code(phone))
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/account/"))
    owner = page.locator("#owner")
    expect(owner).to_be_visible()
    expect(page.locator("#hello")).to_have_text("陈晓梅，您好")
    expect(page.locator("#phone")).to_have_text(phone)  # the owner sees their own number
    units = page.locator("#units li")
    expect(units).to_have_count(2)
    expect(units.nth(0)).to_have_text("兰亭苑 2栋2单元1503室 业主")
    expect(units.nth(1)).to_have_text("梅溪小筑 5栋1单元101室 业主")
    for slug, name in (("lanting", "兰亭苑"), ("meixi", "梅溪小筑")):
        expect(page.locator(f'#estates a[href="/estates/{slug}/"]')).to_have_text(name)
    _fits_the_screen(page)
    watched.screenshot("account-my-home-390")
    # 我的 keeps the owner's estate: the header's home link goes there on every page after.
    assert page.evaluate("localStorage.getItem('estate.mine')") == "lanting"
    page.goto(account_site.url("/estates/meixi/"))  # visiting another estate does not change it
    page.goto(account_site.url("/newsletter/"))
    expect(page.locator("header a.brand")).to_have_attribute("href", "/estates/lanting/")

    page.goto(account_site.url("/en/account/"))
    expect(page.locator("#hello")).to_have_text("Hello, 陈晓梅")
    expect(page.locator("#units li").first).to_have_text("Lanting Garden Building 2, 2-1503 Owner")
    expect(page.locator('#estates a[href="/en/estates/lanting/"]')).to_have_text("Lanting Garden")

    page.goto(account_site.url("/staff/"))
    expect(page.locator("#owner-only")).to_be_visible()
    expect(page.locator("#me")).to_be_hidden()

    # networkidle: the page has its answer from /api/me and its sign-out button is wired
    # (a click before that did nothing on a loaded machine)
    page.goto(account_site.url("/account/"), wait_until="networkidle")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(account_site.url("/account/signin/"))
    assert watched.unexpected() == []
    # Signed out, the phone forgets the owner's estate (the last estate visited stays).
    assert page.evaluate("localStorage.getItem('estate.mine')") is None

    page.goto(account_site.url("/account/"))  # signed out: back to the sign-in page
    page.wait_for_url(account_site.url("/account/signin/"))
    expect(page.locator("#signin")).to_be_visible()
    assert watched.unexpected(ME_401) == []


def test_a_wrong_code_is_announced_in_chinese_and_the_code_field_is_marked(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    phone = "13912340002"
    make_owner(account_site.client, account_site.settings, phone, "刘强", ("lanting", "1", "1-101"))
    watched = account_page("/account/signin/")
    page = watched.page
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#status")).to_have_text(_zh("auth.code_sent", minutes=5))
    right = account_site.sign_in_code(phone)
    page.locator("#code").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="登录", exact=True).click()
    status = page.locator("#status")
    expect(status).to_have_text(_zh("errors.code_invalid"))
    assert status.get_attribute("aria-live") == "polite"
    code = page.locator("#code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_be_focused()
    assert page.url == account_site.url("/account/signin/")
    watched.screenshot("account-signin-wrong-code-390")
    assert watched.unexpected(("/api/auth/verify", 401)) == []


def test_too_many_wrong_codes_lock_sign_in_and_say_for_how_long(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    phone = "13912340003"
    make_owner(account_site.client, account_site.settings, phone, "赵敏", ("lanting", "1", "1-102"))
    watched = account_page("/account/signin/")
    page = watched.page
    page.get_by_label("手机号").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    status = page.locator("#status")
    expect(status).to_have_text(_zh("auth.code_sent", minutes=5))
    wrong = f"{(int(account_site.sign_in_code(phone)) + 1) % 1_000_000:06d}"
    submit = page.get_by_role("button", name="登录", exact=True)
    page.locator("#code").fill(wrong)
    for _ in range(MAX_TRIES):
        submit.click()
        expect(status).to_have_text(_zh("errors.code_invalid"))
        page.evaluate("document.getElementById('status').textContent = ''")
    submit.click()
    expect(status).to_have_text(re.compile(r"^验证码错误次数过多，请 \d+ 分钟后再试。$"))
    expect(submit).to_be_disabled()
    watched.screenshot("account-signin-locked-390")
    assert watched.unexpected(("/api/auth/verify", 401), ("/api/auth/verify", 429)) == []


def test_an_invalid_number_is_refused_before_asking_in_english(
    account_page: OpenActingPage,
) -> None:
    watched = account_page("/en/account/signin/")
    page = watched.page
    page.get_by_label("Mobile number").fill("1234567")
    page.get_by_role("button", name="Send code").click()
    expect(page.locator("#status")).to_have_text(translate("errors.invalid_phone", "en"))
    expect(page.locator("#phone")).to_be_focused()
    assert watched.answers == [] and watched.unexpected() == []


def test_admin_creates_a_staff_account_and_sees_it_listed_with_a_masked_phone(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    password = "Admin-zhou-2026"
    make_staff(account_site.client, account_site.settings, "admin.zhou", "admin",
               password_hash=hash_password(password))  # fmt: skip
    watched = account_page("/staff/signin/")
    page = watched.page
    page.get_by_label("用户名").fill("admin.zhou")
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    expect(page.locator("#me-roles")).to_have_text("管理员")
    expect(page.locator("#me-estates")).to_have_text("全部小区")
    expect(page.locator("#staff-list li[data-user='admin.zhou']")).to_be_visible()

    form = page.locator("#create-form")
    form.get_by_label("用户名").fill("desk.li")
    form.get_by_label("姓名").fill("李前台")
    form.get_by_label("手机号（选填）").fill("139 1234 5678")
    form.get_by_label("前台客服").check()
    form.get_by_label("兰亭苑").check()
    form.get_by_label("初始密码").fill("Lanting-desk-2026")
    form.get_by_role("button", name="创建账号").click()
    expect(page.locator("#create-status")).to_have_text(
        _zh("account.staff.created", username="desk.li")
    )
    item = page.locator("#staff-list li[data-user='desk.li']")
    expect(item).to_contain_text("李前台")
    expect(item).to_contain_text("139****5678 · 前台客服 · 兰亭苑 · 正常 · 待修改密码")
    assert "13912345678" not in page.inner_text("body")

    item.get_by_role("button", name="停用 desk.li").click()
    item.get_by_role("button", name="确定停用").click()  # it asks first
    expect(page.locator("#list-status")).to_have_text(
        _zh("account.staff.disabled_done", username="desk.li")
    )
    expect(item).to_contain_text("已停用")
    expect(item.get_by_role("button", name="启用 desk.li")).to_be_focused()

    item.get_by_role("button", name="重置密码 desk.li").click()
    expect(page.locator("#reset-password")).to_be_focused()
    page.locator("#reset-password").fill("Lanting-desk-2027")
    page.get_by_role("button", name="确认重置").click()
    expect(page.locator("#list-status")).to_have_text(
        _zh("account.staff.reset_done", username="desk.li")
    )

    # Change the roles: front desk becomes front desk + butler, at once and listed so.
    item = page.locator("#staff-list li[data-user='desk.li']")
    item.get_by_role("button", name="修改角色与小区 desk.li").click()
    edit = page.locator("#edit-form")
    expect(edit.get_by_label("前台客服")).to_be_checked()
    expect(edit.get_by_label("兰亭苑")).to_be_checked()
    edit.get_by_label("管家").check()
    edit.get_by_role("button", name="保存").click()
    expect(page.locator("#list-status")).to_have_text(
        _zh("account.staff.edit_done", username="desk.li")
    )
    expect(page.locator("#staff-list li[data-user='desk.li']")).to_contain_text("管家")
    _fits_the_screen(page)
    watched.screenshot("account-staff-admin-390")
    assert watched.unexpected() == []


def test_front_desk_sets_a_new_password_then_dry_runs_a_roster_with_one_bad_row(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    temporary = "Temp-wang-2026"
    StaffRepository(Table(account_site.client, account_site.settings.table_name("main"))).put(StaffAccount(
        username="desk.wang", name="王前台", roles=frozenset({"front_desk"}),
        estates=frozenset({"lanting"}), password_hash=hash_password(temporary),
        must_change_password=True,
    ))  # fmt: skip
    watched = account_page("/staff/signin/")
    page = watched.page
    page.get_by_label("用户名").fill("desk.wang")
    page.get_by_label("密码", exact=True).fill(temporary)
    page.get_by_role("button", name="登录", exact=True).click()
    change = page.locator("#change")
    expect(change).to_be_visible()
    expect(page.locator("#login")).to_be_hidden()
    expect(page.locator("#new-password")).to_be_focused()
    page.locator("#new-password").fill("Wang-desk-own-77")
    page.locator("#repeat-password").fill("Wang-desk-own-78")
    change.get_by_role("button").click()
    expect(page.locator("#change-status")).to_have_text(_zh("account.staff.mismatch"))
    page.locator("#repeat-password").fill("Wang-desk-own-77")
    change.get_by_role("button").click()
    page.wait_for_url(account_site.url("/staff/"))

    expect(page.locator("#import")).to_be_visible()
    expect(page.locator("#admin")).to_be_hidden()
    options = page.locator("#imp-estate option")
    expect(options).to_have_count(1)
    expect(options).to_have_text("兰亭苑")
    expect(page.get_by_role("checkbox", name=re.compile("^试导入"))).to_be_checked()
    roster = "楼栋,单元/房号,姓名,手机,关系\n2栋,2-1503,王芳,13800138000,业主\n3,1-101,张伟,1380013800,业主\n"
    page.locator("#imp-file").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster.encode()}]
    )
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#report")).to_be_visible()
    expect(page.locator("#report-h")).to_be_focused()
    expect(page.locator("#import-status")).to_contain_text("试导入（未写入）")
    rows = page.locator("#report-rows > li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_text("第 2 行 正确 王芳 · 2栋2单元1503室 · 138****8000")
    expect(rows.nth(1).locator(".tag")).to_have_text("错误")
    # The problems of a bad row: a list right under it, each naming its column.
    why = rows.nth(1).locator(".problems li")
    expect(why).to_have_count(1)
    expect(why).to_have_text("手机：" + _zh("roster.errors.invalid_phone"))
    assert "13800138000" not in page.inner_text("body")
    _fits_the_screen(page)
    watched.screenshot("account-staff-import-390")
    assert watched.unexpected() == []


def test_without_javascript_the_pages_say_so_and_are_not_indexed(
    browser: Browser, account_site: AccountSite
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        for path in (*PAGES, *("/en" + p for p in PAGES)):
            page.goto(account_site.url(path))
            assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex", path
            note = page.locator("p.note")
            expect(note).to_be_visible()
            lang = "en" if path.startswith("/en/") else "zh-CN"
            expect(note).to_have_text(translate("account.noscript", lang))
            assert page.locator("form:visible").count() == 0, path
            _fits_the_screen(page)
    finally:
        context.close()
