"""The page plan: every output file, its template, its context and its fingerprint.

A page's fingerprint hashes exactly the inputs it shows (the digests of the
notices on a list page, the month highlighted on the calendar...) plus the
site-wide inputs (templates, translations, CSS, company). The builder rewrites
a page only when its fingerprint changed, so editing one notice rewrites that
notice and the pages that list it, and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from portal.clock import zone
from portal.estates.model import Company, Estate
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
from portal.site.accountpages import ACCOUNT_PAGES, ROSTER_TEMPLATE
from portal.site.estatepages import LISTS_MEMO, estate_pages, events_over
from portal.site.model import Campaign, Notice, SiteModel
from portal.site.pagekit import (
    STATE_MEMO,
    Page,
    listed,
    notice_state,
    notice_url,
    out_path,
    url,
)

TZ = zone()  # the company default; an estate may name its own

__all__ = ["Page", "listed", "notice_url", "out_path", "plan", "url"]


def current_campaign(model: SiteModel, tz: ZoneInfo = TZ) -> Campaign | None:
    """This month's campaign where ``tz`` is (an estate's own time zone switches it)."""
    local = model.now.astimezone(tz)
    return model.campaigns.get(local.year, {}).get(local.month)


_NOTICE_PAGES: dict[tuple[int, str, bool, int, str], tuple[Notice, Page]] = {}
_NOTICE_PAGES_USED: dict[tuple[int, str, bool, int, str], tuple[Notice, Page]] = {}


def _notice_page(n: Notice, lang: str, common: dict[str, Any], now: datetime) -> Page:
    """A notice's page, planned once while the notice, its expiry, the company and the site
    URL stay the same (what it shows; not ``now`` itself). It is its own print view for the
    lobby board too: its print button adds the QR code and the A4 styles (qrprint.js), so a
    notice is one file, not two (the editor previews the printed page: notice_print.html)."""
    expired = n.expired(now)
    company = common["company"]
    key = (id(n), lang, expired, id(company), _SITE_URL[0])
    memo = _NOTICE_PAGES.get(key)
    if memo is not None and memo[0] is n and memo[1].ctx["company"] is company:
        _NOTICE_PAGES_USED[key] = memo
        return memo[1]
    path = f"notices/{n.slug}/"
    page = Page(out_path(path, lang), "notice.html", lang, (notice_state(n, now),), {
        **common, "path": path, "notice": n, "expired": expired,
        "estates": [e for e in company.estates if e.slug in n.estates],
        "page_url": model_url(path, lang),
    })  # fmt: skip
    _NOTICE_PAGES_USED[key] = (n, page)
    return page


def visible(notices: Iterable[Notice], now: datetime) -> list[Notice]:
    """The notices whose publish time has come: a scheduled one has no page and no listing
    until then (the scheduled rebuild, :mod:`portal.publishing.clockwork`, adds it)."""
    return [n for n in notices if n.published <= now]


GroupKey = tuple[str, ...]
"""A group of pages planned together: ("site", lang), ("estate", slug, lang), ("notice",
source, lang). An incremental plan (:mod:`portal.site.replan`) plans a group again or keeps it."""


def plan(model: SiteModel) -> list[Page]:
    return [p for group in plan_groups(model).values() for p in group]


def plan_groups(model: SiteModel) -> dict[GroupKey, list[Page]]:
    """Every page of the site, by group."""
    STATE_MEMO.clear()
    groups = _plan(model)
    _NOTICE_PAGES.clear()  # keep only what this plan used (the notices alive now)
    keep_notice_pages()
    return groups


def keep_notice_pages() -> None:
    """Remember the notice pages planned since the last call (an incremental plan keeps the
    rest too: the next full plan forgets those no longer used)."""
    _NOTICE_PAGES.update(_NOTICE_PAGES_USED)
    _NOTICE_PAGES_USED.clear()


class Shared:
    """What every group of one plan reads: the model's campaign, issue and notice lists."""

    def __init__(self, model: SiteModel) -> None:
        self.model, self.now = model, model.now
        self.current = current_campaign(model)
        self.latest_issue = model.issues[0] if model.issues else None
        self.issue_key = self.latest_issue.digest if self.latest_issue else "-"
        self.shown = visible(model.notices, model.now)

    def common(self, lang: str) -> dict[str, Any]:
        return {"lang": lang, "company": self.model.company, "now": self.now}

    def estate_group(self, estate: Estate, notices: list[Notice], lang: str) -> list[Page]:
        own = current_campaign(self.model, estate.tz) if estate.time_zone else self.current
        return estate_pages(estate, notices, lang, self.common(lang), own,
                            own.key if own else "-", self.latest_issue, self.issue_key,
                            self.now)  # fmt: skip

    def notice_group(self, n: Notice, lang: str) -> list[Page]:
        return [_notice_page(n, lang, self.common(lang), self.now)]

    def by_estate(self, slugs: Iterable[str]) -> dict[str, list[Notice]]:
        """The shown notices of these estates, newest first."""
        out: dict[str, list[Notice]] = {s: [] for s in slugs}
        for n in self.shown:
            for e in n.estates:
                if e in out:
                    out[e].append(n)
        return out


