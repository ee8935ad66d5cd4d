"""Reconciliation on DynamoDB Local (stricter than moto about conditions and transactions):
the same statement imported by two people at once adds its lines once; a day is matched,
its discrepancy resolved, closed, locked against imports, and reopened with a reason."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from portal.errors import Conflict
from portal.finance.reconcile.kinds import ACTIONS
from portal.settings import Settings
from portal.store.items import decode_item
from tests.factories import FakeClock, wired

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reconcile"
DAY = "2026-11-22"


def _lines(ddb: Any, table: str) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(TableName=table)
    items = [decode_item(raw) for page in pages for raw in page.get("Items", [])]
    return [i for i in items if i.get("type") == "statement_line"]


def test_the_same_statement_imported_twice_at_once_adds_its_lines_once(
    ddb: Any, settings: Settings
) -> None:
    services = wired(ddb, settings, FakeClock())
    data = (FIXTURES / "wechat_trade.csv").read_bytes()

    def load(who: str) -> str:
        return services.statement_imports.run("lanting", "wechat", data, file_name="微信账单.csv",
                                              actor=who).outcome  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(load, ["staff:qian", "staff:sun"]))
    assert outcomes[0] in ("already_imported", "imported") and outcomes[1] == "imported"
    lines = _lines(ddb, services.table.name)
    assert len(lines) == 3 and len({(i["pk"], i["sk"]) for i in lines}) == 3
    assert load("staff:zhao") == "already_imported"
    assert len(_lines(ddb, services.table.name)) == 3


def test_a_day_is_matched_resolved_closed_locked_and_reopened_with_a_reason(
    ddb: Any, settings: Settings
) -> None:
    services = wired(ddb, settings, FakeClock())
    data = (FIXTURES / "wechat_trade.csv").read_bytes()
    assert services.statement_imports.run("lanting", "wechat", data, file_name="w.csv",
                                          actor="staff:qian").outcome == "imported"  # fmt: skip
    days = services.reconcile_days
    view = days.match("lanting", DAY, "staff:qian")
    assert view.state == "matched" and view.open_count >= 1  # the provider's, not ours
    with pytest.raises(Conflict):  # not while a discrepancy is open
        days.close("lanting", DAY, "staff:qian")
    for d in [d for d in view.discrepancies if d["status"] == "open"]:
        action = next(a for a, kinds in ACTIONS.items() if d["kind"] in kinds)
        days.resolve("lanting", DAY, str(d["id"]), action, "联系渠道核实", "staff:qian")
    assert days.close("lanting", DAY, "staff:qian").state == "closed"
    with pytest.raises(Conflict):
        days.match("lanting", DAY, "staff:qian")
    again = services.statement_imports.run("lanting", "wechat", data + b"\n", file_name="w2.csv",
                                           actor="staff:qian")  # fmt: skip
    assert again.outcome == "rejected" and again.problems[0].code == "day_closed"
    assert days.reopen("lanting", DAY, "补记一笔银行到账", "staff:qian").state == "matched"
    assert days.view("lanting", DAY).discrepancies  # nothing was deleted
