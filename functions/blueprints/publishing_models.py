"""Request and response models of the publishing routes (the OpenAPI contract).

Times are ISO-8601 with an offset (``2026-11-22T09:00+08:00``); the schema states their
shape, and a time that has the shape but no calendar day (30 February) is refused as
``publishing_bad_time`` (409), not as malformed input.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from functions.fields import CODE, JSON_INTEGER, SLUG, SOMETHING
from functions.model import ApiModel
from portal.errors import Conflict
from portal.publishing.model import (
    ArticleIn,
    CampaignContent,
    Doc,
    EventIn,
    IssueContent,
    NoticeContent,
    Revision,
    to_plain,
)

TIME = (r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
        r"(:[0-5][0-9])?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")  # fmt: skip
DOC_ID = r"^[nci][0-9]{8}[0-9a-f]{8}$"
Category = Literal["outage", "works", "fees", "safety", "events", "tips"]
ArticleKind = Literal["moving", "news", "community", "service", "tips"]
Version = Annotated[int, Field(ge=1, le=1_000_000_000), JSON_INTEGER]
Time = Annotated[str, Field(pattern=TIME, description="ISO-8601 with an offset or Z.")]
Line = Annotated[str, Field(max_length=200)]


def when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Conflict("publishing_bad_time", value=text) from None


class NoticeIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, pattern=SOMETHING)
    title_en: Line = Field(default="", description="An English version (shown to English readers).")
    category: Category
    body: str = Field(min_length=1, max_length=20_000, pattern=SOMETHING,
                      description="Markdown; HTML the sanitiser does not allow is removed.")
    body_en: str = Field(default="", max_length=20_000)
    estates: list[Annotated[str, Field(pattern=SLUG)]] = Field(min_length=1, max_length=20)
    buildings: list[Annotated[str, Field(pattern=CODE)]] = Field(
        default=[], max_length=50, description="Only these buildings (codes); empty: the whole estate.")
    publish_at: Time
    expires_at: Time | None = None
    pinned: bool = False
    urgent: bool = False

    def content(self) -> NoticeContent:
        return NoticeContent(
            title=self.title, category=self.category, body=self.body, estates=tuple(self.estates),
            publish_at=when(self.publish_at), buildings=tuple(self.buildings),
            expires_at=when(self.expires_at) if self.expires_at else None, pinned=self.pinned,
            urgent=self.urgent, title_en=self.title_en, body_en=self.body_en,
        )  # fmt: skip


class EventModel(ApiModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, pattern=SOMETHING)
    start: Time
    end: Time
    location: Line = ""
    title_en: Line = ""
    location_en: Line = ""


class CampaignIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG, description="The estate whose team writes it.")
    year: Annotated[int, Field(ge=2000, le=2099), JSON_INTEGER]
    month: Annotated[int, Field(ge=1, le=12), JSON_INTEGER]
    title: str = Field(min_length=1, max_length=120, pattern=SOMETHING)
    theme: Line = ""
    body: str = Field(default="", max_length=20_000)
    events: list[EventModel] = Field(default=[], max_length=20)
    title_en: Line = ""
    theme_en: Line = ""
    body_en: str = Field(default="", max_length=20_000)
    ask: Line = Field(default="", description="One line of what the month asks of owners.")
    ask_en: Line = ""

    def content(self) -> CampaignContent:
        events = tuple(EventIn(e.title, when(e.start), when(e.end), e.location, e.title_en,
                               e.location_en) for e in self.events)  # fmt: skip
        return CampaignContent(estate=self.estate, year=self.year, month=self.month, title=self.title,
                               theme=self.theme, body=self.body, events=events,
                               title_en=self.title_en, theme_en=self.theme_en, body_en=self.body_en,
                               ask=self.ask, ask_en=self.ask_en)  # fmt: skip


class ArticleModel(ApiModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=120, pattern=SOMETHING)
    kind: ArticleKind = Field(description="moving: a 感动客户 story.")
    body: str = Field(min_length=1, max_length=8_000, pattern=SOMETHING)
    author: Line = ""
    title_en: Line = ""
    body_en: str = Field(default="", max_length=8_000)


class IssueIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    number: Annotated[int, Field(ge=1, le=100_000), JSON_INTEGER]
    title: str = Field(min_length=1, max_length=120, pattern=SOMETHING)
    publish_at: Time
    intro: str = Field(default="", max_length=8_000)
    articles: list[ArticleModel] = Field(default=[], max_length=12)
    title_en: Line = ""
    intro_en: str = Field(default="", max_length=8_000)

    def content(self) -> IssueContent:
        arts = tuple(ArticleIn(a.title, a.kind, a.body, a.author, a.title_en, a.body_en)
                     for a in self.articles)  # fmt: skip
        return IssueContent(estate=self.estate, number=self.number, title=self.title,
                            publish_at=when(self.publish_at), intro=self.intro, articles=arts,
                            title_en=self.title_en, intro_en=self.intro_en)  # fmt: skip


class NoticeEdit(NoticeIn):
    version: Version = Field(description="The version read: a later one is a 409 (publishing_stale).")


class CampaignEdit(CampaignIn):
    version: Version


class IssueEdit(IssueIn):
    version: Version


class VersionIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    version: Version


class WithdrawIn(VersionIn):
    reason: str = Field(min_length=1, max_length=500, pattern=SOMETHING,
                        description="Why it is taken off the site (kept in its history).")


class DocPath(ApiModel):
    doc_id: str = Field(pattern=DOC_ID)


class EstatePath(ApiModel):
    estate: str = Field(pattern=SLUG)


class ListQuery(ApiModel):
    estate: str = Field(pattern=SLUG)
    kind: Literal["notice", "campaign", "newsletter"] = "notice"


class PreviewQuery(ApiModel):
    view: Literal["page", "print"] = Field(default="page", description="print: the A4 bulletin-board view.")
    lang: Literal["zh-CN", "en"] = "zh-CN"


class RulesIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    approval_required: bool = Field(description="A supervisor or project manager approves first.")


class RulesOut(ApiModel):
    estate: str
    approval_required: bool


class DocOut(ApiModel):
    id: str
    kind: str
    state: Literal["draft", "submitted", "approved", "published", "withdrawn"]
    version: int
    title: str
    estates: list[str]
    created_by: str
    updated_by: str
    updated_at: str
    approved_by: str
    published_by: str
    published_at: str
    withdrawn_reason: str
    site_state: str = Field(description="queued: the site is being rebuilt; live; failed (site_note says why).")
    site_note: str
    content: dict[str, Any]
    live_version: bool = Field(
        description="A published version is live while this revision (draft, submitted or "
        "approved) is worked on; publishing the revision replaces it.")

    @classmethod
    def of(cls, d: Doc) -> DocOut:
        return cls(id=d.doc_id, kind=d.kind, state=d.state, version=d.version, title=d.title,
                   estates=list(d.estates), created_by=d.created_by, updated_by=d.updated_by,
                   updated_at=d.updated_at, approved_by=d.approved_by, published_by=d.published_by,
                   published_at=d.published_at, withdrawn_reason=d.withdrawn_reason,
                   site_state=d.site_state, site_note=d.site_note, content=to_plain(d.content),
                   live_version=d.state != "published" and d.live)  # fmt: skip


class DocList(ApiModel):
    items: list[DocOut]


class RevisionOut(ApiModel):
    version: int
    at: str
    by: str
    action: str
    changed: list[str]
    note: str

    @classmethod
    def of(cls, r: Revision) -> RevisionOut:
        return cls(version=r.version, at=r.at, by=r.by, action=r.action, changed=list(r.changed),
                   note=r.note)  # fmt: skip


class RevisionList(ApiModel):
    items: list[RevisionOut]


class PreviewOut(ApiModel):
    html: str = Field(description="The page as the site will show it (same builder, templates, sanitiser).")


class ImageOfferIn(ApiModel):
    model_config = ConfigDict(extra="forbid")

    estate: str = Field(pattern=SLUG)
    content_type: Literal["image/jpeg", "image/png", "image/webp", "image/heic"]
    size: Annotated[int, Field(ge=1, le=10 * 1024 * 1024), JSON_INTEGER]


class ImageOfferOut(ApiModel):
    url: str
    fields: dict[str, str]
    key: str
    max_bytes: int
    expires_in: int
