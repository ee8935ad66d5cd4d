"""What staff content must be beyond its shape (the API's schema checks the shape).

A refusal here is semantic: an estate or building the company does not have
(``NotFound``), times that contradict each other (``Conflict``). Text loses its control
characters and surrounding spaces; Markdown bodies keep their lines. HTML in a body is
not refused here: the sanitiser removes what is not allowed when the page is built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from portal.errors import Conflict, NotFound
from portal.publishing.model import (
    ArticleIn,
    CampaignContent,
    Content,
    EventIn,
    IssueContent,
    NoticeContent,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def line(value: str) -> str:
    """One line of text: no control characters, single spaces, trimmed."""
    return " ".join(_CONTROL.sub(" ", value).split())


def body(value: str) -> str:
    """Markdown: no control characters but newlines, Windows line ends made plain."""
    return _LINE_CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip("\n ")


def _estate(slug: str, buildings: Mapping[str, frozenset[str]]) -> str:
    if slug not in buildings:
        raise NotFound("unknown_estate", estate=slug)
    return slug


def _event(e: EventIn) -> EventIn:
    if e.end < e.start:
        raise Conflict("publishing_event_ends_before_start", event=line(e.title))
    return replace(e, title=line(e.title), location=line(e.location), title_en=line(e.title_en),
                   location_en=line(e.location_en))  # fmt: skip


def _article(a: ArticleIn) -> ArticleIn:
    return replace(a, title=line(a.title), author=line(a.author), body=body(a.body),
                   title_en=line(a.title_en), body_en=body(a.body_en))  # fmt: skip


def check_content(content: Content, buildings: Mapping[str, frozenset[str]]) -> Content:
    """The content, cleaned; ``NotFound``/``Conflict`` for what cannot be."""
    if isinstance(content, NoticeContent):
        estates = tuple(dict.fromkeys(_estate(e, buildings) for e in content.estates))
        codes = tuple(dict.fromkeys(line(b) for b in content.buildings))
        for code in codes:
            if not any(code in buildings[e] for e in estates):
                raise NotFound("unknown_building", estate="/".join(estates), building=code)
        if content.expires_at is not None and content.expires_at <= content.publish_at:
            raise Conflict("publishing_expires_before_publish")
        return replace(content, title=line(content.title), body=body(content.body),
                       title_en=line(content.title_en), body_en=body(content.body_en),
                       estates=estates, buildings=codes)  # fmt: skip
    if isinstance(content, CampaignContent):
        _estate(content.estate, buildings)
        return replace(content, title=line(content.title), theme=line(content.theme),
                       body=body(content.body), title_en=line(content.title_en),
                       theme_en=line(content.theme_en), body_en=body(content.body_en),
                       ask=line(content.ask), ask_en=line(content.ask_en),
                       events=tuple(_event(e) for e in content.events))  # fmt: skip
    assert isinstance(content, IssueContent)
    _estate(content.estate, buildings)
    return replace(content, title=line(content.title), intro=body(content.intro),
                   title_en=line(content.title_en), intro_en=body(content.intro_en),
                   articles=tuple(_article(a) for a in content.articles))  # fmt: skip
