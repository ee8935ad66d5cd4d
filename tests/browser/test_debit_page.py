"""The direct-debit page in headless Chromium: finance imports the bank's result file and
reads the report (the recorded row with its receipt, each bad row with its column and what is
wrong, a failed debit), then the debited owners not told yet with the day each is due by (an
old one overdue); the same file again records nothing twice; no console error or CSP
violation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from portal.billing.model import UnitKey
from portal.wiring import Services
from portal.wiring.clients import Clients
from tests.browser.conftest_account import AccountSite, OpenActingPage
from tests.factories import FakeClock, make_staff, wired
from tests.support.finance import debit_csv
from tests.support.order_pages import PASSWORD, SHANGHAI, password_hash

PAID = UnitKey("meixi", "5", "1-101")
UNTOLD = UnitKey("meixi", "5", "1-102")


class _Later:
    """A dispatcher that runs nothing now (the owner is not told yet: the notice stays due)."""

    def notify(self, task_id: str) -> None:
        return None


def _owed(services: Services, unit: UnitKey) -> str:
    fen = sum(b.outstanding_fen for b in services.bills.of_unit(unit) if b.outstanding_fen > 0)
    assert fen > 0, unit
    return f"{fen // 100}.{fen % 100:02d}"


def test_finance_imports_a_debit_file_reads_each_rows_problem_and_the_owners_still_due(
    account_page: OpenActingPage, account_site: AccountSite, tmp_path: Path
) -> None:
    services = wired(account_site.client, account_site.settings, with_estates=False)
    period = datetime.now(SHANGHAI).strftime("%Y-%m")
    services.billing_run.run("meixi", period, actor="cli:browser")
    four_days_ago = datetime.now(UTC) - timedelta(days=4)
    earlier = Services(account_site.settings, Clients(account_site.settings, dynamodb=account_site.client),
                       FakeClock(four_days_ago), dispatcher=_Later())  # fmt: skip
    old = earlier.direct_debits.run(None, debit_csv(("5", UNTOLD.room, _owed(services, UNTOLD), "成功",
                                                     "BANKOLD0001")),
                                    estate=earlier.estates.estate("meixi"), file_name="old.csv",
                                    who="cli:browser")  # fmt: skip
    assert old.counts["recorded"] == 1
    amount = _owed(services, PAID)
    upload = tmp_path / "托收结果.csv"
    upload.write_bytes(debit_csv(
        ("5", PAID.room, amount, "成功", "BANK20261130001"),
        ("99", "1-101", "10.00", "成功", "BANK20261130002"),
        ("5", "1-201", "12.345", "成功", "BANK20261130003"),
        ("5", "1-202", "10.00", "失败", "BANK20261130004"),
    ))  # fmt: skip
    make_staff(account_site.client, account_site.settings, "fin.debits", "finance", estates=("meixi",),
               password_hash=password_hash(), name="钱会计")  # fmt: skip

    watched = account_page("/staff/signin/", width=1280, height=900)
    page = watched.page
    page.get_by_label("用户名").fill("fin.debits")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(account_site.url("/staff/"))
    page.get_by_role("link", name="银行托收").click()
    page.wait_for_url(account_site.url("/staff/debits/**"))

    stale = page.locator("#b-due tbody tr[data-overdue='true']").filter(has_text=old.rows[0].receipt_no)
    expect(stale).to_have_count(1)
    expect(stale).to_contain_text("已超期")

    page.get_by_label("托收结果文件").set_input_files(str(upload))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#b-outcome")).to_have_text(
        f"托收导入：入账 1 笔，共 {amount} 元；重复 0 笔（已入账，未重复记）；有误 2 笔；扣款失败 1 笔。")
    expect(page.locator("#b-rows tbody tr")).to_have_count(4)
    expect(page.locator("#b-rows tbody tr").first).to_have_attribute("data-status", "error")
    expect(page.locator("#b-rows tbody tr[data-row='3'] [data-code='unknown_building']")).to_have_text(
        "“楼栋”：没有这栋楼“99”。")
    expect(page.locator("#b-rows tbody tr[data-row='4'] [data-code='bad_amount']")).to_contain_text(
        "“扣款金额”：“12.345”不是金额")
    recorded = page.locator("#b-rows tbody tr[data-status='recorded']")
    expect(recorded).to_contain_text("已入账")
    expect(recorded).to_contain_text("meixi-")
    expect(page.locator("#b-rows tbody tr[data-status='skipped']")).to_contain_text("扣款失败")
    watched.screenshot("debits-1280")

    page.get_by_role("button", name="导入", exact=True).click()  # the same file again
    expect(page.locator("#b-outcome")).to_contain_text("入账 0 笔")
    expect(page.locator("#b-rows tbody tr[data-status='duplicate']")).to_have_count(1)
    paid = [p for p in services.payments.of_unit(PAID) if p.provider == "debit"]
    assert len(paid) == 1

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scroll on a phone"
    watched.screenshot("debits-390")
    assert watched.unexpected() == []
