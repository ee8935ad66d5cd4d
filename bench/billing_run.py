"""How fast is the billing run, next to the fastest way to put the same items, and how many
DynamoDB calls does a payment notification cost?

    .venv/bin/python bench/billing_run.py [--units 100000] [--workers 8] [--payments 200]

Against DynamoDB Local (in memory, started here on a port from 8900):

1. an estate of ``--units`` units (the unit list with areas, as ``portal estates sync``
   leaves it) and a management fee standard;
2. **raw**: the period's bills, as items, written with plain ``BatchWriteItem`` (25 a call,
   unconditional, on ``--workers`` threads) into a table of their own: the peer, the
   fastest way to put these items, with no protection against a second run;
3. **run**: :meth:`portal.billing.run.BillingRun.issue` of the same bills (under the
   period's lease, checkpointed per block of 2,000 bills, ``BatchWriteItem`` where no bill
   can exist yet; on the same number of threads; each slice is a run of its own), then
   the whole run again (every block already issued: nothing read, nothing written);
4. **notifications**: ``--payments`` payments created, each notified once (recorded) and
   once more (a duplicate), counting DynamoDB calls per notification by operation.

Target: run ≥ 0.8 × raw items per second; a notification: 1 transaction + at most 1 read.
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.accounts.identity import Identity, UnitRef  # noqa: E402
from portal.billing.bills import item_of  # noqa: E402
from portal.billing.model import UnitKey  # noqa: E402
from portal.billing.run import CHUNK, WORKERS, BillingRun, RunReport  # noqa: E402
from portal.estates.model import Building, Company, Estate, FeeStandard  # noqa: E402
from portal.estates.records import company_items  # noqa: E402
from portal.i18n import Text  # noqa: E402
from portal.localdev.dynamodb_local import DynamoDBLocal  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.store.bootstrap import ensure_tables  # noqa: E402
from portal.store.client import dynamodb_client  # noqa: E402
from portal.store.table import Table  # noqa: E402
from portal.wiring import Clients, Services  # noqa: E402
from tests.factories import FakeClock  # noqa: E402
from tests.support.payments import FakeAccounts, FakeProvider  # noqa: E402

ESTATE = "bench"
AREAS = tuple(Decimal(a) for a in ("58.3", "72.5", "89.6", "96.2", "105.9", "118.3", "126.3",
                                   "128.7", "132.5", "143.8"))  # fmt: skip


def port_from(first: int = 8900) -> int:
    for port in range(first, first + 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 8900-8999")


def company(units: int) -> Company:
    """Buildings of 5 entrances × 25 floors × 10 rooms (1,250 units) up to ``units``."""
    per = 5 * 25 * 10
    buildings = tuple(
        Building(str(b), Text(f"{b}栋"), 5, 25, 10, AREAS) for b in range(1, units // per + 1)
    )
    estate = Estate(ESTATE, Text("基准小区", "Bench Estate"), "Asia/Shanghai", Text("-"), "-",
                    (), (), buildings,
                    (FeeStandard("management", Text("物业服务费"), 280, "per_m2_month", Text("")),))  # fmt: skip
    return Company(Text("基准物业"), "-", Text(""), (estate,))


def put_parallel(table: Table, items: list[dict[str, Any]], workers: int) -> float:
    """Unconditional BatchWriteItem of ``items`` on ``workers`` threads; seconds taken."""
    chunks = [items[i : i + 100] for i in range(0, len(items), 100)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(table.batch_put, chunks))
    return time.perf_counter() - start


class CallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, event_name: str = "", **kwargs: Any) -> None:
        with self.lock:
            self.calls[event_name.rsplit(".", 1)[-1]] += 1

    def take(self) -> Counter[str]:
        with self.lock:
            taken, self.calls = self.calls, Counter()
        return taken


def owner_of(unit: UnitKey) -> Identity:
    return Identity("owner", "b" * 32, frozenset({"owner"}),
                    units=(UnitRef(unit.estate, unit.building, unit.room),))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=WORKERS, help="threads of both ways")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="bills per BatchWriteItem")
    parser.add_argument("--slices", type=int, default=10, help="alternations of raw and run")
    parser.add_argument("--payments", type=int, default=200)
    args = parser.parse_args()

    ddb_local = DynamoDBLocal(port_from(), data_dir=None,
                              java_options=("-Xmx2g",)).start()  # fmt: skip
    try:
        settings = Settings(stage="test", dynamodb_endpoint=ddb_local.endpoint,
                            table_prefix="bench-", site_url="http://127.0.0.1:8900")  # fmt: skip
        client = dynamodb_client(settings)
        for prefix in ("bench-", "bench-raw-", "bench-run-", "bench-warm-"):
            ensure_tables(client, prefix)
        table = Table(client, settings.table_name("main"))
        clock = FakeClock()
        provider = FakeProvider()
        services = Services(settings, Clients(settings, dynamodb=client), clock,
                            payment_accounts=FakeAccounts(provider))  # fmt: skip
        the_company = company(args.units)
        items = company_items(the_company)
        setup_s = put_parallel(table, items, args.workers)
        n_units = the_company.estates[0].unit_count
        print(f"estate: {n_units:,} units put in {setup_s:.1f} s")

        planner = BillingRun(table, services.estates, services.audit, clock)
        start = time.perf_counter()
        bills = planner.plan(services.estates.estate(ESTATE), "2026-11",
                             RunReport(ESTATE, "2026-11"))  # fmt: skip
        plan_s = time.perf_counter() - start
        print(f"plan: {len(bills):,} bills from the unit list in {plan_s:.1f} s")
        bill_items = [item_of(b) for b in bills]

        # DynamoDB Local's JIT keeps speeding it up for a while: warm both ways up first, then
        # alternate slices of raw and run (each slice in both orders in turn), so that drift
        # falls on both alike.
        warm = Table(client, "bench-warm-main")
        put_parallel(warm, bill_items[:10000], args.workers)
        BillingRun(warm, services.estates, services.audit, clock, workers=args.workers,
                   chunk=args.chunk).issue(ESTATE, "warm", bills[10000:20000], actor="bench")  # fmt: skip
        # both ways write into an empty table of their own (the same shape), so neither pays
        # for the 100,000 unit items beside it
        raw_table = Table(client, "bench-raw-main")
        run_table = Table(client, "bench-run-main")
        run = BillingRun(run_table, services.estates, services.audit, clock,
                         workers=args.workers, chunk=args.chunk)  # fmt: skip
        raw_s = run_s = 0.0
        created = 0
        step = max(1, len(bills) // args.slices)
        for i, at in enumerate(range(0, len(bills), step)):
            order = ("raw", "run") if i % 2 == 0 else ("run", "raw")
            for way in order:
                start = time.perf_counter()
                if way == "raw":
                    put_parallel(raw_table, bill_items[at : at + step], args.workers)
                    raw_s += time.perf_counter() - start
                else:
                    made, found = run.issue(ESTATE, f"slice-{i}", bills[at : at + step],
                                            actor="bench")  # fmt: skip
                    run_s += time.perf_counter() - start
                    created += made
                    assert found == 0
        assert created == len(bills)
        run.issue(ESTATE, "2026-11", bills, actor="bench")  # the whole plan, one run
        start = time.perf_counter()
        created2, existing2 = run.issue(ESTATE, "2026-11", bills, actor="bench")
        again_s = time.perf_counter() - start
        assert (created2, existing2) == (0, len(bills))
        raw_rate, run_rate = len(bills) / raw_s, len(bills) / run_s
        print(f"raw BatchWriteItem: {raw_s:.1f} s, {raw_rate:,.0f} items/s")
        print(f"billing run:        {run_s:.1f} s, {run_rate:,.0f} items/s "
              f"({run_rate / raw_rate:.2f} × raw; target ≥ 0.80)")
        print(f"run again:          {again_s:.1f} s, nothing written ({existing2:,} found issued)")

        counter = CallCounter()
        client.meta.events.register("before-send.dynamodb", counter)
        run_on_main = BillingRun(table, services.estates, services.audit, clock)
        run_on_main.issue(ESTATE, "2026-11", bills[: args.payments], actor="bench")  # the bills paid below, where services read
        units = [b.unit for b in bills[: args.payments]]
        payments = [services.payments.create(owner_of(u), u, ["2026-11-management"], "sandbox")[0]
                    for u in units]  # fmt: skip
        services.estates.company()  # cached, as on a warm Lambda
        counter.take()
        first: Counter[str] = Counter()
        duplicate: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        for p in payments:
            message = provider.notification(p.payment_id, p.amount_fen, clock(), tx=f"T{p.payment_id}")
            status, _, _ = services.ledger.notify(provider.account, *message)
            outcomes[str(status)] += 1
            first += counter.take()
            services.ledger.notify(provider.account, *message)
            duplicate += counter.take()
        n = len(payments)
        per_first = {k: v / n for k, v in sorted(first.items())}
        per_dup = {k: v / n for k, v in sorted(duplicate.items())}
        print(f"a notification recorded: {per_first} DynamoDB calls (target: 1 transaction + ≤ 1 read)")
        print(f"a duplicate:             {per_dup}")
        result = {
            "bench": "billing_run", "units": n_units, "bills": len(bills), "workers": args.workers,
            "chunk": args.chunk, "slices": args.slices,
            "raw_batch_write_s": round(raw_s, 2), "raw_items_per_s": round(raw_rate),
            "run_s": round(run_s, 2), "run_items_per_s": round(run_rate),
            "run_vs_raw": round(run_rate / raw_rate, 3), "target_run_vs_raw": 0.8,
            "second_run_s": round(again_s, 2), "plan_s": round(plan_s, 2),
            "payments": n, "acknowledged": dict(outcomes),
            "calls_per_notification": per_first, "calls_per_duplicate": per_dup,
        }  # fmt: skip
        print(json.dumps(result, ensure_ascii=False))
    finally:
        ddb_local.stop()


if __name__ == "__main__":
    main()
