"""The lunar festivals the portal greets owners on, from the ``lunar_python`` library.

``lunar_python`` (6tail's lunar calendar, MIT, pure Python, actively kept) converts a
Gregorian day to its lunar month and day (a leap month is negative); a festival is a
lunar date outside a leap month:

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
    from types import ModuleType

FESTIVALS: dict[str, tuple[int, int]] = {
    "spring_festival": (1, 1),
    "lantern": (1, 15),
    "mid_autumn": (8, 15),
}
"""Festival → (lunar month, lunar day)."""


def festival_on(day: date) -> str | None:
    """The festival that falls on ``day``, if any."""
    lunar = _lunar().Solar.fromYmd(day.year, day.month, day.day).getLunar()
    month, lunar_day = int(lunar.getMonth()), int(lunar.getDay())
    if month < 0:  # a leap month: no festival
        return None
    return next((name for name, md in FESTIVALS.items() if md == (month, lunar_day)), None)


def festival_dates(year: int) -> dict[str, date]:
    """Each festival's Gregorian date in ``year`` (the lunar year that begins in it)."""
    lib = _lunar()
    out: dict[str, date] = {}
    for name, (month, day) in FESTIVALS.items():
        solar = lib.Lunar.fromYmd(year, month, day).getSolar()
        out[name] = date(int(solar.getYear()), int(solar.getMonth()), int(solar.getDay()))
    return out


def _lunar() -> ModuleType:
    # Imported when a day is looked at (the daily job), not when the API starts.
    import lunar_python

    module: ModuleType = lunar_python
    return module
