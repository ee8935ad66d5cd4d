"""The monthly service KPIs of an estate (PRODUCT.md §3), each one traceable to its orders.

Every result carries the order numbers (or unit ids, or callback answers) above and
below its line, so a figure can be checked by hand, and says whether the target in
:data:`portal.service_levels.KPIS` is met. A month is a calendar month in the local
time zone (``settings.time_zone``), ``[1st 00:00, next 1st 00:00)``.

**Which orders belong to a month: those created in it** (the month's cohort, read
from the estate's gsi1 state partitions with a sort-key range: no Scan). Each order
counts in exactly one month, and by the 5th of the next month every time limit of
the cohort has passed, so the figures are final when they are due (later sign-offs,
callbacks or reopens of those orders still change them: a report says when it was
computed). Counting by resolution month instead would have to read orders created
any time before the month (gsi1 is ordered by creation), and a window would drop
exactly the slowest repairs.

=========================  ==================================  ==============================
KPI                        denominator (the month's cohort)    numerator
=========================  ==================================  ==============================
repair_timeliness          repairs resolved, or unresolved      resolved within the limit
                           past their limit                     (:func:`sla.resolved_in_time`)
repair_quality             repairs resolved                     never reopened, and signed off
                                                                with a rating ≥ 4 or called
                                                                back satisfied
callback_rate              repairs and complaints resolved      with a callback
valid_complaint_rate       households (the estate's units)      complaints judged valid
                                                                (dispatched), × 12 × 1000‰
complaint_handling_rate    complaints judged valid              closed
satisfaction               callback answers recorded in the     satisfied answers
                           month (every dimension)
archive_completeness       the estate's units (now)             units with a complete profile
collection_rate            no data: billing is not built yet
SLA stage (5)              the stage's deadlines, met or        met
                           breached (:func:`sla.deadlines`)
=========================  ==================================  ==============================

``pending`` lists what is not decided yet and is left out of both sides: a repair
still inside its limit, a callback still inside its 24 hours, a complaint not yet
judged, a stage deadline still running. Callbacks and owner profiles come from
:class:`CallbackSource` and :class:`ProfileSource`; without a callback source the
callback rate reads the orders' own ``callback_done`` milestone and satisfaction has
no data; without a profile source archive completeness has no data.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any, Literal, Protocol

from portal import service_levels as sl
from portal.clock import Clock, iso, parse_iso, zone
from portal.estates.model import Estate
from portal.store import keys
from portal.workorders.model import WorkOrder
from portal.workorders.repository import WorkOrderRepository
from portal.workorders.sla import STAGES, deadlines, resolved_in_time

Status = Literal["met", "not_met", "no_data", "empty", "no_target"]
"""``empty``: nothing to measure this month; ``no_data``: the input is not available;
``no_target``: measured, but the service levels set no target rate (the SLA stages)."""
STAGE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(s.name for s in STAGES))
SATISFIED_RATING = 4
"""A sign-off rating (1-5) at least this means the owner was satisfied."""
CALLBACK_KINDS = frozenset({"repair", "complaint"})
"""Completed repairs and complaints get a callback (PRODUCT.md §2.2)."""
MONTHS_A_YEAR = 12
_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-11`` → ``Month(2026, 11)``; ``ValueError`` otherwise."""
        found = _MONTH_RE.match(text.strip())
        if found is None:
            raise ValueError(text)
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def of(cls, moment: datetime, tz: str) -> Month:
        local = moment.astimezone(zone(tz))
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """Local midnight of the 1st, and of the next month's 1st."""
        after = self.next()
        return (datetime(self.year, self.month, 1, tzinfo=zone(tz)),
                datetime(after.year, after.month, 1, tzinfo=zone(tz)))  # fmt: skip

    @property
    def due_by(self) -> date:
        """The figures are due by the 5th of the next month."""
        after = self.next()
        return date(after.year, after.month, sl.KPI_REPORT_DUE_DAY)


# -- the inputs that other modules provide ---------------------------------------------------


