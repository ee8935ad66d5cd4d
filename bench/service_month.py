"""A month of service at one 1,008-unit estate, driven through the real services: the time and
DynamoDB calls of each operation, and the month's KPIs beside the generator's own record.

    .venv/bin/python bench/service_month.py [--orders 600] [--seed 11]

The demo estate ``lanting`` (1,008 units) on DynamoDB Local, a fake clock, and November
2026 (Asia/Shanghai): about 600 orders created in the month plus a few on either side of it
(which November must not count), with a realistic mix of kinds (mostly repairs; complaints,
suggestions, praise, paid services), urgencies (about 10% emergency repairs), channels
(owners online, the desk by phone, patrols in public areas) and staff behaviour (most
acknowledged within 15 minutes, some late; late dispatches and arrivals; feedback sometimes
forgotten; repairs now and then late or left waiting for materials; low ratings, some
reopened; invalid complaints; parked suggestions; callbacks mostly made). Every step goes
through ``WorkOrderService.submit``/``act`` at its time, the escalation job runs every hour,
and the KPI report is made on 3 December at 10:00.

Prints p50/p95 time and DynamoDB calls (a ``before-call.dynamodb.*`` hook on the client)
per operation (submit, each action, a ladder run, the KPI computation), then each KPI and
SLA stage beside what the generator expects from its own record of what it did (written
here from the rules in PRODUCT.md, not from ``portal.workorders.kpi``): numerator,
denominator and pending must be the same orders. Exits 1 if any differs. Ends with one
JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal import service_levels as sl  # noqa: E402
from portal.accounts.identity import Identity, UnitRef  # noqa: E402
from portal.estates.sync import read_company, sync_company  # noqa: E402
from portal.localdev.dynamodb_local import DynamoDBLocal  # noqa: E402
from portal.localdev.ports import free_port  # noqa: E402
from portal.settings import Settings  # noqa: E402
from portal.store.bootstrap import ensure_tables  # noqa: E402
from portal.wiring import Clients, Services  # noqa: E402
from portal.workorders.callback_model import order_callback_id  # noqa: E402
from portal.workorders.callbacks import Answer as CallbackAnswer  # noqa: E402
from portal.workorders.kpi import KpiReport, Month  # noqa: E402
from portal.workorders.model import REPAIR_CATEGORIES, Location  # noqa: E402
from portal.workorders.service import NewOrder  # noqa: E402
from tests.factories import FakeClock  # noqa: E402

TZ = "Asia/Shanghai"
SH = ZoneInfo(TZ)
ESTATE = "lanting"
MONTH = Month(2026, 11)
REPORT_AT = datetime(2026, 12, 3, 10, 0, tzinfo=SH)
EDGE_ORDERS = 15  # created in the 3 days before the month and in the 2 after it, each side
KINDS = (("repair", 0.72), ("service", 0.10), ("complaint", 0.05), ("suggestion", 0.05),
         ("praise", 0.08))  # fmt: skip
DESK = Identity(kind="staff", user_id="qian.desk", roles=frozenset({"front_desk"}), name="钱前台",
                estates=frozenset({ESTATE}))  # fmt: skip
STAGE_KINDS = {
    "acknowledge": {"repair", "complaint", "suggestion", "praise", "service"},
    "dispatch": {"repair", "complaint", "service"},
    "feedback": {"repair", "complaint", "service", "suggestion"},
    "on_site": {"repair"},
    "resolve": {"repair"},
}


# -- the generator: a plan per order, and its record of what was done ----------------------------


@dataclass
class Record:
    """One order as the generator knows it: what it planned, and the first time each action
    actually ran (before the report; later steps never happen)."""

    kind: str
    urgency: str
    created: datetime
    unit: tuple[str, str, str] | None  # None: a public area
    channel: str
    steps: list[tuple[datetime, str, dict[str, Any]]] = field(default_factory=list)
    number: str = ""
    first: dict[str, datetime] = field(default_factory=dict)
    rating: int = 0
    reopened: bool = False
    ratings: dict[str, str] = field(default_factory=dict)  # the callback's answers, if made


def minutes(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(minutes=rng.randint(low, high))


def plan(rec: Record, rng: random.Random) -> None:
    """The staff's and owner's steps for one order, at times drawn from the mix above."""
    t = rec.created
    steps = rec.steps

    def step(after: timedelta, action: str, **details: Any) -> None:
        nonlocal t
        t += max(after, timedelta(minutes=1))
        steps.append((t, action, details))

    late = rng.random() < 0.12
    step(minutes(rng, 16, 45) if late else minutes(rng, 1, 15), "acknowledge")
    if rec.kind == "praise":
        step(minutes(rng, 5, 120), "close")
        return
    if rec.kind in ("complaint", "suggestion"):
        roll = rng.random()
        if roll < (0.25 if rec.kind == "complaint" else 0.2):
            step(minutes(rng, 3, 20), "invalid")
            return
        if rec.kind == "suggestion" and roll < 0.7:
            step(minutes(rng, 5, 60), "park")
            return
    since = rec.created + timedelta(minutes=sl.DISPATCH_MIN) - t  # what is left of 30 minutes
    on_time = since > timedelta(minutes=1) and rng.random() < 0.88
    step(minutes(rng, 1, since.seconds // 60) if on_time else minutes(rng, 5, 40), "dispatch",
         assignee="陈师傅" if rec.kind != "complaint" else "秩序部")  # fmt: skip
    if rec.kind == "repair" or (rec.kind == "service" and rng.random() < 0.5):
        step(minutes(rng, 2, 10) if rng.random() < 0.85 else minutes(rng, 11, 30), "arrive")
    if rng.random() < 0.75:
        step(minutes(rng, 1, 20), "feedback")
    if rec.kind == "repair":
        roll = rng.random()
        if roll < 0.03:
            return  # waiting for materials: not resolved this month
        if rec.urgency == "emergency":
            work = minutes(rng, 15, 180)
        else:
            work = minutes(rng, 20, 900) if roll < 0.93 else minutes(rng, 25 * 60, 40 * 60)
    else:
        work = minutes(rng, 30, 1800)
    step(work, "resolve")
    owner_signs = rec.unit is not None and rng.random() < 0.85
    if owner_signs:
        rating = rng.choices((5, 4, 3, 2), (0.78, 0.12, 0.07, 0.03))[0]
        step(minutes(rng, 30, 600), "sign_off", rating=rating)
        if rating <= 3 and rec.kind != "complaint" and rng.random() < 0.6:
            step(minutes(rng, 5, 60), "reopen")
            step(minutes(rng, 10, 60), "dispatch", assignee="王师傅")
            step(minutes(rng, 60, 300), "resolve")
            step(minutes(rng, 30, 300), "sign_off", rating=5)
    if rec.kind in ("repair", "complaint"):
        if rng.random() < 0.94:
            # 满意 mostly; 一般 now and then on the softer dimensions (never a reopening 不满意)
            ratings = {d: rng.choices(("satisfied", "neutral"), (0.85, 0.15))[0]
                       for d in ("timeliness", "attitude", "skill")}  # fmt: skip
            step(minutes(rng, 60, 1200), "callback", ratings={**ratings, "result": "satisfied",
                                                               "overall": "satisfied"})  # fmt: skip
            step(minutes(rng, 5, 60), "close")
    elif owner_signs:
        step(minutes(rng, 10, 600), "close")


def new_order(rng: random.Random, created: datetime, units: list[tuple[str, str, str]]) -> Record:
    kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
    urgency = "emergency" if kind == "repair" and rng.random() < 0.14 else "normal"
    roll = rng.random()
    if kind == "repair" and roll < 0.12:
        return Record(kind, urgency, created, None, "patrol")
    return Record(kind, urgency, created, rng.choice(units), "online" if roll < 0.8 else "phone")


def arrival(rng: random.Random, day: datetime) -> datetime:
    """A time on ``day`` (local), mostly in the daytime."""
    hour = rng.choices(range(24), [1, 1, 1, 1, 1, 1, 2, 4, 8, 9, 9, 8, 6, 7, 8, 8, 8, 8, 9, 9,
                                   8, 6, 4, 2])[0]  # fmt: skip
    return day.replace(hour=hour, minute=rng.randrange(60))


# -- what the generator expects --------------------------------------------------------------


def due(stage: str, rec: Record) -> datetime | None:
    """When the generator's order had to reach a stage (PRODUCT.md 15-30-60, 10 minutes on
    site, minor repairs in 24 hours, emergencies the same day); None: not started."""
    limits = {"acknowledge": sl.ACKNOWLEDGE_MIN, "dispatch": sl.DISPATCH_MIN,
              "feedback": sl.FEEDBACK_MIN}  # fmt: skip
    if stage in limits:
        return rec.created + timedelta(minutes=limits[stage])
    if stage == "on_site":
        dispatched = rec.first.get("dispatch")
        return dispatched + timedelta(minutes=sl.TECHNICIAN_ON_SITE_MIN) if dispatched else None
    if rec.urgency == "emergency":
        local = rec.created.astimezone(SH)
        return datetime(local.year, local.month, local.day, tzinfo=SH) + timedelta(days=1)
    return rec.created + timedelta(hours=sl.MINOR_REPAIR_RESOLVE_H)


ENDS = {"acknowledge": ("acknowledge",), "dispatch": ("dispatch", "invalid"),
        "feedback": ("feedback", "resolve", "invalid", "park"), "on_site": ("arrive", "resolve"),
        "resolve": ("resolve",)}  # fmt: skip


def expected(records: list[Record], at: datetime, households: int) -> dict[str, Any]:
    """Numerator, denominator and pending of every KPI and stage, from the records alone."""
    out: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for stage, kinds in STAGE_KINDS.items():
        met, decided, pending = [], [], []
        for rec in records:
            limit = due(stage, rec)
            if rec.kind not in kinds or limit is None:
                continue
            done = min((rec.first[a] for a in ENDS[stage] if a in rec.first), default=None)
            if done is None and at <= limit:
                pending.append(rec.number)
                continue
            decided.append(rec.number)
            if done is not None and done <= limit:
                met.append(rec.number)
        out[stage] = (met, decided, pending)
    out["repair_timeliness"] = out["resolve"]
    repaired = [r for r in records if r.kind == "repair" and "resolve" in r.first]
    out["repair_quality"] = (  # the callbacks here never reopen: a made one is satisfied
        [r.number for r in repaired if not r.reopened and (r.rating >= 4 or "callback" in r.first)],
        [r.number for r in repaired], [])  # fmt: skip
    finished = [r for r in records if r.kind in ("repair", "complaint") and "resolve" in r.first]
    window = timedelta(hours=sl.CALLBACK_WITHIN_H)
    waiting = [r.number for r in finished
               if "callback" not in r.first and at < r.first["resolve"] + window]  # fmt: skip
    out["callback_rate"] = ([r.number for r in finished if "callback" in r.first],
                            [r.number for r in finished if r.number not in waiting], waiting)  # fmt: skip
    complaints = [r for r in records if r.kind == "complaint"]
    valid = [r for r in complaints if "dispatch" in r.first]
    unjudged = [r.number for r in complaints if not {"dispatch", "invalid"} & set(r.first)]
    out["valid_complaint_rate"] = ([r.number for r in valid], ["household"] * households, unjudged)
    out["complaint_handling_rate"] = ([r.number for r in valid if "close" in r.first],
                                      [r.number for r in valid], [])  # fmt: skip
    return out


def expected_answers(records: list[Record], start: datetime, end: datetime
                     ) -> tuple[list[str], list[str], list[str]]:  # fmt: skip
    """Satisfaction: every dimension answered by a callback made in the month (whatever month
    its order came in), satisfied or not."""
    made = [r for r in records if "callback" in r.first and start <= r.first["callback"] < end]
    refs = [(f"{r.number}#{d}", a) for r in made for d, a in sorted(r.ratings.items())]
    return [ref for ref, a in refs if a == "satisfied"], [ref for ref, _ in refs], []


# -- the driver ------------------------------------------------------------------------------------


class Calls:
    """DynamoDB calls made through the client, counted by a botocore event hook."""

    def __init__(self, client: Any) -> None:
        self.n = 0
        client.meta.events.register("before-call.dynamodb.*", self._seen)

    def _seen(self, **_: Any) -> None:
        self.n += 1


def owner_of(unit: tuple[str, str, str]) -> Identity:
    user_id = hashlib.sha256("/".join(unit).encode()).hexdigest()[:32]
    return Identity(kind="owner", user_id=user_id, roles=frozenset({"owner"}), name="业主",
                    estates=frozenset({ESTATE}), units=(UnitRef(*unit),))  # fmt: skip


def simulate(services: Services, clock: FakeClock, calls: Calls, records: list[Record],
             until: datetime) -> dict[str, list[tuple[float, int]]]:  # fmt: skip
    """Every submit, step and hourly ladder run in time order; (seconds, calls) per operation."""
    ops: dict[str, list[tuple[float, int]]] = defaultdict(list)
    queue: list[tuple[datetime, int, int, int]] = []  # (when, seq, record, step; -1 submit)
    seq = 0
    for i, rec in enumerate(records):
        heapq.heappush(queue, (rec.created, seq := seq + 1, i, -1))
    hour = min(r.created for r in records).replace(minute=0) + timedelta(hours=1)
    while hour <= until:
        heapq.heappush(queue, (hour, seq := seq + 1, -1, 0))
        hour += timedelta(hours=1)

    def timed(name: str, fn: Any) -> Any:
        before, start = calls.n, time.perf_counter()
        got = fn()
        ops[name].append((time.perf_counter() - start, calls.n - before))
        return got

    while queue and queue[0][0] <= until:
        when, _, i, s = heapq.heappop(queue)
        clock.now = when.astimezone(UTC)
        if i < 0:
            timed("ladder run", lambda: services.escalation.run([ESTATE]))
            continue
        rec = records[i]
        if s < 0:
            loc = Location(ESTATE, "public", "", "3栋电梯厅") if rec.unit is None else Location(*rec.unit)
            new = NewOrder(kind=rec.kind, location=loc, description=f"{rec.kind} 工单说明",
                           urgency=rec.urgency, channel=rec.channel,
                           category=REPAIR_CATEGORIES[i % 6] if rec.kind == "repair" else "")  # fmt: skip
            who = owner_of(rec.unit) if rec.channel == "online" and rec.unit else DESK
            rec.number = timed("submit", partial(services.work_orders.submit, who, new)).number
            for j, (at, _, _) in enumerate(rec.steps):
                heapq.heappush(queue, (at, seq := seq + 1, i, j))
            continue
        _, action, details = rec.steps[s]
        if action == "callback":  # recorded through the callbacks, which move the order
            callback_id = order_callback_id(rec.number, 1 if rec.reopened else 0)
            timed(action, partial(services.callbacks.record_result, DESK, ESTATE, callback_id,
                                  CallbackAnswer(details["ratings"])))  # fmt: skip
            rec.first.setdefault(action, clock.now)
            rec.ratings = dict(details["ratings"])
            continue
        by_owner = action in ("sign_off", "reopen") and rec.unit is not None
        who = owner_of(rec.unit) if by_owner and rec.unit else DESK
        note = "处理说明" if action in ("feedback", "reopen", "invalid", "park") else ""
        timed(action, partial(services.work_orders.act, who, ESTATE, rec.number, action, note,
                              details))  # fmt: skip
        rec.first.setdefault(action, clock.now)
        if action == "sign_off":
            rec.rating = int(details["rating"])
        rec.reopened |= action == "reopen"
    return ops


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def compare(report: KpiReport, want: dict[str, Any]) -> tuple[bool, list[dict[str, Any]]]:
    ok, rows = True, []
    for result in (*report.kpis, *report.stages):
        if result.key not in want:  # no source in this wiring: must say so
            same = result.status == "no_data"
            rows.append({"key": result.key, "status": result.status, "same": same})
            ok &= same
            continue
        num, den, pending = want[result.key]
        same = (sorted(result.numerator) == sorted(num) and sorted(result.pending) == sorted(pending)
                and (len(result.denominator) == len(den) if result.key == "valid_complaint_rate"
                     else sorted(result.denominator) == sorted(den)))  # fmt: skip
        value = len(num) * result.scale / len(den) if den else None
        rows.append({"key": result.key, "status": result.status, "same": same,
                     "value": result.value, "expected": value,
                     "got": f"{len(result.numerator)}/{len(result.denominator)}",
                     "want": f"{len(num)}/{len(den)}", "pending": len(result.pending)})  # fmt: skip
        ok &= same and result.value == value
    return ok, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=600, help="orders created in November")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start, end = (t.astimezone(SH) for t in MONTH.bounds(TZ))
    company = read_company(ROOT / "site" / "content")
    estate = next(e for e in company.estates if e.slug == ESTATE)
    units = [(u.estate, u.building, u.room) for u in estate.units()]
    days = [start + timedelta(days=d) for d in range((end - start).days)]
    records = [new_order(rng, arrival(rng, rng.choice(days)), units) for _ in range(args.orders)]
    edges = [start - timedelta(days=rng.randint(1, 3)) for _ in range(EDGE_ORDERS)]
    edges += [end + timedelta(days=rng.randint(0, 1)) for _ in range(EDGE_ORDERS)]
    records += [new_order(rng, min(arrival(rng, d), REPORT_AT - timedelta(hours=2)), units)
                for d in edges]  # fmt: skip
    records.sort(key=lambda r: r.created)
    for rec in records:
        plan(rec, rng)

    ddb_local = DynamoDBLocal(free_port(), data_dir=None).start()
    try:
        settings = Settings(stage="test", dynamodb_endpoint=ddb_local.endpoint,
                            table_prefix="bench-month-", time_zone=TZ)  # fmt: skip
        clock = FakeClock(start.astimezone(UTC))
        services = Services(settings, Clients(settings), clock)
        ensure_tables(services.clients.dynamodb, settings.table_prefix)
        sync_company(services.table, company)
        calls = Calls(services.clients.dynamodb)
        began = time.perf_counter()
        ops = simulate(services, clock, calls, records, REPORT_AT)
        simulated = time.perf_counter() - began
        clock.now = REPORT_AT.astimezone(UTC)
        reports = []
        for _ in range(5):  # the first reads the estate directory; it is cached after that
            before, t0 = calls.n, time.perf_counter()
            reports.append(services.kpis.report(ESTATE, MONTH))
            ops["KPI computation"].append((time.perf_counter() - t0, calls.n - before))
    finally:
        ddb_local.stop()

    november = [r for r in records if start <= r.created < end]
    want = expected(november, REPORT_AT, estate.unit_count)
    want["satisfaction"] = expected_answers(records, start, end)
    # No profile was kept this month: every unit's archive is incomplete.
    want["archive_completeness"] = ([], [f"{e}/{b}/{r}" for e, b, r in units], [])
    ok, rows = compare(reports[-1], want)
    steps_run = sum(len(r.first) for r in records)
    print(f"{len(november)} orders in {MONTH} (+{len(records) - len(november)} just outside), "
          f"{sum(len(v) for v in ops.values())} operations, simulated in {simulated:.1f} s "
          f"on DynamoDB Local; {steps_run} distinct actions recorded by the generator")  # fmt: skip
    print(f"{'operation':<16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'calls':>10}")
    figures: dict[str, Any] = {}
    order = ["submit", "acknowledge", "dispatch", "arrive", "feedback", "resolve", "sign_off",
             "reopen", "callback", "close", "invalid", "park", "ladder run", "KPI computation"]
    for name in order:
        if name not in ops:
            continue
        secs, n = [s * 1000 for s, _ in ops[name]], [c for _, c in ops[name]]
        span = f"{min(n)}" if min(n) == max(n) else f"{min(n)}-{max(n)}"
        print(f"{name:<16} {len(secs):>5} {pct(secs, 50):>8.2f} {pct(secs, 95):>8.2f} {span:>10}")
        figures[name] = {"n": len(secs), "p50_ms": round(pct(secs, 50), 2),
                         "p95_ms": round(pct(secs, 95), 2), "calls_min": min(n),
                         "calls_max": max(n), "calls_mean": round(statistics.mean(n), 2)}  # fmt: skip
    print()
    print(f"{'KPI / stage':<24} {'status':<10} {'computed':>16} {'expected':>16}  same")
    for row in rows:
        got = (f"{row['got']} = {row['value']:.2f}" if row.get("value") is not None
               else row.get("got", "no data"))  # fmt: skip
        exp = (f"{row['want']} = {row['expected']:.2f}" if row.get("expected") is not None
               else row.get("want", "no data"))  # fmt: skip
        print(f"{row['key']:<24} {row['status']:<10} {got:>16} {exp:>16}  "
              f"{'yes' if row['same'] else 'NO'}")  # fmt: skip
    print("KPIs equal to the generator's record: " + ("yes" if ok else "NO"))
    print(json.dumps({"bench": "service_month", "orders": len(november),
                      "orders_outside": len(records) - len(november),
                      "simulated_seconds": round(simulated, 1), "operations": figures,
                      "kpis": {r["key"]: {k: r.get(k) for k in ("status", "value", "expected", "got",
                                                                 "want", "same")} for r in rows},
                      "all_equal": ok}, ensure_ascii=False))  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
