"""The roster import's transactions on DynamoDB Local, which enforces the 100-item limit
(moto does not, and copies its table for every item of a transaction, which is slow)."""

from __future__ import annotations

from typing import Any

from portal import ROOT
from portal.estates.sync import read_company
from portal.settings import Settings
from tests.factories import FakeClock, wired

HEADER = "楼栋,单元/房号,姓名,手机,关系,入伙日期,入住状态\n"


def test_writes_go_in_transactions_of_at_most_100_items(ddb: Any, settings: Settings) -> None:
    lanting = read_company(ROOT / "site" / "content").estate("lanting")
    assert lanting is not None
    # One owner with 64 units (1 + 128 items) and 40 owners with one unit each (3 items).
    lines = [f"1,1-{floor}{room:02d},陈总,13800138000,业主,," for floor in range(1, 33)
             for room in (1, 2)]  # fmt: skip
    lines += [f"3,2-{10 + i // 6}{i % 6 + 1:02d},住户{i},1390000{i:04d},业主,," for i in range(40)]
    sizes: list[int] = []
    ddb.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: sizes.append(len(params["TransactItems"])),
    )
    services = wired(ddb, settings, FakeClock(), with_estates=False)
    report = services.roster.run(
        (HEADER + "\n".join(lines) + "\n").encode(), estate=lanting, file_name="big.csv",
        actor="staff:wang.desk", source_ip="203.0.113.9",
    )  # fmt: skip
    assert report.counts.errors == 0 and report.outcome == "imported"
    assert report.counts.owners_created == 41 and report.counts.bindings_created == 104
    assert max(sizes) <= 100 and sum(sizes) == 41 + 2 * 104 and len(sizes) >= 3
    chen = services.owners.by_phone("13800138000")
    assert chen is not None and chen.name == "陈总" and len(chen.bindings) == 64
