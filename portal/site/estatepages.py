"""An estate's own pages: its home, its notice lists and their archives, its buildings' lists.

What the home shows moves with time, by rules kept here as tables:

- "latest" shows a live notice only for :data:`LATEST_DAYS` after it was published (a
  summer tip without an expiry stays in the lists, not on the home in November);
- the month's campaign names its next event (the first not yet over) and the campaign
  page marks the events that are over;
- an expired notice leaves the lists for the estate's archive, per category, paged.

:func:`portal.site.moments.next_change` reads the same rules (:func:`moments_of`), so the
site-clock job rebuilds these pages when one of those moments comes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from portal.estates.model import Estate
from portal.site.model import NOTICE_CATEGORIES, Campaign, CampaignEvent, Issue, Notice, SiteModel
from portal.site.pagekit import Page, listed, notice_state, out_path, paginate

HOME_LATEST = 8
LATEST_DAYS = 60
"""How long a notice is "latest" on the estate home (it stays in the lists until it expires)."""
FEED_SIZE = 20
BUILDING_LIST = 50
ARCHIVE = "archive/"
"""The archive's folder under an estate's ``notices/`` (no category is called so)."""

Chunks = list[tuple[int, int, list[Notice], tuple[str, ...]]]
"""[(page number, pages, notices, their states)]"""


def next_event(campaign: Campaign | None, now: datetime) -> CampaignEvent | None:
    """The campaign's first event not yet over (what the home names)."""
    if campaign is None:
        return None
    return next((ev for ev in campaign.events if ev.end > now), None)


def events_over(campaign: Campaign, now: datetime) -> int:
    """How many of the campaign's events are over (the page marks them): a page input."""
    return sum(1 for ev in campaign.events if ev.end <= now)


def latest_until(n: Notice) -> datetime:
    """When a notice stops being "latest" on its estate's home."""
    return n.published + timedelta(days=LATEST_DAYS)


def moments_of(model: SiteModel) -> Iterator[datetime]:
    """Every moment these rules change a page: a notice's end as "latest", an event's end."""
    for n in model.notices:
        yield latest_until(n)
    yield from campaign_moments(model)


def campaign_moments(model: SiteModel) -> Iterator[datetime]:
    """The ends of the campaigns' events (the home names the next; the page marks those over)."""
    for campaigns in model.campaigns.values():
        for c in campaigns.values():
            for ev in c.events:
                yield ev.end


@dataclass
class _EstateLists:
    live: list[Notice]
    highlighted: list[Notice]
    latest: list[Notice]
    home_states: tuple[str, ...]
    by_category: list[tuple[str | None, Chunks]]
    archived: list[tuple[str | None, Chunks]]
    """The expired notices, recently expired first, for the categories that have any."""
    archive_counts: dict[str, int]
    """Category ("" for all) → how many expired notices its archive holds."""


LISTS_MEMO: dict[str, _EstateLists] = {}
"""Per plan (cleared at its start): an estate's lists, the same in every language."""


def _chunks(items: list[Notice], now: datetime) -> Chunks:
    return [
        (number, total, chunk, tuple(notice_state(n, now) for n in chunk))
        for number, total, chunk in paginate(items)
    ]


def _estate_lists(slug: str, notices: list[Notice], now: datetime) -> _EstateLists:
    memo = LISTS_MEMO.get(slug)
    if memo is not None:
        return memo
    live = listed(notices, now)
    # Urgent first (a burst pipe before a fee reminder), then pinned; newest first within each.
    highlighted = sorted((n for n in live if n.pinned or n.urgent), key=lambda n: not n.urgent)
    since = now - timedelta(days=LATEST_DAYS)
    latest = [n for n in live if not (n.pinned or n.urgent) and n.published > since][:HOME_LATEST]
    expired = sorted((n for n in notices if n.expired(now)),
                     key=lambda n: (n.expires or now).timestamp(), reverse=True)  # fmt: skip
    by_category, archived, counts = [], [], {}
    for category in (None, *NOTICE_CATEGORIES):
        items = live if category is None else [n for n in live if n.category == category]
        by_category.append((category, _chunks(items, now)))
        old = expired if category is None else [n for n in expired if n.category == category]
        counts[category or ""] = len(old)
        if old:
            archived.append((category, _chunks(old, now)))
    lists = _EstateLists(
        live, highlighted, latest,
        tuple(notice_state(n, now) for n in highlighted + latest), by_category, archived, counts,
    )  # fmt: skip
    LISTS_MEMO[slug] = lists
    return lists


