"""The page plan: every output file, its template, its context and its fingerprint.

A page's fingerprint hashes exactly the inputs it shows (the digests of the
notices on a list page, the month highlighted on the calendar...) plus the
site-wide inputs (templates, translations, CSS, company). The builder rewrites
a page only when its fingerprint changed, so editing one notice rewrites that
notice and the pages that list it, and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from portal.clock import zone
from portal.commitments import published
from portal.estates.model import Estate
from portal.i18n import LANGS
from portal.service_levels import (
    ACKNOWLEDGE_MIN,
    CALLBACK_WITHIN_H,
    DISPATCH_MIN,
    ESCALATION_LADDER,
    FEEDBACK_MIN,
    KPIS,
    TECHNICIAN_ON_SITE_MIN,
)
from portal.site.accountpages import ACCOUNT_PAGES, account_context
from portal.site.model import NOTICE_CATEGORIES, Campaign, Issue, Notice, SiteModel
from portal.site.security import CSP, policy
from portal.site.staffpages import ROSTER_TEMPLATE, roster_template

PAGE_SIZE = 20
HOME_LATEST = 8
FEED_SIZE = 20
BUILDING_LIST = 50
TZ = zone()  # the company default; an estate may name its own


def url(path: str, lang: str) -> str:
    """Root-relative URL of a page path ('' is the home page) in a language."""
    prefix = "/en/" if lang == "en" else "/"
    return prefix + path


def out_path(path: str, lang: str) -> str:
    """Output file for a page path: directories get an index.html."""
    base = ("en/" if lang == "en" else "") + path
    return base + "index.html" if base.endswith("/") or base == "" else base


@dataclass
class Page:
    out: str
    template: str  # a Jinja template, or "ics:" for generated files
    lang: str
    inputs: tuple[str, ...]
    ctx: dict[str, Any] = field(default_factory=dict)
    _fingerprint: tuple[str, str] = field(default=("", ""), repr=False, compare=False)

    def fingerprint(self, site_hash: str) -> str:
        if self._fingerprint[0] == site_hash:  # a page planned again from the memo
            return self._fingerprint[1]
        data = "\0".join((site_hash, self.out, self.template, self.lang, *self.inputs))
        value = hashlib.blake2b(data.encode(), digest_size=16).hexdigest()
        self._fingerprint = (site_hash, value)
        return value


def _notice_state(n: Notice, now: datetime) -> str:
    """What a listing shows of a notice changes with its content and whether it expired."""
    state = _STATE_MEMO.get(id(n))
    if state is None:
        state = _STATE_MEMO[id(n)] = f"{n.digest}:{int(n.expired(now))}"
    return state


_STATE_MEMO: dict[int, str] = {}
"""Per plan (cleared at its start, so ``now`` is fixed): notice id → its state."""


def notice_url(n: Notice, lang: str) -> str:
    """English readers get the Chinese page when there is no translation."""
    return url(f"notices/{n.slug}/", lang if n.has(lang) else "zh-CN")


def _paginate(items: list[Notice], size: int) -> Iterator[tuple[int, int, list[Notice]]]:
    pages = max(1, (len(items) + size - 1) // size)
    for i in range(pages):
        yield i + 1, pages, items[i * size : (i + 1) * size]


def listed(notices: Iterable[Notice], now: datetime) -> list[Notice]:
    """List order: unexpired only; pinned first, then newest first."""
    live = [n for n in notices if not n.expired(now)]
    return sorted(live, key=lambda n: not n.pinned)  # stable: keeps newest-first within groups


def current_campaign(model: SiteModel, tz: ZoneInfo = TZ) -> Campaign | None:
    """This month's campaign where ``tz`` is (an estate's own time zone switches it)."""
    local = model.now.astimezone(tz)
    return model.campaigns.get(local.year, {}).get(local.month)


_NOTICE_PAGES: dict[tuple[int, str, bool, int, str], tuple[Notice, tuple[Page, Page]]] = {}
_NOTICE_PAGES_USED: dict[tuple[int, str, bool, int, str], tuple[Notice, tuple[Page, Page]]] = {}


def _notice_pages(n: Notice, lang: str, common: dict[str, Any], now: datetime) -> tuple[Page, Page]:
    """A notice's page and print view, planned once while the notice, its expiry, the
    company and the site URL stay the same (what these pages show; not ``now`` itself)."""
    expired = n.expired(now)
    company = common["company"]
    key = (id(n), lang, expired, id(company), _SITE_URL[0])
    memo = _NOTICE_PAGES.get(key)
    if memo is not None and memo[0] is n and memo[1][0].ctx["company"] is company:
        _NOTICE_PAGES_USED[key] = memo
        return memo[1]
    estates = [e for e in company.estates if e.slug in n.estates]
    state = _notice_state(n, now)
    made = tuple(
        Page(out_path(path, lang), template, lang, (state,), {
            **common, "path": path, "notice": n, "estates": estates, "expired": expired,
            "page_url": model_url(f"notices/{n.slug}/", lang),
        })
        for path, template in ((f"notices/{n.slug}/", "notice.html"),
                               (f"notices/{n.slug}/print/", "notice_print.html"))
    )  # fmt: skip
    pair = (made[0], made[1])
    _NOTICE_PAGES_USED[key] = (n, pair)
    return pair


def visible(notices: Iterable[Notice], now: datetime) -> list[Notice]:
    """The notices whose publish time has come: a scheduled one has no page and no listing
    until then (the scheduled rebuild, :mod:`portal.publishing.clockwork`, adds it)."""
    return [n for n in notices if n.published <= now]


def plan(model: SiteModel) -> list[Page]:
    pages = _plan(model)
    _NOTICE_PAGES.clear()  # keep only what this plan used (the notices alive now)
    _NOTICE_PAGES.update(_NOTICE_PAGES_USED)
    _NOTICE_PAGES_USED.clear()
    return pages


def _plan(model: SiteModel) -> list[Page]:
    _STATE_MEMO.clear()
    _LISTS_MEMO.clear()
    now = model.now
    company = model.company
    local_now = now.astimezone(TZ)
    current = current_campaign(model)
    current_key = current.key if current else "-"
    latest_issue = model.issues[0] if model.issues else None
    issue_key = latest_issue.digest if latest_issue else "-"
    shown = visible(model.notices, now)
    by_estate: dict[str, list[Notice]] = {e.slug: [] for e in company.estates}
    for n in shown:
        for e in n.estates:
            by_estate.setdefault(e, []).append(n)
    pages: list[Page] = []
    add = pages.append
    results, results_key = published.by_estate(model.results), published.digest(model.results)

    for lang in LANGS:
        common = {"lang": lang, "company": company, "now": now}
        add(Page(out_path("", lang), "home.html", lang, (), {**common, "path": ""}))
        add(Page(out_path("404.html", lang), "404.html", lang, (), {**common, "path": "404.html"}))
        add(Page(out_path("commitments/", lang), "commitments.html", lang, (results_key,), {
            **common, "path": "commitments/", "kpis": KPIS, "ladder": ESCALATION_LADDER,
            "results": results, "kpi_keys": [k.key for k in KPIS],
            "sla": {"acknowledge": ACKNOWLEDGE_MIN, "dispatch": DISPATCH_MIN,
                    "feedback": FEEDBACK_MIN, "on_site": TECHNICIAN_ON_SITE_MIN,
                    "callback": CALLBACK_WITHIN_H},
        }))  # fmt: skip

        for estate in company.estates:
            own = current_campaign(model, estate.tz) if estate.time_zone else current
            pages += _estate_pages(estate, by_estate.get(estate.slug, []), lang, common, own,
                                   own.key if own else "-", latest_issue, issue_key, now)  # fmt: skip

        for n in shown:
            if n.has(lang):
                pages += _notice_pages(n, lang, common, now)

        year = local_now.year
        months = model.campaigns.get(year, {})
        add(Page(out_path("campaigns/", lang), "campaigns.html", lang,
                 (str(year), current_key, *(c.digest for c in months.values())), {
                     **common, "path": "campaigns/", "year": year, "months": months,
                     "current_month": local_now.month,
                 }))  # fmt: skip
        for campaigns in model.campaigns.values():
            for c in campaigns.values():
                path = f"campaigns/{c.key}/"
                add(Page(out_path(path, lang), "campaign.html", lang,
                         (c.digest, str(c.key == current_key)), {
                             **common, "path": path, "campaign": c,
                             "is_current": c.key == current_key,
                         }))  # fmt: skip
                add(_print_page(path, "campaign_print.html", lang, c.digest, common, campaign=c))
                add(Page(out_path(path + "events.ics", lang), "ics:", lang, (c.digest,),
                         {"campaign": c, "lang": lang}))  # fmt: skip

        pages += _account_pages(lang, common)

        add(Page(out_path("newsletter/", lang), "newsletter_index.html", lang,
                 tuple(i.digest for i in model.issues),
                 {**common, "path": "newsletter/", "issues": model.issues}))  # fmt: skip
        for issue in model.issues:
            path = f"newsletter/{issue.number}/"
            add(Page(out_path(path, lang), "issue.html", lang, (issue.digest,),
                     {**common, "path": path, "issue": issue}))  # fmt: skip
            add(_print_page(path, "issue_print.html", lang, issue.digest, common, issue=issue))
    return pages


def _print_page(path: str, template: str, lang: str, digest: str, common: dict[str, Any], **ctx: Any) -> Page:
    """The A4 view of a campaign or an issue for the notice board (QR code to its page)."""
    return Page(out_path(path + "print/", lang), template, lang, (digest,), {
        **common, "path": path, "page_url": model_url(path, lang), **ctx})  # fmt: skip


def _account_pages(lang: str, common: dict[str, Any]) -> list[Page]:
    ctx = account_context(lang, common, url, _SITE_URL[0])
    media = tuple(_MEDIA_ORIGINS)
    csp = Markup(policy(media_origins=media)) if media else Markup(CSP)
    made = [Page(out_path(path, lang), template, lang, media,
                 {**ctx, "path": path, "csp": csp}) for path, template in ACCOUNT_PAGES]  # fmt: skip
    if lang == LANGS[0]:  # one roster template (Chinese headers) for both languages
        made.append(Page(ROSTER_TEMPLATE, "roster_template.csv", lang, (),
                         {"body": roster_template()}))  # fmt: skip
    return made


_SITE_URL = [""]
_MEDIA_ORIGINS: list[str] = []
"""The uploads bucket's origin: the pages that act send photos there and show them from it."""


