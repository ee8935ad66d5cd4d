"""Offline and online recordings interleaved on DynamoDB Local: one receipt numbering per
estate and year, gap-free, whatever runs at the same time; double-clicks recorded once; and
the collection rate of the result equals the figure computed by hand."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from portal.billing.model import UnitKey
from portal.estates.model import Company
from portal.estates.records import unit_item
from portal.finance.offline import Recorded
from portal.settings import Settings
from portal.store.items import decode_item
from portal.wiring import Services
from tests.factories import FakeClock, wired
from tests.support.concurrency import run_together
from tests.support.finance import DESK, FINANCE, offline, staff
from tests.support.payments import FakeAccounts, FakeProvider

UNITS = 24
"""The first 24 flats of Lanting; the last 4 pay nothing."""


def _scan(ddb: Any, services: Services) -> list[dict[str, Any]]:
    pages = ddb.get_paginator("scan").paginate(TableName=services.table.name)
    return [decode_item(raw) for page in pages for raw in page.get("Items", [])]


def test_interleaved_online_and_offline_recordings_number_receipts_without_gaps(
    ddb: Any, settings: Settings, demo_company: Company
) -> None:
    provider = FakeProvider()
    services = wired(ddb, settings, FakeClock(), providers=FakeAccounts(provider))
    estate = demo_company.estate("lanting")
    assert estate is not None
    chosen = estate.units()[:UNITS]
    services.table.batch_put([unit_item(u) for u in chosen])
    services.billing_run.run("lanting", "2026-11", actor="cli:test")
    units = [UnitKey(u.estate, u.building, u.room) for u in chosen]
    paying, unpaid = units[:20], units[20:]  # the top floor pays nothing
    online = paying[0::2]
    desk = paying[1::2]
    # "two Lambda instances": each thread's recording goes through one of two wirings
    other = wired(ddb, settings, services.clock, with_estates=False, providers=FakeAccounts(provider))
    from tests.unit.billing.conftest import owner_of

    payments = {}
    for unit in online:
        p, _ = services.payments.create(owner_of(unit), unit, ["2026-11-management"], "sandbox")
        payments[unit] = p
    owed = {u: services.bills.many(u, ["2026-11-management"])[0].amount_fen for u in desk}
    # every desk payment is clicked three times (the same request id), all at once
    jobs: list[tuple[str, UnitKey]] = [("online", u) for u in online]
    jobs += [("desk", u) for u in desk for _ in range(3)]

    def run(i: int) -> str:
        kind, unit = jobs[i]
        wiring = services if i % 2 else other
        if kind == "online":
            p = payments[unit]
            return wiring.ledger.record(provider.paid(p.payment_id, p.amount_fen))
        req = offline(unit, ["2026-11-management"], owed[unit], "pos" if i % 3 else "cash",
                      request_id=f"desk-{unit.room}-{unit.building}")  # fmt: skip
        done: Recorded = wiring.offline_payments.record(DESK if i % 2 else staff("finance"), req)
        return "recorded" if done.first else "duplicate"

    outcomes = Counter(run_together(len(jobs), run))
    assert outcomes == {"recorded": 20, "duplicate": 20}
    items = _scan(ddb, services)
    receipts = sorted(int(i["number"]) for i in items if i.get("type") == "receipt")
    assert receipts == list(range(1, 21))
    counters = [i for i in items if str(i["pk"]).startswith("RECEIPTNO#lanting#")]
    assert [c["n"] for c in counters] == [20]
    providers = Counter(i["provider"] for i in items if i.get("type") == "receipt")
    assert providers["cash"] + providers["pos"] == 10 and sum(providers.values()) == 20
    bills = {(i["building"], i["room"]): i for i in items if i.get("type") == "bill"}
    assert all(bills[(u.building, u.room)]["status"] == "paid" for u in paying)
    assert all(bills[(u.building, u.room)]["status"] == "unpaid" for u in unpaid)
    # by hand: the 24 flats' November fees add up to ¥7,539.84, the 20 that paid ¥6,237.00
    report = services.collection.report(FINANCE, "lanting", "2026-11")
    assert report.total.billed_fen == 753984 == sum(b["amount_fen"] for b in bills.values())
    assert report.total.paid_fen == 623700
    assert report.total.rate_amount == Decimal("82.72")  # 6237.00 / 7539.84 = 82.7208…%
    assert (report.total.paid_households, report.total.households) == (20, 24)
    assert report.total.rate_households == Decimal("83.33")  # 20 / 24