@dataclass(frozen=True)
class CallbackOutcome:
    """An order's callback (回访), as the KPIs need it."""

    number: str  # the order's number
    at: str  # when (UTC ISO-8601)
    satisfied: bool | None = None  # the owner's overall verdict; None: not answered


@dataclass(frozen=True)
class Answer:
    """One answer of a callback: one dimension (timeliness, attitude, skill, result, overall)."""

    ref: str  # the order's number, or the unit id of a callback about no order
    dimension: str
    satisfied: bool  # the callbacks module maps its scale to satisfied or not


class CallbackSource(Protocol):
    def of_orders(self, estate: str, numbers: Collection[str]) -> Mapping[str, CallbackOutcome]:
        """The first callback of each of these orders that has one, by order number."""
        ...

    def answers(self, estate: str, start: str, end: str) -> Sequence[Answer]:
        """Every answer of the callbacks recorded in ``[start, end)`` (UTC ISO-8601)."""
        ...


class ProfileSource(Protocol):
    def complete_profiles(self, estate: str) -> Collection[str]:
        """The unit ids (``estate/building/room``) whose owner profile is complete."""
        ...


class Estates(Protocol):
    def estate(self, slug: str) -> Estate: ...


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiResult:
    key: str  # a key of service_levels.KPIS, or an SLA stage
    status: Status
    numerator: tuple[str, ...] = ()  # refs: order numbers, unit ids, "<ref>#<dimension>"
    denominator: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()  # not decided yet: in neither list
    scale: int = 100  # percent; 12,000 for an annualised monthly permille
    target: float | None = None
    direction: Literal["min", "max"] | None = None
    unit: Literal["percent", "permille"] = "percent"
    source: str = ""  # work_orders, callbacks, profiles, estates (households); "" for no data

    @property
    def value(self) -> float | None:
        if not self.denominator or self.status == "no_data":
            return None
        return float(Fraction(len(self.numerator) * self.scale, len(self.denominator)))

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "key": self.key, "status": self.status,
            "value": None if value is None else round(value, 4), "unit": self.unit,
            "target": self.target, "direction": self.direction, "source": self.source,
            "numerator": {"count": len(self.numerator), "refs": list(self.numerator)},
            "denominator": {"count": len(self.denominator), "refs": list(self.denominator)},
            "pending": {"count": len(self.pending), "refs": list(self.pending)},
        }  # fmt: skip


def measured(key: str, numerator: Sequence[str], denominator: Sequence[str], source: str,
             pending: Sequence[str] = (), scale: int = 100) -> KpiResult:  # fmt: skip
    """A result with its target from ``service_levels.KPIS`` (if it has one), met or not."""
    kpi = next((k for k in sl.KPIS if k.key == key), None)
    status: Status
    if not denominator:
        status = "empty"
    elif kpi is None:
        status = "no_target"
    else:
        value, target = Fraction(len(numerator) * scale, len(denominator)), Fraction(str(kpi.target))
        status = "met" if (value >= target if kpi.direction == "min" else value <= target) else "not_met"
    return KpiResult(
        key, status, tuple(numerator), tuple(denominator), tuple(pending), scale,
        kpi.target if kpi else None, kpi.direction if kpi else None,
        kpi.unit if kpi else "percent", source,
    )  # fmt: skip


def no_data(key: str) -> KpiResult:
    kpi = next(k for k in sl.KPIS if k.key == key)
    return KpiResult(key, "no_data", target=kpi.target, direction=kpi.direction, unit=kpi.unit)


@dataclass(frozen=True)
class KpiReport:
    estate: str
    month: Month
    time_zone: str
    as_of: str  # when it was computed (UTC ISO-8601)
    start: str  # the month's bounds, UTC ISO-8601
    end: str
    orders: int  # orders created in the month
    kpis: tuple[KpiResult, ...]  # in the order of service_levels.KPIS
    stages: tuple[KpiResult, ...]  # in the order of sla.STAGES

    @property
    def due_by(self) -> date:
        return self.month.due_by

    @property
    def month_over(self) -> bool:
        return self.as_of >= self.end

    def kpi(self, key: str) -> KpiResult:
        return next(r for r in (*self.kpis, *self.stages) if r.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "estate": self.estate, "month": str(self.month), "time_zone": self.time_zone,
            "as_of": self.as_of, "start": self.start, "end": self.end,
            "due_by": self.due_by.isoformat(), "month_over": self.month_over,
            "orders": self.orders,
            "kpis": [r.as_dict() for r in self.kpis],
            "stages": [r.as_dict() for r in self.stages],
        }  # fmt: skip