def set_media_origins(origins: Sequence[str]) -> None:
    _MEDIA_ORIGINS[:] = list(origins)


def model_url(path: str, lang: str) -> str:
    return _SITE_URL[0] + url(path, lang)


def set_site_url(site_url: str) -> None:
    _SITE_URL[0] = site_url.rstrip("/")


@dataclass
class _EstateLists:
    live: list[Notice]
    highlighted: list[Notice]
    latest: list[Notice]
    home_states: tuple[str, ...]
    # (category or None, [(page number, pages, notices, their states)])
    by_category: list[tuple[str | None, list[tuple[int, int, list[Notice], tuple[str, ...]]]]]


_LISTS_MEMO: dict[str, _EstateLists] = {}
"""Per plan (cleared at its start): an estate's lists, the same in every language."""


def _estate_lists(slug: str, notices: list[Notice], now: datetime) -> _EstateLists:
    memo = _LISTS_MEMO.get(slug)
    if memo is not None:
        return memo
    live = listed(notices, now)
    # Urgent first (a burst pipe before a fee reminder), then pinned; newest first within each.
    highlighted = sorted((n for n in live if n.pinned or n.urgent), key=lambda n: not n.urgent)
    latest = [n for n in live if not (n.pinned or n.urgent)][:HOME_LATEST]
    by_category = []
    for category in (None, *NOTICE_CATEGORIES):
        items = live if category is None else [n for n in live if n.category == category]
        chunks = [
            (number, total, chunk, tuple(_notice_state(n, now) for n in chunk))
            for number, total, chunk in _paginate(items, PAGE_SIZE)
        ]
        by_category.append((category, chunks))
    lists = _EstateLists(
        live, highlighted, latest,
        tuple(_notice_state(n, now) for n in highlighted + latest), by_category,
    )  # fmt: skip
    _LISTS_MEMO[slug] = lists
    return lists


