"""The monthly KPIs on a hand-built November (moto, a fake clock): each formula against answers
worked out by hand, the refs behind each figure, the month's edges, the callback and profile
inputs through their protocols, and ``portal kpi`` in both its forms."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from portal.accounts.identity import Identity
from portal.cli import main
from portal.wiring import Services
from portal.workorders.kpi import (
    Answer,
    CallbackOutcome,
    KpiReport,
    Month,
    MonthlyKpis,
    measured,
)  # fmt: skip
from portal.workorders.model import Location
from portal.workorders.service import NewOrder, WorkOrderService
from portal.workorders.transitions import STATES
from tests.factories import FakeClock
from tests.support.workorders import repair

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = Month(2026, 11)
Step = tuple[int, str, dict[str, Any] | None]


def complaint(text: str = "楼上装修噪音太大，晚上十点还在施工") -> NewOrder:
    return NewOrder(kind="complaint", location=Location("lanting", "2", "1-1503"), description=text)


def other(kind: str, text: str) -> NewOrder:
    return NewOrder(kind=kind, location=Location("lanting", "2", "1-1503"), description=text)


@dataclass
class Month_:
    """Drives orders through the real service at local times of the test's choosing."""

    orders: WorkOrderService
    clock: FakeClock
    owner: Identity
    desk: Identity
    numbers: dict[str, str] = field(default_factory=dict)

    def at(self, local: str) -> None:
        self.clock.now = datetime.fromisoformat(local).replace(tzinfo=SH).astimezone(UTC)

    def new(self, name: str, local: str, order: NewOrder, *steps: Step) -> str:
        self.at(local)
        self.numbers[name] = self.orders.submit(self.owner, order).number
        self.do(name, *steps)
        return self.numbers[name]

    def do(self, name: str, *steps: Step) -> None:
        for minutes, action, details in steps:
            self.clock.now += timedelta(minutes=minutes)
            who = self.owner if action in ("sign_off", "reopen") else self.desk
            note = "处理说明" if action in ("feedback", "reopen", "invalid", "park") else ""
            # ``callback``: the move the callback service makes (its own record is not
            # needed by these formulas, which read the order's milestone without a source).
            self.orders.act(who, "lanting", self.numbers[name], action, note, details,
                            by_service=action == "callback")  # fmt: skip


DISPATCH = (10, "dispatch", {"assignee": "陈师傅"})
FINISH: tuple[Step, ...] = ((60, "sign_off", {"rating": 5}), (60, "callback", None),
                            (10, "close", None))  # fmt: skip


@pytest.fixture
def november(orders: WorkOrderService, clock: FakeClock, owner: Identity, desk: Identity
             ) -> Month_:  # fmt: skip
    """Eleven orders of November (and one on each side of it), worked out in the tests."""
    m = Month_(orders, clock, owner, desk)
    m.new("R5", "2026-10-31T23:30", repair(), (5, "acknowledge", None), DISPATCH,
          (50, "resolve", None))  # created in October: not November's  # fmt: skip
    m.new("R1", "2026-11-02T10:00", repair(), (5, "acknowledge", None), DISPATCH,
          (5, "arrive", None), (10, "feedback", None), (90, "resolve", None), *FINISH)  # fmt: skip
    m.new("R2", "2026-11-03T21:00", repair("水管爆了", urgency="emergency"),
          (20, "acknowledge", None), DISPATCH, (15, "arrive", None), (195, "resolve", None),
          *FINISH)  # 01:00 the next day: an emergency left overnight  # fmt: skip
    m.new("C1", "2026-11-05T14:00", complaint(), (5, "acknowledge", None),
          (20, "dispatch", {"assignee": "秩序部"}), (100, "resolve", None), (60, "callback", None),
          (10, "close", None))  # fmt: skip
    m.new("C2", "2026-11-06T10:00", complaint("小区外马路施工太吵"), (5, "acknowledge", None),
          (10, "invalid", None))  # fmt: skip
    m.new("P1", "2026-11-07T10:00", other("praise", "保安小王帮我搬家具"), (30, "acknowledge", None),
          (5, "close", None))  # fmt: skip
    m.new("S1", "2026-11-08T10:00", other("suggestion", "希望增加快递柜"), (10, "acknowledge", None),
          (10, "park", None))  # fmt: skip
    m.new("R3", "2026-11-10T09:00", repair(), (10, "acknowledge", None), DISPATCH,
          (5, "arrive", None), (30, "resolve", None), (60, "sign_off", {"rating": 2}),
          (5, "reopen", None), (30, "dispatch", {"assignee": "陈师傅"}), (60, "resolve", None),
          (30, "sign_off", {"rating": 5}))  # fmt: skip
    m.new("C3", "2026-11-20T10:00", complaint(), (10, "acknowledge", None),
          (20, "dispatch", {"assignee": "秩序部"}), (10, "feedback", None),
          (120, "resolve", None))  # fmt: skip
    m.new("R4", "2026-11-29T23:00", repair(), (10, "acknowledge", None), DISPATCH)
    m.new("C4", "2026-11-30T20:00", complaint(), (5, "acknowledge", None))
    m.new("R6", "2026-11-30T23:59", repair())  # the last minute of November
    m.new("R7", "2026-12-01T00:00", repair())  # the first of December: not November's
    m.do("R6", (4, "acknowledge", None), DISPATCH, (5, "arrive", None))
    m.at("2026-12-03T01:00")
    m.do("R6", (0, "resolve", None))
    m.at("2026-12-03T10:00")  # the report is made on the 3rd
    return m


