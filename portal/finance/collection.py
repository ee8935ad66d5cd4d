"""The collection rate (收缴率): per estate, building and period, by amount and by household.

The formulas (:data:`FORMULAS`, the one statement of them, read by the code, the pages and
the tests):

==========================  ======================================================  ==========
figure                      formula                                                 target
==========================  ======================================================  ==========
``rate_amount``             实收 / 应收: paid on the period's bills / their amount   ≥ 98%
``rate_households``         paid households / billed households (a household is     —
                            paid when every bill of the period is paid in full)
``arrears_recovered_fen``   what receipts dated in the period's month paid on        —
                            bills of earlier periods (欠费回收, kept apart)
``daily``                   day by day in the period's month: paid on its bills by   the line to
                            receipts dated up to that day / 应收                     98% at month end
==========================  ======================================================  ==========

Amounts are integer fen; a rate is a percentage with two decimals, rounded half up
(:func:`rate`), ``None`` when nothing was billed. 实收 of the period is the bills' paid
amounts now (refunds given back are not collected); the daily path and the arrears
recovered come from the receipts (what was paid when), which refunds do not change.

The data, in a handful of queries whatever the number of units: the estate's units (stored,
as the billing run reads them), the estate's bills of the trend's periods (one query on gsi2,
:meth:`~portal.billing.bills.BillRepository.of_estate`, a page per MB), for a building's
drill-down the estate's unpaid bills (the arrears index, one query), and the receipts of the
years around the period (one query each). Bills issued before the gsi2 key existed get it
from :meth:`~portal.billing.bills.BillRepository.backfill_estate_index`
(``portal collection backfill``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portal.accounts import policy
from portal.accounts.identity import Identity
from portal.accounts.policy import Target
from portal.billing.bills import BillRepository
from portal.billing.model import Bill, UnitKey, check_period
from portal.clock import Clock, local_day, parse_iso, zone
from portal.store import billing_keys, keys
from portal.store.items import text, whole
from portal.store.table import Table

TARGET_PERCENT = Decimal(98)
"""The fee collection rate's target (PRODUCT.md §3: ≥ 98%)."""
FORMULAS: Mapping[str, tuple[str, str]] = {
    "rate_amount": ("paid_fen", "billed_fen"),
    "rate_households": ("paid_households", "households"),
}
"""rate → (numerator, denominator) attributes of :class:`Figures`."""
TREND_PERIODS = 12


