"""One content file → one record: front matter checked field by field, errors with ``file:line``.

Parsing a file depends only on the file, so :mod:`portal.site.build` caches the
result by the file's size and modification time; :mod:`portal.site.content`
then assembles the records into the site model.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from portal.acknowledgements.rules import ACKNOWLEDGE_CATEGORIES, ACKNOWLEDGE_FIELD, may_ask
from portal.clock import zone
from portal.i18n import Text
from portal.site.model import (
    ARTICLE_KINDS,
    NOTICE_CATEGORIES,
    Body,
    CampaignSource,
    Notice,
    keep_body,
)
from portal.sourcefile import (
    FieldReader,
    FrontMatterDoc,
    LineDict,
    SourceError,
    error,
    parse_datetime,
    split_front_matter,
)

TZ = zone()
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
TEMPLATE_TIME = re.compile(r"^(\d{2})-(\d{2})T(\d{2}):(\d{2})$")

NOTICE_FIELDS = {"title", "category", "estates", "buildings", "published", "expires", "pinned",
                 "urgent", ACKNOWLEDGE_FIELD}  # fmt: skip
CAMPAIGN_FIELDS = {"month", "year", "title", "theme", "ask", "events"}
EVENT_FIELDS = {"title", "start", "end", "location"}
ISSUE_FIELDS = {"issue", "title", "published"}
ARTICLE_FIELDS = {"title", "kind", "author"}
EN_FIELDS = {
    "notice": {"title"},
    "campaign": {"title", "theme", "ask", "events"},
    "issue": {"title"},
    "article": {"title", "author"},
}


@dataclass(frozen=True)
class Translation:
    """An English sibling (``NAME.en.md``): translated fields and body."""

    meta: dict[str, Any]
    body: str


@dataclass(frozen=True)
class NoticeRecord:
    notice: Notice
    raw_estates: tuple[str, ...]
    lines: dict[str, int]


@dataclass(frozen=True)
class IssueIndex:
    number: int
    title: str
    published: datetime
    intro: str
    line: int


@dataclass(frozen=True)
class ArticleRecord:
    title: str
    kind: str
    author: str
    body: str


@dataclass
class Parsed:
    sig: tuple[int, int]
    digest: str
    value: Any
    errors: tuple[SourceError, ...]


@dataclass
class ContentCache:
    files: dict[str, Parsed] = field(default_factory=dict)


class _Checker:
    """The fields of one front matter, read by the one :class:`FieldReader`."""

    def __init__(self, rel: str, meta: LineDict) -> None:
        self.meta, self.reader = meta, FieldReader(rel)
        self.errors = self.reader.errors

    def fail(self, key: str | None, code: str, **params: object) -> None:
        self.reader.fail(self.meta.line_of(key) if key else self.meta.line, code, **params)

    def unknown(self, allowed: set[str]) -> None:
        self.reader.unknown(self.meta, allowed)

    def text(self, key: str, required: bool = True) -> str:
        return self.reader.text(self.meta, key, required)

    def flag(self, key: str) -> bool:
        return self.reader.flag(self.meta, key)

    def when(self, key: str, required: bool = True) -> datetime | None:
        return self.reader.when(self.meta, key, TZ, required)

    def str_list(self, key: str) -> tuple[str, ...]:
        return self.reader.str_list(self.meta, key)

    def integer(self, key: str, lo: int, hi: int, code: str) -> int | None:
        return self.reader.bounded(self.meta, key, lo, hi, code)


# --- one file → one record -------------------------------------------------


def _parse_translation(rel: str, doc: FrontMatterDoc, kind: str) -> tuple[Any, list[SourceError]]:
    c = _Checker(rel, doc.meta)
    c.unknown(EN_FIELDS[kind])
    c.text("title")
    return Translation(dict(doc.meta), doc.body), c.errors


def _parse_notice(rel: str, slug: str, digest: str, doc: FrontMatterDoc) -> tuple[Any, list[Any]]:
    c = _Checker(rel, doc.meta)
    c.unknown(NOTICE_FIELDS)
    title = c.text("title")
    category = c.text("category")
    if category and category not in NOTICE_CATEGORIES:
        c.fail("category", "bad_choice", field="category", value=category,
               allowed=", ".join(NOTICE_CATEGORIES))  # fmt: skip
    estates = c.str_list("estates")
    if not estates:
        c.fail(None if "estates" not in doc.meta else "estates", "missing_field", field="estates")
    published = c.when("published")
    expires = c.when("expires", required=False)
    if published and expires and expires <= published:
        c.fail("expires", "expires_before_published")
    acknowledge = c.flag(ACKNOWLEDGE_FIELD)
    if acknowledge and category and not may_ask(category):
        c.fail(ACKNOWLEDGE_FIELD, "acknowledge_not_allowed", value=category,
               allowed=", ".join(ACKNOWLEDGE_CATEGORIES))  # fmt: skip
    notice = None
    if not c.errors and published is not None:
        notice = Notice(
            slug=slug, source=rel, digest=digest, title=Text(title), category=category,
            estates=estates, buildings=c.str_list("buildings"), published=published,
            expires=expires, pinned=c.flag("pinned"), urgent=c.flag("urgent"),
            body=Body(""),  # read from the file when shown: see FileBody
            acknowledge=acknowledge,
        )  # fmt: skip
    if c.errors:
        return None, c.errors
    return NoticeRecord(notice, estates, dict(doc.meta.lines)), []  # type: ignore[arg-type]


def _event_time(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    s = raw.strip()
    if TEMPLATE_TIME.match(s):
        return s
    return s if parse_datetime(s, TZ) else None


def _parse_campaign(rel: str, slug: str, digest: str, doc: FrontMatterDoc) -> tuple[Any, list[Any]]:
    c = _Checker(rel, doc.meta)
    c.unknown(CAMPAIGN_FIELDS)
    month = c.integer("month", 1, 12, "bad_month")
    if "month" not in doc.meta:
        c.fail(None, "missing_field", field="month")
    year = c.integer("year", 1900, 2999, "bad_integer")
    title, theme = c.text("title"), c.text("theme", required=False)
    ask = c.text("ask", required=False)
    events: list[tuple[Text, str, str, Text]] = []
    raw_events = doc.meta.get("events") or []
    if not isinstance(raw_events, list):
        c.fail("events", "wrong_type", field="events", expected="a list")
        raw_events = []
    for ev in raw_events:
        if not isinstance(ev, LineDict):
            c.fail("events", "wrong_type", field="events", expected="a list of mappings")
            continue
        ec = _Checker(rel, ev)
        ec.unknown(EVENT_FIELDS)
        et = ec.text("title")
        times: list[str] = []
        for key in ("start", "end"):
            t = _event_time(ev.get(key))
            if t is None or (year is None) != bool(TEMPLATE_TIME.match(t)):
                ec.fail(key if key in ev else None, "bad_event_time", value=ev.get(key, ""))
            times.append(t or "")
        if not ec.errors and times[1] < times[0]:
            ec.fail("end", "event_ends_before_start")
        c.errors += ec.errors
        events.append((Text(et), times[0], times[1], Text(ec.text("location", False))))
    if c.errors or month is None:
        return None, c.errors
    return CampaignSource(slug, rel, digest, month, year, Text(title), Text(theme), tuple(events),
                          Body(doc.body), Text(ask)), []  # fmt: skip


def _parse_issue_index(rel: str, doc: FrontMatterDoc) -> tuple[Any, list[Any]]:
    c = _Checker(rel, doc.meta)
    c.unknown(ISSUE_FIELDS)
    number = c.integer("issue", 1, 100000, "bad_integer")
    if "issue" not in doc.meta:
        c.fail(None, "missing_field", field="issue")
    title = c.text("title")
    published = c.when("published")
    if c.errors or number is None or published is None:
        return None, c.errors
    return IssueIndex(number, title, published, doc.body, doc.meta.line_of("issue")), []


def _parse_article(rel: str, doc: FrontMatterDoc) -> tuple[Any, list[Any]]:
    c = _Checker(rel, doc.meta)
    c.unknown(ARTICLE_FIELDS)
    title, kind = c.text("title"), c.text("kind")
    if kind and kind not in ARTICLE_KINDS:
        c.fail("kind", "bad_choice", field="kind", value=kind, allowed=", ".join(ARTICLE_KINDS))
    if c.errors:
        return None, c.errors
    return ArticleRecord(title, kind, c.text("author", False), doc.body), []


def parse_source(rel: str, data: bytes) -> tuple[str, Any, list[SourceError]]:
    """Parse one content file (path relative to the content folder, POSIX separators)."""
    digest = hashlib.blake2b(data, digest_size=12).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return digest, None, [error(rel, 1, "not_utf8")]
    doc, err = split_front_matter(text, rel)
    if err or doc is None:
        return digest, None, [err] if err else []
    parts = rel.split("/")
    name = parts[-1]
    is_en = name.endswith(".en.md")
    slug = name[: -len(".en.md")] if is_en else name[: -len(".md")]
    section = parts[0]
    kind = {"notices": "notice", "campaigns": "campaign"}.get(section, "")
    if section == "newsletter":
        kind = "issue" if slug == "index" else "article"
    if kind == "notice":  # the body is not in the record (see FileBody): kept for the render
        keep_body(digest, doc.body)
    if is_en:
        value, errors = _parse_translation(rel, doc, kind)
        if kind == "notice" and isinstance(value, Translation):
            value = Translation(value.meta, "")  # the body is read when shown: see FileBody
    elif kind == "notice":
        value, errors = _parse_notice(rel, slug, digest, doc)
    elif kind == "campaign":
        value, errors = _parse_campaign(rel, slug, digest, doc)
    elif kind == "issue":
        value, errors = _parse_issue_index(rel, doc)
    else:
        value, errors = _parse_article(rel, doc)
    return digest, value, errors


def scan(content_dir: Path) -> dict[str, tuple[int, int]]:
    """Every content Markdown file → (mtime_ns, size), without reading it."""
    out: dict[str, tuple[int, int]] = {}
    for section in ("notices", "campaigns", "newsletter"):
        base = content_dir / section
        if not base.is_dir():
            continue
        stack = [(base, section)]
        while stack:
            d, rel_d = stack.pop()
            with os.scandir(d) as it:
                for entry in it:
                    if entry.name.startswith("."):
                        continue
                    rel = f"{rel_d}/{entry.name}"
                    if entry.is_dir():
                        stack.append((Path(entry.path), rel))
                    elif entry.name.endswith(".md"):
                        st = entry.stat()
                        out[rel] = (st.st_mtime_ns, st.st_size)
    return out
