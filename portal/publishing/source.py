"""The store as a content source: published staff documents into the site model.

Beside the content folder (the demo and bulk loads), the builder adds what staff
published in the portal (:class:`StoreSource`, passed to
:func:`portal.site.build.build_site` as ``extra_sources``): same model, same pages, same
templates and sanitiser. A notice's slug is its document id; a store campaign for a month
replaces the calendar's template for that month; an issue number the files already have
is reported and kept out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from portal.i18n import Text
from portal.publishing.model import (
    KINDS,
    CampaignContent,
    Doc,
    IssueContent,
    NoticeContent,
    digest,
)
from portal.site.model import (
    Article,
    Body,
    Campaign,
    CampaignEvent,
    CampaignSource,
    Issue,
    Notice,
    SiteModel,
)
from portal.sourcefile import SourceError, error


def _text(zh: str, en: str) -> Text:
    return Text(zh, en or None)


def _body(zh: str, en: str, has_en: bool) -> Body:
    return Body(zh, (en or zh) if has_en else None)


def _notice(doc: Doc, c: NoticeContent) -> Notice:
    return Notice(
        slug=doc.doc_id, source=f"store/{doc.doc_id}", digest=f"{digest(c)}v{doc.version}",
        title=_text(c.title, c.title_en), category=c.category, estates=c.estates,
        buildings=c.buildings, published=c.publish_at, expires=c.expires_at, pinned=c.pinned,
        urgent=c.urgent, body=_body(c.body, c.body_en, bool(c.title_en)),
    )  # fmt: skip


def _campaign(doc: Doc, c: CampaignContent) -> Campaign:
    has_en = bool(c.title_en)
    events = tuple(
        CampaignEvent(_text(e.title, e.title_en), e.start, e.end, _text(e.location, e.location_en))
        for e in c.events
    )
    src = CampaignSource(
        slug=doc.doc_id, source=f"store/{doc.doc_id}", digest=digest(c), month=c.month, year=c.year,
        title=_text(c.title, c.title_en), theme=_text(c.theme, c.theme_en),
        events=tuple((e.title, e.start.isoformat(), e.end.isoformat(), e.location) for e in events),
        body=_body(c.body, c.body_en, has_en), ask=_text(c.ask, c.ask_en),
    )  # fmt: skip
    return Campaign(c.year, c.month, src, events)


def _issue(doc: Doc, c: IssueContent) -> Issue:
    has_en = bool(c.title_en)
    articles = tuple(
        Article(slug=f"a{i + 1}", source=f"store/{doc.doc_id}", title=_text(a.title, a.title_en),
                kind=a.kind, author=_text(a.author, ""), body=_body(a.body, a.body_en, has_en))
        for i, a in enumerate(c.articles)
    )  # fmt: skip
    return Issue(number=c.number, folder=doc.doc_id, source=f"store/{doc.doc_id}",
                 digest=digest(c), title=_text(c.title, c.title_en), published=c.publish_at,
                 intro=_body(c.intro, c.intro_en, has_en), articles=articles)  # fmt: skip


def contribute_docs(model: SiteModel, docs: Iterable[Doc]) -> list[SourceError]:
    """Add the published ``docs`` to ``model``; problems (a clash with the files) kept out."""
    errors: list[SourceError] = []
    estates = {e.slug for e in model.company.estates}
    slugs = {n.slug for n in model.notices}
    numbers = {i.number for i in model.issues}
    for each in sorted(docs, key=lambda d: d.doc_id):
        doc = each.as_live()  # a revision being edited is not on the site: its live version is
        if doc is None:
            continue
        c = doc.content
        if isinstance(c, NoticeContent):
            if doc.doc_id in slugs or not set(c.estates) <= estates:
                errors.append(error(f"store/{doc.doc_id}", 1, "unknown_estate",
                                    value="/".join(sorted(set(c.estates) - estates))))  # fmt: skip
                continue
            model.notices.append(_notice(doc, c))
        elif isinstance(c, CampaignContent):
            model.campaigns.setdefault(c.year, {})[c.month] = _campaign(doc, c)
        elif isinstance(c, IssueContent):
            if c.number in numbers:
                errors.append(error(f"store/{doc.doc_id}", 1, "duplicate_issue", value=c.number))
                continue
            if c.publish_at <= model.now:
                numbers.add(c.number)
                model.issues.append(_issue(doc, c))
    model.issues.sort(key=lambda i: i.number, reverse=True)
    return errors


class StoreSource:
    """Published documents, read from the store when a build runs (a
    :class:`portal.site.model.ContentSource`)."""

    def __init__(self, published: Callable[[], list[Doc]]) -> None:
        self.published = published

    def contribute(self, model: SiteModel) -> list[SourceError]:
        return contribute_docs(model, self.published())


def all_published(repo_all: Callable[[str], list[Doc]]) -> Callable[[], list[Doc]]:
    def read() -> list[Doc]:
        return [live for kind in KINDS for d in repo_all(kind) if (live := d.as_live())]

    return read