def report(services: Services, **sources: Any) -> KpiReport:
    kpis = MonthlyKpis(services.work_order_repo, services.estates, services.clock,
                       services.settings.time_zone, **sources)  # fmt: skip
    return kpis.report("lanting", NOVEMBER)


def refs(m: Month_, *names: str) -> tuple[str, ...]:
    return tuple(m.numbers[n] for n in names)


def test_each_formula_on_a_hand_built_month(services: Services, november: Month_) -> None:
    got = report(services)
    m = november
    assert got.orders == 11 and got.month_over and got.due_by.isoformat() == "2026-12-05"
    assert (got.start, got.end) == ("2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z")
    timely = got.kpi("repair_timeliness")  # R2 overnight, R4 never resolved, R6 two days
    assert timely.numerator == refs(m, "R1", "R3")  # R3: its first repair was in time
    assert timely.denominator == refs(m, "R1", "R2", "R3", "R4", "R6")
    assert (timely.value, timely.status, timely.target) == (40.0, "not_met", 99.0)
    quality = got.kpi("repair_quality")  # R3 reopened; R6 not signed off (nor called back)
    assert quality.numerator == refs(m, "R1", "R2")
    assert quality.denominator == refs(m, "R1", "R2", "R3", "R6")
    assert quality.value == 50.0 and quality.source == "work_orders"
    called = got.kpi("callback_rate")  # from the orders' callback milestone: no source yet
    assert called.numerator == refs(m, "R1", "R2", "C1")
    assert called.denominator == refs(m, "R1", "R2", "C1", "R3", "C3")
    assert called.pending == refs(m, "R6")  # resolved 9 hours ago: its callback is not due
    assert (called.value, called.source) == (60.0, "work_orders")
    valid = got.kpi("valid_complaint_rate")  # C2 judged invalid, C4 not judged yet
    assert valid.numerator == refs(m, "C1", "C3") and valid.pending == refs(m, "C4")
    assert len(valid.denominator) == 1008 and "lanting/2/1-1503" in valid.denominator
    assert valid.value == pytest.approx(2 / 1008 * 1000 * 12)  # 23.8‰ a year
    assert (valid.unit, valid.direction, valid.status) == ("permille", "max", "not_met")
    handled = got.kpi("complaint_handling_rate")
    assert (handled.numerator, handled.denominator) == (refs(m, "C1"), refs(m, "C1", "C3"))
    for key in ("collection_rate", "satisfaction", "archive_completeness"):
        result = got.kpi(key)
        assert (result.status, result.value, result.denominator) == ("no_data", None, ())


def test_each_sla_stage_is_met_over_met_and_breached(services: Services, november: Month_) -> None:
    got, m = report(services), november
    assert [r.key for r in got.stages] == ["acknowledge", "dispatch", "feedback", "on_site",
                                           "resolve"]  # fmt: skip
    ack = got.kpi("acknowledge")  # every order; R2 after 20 minutes, the praise after 30
    assert len(ack.denominator) == 11 and set(ack.denominator) - set(ack.numerator) == set(
        refs(m, "R2", "P1"))
    dispatch = got.kpi("dispatch")  # neither praise nor suggestion; C4 never judged
    assert set(dispatch.denominator) - set(dispatch.numerator) == set(refs(m, "C4"))
    assert len(dispatch.denominator) == 9
    feedback = got.kpi("feedback")  # the first of feedback, resolved, invalid, parked
    assert feedback.numerator == refs(m, "R1", "C2", "S1", "R3", "C3")
    assert len(feedback.denominator) == 10
    on_site = got.kpi("on_site")  # R2 15 minutes after dispatch; R4 never
    assert (on_site.numerator, len(on_site.denominator)) == (refs(m, "R1", "R3", "R6"), 5)
    resolve = got.kpi("resolve")  # the same figure as repair timeliness
    assert (resolve.numerator, resolve.denominator) == (
        got.kpi("repair_timeliness").numerator, got.kpi("repair_timeliness").denominator)
    assert {r.status for r in got.stages} == {"no_target"} and resolve.value == 40.0


