"""The service commitments: response times, the escalation ladder and KPI targets.

Each rule lives here once. The commitments page renders these numbers; later
the work-order clock, the escalation job and the KPI report compute with them.
Names and descriptions are in the catalogs under ``service.*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

# 15-30-60: acknowledged, dispatched, progress/solution fed back (minutes after submission).
ACKNOWLEDGE_MIN = 15
DISPATCH_MIN = 30
FEEDBACK_MIN = 60
TECHNICIAN_ON_SITE_MIN = 10  # after dispatch, for an on-site repair
CALLBACK_WITHIN_H = 24  # after completion, for repairs and complaints
MINOR_REPAIR_RESOLVE_H = 24
"""零修立即处理 ("minor repairs at once"), read as: resolved within 24 hours of the report.
Emergency repairs (急修不过夜) are resolved before the end of the local day they came in."""
QUIET_HOURS = (22, 8)
"""No message to an owner from 22:00 to 08:00 local time, except about an emergency."""


def after_quiet_hours(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` if a message may go to an owner then, else the end of the quiet hours
    (08:00 local, the same or the next morning)."""
    start, end = QUIET_HOURS
    local = moment.astimezone(tz)
    if end <= local.hour < start:
        return moment
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    return morning if local.hour < end else morning + timedelta(days=1)

# Unresolved after N days → who follows it up (day 1 butler … beyond day 3 project manager).
ESCALATION_LADDER: tuple[tuple[int, str], ...] = (
    (1, "butler"),
    (2, "foreman"),
    (3, "supervisor"),
    (4, "project_manager"),
)


@dataclass(frozen=True)
class Kpi:
    key: str
    target: float
    direction: Literal["min", "max"]  # the result must be at least / at most the target
    unit: Literal["percent", "permille"]


KPIS: tuple[Kpi, ...] = (
    Kpi("collection_rate", 98.0, "min", "percent"),
    Kpi("repair_timeliness", 99.0, "min", "percent"),
    Kpi("repair_quality", 100.0, "min", "percent"),
    Kpi("callback_rate", 100.0, "min", "percent"),
    Kpi("valid_complaint_rate", 2.0, "max", "permille"),
    Kpi("complaint_handling_rate", 100.0, "min", "percent"),
    Kpi("satisfaction", 90.0, "min", "percent"),
    Kpi("archive_completeness", 100.0, "min", "percent"),
)
KPI_REPORT_DUE_DAY = 5  # monthly figures are due by the 5th of the next month
