"""Staff-written content: what a notice, a campaign and a newsletter issue hold, and their states.

=============  ==========================================================  =====================
state          meaning                                                     next
=============  ==========================================================  =====================
draft          written, being edited (草稿)                                submitted, published
submitted      waiting for a second person's approval (待审核)             approved, draft (edit)
approved       approved by a supervisor or project manager (已审核)        published, draft
published      on the site from its publish time (已发布)                  withdrawn
withdrawn      taken off the site, with a reason (已撤回)                  draft (edit)
=============  ==========================================================  =====================

Editing anything but a published document makes a new revision and puts it back to
draft (an approval is for the words approved). A published one is withdrawn first.
Times are aware datetimes here and UTC ISO-8601 in the store.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Literal, get_args

from portal.clock import iso, parse_iso

Kind = Literal["notice", "campaign", "newsletter"]
KINDS: tuple[Kind, ...] = get_args(Kind)
State = Literal["draft", "submitted", "approved", "published", "withdrawn"]
STATES: tuple[State, ...] = get_args(State)
SiteState = Literal["", "queued", "live", "failed"]
"""Where the site is with the document's last publish or withdrawal (the editor's progress)."""
SITE_FAILURES: tuple[str, ...] = ("reason_configuration", "reason_upload", "reason_store")
"""What a ``failed`` document's ``site_note`` says when the live site could not take it (the
build's own problems are its note instead): the stage is not set up to publish, the bucket or
CDN refused the upload, or the database could not be reached. The editor reads it in words
(catalog ``publishing.site.<reason>``); the technical detail goes to the task's log."""

_PREFIX: dict[Kind, str] = {"notice": "n", "campaign": "c", "newsletter": "i"}
DOC_ID = re.compile(r"^[nci][0-9]{8}[0-9a-f]{8}$")
"""``n20261130ab12cd34``: the kind's letter, the local day it was created, 32 random bits."""


def kind_of(doc_id: str) -> Kind | None:
    if not DOC_ID.fullmatch(doc_id):
        return None
    return next(k for k, p in _PREFIX.items() if p == doc_id[0])


def new_doc_id(kind: Kind, day: str, token: str) -> str:
    return f"{_PREFIX[kind]}{day.replace('-', '')}{token[:8]}"


@dataclass(frozen=True)
class EventIn:
    title: str
    start: datetime
    end: datetime
    location: str = ""
    title_en: str = ""
    location_en: str = ""


@dataclass(frozen=True)
class ArticleIn:
    title: str
    kind: str
    body: str
    author: str = ""
    title_en: str = ""
    body_en: str = ""


@dataclass(frozen=True)
class NoticeContent:
    title: str
    category: str
    body: str
    estates: tuple[str, ...]
    publish_at: datetime
    buildings: tuple[str, ...] = ()
    expires_at: datetime | None = None
    pinned: bool = False
    urgent: bool = False
    title_en: str = ""
    body_en: str = ""

    @property
    def scope(self) -> tuple[str, ...]:
        return self.estates


@dataclass(frozen=True)
class CampaignContent:
    estate: str
    """The estate whose team writes it (its approval rule applies); shown company-wide."""
    year: int
    month: int
    title: str
    theme: str = ""
    body: str = ""
    events: tuple[EventIn, ...] = ()
    title_en: str = ""
    theme_en: str = ""
    body_en: str = ""
    ask: str = ""
    """One line of what the month asks of owners (the estate home shows it)."""
    ask_en: str = ""

    @property
    def scope(self) -> tuple[str, ...]:
        return (self.estate,)


@dataclass(frozen=True)
class IssueContent:
    estate: str
    number: int
    title: str
    publish_at: datetime
    intro: str = ""
    articles: tuple[ArticleIn, ...] = ()
    title_en: str = ""
    intro_en: str = ""

    @property
    def scope(self) -> tuple[str, ...]:
        return (self.estate,)


Content = NoticeContent | CampaignContent | IssueContent
CONTENT_OF: dict[Kind, type[NoticeContent] | type[CampaignContent] | type[IssueContent]] = {
    "notice": NoticeContent, "campaign": CampaignContent, "newsletter": IssueContent,
}  # fmt: skip
_NESTED: dict[str, type[EventIn] | type[ArticleIn]] = {"events": EventIn, "articles": ArticleIn}


def kind_of_content(content: Content) -> Kind:
    return next(k for k, t in CONTENT_OF.items() if isinstance(content, t))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def to_plain(content: Content) -> dict[str, Any]:
    """The content as the store keeps it (and as a revision snapshots it)."""
    out: dict[str, Any] = _plain(content)
    return out


def _typed(cls: type[Any], raw: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in raw:
            continue
        v = raw[f.name]
        if f.name in _NESTED:
            v = tuple(_typed(_NESTED[f.name], x) for x in v)
        elif isinstance(v, list):
            v = tuple(v)
        elif isinstance(v, str) and f.name in ("publish_at", "expires_at", "start", "end"):
            v = parse_iso(v)
        values[f.name] = v
    return cls(**values)


def from_plain(kind: Kind, raw: dict[str, Any]) -> Content:
    content: Content = _typed(CONTENT_OF[kind], raw)
    return content


def digest(content: Content) -> str:
    data = json.dumps(to_plain(content), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.blake2b(data, digest_size=10).hexdigest()


def changed_fields(old: Content | None, new: Content) -> list[str]:
    """The names of the fields a revision changed (all of them for the first)."""
    a, b = (to_plain(old) if old else {}), to_plain(new)
    return sorted(k for k in b if a.get(k) != b[k])


@dataclass(frozen=True)
class Doc:
    doc_id: str
    kind: Kind
    state: State
    version: int
    content: Content
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    approved_by: str = ""
    published_by: str = ""
    published_at: str = ""
    withdrawn_reason: str = ""
    site_state: SiteState = ""
    site_note: str = ""
    live_content: Content | None = None
    """While a published document's next revision is edited (and approved), the content
    that stays live until that revision is published; None otherwise."""

    @property
    def estates(self) -> tuple[str, ...]:
        return self.content.scope

    @property
    def live(self) -> bool:
        """Something of it is on the site: it is published, or its published version is while
        the next one is worked on."""
        return self.state == "published" or self.live_content is not None

    def as_live(self) -> Doc | None:
        """The document as the site shows it (its live content), or None if it is not live."""
        if self.state == "published":
            return self
        if self.live_content is not None:
            return replace(self, state="published", content=self.live_content, live_content=None)
        return None

    @property
    def title(self) -> str:
        return self.content.title


@dataclass(frozen=True)
class Revision:
    version: int
    at: str
    by: str
    action: str
    """created, edited, submitted, approved, published, withdrawn"""
    changed: tuple[str, ...]
    note: str
    content: dict[str, Any]