def test_the_month_is_read_from_the_state_partitions_without_a_scan(
    services: Services, november: Month_
) -> None:
    services.estates.company()  # the directory is cached: only the month's reads are counted
    calls: list[str] = []
    services.clients.dynamodb.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    services.kpis.report("lanting", NOVEMBER)
    # The month's orders: one query per state partition; then the sources: the callbacks of
    # the resolved ones (batch reads), the month's answers, and the estate's profiles.
    assert calls[: len(STATES)] == ["Query"] * len(STATES)
    assert "Scan" not in calls and set(calls) <= {"Query", "BatchGetItem"}


class Callbacks:
    """A callback source as the callbacks module will provide it."""

    def __init__(self, outcomes: Mapping[str, CallbackOutcome], answers: Sequence[Answer]) -> None:
        self.outcomes, self._answers = outcomes, answers
        self.asked: list[tuple[str, tuple[str, ...]]] = []
        self.windows: list[tuple[str, str]] = []

    def of_orders(self, estate: str, numbers: Collection[str]) -> Mapping[str, CallbackOutcome]:
        self.asked.append((estate, tuple(numbers)))
        return {n: o for n, o in self.outcomes.items() if n in numbers}

    def answers(self, estate: str, start: str, end: str) -> Sequence[Answer]:
        self.windows.append((start, end))
        return self._answers


class Profiles:
    def __init__(self, complete: Collection[str]) -> None:
        self.complete = complete

    def complete_profiles(self, estate: str) -> Collection[str]:
        return self.complete


def test_callbacks_and_profiles_plug_in_through_their_protocols(
    services: Services, november: Month_
) -> None:
    m = november
    r1, r6, c3 = refs(m, "R1", "R6", "C3")
    outcomes = {r1: CallbackOutcome(r1, "2026-11-02T06:00:00Z", True),
                r6: CallbackOutcome(r6, "2026-12-03T01:30:00Z", True),  # satisfied: passes quality
                c3: CallbackOutcome(c3, "2026-11-21T02:00:00Z", None)}  # fmt: skip
    answers = [Answer(r1, "overall", True), Answer(r1, "attitude", True),
               Answer(c3, "result", True),
               Answer("lanting/2/1-1503", "overall", False)]  # a monthly callback, no order  # fmt: skip
    callbacks = Callbacks(outcomes, answers)
    profiles = Profiles({"lanting/1/1-101", "lanting/2/1-1503", "meixi/1/1-101"})
    got = report(services, callbacks=callbacks, profiles=profiles)
    assert callbacks.windows == [("2026-10-31T16:00:00Z", "2026-11-30T16:00:00Z")]
    assert callbacks.asked == [("lanting", refs(m, "R1", "R2", "C1", "R3", "C3", "R6"))]
    called = got.kpi("callback_rate")  # the source, not the orders' milestone, now decides
    assert (called.numerator, called.pending, called.source) == ((r1, c3, r6), (), "callbacks")
    assert got.kpi("repair_quality").numerator == refs(m, "R1", "R2", "R6")
    happy = got.kpi("satisfaction")
    assert happy.numerator == (f"{r1}#overall", f"{r1}#attitude", f"{c3}#result")
    assert len(happy.denominator) == 4 and (happy.value, happy.status) == (75.0, "not_met")
    archive = got.kpi("archive_completeness")  # another estate's unit does not count
    assert archive.numerator == ("lanting/1/1-101", "lanting/2/1-1503")
    assert len(archive.denominator) == 1008 and archive.source == "profiles"


