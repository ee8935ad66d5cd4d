"""The site model: what the content says, validated and cross-checked.

Source files are parsed into records (front matter only; bodies stay Markdown
until a page that shows them is rendered), then assembled into a
:class:`SiteModel` for one moment ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from portal.estates.model import Company
from portal.i18n import Text
from portal.sourcefile import SourceError

if TYPE_CHECKING:
    from portal.commitments.model import Snapshot

NO_TEXT = Text("")
NOTICE_CATEGORIES: tuple[str, ...] = ("outage", "works", "fees", "safety", "events", "tips")
ARTICLE_KINDS: tuple[str, ...] = ("moving", "news", "community", "service", "tips")


@dataclass(frozen=True)
class Body:
    """Markdown source of a body, with the file and line it starts on (for errors)."""

    zh: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en is not None else self.zh


@dataclass(frozen=True)
class FileBody:
    """A notice's Markdown body, read from its file only when a page shows it.

    Notices are many and their bodies large; keeping them out of the parsed
    records keeps the build manifest small, so an incremental build loads and
    saves it quickly. ``digest`` (of the whole file) keys the read cache, so an
    edited file is never served stale.
    """

    path: str
    digest: str
    en_path: str | None = None
    en_digest: str | None = None

    def get(self, lang: str) -> str:
        if lang == "en" and self.en_path is not None and self.en_digest is not None:
            return read_body(self.en_path, self.en_digest)
        return read_body(self.path, self.digest)


_PARSED_BODIES: dict[str, str] = {}
"""The bodies of the notice files this process parsed, by file digest (a body is a function
of its file's bytes): a clean build renders 2,000 notices without reading them twice (the
forked workers inherit them). A warm process forgets them all past ``_PARSED_MAX``."""
_PARSED_MAX = 20_000


def keep_body(digest: str, body: str) -> None:
    """Remember a just-parsed file's body for :func:`read_body`."""
    if len(_PARSED_BODIES) >= _PARSED_MAX:
        _PARSED_BODIES.clear()
    _PARSED_BODIES[digest] = body


def kept_body(digest: str) -> str | None:
    """The body :func:`keep_body` kept for this digest, if any (a forked parser sends it back)."""
    return _PARSED_BODIES.get(digest)


def read_body(path: str, digest: str) -> str:
    """The Markdown after the front matter (already validated when the file was parsed)."""
    body = _PARSED_BODIES.get(digest)
    return _read_body(path, digest) if body is None else body


@lru_cache(maxsize=1024)
def _read_body(path: str, digest: str) -> str:
    text = Path(path).read_text(encoding="utf-8").removeprefix("\ufeff")
    lines = text.split("\n")
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[i + 1 :])
    return ""


@dataclass(frozen=True)
class Notice:
    slug: str
    source: str
    digest: str
    title: Text
    category: str
    estates: tuple[str, ...]  # slugs; "all" is expanded when the model is assembled
    buildings: tuple[str, ...]
    published: datetime
    expires: datetime | None
    pinned: bool
    urgent: bool
    body: Body | FileBody
    acknowledge: bool = False
    """Asks its households for 已知晓 (:mod:`portal.acknowledgements.model`)."""

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and self.expires <= now

    def has(self, lang: str) -> bool:
        return self.title.has(lang)


@dataclass(frozen=True)
class CampaignEvent:
    title: Text
    start: datetime
    end: datetime
    location: Text


@dataclass(frozen=True)
class CampaignSource:
    """A campaign file: a template (``year`` None) or a dated campaign."""

    slug: str
    source: str
    digest: str
    month: int
    year: int | None
    title: Text
    theme: Text
    events: tuple[tuple[Text, str, str, Text], ...]  # (title, start, end, location), raw times
    body: Body
    ask: Text = NO_TEXT
    """One line of what the month asks of owners (the estate home shows it under the title)."""


@dataclass(frozen=True)
class Campaign:
    """A campaign in a given year (a template instantiated, or a dated one)."""

    year: int
    month: int
    source: CampaignSource
    events: tuple[CampaignEvent, ...]

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def digest(self) -> str:
        return f"{self.source.digest}@{self.year}"

    @property
    def title(self) -> Text:
        return self.source.title

    @property
    def theme(self) -> Text:
        return self.source.theme

    @property
    def ask(self) -> Text:
        return self.source.ask

    def has(self, lang: str) -> bool:
        return self.source.title.has(lang)


@dataclass(frozen=True)
class Article:
    slug: str
    source: str
    title: Text
    kind: str
    author: Text
    body: Body


@dataclass(frozen=True)
class Issue:
    number: int
    folder: str
    source: str
    digest: str
    title: Text
    published: datetime
    intro: Body
    articles: tuple[Article, ...]

    def has(self, lang: str) -> bool:
        return self.title.has(lang)


@dataclass
class SiteModel:
    company: Company
    now: datetime
    notices: list[Notice] = field(default_factory=list)  # newest first
    campaigns: dict[int, dict[int, Campaign]] = field(default_factory=dict)  # year → month → c
    issues: list[Issue] = field(default_factory=list)  # newest first
    results: list[Snapshot] = field(default_factory=list)
    """The published monthly KPI results (a build input: :mod:`portal.commitments.published`)."""


class ContentSource(Protocol):
    """Content from somewhere other than the content folder (the store), added to the model
    the files made: same model, same pages, same templates and sanitiser."""

    def contribute(self, model: SiteModel) -> list[SourceError]:
        """Add notices, campaigns and issues to ``model``; the problems found (kept out)."""
