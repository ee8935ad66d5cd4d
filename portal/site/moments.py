"""When the site next changes by itself: the next publish or expiry time, or local midnight.

Also the moments of the estate pages' own rules (:func:`portal.site.estatepages.moments_of`):
a notice stops being "latest" on the home, a campaign's event is over.

A built site is right until the first of these moments after its ``now``: a scheduled
notice appears, one expires and leaves the lists, or a day (and with it, on the first,
the month's campaign) begins in an estate's time zone. The scheduled rebuild
(:mod:`portal.publishing.clockwork`) rebuilds at that moment, and not before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.clock import zone
from portal.site.estatepages import campaign_moments, latest_until
from portal.site.model import ContentSource, Notice, SiteModel

__all__ = ["ContentSource", "next_change", "next_midnight", "notice_moment", "site_moment"]


def next_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)


def next_change(model: SiteModel, also: Iterable[datetime] = ()) -> datetime:
    """The first moment after ``model.now`` at which some page shows something else."""
    now = model.now
    moments = [site_moment(model)]
    moments += [t for n in model.notices if (t := notice_moment(n, now)) is not None]
    moments += [t for t in also if t > now]
    return min(moments)


def site_moment(model: SiteModel) -> datetime:
    """The first such moment that is not a notice's: an estate's midnight, an event's end."""
    now = model.now
    zones = {zone()} | {e.tz for e in model.company.estates if e.time_zone}
    moments = [next_midnight(now, tz) for tz in zones]
    moments += [t for t in campaign_moments(model) if t > now]
    return min(moments)


def notice_moment(n: Notice, now: datetime) -> datetime | None:
    """The first moment after ``now`` at which ``n`` changes a page: it is published, it
    expires, it stops being "latest" on the home (None: it never will again)."""
    first = None
    for t in (n.published, n.expires, latest_until(n)):
        if t is not None and t > now and (first is None or t < first):
            first = t
    return first