def _estate_pages(
    estate: Estate, notices: list[Notice], lang: str, common: dict[str, Any],
    current: Campaign | None, current_key: str, latest_issue: Issue | None, issue_key: str,
    now: datetime,
) -> list[Page]:  # fmt: skip
    pages: list[Page] = []
    base = f"estates/{estate.slug}/"
    ctx = {**common, "estate": estate}
    lists = _estate_lists(estate.slug, notices, now)
    live, highlighted, latest = lists.live, lists.highlighted, lists.latest
    pages.append(Page(out_path(base, lang), "estate.html", lang,
                      (current_key, issue_key, *lists.home_states), {
                          **ctx, "path": base, "highlighted": highlighted, "latest": latest,
                          "campaign": current, "issue": latest_issue,
                          "categories": NOTICE_CATEGORIES,
                      }))  # fmt: skip
    for category, chunks in lists.by_category:
        list_base = base + "notices/" + (f"{category}/" if category else "")
        for number, total, chunk, states in chunks:
            path = list_base if number == 1 else f"{list_base}page/{number}/"
            pages.append(Page(out_path(path, lang), "notice_list.html", lang,
                              (str(total), *states), {
                                  **ctx, "path": path, "category": category, "notices": chunk,
                                  "page": number, "pages": total, "list_base": list_base,
                                  "categories": NOTICE_CATEGORIES,
                              }))  # fmt: skip
    feed = live[:FEED_SIZE]
    pages.append(Page(out_path(base + "feed.xml", lang), "feed.xml", lang,
                      tuple(_notice_state(n, now) for n in feed), {
                          **ctx, "path": base + "feed.xml", "notices": feed,
                          "updated": max((n.published for n in feed), default=now),
                      }))  # fmt: skip
    for b in estate.buildings:  # a building's owners: whole-estate notices and their building's
        path, mine = f"{base}buildings/{b.code}/", [n for n in live if not n.buildings or b.code
                                                    in n.buildings][:BUILDING_LIST]  # fmt: skip
        pages.append(Page(out_path(path, lang), "building_notices.html", lang,
                          tuple(_notice_state(n, now) for n in mine),
                          {**ctx, "path": path, "building": b, "notices": mine}))  # fmt: skip
    pages.append(Page(out_path(base + "service/", lang), "service.html", lang, (),
                      {**ctx, "path": base + "service/"}))  # fmt: skip
    pages.append(Page(out_path(base + "fees/", lang), "fees.html", lang, (),
                      {**ctx, "path": base + "fees/"}))  # fmt: skip
    return pages
