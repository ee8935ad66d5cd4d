"""The reconciliation page in headless Chromium on a desktop screen: finance imports the WeChat
Pay trade bill, runs the day's three-way match, resolves every discrepancy with an action its
kind allows and a note, and closes the day, with no console error or CSP violation."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from portal import ROOT
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.factories import make_staff
from tests.support.order_pages import PASSWORD, password_hash

WECHAT = ROOT / "tests" / "fixtures" / "reconcile" / "wechat_trade.csv"
DAY = "2026-11-22"  # the fixture's trade day


def test_finance_imports_the_wechat_bill_matches_resolves_every_discrepancy_and_closes_the_day(
    account_page: OpenActingPage, account_site: AccountSite
) -> None:
    make_staff(account_site.client, account_site.settings, "fin.lanting", "finance",
               estates=("lanting",), password_hash=password_hash(), name="钱会计")  # fmt: skip
    watched = account_page("/staff/signin/", width=1280, height=900)
    page = watched.page
    page.get_by_label("用户名").fill("fin.lanting")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    page.get_by_role("link", name="对账与结账").click()
    page.wait_for_url(account_site.url("/staff/reconcile/**"))

    page.get_by_label("对账日期").fill(DAY)
    page.get_by_role("button", name="查看", exact=True).click()
    expect(page.locator("#day-state")).to_contain_text("未对账")
    page.get_by_label("账单类型").select_option("wechat")
    page.get_by_label("账单文件").set_input_files(str(WECHAT))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#import-outcome")).to_have_text(
        "已导入 3 行（新增 3 行），跳过 0 行，其他小区 0 行。"
    )

    page.get_by_role("button", name="执行三方核对").click()
    expect(page.locator("#status")).to_contain_text("核对完成")
    rows = page.locator("#discrepancies tbody tr[data-status='open']")
    count = rows.count()
    assert count >= 1, "the provider's lines without our payments are discrepancies"
    expect(
        page.locator("#discrepancies tbody tr[data-kind='missing_in_ours']").first
    ).to_contain_text("渠道有、我方无")
    expect(page.locator("#exceptions tbody tr")).to_have_count(count)
    expect(page.locator("#close")).to_be_disabled()
    watched.screenshot("reconcile-matched-1280")

    for i in range(count):
        row = page.locator("#discrepancies tbody tr[data-status='open']").first
        row.locator("select[name=action]").select_option("chase")
        row.locator("input[name=note]").fill(f"联系微信支付核实 {i + 1}")
        row.get_by_role("button", name="处理").click()
        expect(page.locator("#discrepancies tbody tr[data-status='open']")).to_have_count(
            count - i - 1
        )
    expect(page.locator("#discrepancies tbody tr[data-status='resolved']")).to_have_count(count)
    expect(page.locator("#discrepancies tbody tr[data-status='resolved']").first).to_contain_text(
        "追查：联系微信支付核实"
    )
    expect(page.locator("#exceptions tbody tr")).to_have_text(["暂无"])

    page.get_by_role("button", name="结账锁定").click()
    expect(page.locator("#status")).to_have_text(f"{DAY} 已结账锁定。")
    expect(page.locator("#day-state")).to_contain_text("已结账")
    expect(page.locator("#match")).to_be_disabled()
    expect(page.get_by_label("反结账原因")).to_be_visible()
    watched.screenshot("reconcile-closed-1280")
    assert watched.unexpected() == []


ICBC_SAMPLE = (
    "中国工商银行账户明细\n"
    "账号:6222020200112233,户名:长沙常青藤物业服务有限公司\n"
    "交易日期,摘要,借方发生额,贷方发生额,余额,对方户名,交易流水号\n"
    "2026-11-24,支付宝结算,,1000.00,5000.00,支付宝（中国）网络技术有限公司,ICBCMAP001\n"
    "2026-11-24,POS结算,,2985.00,7985.00,银联商务股份有限公司,ICBCMAP002\n"
    "2026-11-24,手续费,12.00,,7973.00,,ICBCMAP003\n"
)


def test_finance_maps_a_banks_columns_from_a_sample_once_and_its_statement_imports_with_it(
    account_page: OpenActingPage, account_site: AccountSite, tmp_path: Path
) -> None:
    sample = tmp_path / "工行流水样本.csv"
    sample.write_bytes(ICBC_SAMPLE.encode("gbk"))
    make_staff(account_site.client, account_site.settings, "fin.bankmap", "finance",
               estates=("lanting",), password_hash=password_hash(), name="钱会计")  # fmt: skip
    watched = account_page("/staff/signin/", width=1280, height=900)
    page = watched.page
    page.get_by_label("用户名").fill("fin.bankmap")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    page.goto(account_site.url("/staff/reconcile/?estate=lanting&day=2026-11-24"))

    page.get_by_label("银行代号（字母或数字，例如 icbc）").fill("icbc")
    page.get_by_label("对账单样本").set_input_files(str(sample))
    page.get_by_role("button", name="读取表头").click()
    expect(page.locator("#m-found")).to_contain_text("第 3 行是表头，共 7 列")
    expect(page.locator("#m-sample thead th")).to_have_count(7)
    expect(page.locator("#m-sample tbody tr")).to_have_count(3)
    expect(page.get_by_label("交易日期列")).to_have_value("交易日期")
    expect(page.get_by_label("收入（贷方）金额列")).to_have_value("贷方发生额")
    expect(page.get_by_label("对方户名列")).to_have_value("对方户名")
    page.get_by_label("摘要/用途列").select_option("（不用）")
    page.get_by_label("对方户名列").select_option("（不用）")
    page.get_by_role("button", name="保存列对应").click()
    expect(page.locator("#status")).to_have_text("至少要选日期、对方户名，以及收入（贷方）金额或带正负号的金额列。")
    page.get_by_label("对方户名列").select_option("对方户名")
    page.get_by_role("button", name="保存列对应").click()
    expect(page.locator("#status")).to_contain_text("已保存 icbc 的列对应")
    saved = page.locator("#m-saved tbody tr[data-bank='icbc']")
    expect(saved).to_contain_text("贷方发生额")
    expect(saved).to_contain_text("—")  # the memo left out
    watched.screenshot("reconcile-bankmap-1280")

    page.get_by_label("账单类型").select_option("bank")
    page.get_by_label("银行（对账单的列对应名称）").fill("icbc")
    page.get_by_label("账单文件").set_input_files(str(sample))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#import-outcome")).to_have_text(
        "已导入 2 行（新增 2 行），跳过 1 行，其他小区 0 行。"
    )
    assert watched.unexpected() == []