def estate_pages(
    estate: Estate, notices: list[Notice], lang: str, common: dict[str, Any],
    current: Campaign | None, current_key: str, latest_issue: Issue | None, issue_key: str,
    now: datetime,
) -> list[Page]:  # fmt: skip
    pages: list[Page] = []
    base = f"estates/{estate.slug}/"
    ctx = {**common, "estate": estate}
    lists = _estate_lists(estate.slug, notices, now)
    live, highlighted, latest = lists.live, lists.highlighted, lists.latest
    upcoming = next_event(current, now)
    upcoming_key = str(current.events.index(upcoming)) if current and upcoming else "-"
    pages.append(Page(out_path(base, lang), "estate.html", lang,
                      (current_key, upcoming_key, issue_key, *lists.home_states), {
                          **ctx, "path": base, "highlighted": highlighted, "latest": latest,
                          "campaign": current, "next_event": upcoming, "issue": latest_issue,
                          "categories": NOTICE_CATEGORIES,
                      }))  # fmt: skip
    counts = lists.archive_counts
    for category, chunks in lists.by_category:
        list_base = base + "notices/" + (f"{category}/" if category else "")
        archive_count = counts[category or ""]
        for number, total, chunk, states in chunks:
            path = list_base if number == 1 else f"{list_base}page/{number}/"
            pages.append(Page(out_path(path, lang), "notice_list.html", lang,
                              (str(total), str(archive_count), *states), {
                                  **ctx, "path": path, "category": category, "notices": chunk,
                                  "page": number, "pages": total, "list_base": list_base,
                                  "categories": NOTICE_CATEGORIES, "archive": False,
                                  "archive_count": archive_count,
                                  "archive_base": base + "notices/" + ARCHIVE
                                  + (f"{category}/" if category else ""),
                              }))  # fmt: skip
    archive_root = base + "notices/" + ARCHIVE
    archived_categories = [c for c, _ in lists.archived if c]
    for category, chunks in lists.archived:
        list_base = archive_root + (f"{category}/" if category else "")
        for number, total, chunk, states in chunks:
            path = list_base if number == 1 else f"{list_base}page/{number}/"
            pages.append(Page(out_path(path, lang), "notice_list.html", lang,
                              (str(total), *archived_categories, "|", *states), {
                                  **ctx, "path": path, "category": category, "notices": chunk,
                                  "page": number, "pages": total, "list_base": list_base,
                                  "categories": archived_categories, "archive": True,
                                  "archive_count": counts[category or ""],
                                  "archive_base": archive_root,
                              }))  # fmt: skip
    feed = live[:FEED_SIZE]
    pages.append(Page(out_path(base + "feed.xml", lang), "feed.xml", lang,
                      tuple(notice_state(n, now) for n in feed), {
                          **ctx, "path": base + "feed.xml", "notices": feed,
                          "updated": max((n.published for n in feed), default=now),
                      }))  # fmt: skip
    for b in estate.buildings:  # a building's owners: whole-estate notices and their building's
        path, mine = f"{base}buildings/{b.code}/", [n for n in live if not n.buildings or b.code
                                                    in n.buildings][:BUILDING_LIST]  # fmt: skip
        pages.append(Page(out_path(path, lang), "building_notices.html", lang,
                          tuple(notice_state(n, now) for n in mine),
                          {**ctx, "path": path, "building": b, "notices": mine}))  # fmt: skip
    pages.append(Page(out_path(base + "service/", lang), "service.html", lang, (),
                      {**ctx, "path": base + "service/"}))  # fmt: skip
    pages.append(Page(out_path(base + "fees/", lang), "fees.html", lang, (),
                      {**ctx, "path": base + "fees/"}))  # fmt: skip
    return pages