def rate(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` as a percentage, two decimals, half up; ``None`` for 0/0."""
    if denominator <= 0:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    billed_fen: int = 0
    paid_fen: int = 0
    households: int = 0
    paid_households: int = 0

    @property
    def outstanding_fen(self) -> int:
        return self.billed_fen - self.paid_fen

    def rate_of(self, name: str) -> Decimal | None:
        num, den = FORMULAS[name]
        return rate(getattr(self, num), getattr(self, den))

    @property
    def rate_amount(self) -> Decimal | None:
        return self.rate_of("rate_amount")

    @property
    def rate_households(self) -> Decimal | None:
        return self.rate_of("rate_households")

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.billed_fen + other.billed_fen, self.paid_fen + other.paid_fen,
                       self.households + other.households,
                       self.paid_households + other.paid_households)  # fmt: skip


def figures(bills: Iterable[Bill]) -> Figures:
    """The figures of one household's bills of one period (or of none: nothing billed)."""
    chosen = list(bills)
    if not chosen:
        return Figures()
    billed, paid = (
        sum(b.amount_fen for b in chosen),
        sum(min(b.paid_fen, b.amount_fen) for b in chosen),
    )
    return Figures(billed, paid, 1, int(paid >= billed))


@dataclass(frozen=True)
class UnitLine:
    unit: UnitKey
    figures: Figures
    bills: tuple[Bill, ...]
    arrears_fen: int
    """Outstanding on bills of earlier periods."""


@dataclass(frozen=True)
class DayPoint:
    day: str
    paid_fen: int
    rate: Decimal | None
    target: Decimal
    """Where a straight path to 98% at the month's end stands on this day."""


@dataclass(frozen=True)
class CollectionReport:
    estate: str
    period: str
    today: str
    total: Figures
    buildings: dict[str, Figures]
    arrears_recovered_fen: int
    arrears_recovered_households: int
    trend: tuple[tuple[str, Figures], ...]
    daily: tuple[DayPoint, ...]
    target: Decimal = TARGET_PERCENT
    units: tuple[UnitLine, ...] = field(default=())
    """Filled for a building's drill-down only."""


def periods_back(period: str, n: int) -> list[str]:
    """``n`` periods ending with ``period``, oldest first."""
    y, m = int(period[:4]), int(period[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


class Collection:
    def __init__(self, table: Table, bills: BillRepository, clock: Clock, time_zone: str) -> None:
        self.table, self.bills, self.clock, self.tz = table, bills, clock, time_zone

    def units(self, estate: str, building: str | None = None) -> list[UnitKey]:
        items = self.table.iter_query(keys.estate_partition(estate), prefix=keys.units_prefix(building),
                                      attributes=("building", "room"))  # fmt: skip
        return [UnitKey(estate, text(i, "building"), text(i, "room")) for i in items]

    def bills_of(self, estate: str, periods: Sequence[str],
                 units: Sequence[UnitKey]) -> dict[UnitKey, list[Bill]]:  # fmt: skip
        """The bills of ``periods`` (consecutive) per unit: one query for the estate."""
        out: dict[UnitKey, list[Bill]] = {u: [] for u in units}
        for b in self.bills.of_estate(estate, periods[0], periods[-1]):
            got = out.get(b.unit)
            if got is not None:  # a listed unit (of the building, for a drill-down)
                got.append(b)
        return out

    def receipts(self, estate: str, years: Iterable[int]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for year in sorted(set(years)):
            out += self.table.query_all(receipt_partition(estate, year))
        return out

    def report(self, identity: Identity | None, estate: str, period: str,
               building: str | None = None) -> CollectionReport:  # fmt: skip
        """The estate's (or one building's, with its units) collection of ``period``."""
        if identity is not None:
            policy.require(identity, "collection.read", Target(estate=estate))
        check_period(period)
        units = self.units(estate, building)
        trend_periods = periods_back(period, TREND_PERIODS)
        bills = self.bills_of(estate, trend_periods, units)
        today = local_day(self.clock(), zone(self.tz))
        per_unit = {u: figures(b for b in bills[u] if b.period == period) for u in units}
        total = sum(per_unit.values(), Figures())
        buildings: dict[str, Figures] = {}
        for u, f in per_unit.items():
            buildings[u.building] = buildings.get(u.building, Figures()) + f
        trend = tuple((p, sum((figures(b for b in bills[u] if b.period == p) for u in units), Figures()))
                      for p in trend_periods)  # fmt: skip
        year = int(period[:4])
        receipts = [r for r in self.receipts(estate, (year - 1, year, year + 1))
                    if not building or text(r, "building") == building]  # fmt: skip
        recovered, households = self._recovered(receipts, period)
        lines: tuple[UnitLine, ...] = ()
        if building is not None:
            arrears: dict[UnitKey, int] = {}
            for b in self.bills.unpaid_in_estate(estate):
                if b.unit.building == building and b.period < period:
                    arrears[b.unit] = arrears.get(b.unit, 0) + b.outstanding_fen
            lines = tuple(UnitLine(u, per_unit[u], tuple(b for b in bills[u] if b.period == period),
                                   arrears.get(u, 0))
                          for u in units)  # fmt: skip
        return CollectionReport(
            estate=estate, period=period, today=today.isoformat(), total=total,
            buildings=dict(sorted(buildings.items(), key=lambda kv: _code_order(kv[0]))),
            arrears_recovered_fen=recovered, arrears_recovered_households=households,
            trend=trend, daily=self._daily(receipts, period, total.billed_fen, today), units=lines,
        )  # fmt: skip

    def _local_day(self, at: str) -> str:
        return local_day(parse_iso(at), zone(self.tz)).isoformat() if at else ""

    def _recovered(self, receipts: Sequence[Mapping[str, Any]], period: str) -> tuple[int, int]:
        fen, units = 0, set()
        for r in receipts:
            if self._local_day(text(r, "paid_at"))[:7] != period:
                continue
            for ln in r.get("lines") or []:
                if isinstance(ln, dict) and text(ln, "period") < period:
                    fen += whole(ln, "fen")
                    units.add(text(r, "unit_id"))
        return fen, len(units)

    def _daily(self, receipts: Sequence[Mapping[str, Any]], period: str, billed: int,
               today: date) -> tuple[DayPoint, ...]:  # fmt: skip
        y, m = int(period[:4]), int(period[5:7])
        days = calendar.monthrange(y, m)[1]
        by_day: dict[str, int] = {}
        for r in receipts:
            paid_on = self._local_day(text(r, "paid_at"))
            for ln in r.get("lines") or []:
                if isinstance(ln, dict) and text(ln, "period") == period:
                    by_day[paid_on] = by_day.get(paid_on, 0) + whole(ln, "fen")
        before = sum(v for d, v in by_day.items() if d < f"{period}-01")
        out, running = [], before
        for d in range(1, days + 1):
            day = date(y, m, d)
            if day > today:
                break
            running += by_day.get(day.isoformat(), 0)
            target = (TARGET_PERCENT * d / days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            out.append(DayPoint(day.isoformat(), running, rate(running, billed), target))
        return tuple(out)


def _code_order(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (1 << 30, code)


def receipt_partition(estate: str, year: int) -> str:
    """The receipts of an estate's year (the partition of :func:`billing_keys.receipt`)."""
    return billing_keys.receipt(estate, year, 0)["pk"]
