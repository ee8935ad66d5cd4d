"""A month's KPI results of an estate, frozen when prepared (a snapshot), and its approval.

The figures come from the one KPI module (:class:`portal.workorders.kpi.MonthlyKpis`, targets
from :data:`portal.service_levels.KPIS`); the snapshot keeps, per KPI, the status, value,
target and the counts (the refs stay with the staff report). A missed target (``not_met``)
needs an explanation before the month can be approved; approved = published.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from portal.store import owner_keys
from portal.store.items import Item, text

if TYPE_CHECKING:  # a site build reads snapshots, it makes none
    from portal.workorders.kpi import KpiReport

State = Literal["prepared", "approved"]
PREPARE_FROM_DAY = 3
"""A month is prepared from the 3rd of the next month (its callbacks and time limits
decided), leaving the 3rd to the 5th (:data:`portal.service_levels.KPI_REPORT_DUE_DAY`)
for a supervisor's approval."""
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class KpiFigure:
    key: str
    status: str  # met, not_met, no_data, empty, no_target
    value: float | None
    target: float | None
    direction: str | None
    unit: str
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Snapshot:
    estate: str
    month: str  # YYYY-MM
    due_by: str  # YYYY-MM-DD
    prepared_at: str
    figures: tuple[KpiFigure, ...]
    state: State = "prepared"
    explanations: dict[str, str] = field(default_factory=dict)  # kpi → 情况说明 (zh)
    approved_by: str = ""
    approved_at: str = ""

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.figures if f.status == "not_met")

    @property
    def late(self) -> bool:
        """Approved after the day it was due (the page says so)."""
        return bool(self.approved_at) and self.approved_at[:10] > self.due_by

    def as_dict(self) -> dict[str, Any]:
        return {
            "estate": self.estate, "month": self.month, "due_by": self.due_by,
            "prepared_at": self.prepared_at, "state": self.state,
            "figures": [f.__dict__ for f in self.figures],
            "explanations": dict(self.explanations), "approved_by": self.approved_by,
            "approved_at": self.approved_at,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Snapshot:
        return cls(
            estate=str(d["estate"]), month=str(d["month"]), due_by=str(d["due_by"]),
            prepared_at=str(d["prepared_at"]),
            figures=tuple(KpiFigure(**f) for f in d.get("figures", [])),
            state="approved" if d.get("state") == "approved" else "prepared",
            explanations={str(k): str(v) for k, v in (d.get("explanations") or {}).items()},
            approved_by=str(d.get("approved_by", "")), approved_at=str(d.get("approved_at", "")),
        )  # fmt: skip


def snapshot_of(report: KpiReport) -> Snapshot:
    return Snapshot(
        estate=report.estate, month=str(report.month), due_by=report.due_by.isoformat(),
        prepared_at=report.as_of,
        figures=tuple(KpiFigure(r.key, r.status, None if r.value is None else round(r.value, 2),
                                r.target, r.direction, r.unit, len(r.numerator),
                                len(r.denominator)) for r in report.kpis),
    )  # fmt: skip


def item_of(s: Snapshot) -> Item:
    return {**owner_keys.kpi_snapshot(s.estate, s.month), "state": s.state,
            "snapshot": json.dumps(s.as_dict(), ensure_ascii=False, sort_keys=True)}  # fmt: skip


def snapshot_from(item: Item) -> Snapshot:
    return Snapshot.from_dict(json.loads(text(item, "snapshot")))
