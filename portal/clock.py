"""Time, injectable: rules that depend on "now" take a clock, so tests never sleep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]

DEFAULT_TIME_ZONE = "Asia/Shanghai"
"""The time zone of an estate that names none, and the settings' default (the one place)."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """UTC ISO-8601 with seconds, the storage format of every timestamp."""
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def zone(name: str = DEFAULT_TIME_ZONE) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar day ``moment`` falls on in ``tz`` (an estate's day, not UTC's)."""
    return moment.astimezone(tz).date()


def local_text(moment: datetime, tz: ZoneInfo, with_time: bool = True) -> str:
    """``2026-11-22 10:00`` (or ``2026-11-22``) in ``tz``."""
    local = moment.astimezone(tz)
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