def test_in_a_running_month_what_is_not_due_yet_is_pending(
    services: Services, orders: WorkOrderService, clock: FakeClock, owner: Identity,
    desk: Identity
) -> None:
    m = Month_(orders, clock, owner, desk)
    m.new("A", "2026-11-22T10:00", repair(), (5, "acknowledge", None), DISPATCH,
          (5, "arrive", None), (20, "resolve", None))  # fmt: skip
    m.new("B", "2026-11-22T11:00", repair(), (5, "acknowledge", None))
    m.at("2026-11-22T12:00")
    got = report(services)
    assert not got.month_over
    timely = got.kpi("repair_timeliness")
    assert (timely.numerator, timely.pending) == (refs(m, "A"), refs(m, "B"))
    called = got.kpi("callback_rate")
    assert (called.pending, called.denominator, called.status) == (refs(m, "A"), (), "empty")
    assert got.kpi("complaint_handling_rate").status == "empty"
    assert got.kpi("valid_complaint_rate").status == "met"  # none: 0‰


def test_targets_are_compared_exactly_and_months_have_local_edges() -> None:
    just = measured("repair_timeliness", ["x"] * 99, ["x"] * 100, "work_orders")
    assert (just.value, just.status) == (99.0, "met")
    assert measured("repair_timeliness", ["x"] * 98, ["x"] * 99, "work_orders").status == "not_met"
    assert measured("valid_complaint_rate", [], ["u"] * 1008, "work_orders", scale=12_000
                    ).status == "met"  # fmt: skip
    assert Month.parse("2026-12").next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 12).due_by.isoformat() == "2027-01-05"
    start, end = Month(2026, 1).bounds("Asia/Shanghai")
    assert (start.astimezone(UTC).isoformat(), end.astimezone(UTC).isoformat()) == (
        "2025-12-31T16:00:00+00:00", "2026-01-31T16:00:00+00:00")
    assert Month.of(datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "Asia/Shanghai") == Month(2026, 12)
    for bad in ("2026-13", "2026-1", "26-11", "2026/11", ""):
        with pytest.raises(ValueError):
            Month.parse(bad)


def cli(services: Services, *args: str) -> Any:
    return CliRunner().invoke(main, ["kpi", *args], obj=services)


def test_portal_kpi_prints_a_table_with_both_languages_and_the_due_date(
    services: Services, november: Month_
) -> None:
    result = cli(services, "--estate", "lanting", "--month", "2026-11")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "兰亭苑（lanting）2026-11 月度服务指标" in out and "2026-12-05" in out
    assert "次月 5 日前公布" in out and "by the 5th of the next month" in out
    lines = out.splitlines()
    timely = next(line for line in lines if line.startswith("零修急修及时率 / Repairs on time"))
    assert "40%" in timely and "2/5" in timely and "≥ 99%" in timely and "未达标 / not met" in timely
    collection = next(line for line in lines if line.startswith("物业费收缴率"))
    assert "无数据 / no data" in collection
    assert any(line.startswith("受理（15 分钟内） / Acknowledged (15 min)") and "9/11" in line
               for line in lines)  # fmt: skip
    assert "本月尚未结束" not in out and november.numbers["R2"] not in out
    traced = cli(services, "--estate", "lanting", "--month", "2026-11", "--trace").output
    assert november.numbers["R2"] in traced and "分母为全部 1008 户" in traced


def test_portal_kpi_json_carries_every_ref(services: Services, november: Month_) -> None:
    result = cli(services, "--estate", "lanting", "--month", "2026-11", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["estate"], data["month"], data["due_by"]) == ("lanting", "2026-11", "2026-12-05")
    by_key = {k["key"]: k for k in data["kpis"]}
    assert list(by_key) == ["collection_rate", "repair_timeliness", "repair_quality",
                            "callback_rate", "valid_complaint_rate", "complaint_handling_rate",
                            "satisfaction", "archive_completeness"]  # fmt: skip
    timely = by_key["repair_timeliness"]
    assert timely["numerator"] == {"count": 2, "refs": list(refs(november, "R1", "R3"))}
    assert (timely["value"], timely["status"], timely["target"]) == (40.0, "not_met", 99.0)
    # No callback was answered this month: nothing to measure (not "no data": a source exists).
    assert by_key["satisfaction"]["status"] == "empty" and by_key["satisfaction"]["value"] is None
    acknowledged = data["stages"][0]
    assert (acknowledged["key"], acknowledged["numerator"]["count"]) == ("acknowledge", 9)


def test_portal_kpi_refuses_a_bad_month_or_an_unknown_estate(services: Services) -> None:
    bad = cli(services, "--estate", "lanting", "--month", "2026-13")
    assert bad.exit_code == 2 and "YYYY-MM" in bad.output
    unknown = cli(services, "--estate", "nowhere", "--month", "2026-11")
    assert unknown.exit_code == 2 and "没有这个小区" in unknown.output
    default = cli(services, "--estate", "lanting", "--json")  # the clock is in November
    assert json.loads(default.output)["month"] == "2026-10"
