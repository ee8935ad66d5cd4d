"""What a critical notice is, which notices may ask for acknowledgement, and coverage.

The flag lives in one place: a notice's front matter ``acknowledge: true``
(:data:`ACKNOWLEDGE_FIELD`), allowed only on the categories of
:data:`ACKNOWLEDGE_CATEGORIES` (停水停电 and 安全), the rule of :mod:`.rules`, re-exported
here. The site's reader (:mod:`portal.site.sources`) and whatever else writes notices (staff
publishing) check it with :func:`may_ask`, and register a :class:`CriticalNotice` for the API.

A household is a unit: it counts once, whoever bound to it acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.acknowledgements.rules import ACKNOWLEDGE_CATEGORIES, ACKNOWLEDGE_FIELD, may_ask
from portal.clock import parse_iso

__all__ = [
    "ACKNOWLEDGE_CATEGORIES",
    "ACKNOWLEDGE_FIELD",
    "Acknowledged",
    "BuildingCoverage",
    "Coverage",
    "CriticalNotice",
    "OwnerNotice",
    "UnreadUnit",
    "may_ask",
]



@dataclass(frozen=True)
class CriticalNotice:
    """A notice that asks the households of its estate (or buildings) to acknowledge it."""

    estate: str
    notice: str  # the notice's slug (its page: notices/<slug>/)
    title_zh: str
    title_en: str
    category: str
    buildings: tuple[str, ...]  # () = every building of the estate
    published: str  # UTC ISO-8601
    expires: str = ""  # UTC ISO-8601; "" = no expiry

    def active(self, now: datetime) -> bool:
        if parse_iso(self.published) > now:
            return False
        return not self.expires or parse_iso(self.expires) > now

    def targets(self, building: str) -> bool:
        return not self.buildings or building in self.buildings

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_zh


@dataclass(frozen=True)
class Acknowledged:
    """A household's acknowledgement: the unit, who in it, when."""

    building: str
    room: str
    owner_id: str
    at: str  # UTC ISO-8601


@dataclass(frozen=True)
class OwnerNotice:
    """A critical notice for one of the owner's units, and whether the household gave 已知晓."""

    notice: CriticalNotice
    building: str
    room: str
    acknowledged_at: str = ""


@dataclass(frozen=True)
class UnreadUnit:
    """A targeted unit nobody in which acknowledged: whom to call or visit (phones masked)."""

    building: str
    room: str
    residents: tuple[tuple[str, str], ...]  # (name, masked phone)


@dataclass(frozen=True)
class BuildingCoverage:
    building: str
    acknowledged: int
    targeted: int
    unread: tuple[UnreadUnit, ...]


@dataclass(frozen=True)
class Coverage:
    notice: CriticalNotice
    buildings: tuple[BuildingCoverage, ...]

    @property
    def acknowledged(self) -> int:
        return sum(b.acknowledged for b in self.buildings)

    @property
    def targeted(self) -> int:
        return sum(b.targeted for b in self.buildings)