# -- the formulas ------------------------------------------------------------------------------


def repair_timeliness(orders: Sequence[WorkOrder], as_of: datetime, tz: str) -> KpiResult:
    timely: list[str] = []
    counted: list[str] = []
    pending: list[str] = []
    for order in orders:
        if order.kind != "repair":
            continue
        in_time = resolved_in_time(order, tz)
        if in_time is None:  # not resolved: late once its limit has passed
            (status,) = [d.status for d in deadlines(order, as_of, tz) if d.stage == "resolve"]
            if status == "pending":
                pending.append(order.number)
                continue
            in_time = False
        counted.append(order.number)
        if in_time:
            timely.append(order.number)
    return measured("repair_timeliness", timely, counted, "work_orders", pending)


def repair_quality(orders: Sequence[WorkOrder], callbacks: Mapping[str, CallbackOutcome] | None
                   ) -> KpiResult:  # fmt: skip
    """Right first time: never reopened, and the owner satisfied at sign-off (rating ≥ 4) or
    at the callback. A repair with neither verdict yet counts as not (yet) passed."""
    done = [o for o in orders if o.kind == "repair" and "resolved" in o.reached]
    got = callbacks or {}
    passed = [
        o.number for o in done
        if o.reopen_count == 0
        and (o.rating >= SATISFIED_RATING or (o.number in got and got[o.number].satisfied is True))
    ]  # fmt: skip
    source = "work_orders" if callbacks is None else "work_orders+callbacks"
    return measured("repair_quality", passed, [o.number for o in done], source)


def callback_rate(orders: Sequence[WorkOrder], callbacks: Mapping[str, CallbackOutcome] | None,
                  as_of: datetime) -> KpiResult:  # fmt: skip
    source = "callbacks"
    if callbacks is None:  # the orders' own milestone, recorded by the ``callback`` move
        source = "work_orders"
        callbacks = {o.number: CallbackOutcome(o.number, o.reached["callback_done"])
                     for o in orders if "callback_done" in o.reached}  # fmt: skip
    called, counted, pending = [], [], []
    window = timedelta(hours=sl.CALLBACK_WITHIN_H)
    for order in orders:
        if order.kind not in CALLBACK_KINDS or "resolved" not in order.reached:
            continue
        if order.number in callbacks:
            called.append(order.number)
        elif as_of < parse_iso(order.reached["resolved"]) + window:
            pending.append(order.number)  # its callback is not due yet
            continue
        counted.append(order.number)
    return measured("callback_rate", called, counted, source, pending)


def complaints(orders: Sequence[WorkOrder], units: Sequence[str]) -> tuple[KpiResult, KpiResult]:
    """Valid complaints per household (annualised) and how many of them are closed."""
    mine = [o for o in orders if o.kind == "complaint"]
    valid = [o for o in mine if "dispatched" in o.reached]  # a valid complaint is dispatched
    unjudged = [o.number for o in mine if o.state in ("submitted", "acknowledged")]
    rate = measured("valid_complaint_rate", [o.number for o in valid], units, "work_orders",
                    unjudged, scale=MONTHS_A_YEAR * 1000)  # fmt: skip
    closed = [o.number for o in valid if o.state == "closed"]
    handled = measured("complaint_handling_rate", closed, [o.number for o in valid], "work_orders")
    return rate, handled


def satisfaction(answers: Sequence[Answer] | None) -> KpiResult:
    if answers is None:
        return no_data("satisfaction")
    refs = [f"{a.ref}#{a.dimension}" for a in answers]
    happy = [r for r, a in zip(refs, answers, strict=True) if a.satisfied]
    return measured("satisfaction", happy, refs, "callbacks")


