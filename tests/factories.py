"""Test data built through the real repositories (not hand-written items)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from portal import ROOT
from portal.accounts.identity import UnitRef
from portal.accounts.owners import Binding, Owner, OwnerRepository, owner_id_for
from portal.accounts.staff.model import StaffAccount
from portal.accounts.staff.repository import StaffRepository
from portal.estates.records import company_items
from portal.estates.sync import read_company
from portal.settings import Settings
from portal.store.table import Table
from portal.store.tables import MAIN
from portal.wiring import Clients, Services


def main_table(client: Any, settings: Settings) -> Table:
    """The main table of ``settings`` through ``client`` (moto or DynamoDB Local)."""
    return Table(client, settings.table_name(MAIN.suffix))


def make_owner(client: Any, settings: Settings, phone: str, name: str,
               *units: tuple[str, str, str], relationship: str = "owner") -> Owner:  # fmt: skip
    owner = Owner(
        owner_id=owner_id_for(phone, settings.phone_hash_key),
        name=name,
        phone=phone,
        bindings=tuple(Binding(UnitRef(e, b, r, relationship)) for e, b, r in units),  # type: ignore[arg-type]
    )
    OwnerRepository(main_table(client, settings), settings.phone_hash_key).save(owner)
    return owner


def make_staff(client: Any, settings: Settings, username: str, *roles: str,
               estates: tuple[str, ...] = (), buildings: dict[str, frozenset[str]] | None = None,
               phone: str = "", password_hash: str = "", disabled: bool = False,
               name: str = "") -> StaffAccount:  # fmt: skip
    account = StaffAccount(
        username=username,
        name=name or username.title(),
        roles=frozenset(roles),
        estates=frozenset(estates),
        buildings=buildings or {},
        phone=phone,
        password_hash=password_hash,
        disabled=disabled,
    )
    StaffRepository(main_table(client, settings)).put(account)
    return account


class FakeClock:
    """A clock the test moves by hand (``clock.now += timedelta(...)``): no sleeping."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 22, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class RecordingSender:
    """A message sender that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))

    def last_code(self) -> str:
        match = re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", self.sent[-1][1])
        assert match
        return match.group(0)


def wired(client: Any, settings: Settings, clock: Any = None, sender: Any = None,
          *, with_estates: bool = True, providers: Any = None) -> Services:  # fmt: skip
    """The one wiring on ``client`` (moto or DynamoDB Local), with the test's clock and sender
    (and payment providers), and the demo company's estates and buildings in the store (what
    the directory reads)."""
    services = Services(settings, Clients(settings, dynamodb=client), clock or FakeClock(), sender,
                        payment_accounts=providers)  # fmt: skip
    if with_estates:
        services.table.batch_put(list(_estate_items()))
    return services


@cache
def _estate_items() -> tuple[dict[str, Any], ...]:
    """The demo company's items but its 1,264 units (what the estate directory reads)."""
    company = read_company(ROOT / "site" / "content")
    return tuple(i for i in company_items(company) if i.get("type") != "unit")


def xlsx_roster() -> bytes:
    """A Lanting roster as staff export it from Excel: a title row, merged cells, Excel dates."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "业主名册"
    ws.append(["兰亭苑业主名册（2026年11月）"])
    ws.merge_cells("A1:G1")
    ws.append([])
    ws.append(["楼栋", "单元/房号", "姓名", "手机号", "关系", "入伙日期", "入住状态"])
    ws.append(["2栋", "2-1503", "王芳", 13800138000, "业主", datetime(2021, 3, 15), "已入住"])
    ws.append([None, "2-1504", "李雷", "13900139000", "租户", date(2022, 7, 1), None])
    ws.merge_cells("A4:A5")  # 楼栋 merged over both rows, as rosters often do
    ws.append(["3", "1-101", "韩梅梅", 13500135000.0, None, 44270, "未装修"])
    ws["F4"].number_format = "yyyy/m/d"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
