"""The lunar festivals the portal greets owners on, from the ``lunardate`` library.

``lunardate`` (pure Python, its tables cover 1900–2099) converts a Gregorian day to its
lunar month and day; a festival is a lunar date outside a leap month:

==================  =============  ==========
festival            lunar date     greeting
==================  =============  ==========
``spring_festival`` 1st month 1    春节
``lantern``         1st month 15   元宵节
``mid_autumn``      8th month 15   中秋节
==================  =============  ==========
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lunardate import LunarDate

FESTIVALS: dict[str, tuple[int, int]] = {
    "spring_festival": (1, 1),
    "lantern": (1, 15),
    "mid_autumn": (8, 15),
}
"""Festival → (lunar month, lunar day)."""


def festival_on(day: date) -> str | None:
    """The festival that falls on ``day``, if any."""
    lunar = _lunar().from_solar_date(day.year, day.month, day.day)
    if lunar.is_leap_month:
        return None
    return next((name for name, md in FESTIVALS.items() if md == (lunar.month, lunar.day)), None)


def festival_dates(year: int) -> dict[str, date]:
    """Each festival's Gregorian date in ``year`` (the lunar year that begins in it)."""
    lunar = _lunar()
    return {name: lunar(year, month, day, False).to_solar_date()
            for name, (month, day) in FESTIVALS.items()}  # fmt: skip


def _lunar() -> type[LunarDate]:
    # Imported when a day is looked at (the daily job), not when the API starts.
    from lunardate import LunarDate

    return LunarDate