def _plan(model: SiteModel) -> dict[GroupKey, list[Page]]:
    LISTS_MEMO.clear()
    shared = Shared(model)
    company = model.company
    by_estate = shared.by_estate(e.slug for e in company.estates)
    groups: dict[GroupKey, list[Page]] = {}
    for lang in LANGS:
        groups[("site", lang)] = _site_pages(model, shared, lang)
        for estate in company.estates:
            groups[("estate", estate.slug, lang)] = shared.estate_group(
                estate, by_estate[estate.slug], lang)
        for n in shared.shown:
            if n.has(lang):
                groups[("notice", n.source, lang)] = shared.notice_group(n, lang)
    return groups


def _site_pages(model: SiteModel, shared: Shared, lang: str) -> list[Page]:
    """The pages that show no single estate's notices: home, campaigns, newsletter, account."""
    now, current = model.now, shared.current
    local_now = now.astimezone(TZ)
    current_key = current.key if current else "-"
    results, results_key = results_of(model)
    common = shared.common(lang)
    pages: list[Page] = []
    add = pages.append
    add(Page(out_path("", lang), "home.html", lang, (), {**common, "path": ""}))
    add(Page(out_path("404.html", lang), "404.html", lang, (), {**common, "path": "404.html"}))
    add(Page(out_path("commitments/", lang), "commitments.html", lang, (results_key,), {
        **common, "path": "commitments/", "kpis": KPIS, "ladder": ESCALATION_LADDER,
        "results": results, "kpi_keys": [k.key for k in KPIS],
        "sla": {"acknowledge": ACKNOWLEDGE_MIN, "dispatch": DISPATCH_MIN,
                "feedback": FEEDBACK_MIN, "on_site": TECHNICIAN_ON_SITE_MIN,
                "callback": CALLBACK_WITHIN_H},
    }))  # fmt: skip

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
                     (c.digest, str(c.key == current_key), str(events_over(c, now))), {
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


NO_RESULTS = hashlib.blake2b(b"[]\n", digest_size=12).hexdigest()
"""The digest of no published KPI results (:func:`portal.commitments.published.digest`)."""


def results_of(model: SiteModel) -> tuple[dict[str, Any], str]:
    """The published KPI results by estate, and their digest (a page input); a build with
    none imports nothing of the KPI results."""
    if not model.results:
        return {}, NO_RESULTS
    from portal.commitments import published

    return published.by_estate(model.results), published.digest(model.results)


def _print_page(path: str, template: str, lang: str, digest: str, common: dict[str, Any], **ctx: Any) -> Page:
    """The A4 view of a campaign or an issue for the notice board (QR code to its page)."""
    return Page(out_path(path + "print/", lang), template, lang, (digest,), {
        **common, "path": path, "page_url": model_url(path, lang), **ctx})  # fmt: skip


def _account_pages(lang: str, common: dict[str, Any]) -> list[Page]:
    site_url = _SITE_URL[0]

    @cache
    def make() -> dict[str, Any]:  # one context for the language's pages, when one renders
        labels = PREFETCHED.get(f"account:{lang}")
        if labels is not None:
            return {**common, **labels}
        from portal.site.accountpages import account_context

        return account_context(lang, common, url, site_url)

    media = tuple(_MEDIA_ORIGINS)
    made = [Page(out_path(path, lang), template, lang, media,
                 {"path": path, "media_origins": media}, make)
            for path, template in ACCOUNT_PAGES]  # fmt: skip
    if lang == LANGS[0]:  # one roster template (Chinese headers) for both languages
        made.append(Page(ROSTER_TEMPLATE, "roster_template.csv", lang, (), {}, _roster))
    return made


PREFETCHED: dict[str, dict[str, Any]] = {}
"""The lazy pages' contexts, made in advance by a build that renders them all
(:func:`prefetched_contexts`, in :mod:`portal.site.prefetch`'s helper) and cleared after it:
``account:<lang>`` (the account pages' labels) and ``roster``."""


def prefetched_contexts(company: Company, site_url: str) -> dict[str, dict[str, Any]]:
    """What the lazy pages make otherwise (:func:`_account_pages`, :func:`_roster`), for this
    company and site URL: the account pages' labels in every language, and the roster
    template, each of which imports modules a rebuild does not need."""
    from portal.site.accountpages import account_labels

    made = {f"account:{lang}": account_labels(lang, company, url, site_url.rstrip("/"))
            for lang in LANGS}  # fmt: skip
    made["roster"] = _roster()
    return made


def _roster() -> dict[str, Any]:
    made = PREFETCHED.get("roster")
    if made is not None:
        return made
    from portal.site.staffpages import roster_template

    return {"body": roster_template()}


_SITE_URL = [""]
_MEDIA_ORIGINS: list[str] = []
"""The uploads bucket's origin: the pages that act send photos there and show them from it."""


def set_media_origins(origins: Sequence[str]) -> None:
    _MEDIA_ORIGINS[:] = list(origins)


def model_url(path: str, lang: str) -> str:
    return _SITE_URL[0] + url(path, lang)


def site_url() -> str:
    return _SITE_URL[0]


def media_origins() -> tuple[str, ...]:
    return tuple(_MEDIA_ORIGINS)


def set_site_url(site_url: str) -> None:
    _SITE_URL[0] = site_url.rstrip("/")
