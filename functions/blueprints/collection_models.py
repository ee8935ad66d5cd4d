"""Request and response models of the collection-rate and arrears routes (the contract).

Amounts are integer fen (``*_fen``) and yuan with two decimals (``*_yuan``); rates are
percentages with two decimals as strings (``"97.35"``), ``null`` when nothing was billed;
every rate comes with its numerator and denominator.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from functions.fields import CODE, SLUG, no_default
from functions.model import ApiModel
from portal.billing.money import yuan
from portal.finance.arrears import BUCKETS, ArrearsList, RemindReport, UnitArrears
from portal.finance.collection import CollectionReport, Figures
from portal.store.items import Item, text, whole

PERIOD = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
"""A period the ledger keeps (2000–2099)."""
UNIT_ID = r"^[a-z0-9][a-z0-9-]{0,39}/[0-9A-Za-z-]{1,20}/[0-9A-Za-z-]{1,20}$"


class CollectionQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    period: str = Field(pattern=PERIOD, description="`YYYY-MM`")
    building: str | None = Field(default=None, pattern=CODE,
                                 description="Drill down to one building's units.",
                                 json_schema_extra=no_default)  # fmt: skip


class ExportQuery(CollectionQuery):
    format: Literal["xlsx", "csv"] = "xlsx"


class ArrearsQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    building: str | None = Field(default=None, pattern=CODE, json_schema_extra=no_default)


class ArrearsExportQuery(ArrearsQuery):
    format: Literal["xlsx", "csv"] = "xlsx"


class FiguresOut(ApiModel):
    billed_fen: int = Field(description="应收")
    billed_yuan: str
    paid_fen: int = Field(description="实收")
    paid_yuan: str
    outstanding_fen: int
    outstanding_yuan: str
    rate_amount: str | None = Field(description="实收 / 应收, %.")
    households: int = Field(description="Households billed.")
    paid_households: int = Field(description="Households with every bill of the period paid.")
    rate_households: str | None = Field(description="paid households / households, %.")

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        ra, rh = f.rate_amount, f.rate_households
        return cls(billed_fen=f.billed_fen, billed_yuan=yuan(f.billed_fen), paid_fen=f.paid_fen,
                   paid_yuan=yuan(f.paid_fen), outstanding_fen=f.outstanding_fen,
                   outstanding_yuan=yuan(f.outstanding_fen),
                   rate_amount=None if ra is None else str(ra), households=f.households,
                   paid_households=f.paid_households,
                   rate_households=None if rh is None else str(rh))  # fmt: skip


class NamedFigures(FiguresOut):
    key: str = Field(description="A building's code, a period or a unit id.")


class CollectionDayOut(ApiModel):
    day: str
    paid_fen: int
    rate: str | None
    target: str


class CollectionUnitOut(NamedFigures):
    arrears_fen: int = Field(description="Outstanding on earlier periods' bills.")
    arrears_yuan: str


class CollectionOut(ApiModel):
    estate: str
    period: str
    today: str
    target: str = Field(description="The rate's target, %.")
    total: FiguresOut
    arrears_recovered_fen: int = Field(description="Paid this month on earlier periods' bills "
                                       "(not in this period's rate).")  # fmt: skip
    arrears_recovered_yuan: str
    arrears_recovered_households: int
    buildings: list[NamedFigures]
    trend: list[NamedFigures] = Field(description="The last 12 periods, oldest first.")
    daily: list[CollectionDayOut] = Field(description="The period's month day by day, to today.")
    units: list[CollectionUnitOut] = Field(description="A building's drill-down only.")

    @classmethod
    def of(cls, r: CollectionReport) -> CollectionOut:
        def named(key: str, f: Figures) -> NamedFigures:
            return NamedFigures(key=key, **FiguresOut.of(f).model_dump())

        return cls(
            estate=r.estate, period=r.period, today=r.today, target=str(r.target),
            total=FiguresOut.of(r.total), arrears_recovered_fen=r.arrears_recovered_fen,
            arrears_recovered_yuan=yuan(r.arrears_recovered_fen),
            arrears_recovered_households=r.arrears_recovered_households,
            buildings=[named(b, f) for b, f in r.buildings.items()],
            trend=[named(p, f) for p, f in r.trend],
            daily=[CollectionDayOut(day=d.day, paid_fen=d.paid_fen, rate=None if d.rate is None else str(d.rate),
                          target=str(d.target)) for d in r.daily],
            units=[CollectionUnitOut(key=u.unit.unit_id, arrears_fen=u.arrears_fen,
                           arrears_yuan=yuan(u.arrears_fen), **FiguresOut.of(u.figures).model_dump())
                   for u in r.units],
        )  # fmt: skip


class UnitArrearsOut(ApiModel):
    unit_id: str
    building: str
    room: str
    by_bucket: dict[str, int] = Field(description="Fen per age bucket (d0_30, d31_90, d91_180, d181).")
    total_fen: int
    total_yuan: str
    oldest_days: int
    bills: list[str]
    owners: list[str] = Field(description="Names with masked phones.")

    @classmethod
    def of(cls, u: UnitArrears) -> UnitArrearsOut:
        return cls(unit_id=u.unit_id, building=u.building, room=u.room, by_bucket=u.by_bucket,
                   total_fen=u.total_fen, total_yuan=yuan(u.total_fen), oldest_days=u.oldest_days,
                   bills=[b.bill_id for b in u.bills], owners=list(u.owners))  # fmt: skip


class BucketOut(ApiModel):
    key: str
    first_day: int
    last_day: int | None
    total_fen: int
    total_yuan: str


class ArrearsOut(ApiModel):
    estate: str
    today: str
    total_fen: int
    total_yuan: str
    buckets: list[BucketOut]
    units: list[UnitArrearsOut]

    @classmethod
    def of(cls, a: ArrearsList) -> ArrearsOut:
        by = a.by_bucket
        return cls(estate=a.estate, today=a.today, total_fen=a.total_fen, total_yuan=yuan(a.total_fen),
                   buckets=[BucketOut(key=k, first_day=f, last_day=t, total_fen=by[k],
                                      total_yuan=yuan(by[k])) for k, f, t in BUCKETS],
                   units=[UnitArrearsOut.of(u) for u in a.units])  # fmt: skip


class RemindIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    units: list[Annotated[str, Field(pattern=UNIT_ID)]] = Field(default_factory=list, max_length=2000,
                             description="Unit ids (`estate/building/room`); empty: every unit "
                             "in arrears.")  # fmt: skip


class RemindOut(ApiModel):
    sent: list[str] = Field(description="Owners reminded now (masked phones).")
    skipped: list[str] = Field(description="Reminded within the last days: not again.")
    without_phone: int
    every_days: int

    @classmethod
    def of(cls, r: RemindReport, days: int) -> RemindOut:
        return cls(sent=list(r.sent), skipped=list(r.skipped), without_phone=r.without_phone,
                   every_days=days)  # fmt: skip


class ReminderOut(ApiModel):
    at: str
    by: str
    name: str
    phone: str = Field(description="Masked.")
    units: list[str]
    total_fen: int
    total_yuan: str
    state: str
    due_at: str
    sent_at: str

    @classmethod
    def of(cls, i: Item) -> ReminderOut:
        units = i.get("units") or []
        return cls(at=text(i, "at"), by=text(i, "by"), name=text(i, "name"), phone=text(i, "phone"),
                   units=[str(u) for u in units] if isinstance(units, list) else [],
                   total_fen=whole(i, "total_fen"), total_yuan=yuan(whole(i, "total_fen")),
                   state=text(i, "state"), due_at=text(i, "due_at"), sent_at=text(i, "sent_at"))  # fmt: skip


class ReminderList(ApiModel):
    estate: str
    reminders: list[ReminderOut]