def archive_completeness(units: Sequence[str], complete: Collection[str] | None) -> KpiResult:
    if complete is None:
        return no_data("archive_completeness")
    have = frozenset(complete)
    return measured("archive_completeness", [u for u in units if u in have], units, "profiles")


def stage_hits(orders: Sequence[WorkOrder], as_of: datetime, tz: str) -> tuple[KpiResult, ...]:
    """Each SLA stage: met / (met + breached) over the month's orders it applies to."""
    met: dict[str, list[str]] = {s: [] for s in STAGE_NAMES}
    decided: dict[str, list[str]] = {s: [] for s in STAGE_NAMES}
    pending: dict[str, list[str]] = {s: [] for s in STAGE_NAMES}
    for order in orders:
        for d in deadlines(order, as_of, tz):
            if d.status == "pending":
                pending[d.stage].append(order.number)
                continue
            decided[d.stage].append(order.number)
            if d.status == "met":
                met[d.stage].append(order.number)
    return tuple(measured(s, met[s], decided[s], "work_orders", pending[s]) for s in STAGE_NAMES)


def compute(estate: Estate, month: Month, tz: str, as_of: datetime,
            orders: Sequence[WorkOrder], callbacks: Mapping[str, CallbackOutcome] | None = None,
            answers: Sequence[Answer] | None = None,
            complete_profiles: Collection[str] | None = None) -> KpiReport:  # fmt: skip
    """The month's report from its orders (those created in the month) and the other inputs
    (``None``: that source is not available)."""
    start, end = month.bounds(tz)
    units = [keys.unit_id(u.estate, u.building, u.room) for u in estate.units()]
    rate, handled = complaints(orders, units)
    by_key = {
        "collection_rate": no_data("collection_rate"),  # billing is not built yet
        "repair_timeliness": repair_timeliness(orders, as_of, tz),
        "repair_quality": repair_quality(orders, callbacks),
        "callback_rate": callback_rate(orders, callbacks, as_of),
        "valid_complaint_rate": rate,
        "complaint_handling_rate": handled,
        "satisfaction": satisfaction(answers),
        "archive_completeness": archive_completeness(units, complete_profiles),
    }
    return KpiReport(
        estate=estate.slug, month=month, time_zone=tz, as_of=iso(as_of), start=iso(start),
        end=iso(end), orders=len(orders), kpis=tuple(by_key[k.key] for k in sl.KPIS),
        stages=stage_hits(orders, as_of, tz),
    )  # fmt: skip


class MonthlyKpis:
    """Reads a month of an estate and computes its report (what the CLI and, later, the API use).

    DynamoDB: one query per state partition of gsi1 (11, more if a partition's month is over
    1 MB), the estate directory (cached), and whatever the callback and profile sources read.
    """

    def __init__(self, repo: WorkOrderRepository, estates: Estates, clock: Clock, time_zone: str,
                 callbacks: CallbackSource | None = None,
                 profiles: ProfileSource | None = None) -> None:  # fmt: skip
        self.repo, self.estates, self.clock, self.tz = repo, estates, clock, time_zone
        self.callbacks, self.profiles = callbacks, profiles

    def report(self, estate: str, month: Month) -> KpiReport:
        """``NotFound("unknown_estate")`` for an estate the company does not have."""
        found = self.estates.estate(estate)
        as_of = self.clock()
        start, end = (iso(t) for t in month.bounds(self.tz))
        orders = self.repo.created_between(estate, start, end)
        callbacks = answers = complete = None
        if self.callbacks is not None:
            resolved = [o.number for o in orders
                        if o.kind in CALLBACK_KINDS and "resolved" in o.reached]  # fmt: skip
            callbacks = self.callbacks.of_orders(estate, resolved)
            answers = self.callbacks.answers(estate, start, end)
        if self.profiles is not None:
            complete = self.profiles.complete_profiles(estate)
        return compute(found, month, self.tz, as_of, orders, callbacks, answers, complete)
