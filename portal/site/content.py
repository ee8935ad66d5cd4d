"""Read the content folder into records, then assemble the site model.

Parsing a file (front matter, field types) depends only on the file, so its
result is cached by the file's size and modification time; cross-file checks
(estates exist, English versions have a Chinese original) run on every build
and are cheap. Every problem is a :class:`SourceError` with ``file:line``.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from portal.estates.model import Company
from portal.i18n import Text
from portal.site.model import (
    Article,
    Body,
    Campaign,
    CampaignEvent,
    CampaignSource,
    ContentSource,
    FileBody,
    Issue,
    Notice,
    SiteModel,
)
from portal.site.sources import TZ, ArticleRecord, IssueIndex, NoticeRecord, Parsed, Translation
from portal.sourcefile import (
    SourceError,
    error,
    parse_datetime,
)

# --- records → model -------------------------------------------------------


def _merge_translation(base: Text, tr: Translation | None, key: str) -> Text:
    if tr is None:
        return base
    v = tr.meta.get(key)
    return Text(base.zh, str(v).strip() if isinstance(v, str | int) and str(v).strip() else None)


def _instantiate(src: CampaignSource, year: int, tz: ZoneInfo) -> Campaign:
    events = []
    for title, start, end, loc in src.events:
        if src.year is None:
            s = datetime.fromisoformat(f"{year}-{start}").replace(tzinfo=tz)
            e = datetime.fromisoformat(f"{year}-{end}").replace(tzinfo=tz)
        else:
            s, e = parse_datetime(start, tz), parse_datetime(end, tz)  # type: ignore[assignment]
        events.append(CampaignEvent(title, s, e, loc))
    return Campaign(year, src.month, src, tuple(events))


_NOTICE_MEMO: dict[tuple[Any, ...], Notice] = {}
"""Assembled notices of the last build in this process, by their inputs (reused when unchanged)."""
_CHECKED_MEMO: dict[tuple[Any, ...], Notice] = {}
"""The same notices by (folder, file, digest, translation's digest, company): a notice whose
file, translation and company did not change passed the cross-checks last time, so it is
taken as it is (an edit anywhere changes a digest, a new company.yaml its identity)."""
_COMPANY: list[Company | None] = [None]

NoticeKey = tuple[float, str, str]
"""A notice's place in the lists: (publish instant, slug, file); newest first is descending."""


@dataclass
class FilesModel:
    """What the content folder made, kept for the next build in this process (per folder):
    when only notice files changed, it is patched (those notices checked again, put in
    their places) instead of being made again from every record."""

    company: Company
    year: int
    notices: dict[str, Notice] = field(default_factory=dict)
    """File → the notice it makes (files whose notice failed a cross-check are absent)."""
    keys: list[NoticeKey] = field(default_factory=list)
    """The notices' keys, ascending; ``ordered`` holds the notices in the same places."""
    ordered: list[Notice] = field(default_factory=list)
    notice_errors: dict[str, list[SourceError]] = field(default_factory=dict)
    """File → its cross-check problems (unknown estate or building, orphan translation)."""
    campaigns: dict[int, dict[int, Campaign]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    other_errors: list[SourceError] = field(default_factory=list)

    def place(self, rel: str, notice: Notice) -> None:
        key = (notice.published.timestamp(), notice.slug, rel)
        i = bisect_left(self.keys, key)
        self.keys.insert(i, key)
        self.ordered.insert(i, notice)
        self.notices[rel] = notice

    def unplace(self, rel: str) -> None:
        notice = self.notices.pop(rel, None)
        if notice is not None:
            i = bisect_left(self.keys, (notice.published.timestamp(), notice.slug, rel))
            del self.keys[i]
            del self.ordered[i]

    def model(self, now: datetime) -> tuple[SiteModel, list[SourceError]]:
        """A model of these files for ``now`` (its lists are its own: sources may add to them)."""
        model = SiteModel(company=self.company, now=now, notices=self.ordered[::-1],
                          campaigns={y: dict(ms) for y, ms in self.campaigns.items()},
                          issues=list(self.issues))  # fmt: skip
        errors = [e for rel in sorted(self.notice_errors) for e in self.notice_errors[rel]]
        return model, errors + self.other_errors


_FILES: dict[str, FilesModel] = {}
"""Per content folder, what its files made at the last build in this process."""


def _orphan(rel: str, records: dict[str, Parsed]) -> list[SourceError]:
    """A translation (``.en.md``) whose original is neither there nor reported broken."""
    original = records.get(rel[: -len(".en.md")] + ".md")
    if original is None or (original.value is None and not original.errors):
        return [error(rel, 1, "orphan_translation", value=rel[: -len(".en.md")] + ".md")]
    return []


def _translation(rel: str, records: dict[str, Parsed]) -> Translation | None:
    found = records.get(rel[: -len(".md")] + ".en.md")
    return found.value if found is not None and isinstance(found.value, Translation) else None


Places = tuple[list[str], dict[str, set[str]]]


def _places(company: Company) -> Places:
    """The company's estate slugs and each estate's building codes (the last company's kept)."""
    kept = _PLACES.get(id(company))
    if kept is None or kept[0] is not company:
        _PLACES.clear()
        kept = _PLACES[id(company)] = (company, (
            [e.slug for e in company.estates],
            {e.slug: {b.code for b in e.buildings} for e in company.estates}))  # fmt: skip
    return kept[1]


_PLACES: dict[int, tuple[Company, Places]] = {}


def _file_notice(rel: str, v: NoticeRecord, records: dict[str, Parsed], company: Company,
                 base: str, memo: dict[tuple[Any, ...], Notice],
                 checked: dict[tuple[Any, ...], Notice]) -> tuple[Notice | None, list[SourceError]]:  # fmt: skip
    """A notice file's notice, cross-checked against the company (and its problems)."""
    n = v.notice
    # The same record, translation and company as a previous build: the same notice.
    en_rel = rel[: -len(".md")] + ".en.md"
    en_record = records.get(en_rel)
    en_key = en_record.digest if en_record is not None else None
    checked_key = (base, rel, n.digest, en_key, id(company))
    notice = _CHECKED_MEMO.get(checked_key)
    if notice is not None:
        checked[checked_key] = notice
        return notice, []
    slugs, buildings = _places(company)
    errors: list[SourceError] = []
    ests = tuple(slugs) if "all" in v.raw_estates else v.raw_estates
    bad = [e for e in ests if e not in slugs]
    for e in bad:
        errors.append(error(rel, v.lines.get("estates", 2), "unknown_estate", value=e))
    for b in n.buildings:
        if not any(b in buildings.get(e, set()) for e in ests):
            errors.append(error(rel, v.lines.get("buildings", 2), "unknown_building",
                                value=b, estate="/".join(ests)))  # fmt: skip
    if errors:
        return None, errors
    tr = _translation(rel, records)
    en_digest = en_record.digest if tr is not None and en_record is not None else None
    memo_key = (base, rel, n.digest, en_digest, ests)
    notice = _NOTICE_MEMO.get(memo_key)
    if notice is None:
        body = FileBody(f"{base}/{rel}", n.digest,
                        f"{base}/{en_rel}" if tr else None, en_digest)  # fmt: skip
        notice = Notice(
            slug=n.slug, source=n.source, digest=n.digest + (en_digest or ""),
            title=_merge_translation(n.title, tr, "title"), category=n.category,
            estates=ests, buildings=n.buildings, published=n.published,
            expires=n.expires, pinned=n.pinned, urgent=n.urgent, body=body,
            acknowledge=n.acknowledge,
        )  # fmt: skip
    memo[memo_key] = notice
    if en_record is None or tr is not None:  # an erroneous translation is re-checked
        checked[checked_key] = notice
    return notice, []


def assemble(
    company: Company, records: dict[str, Parsed], now: datetime, content_dir: Path | None = None,
    extra_sources: Sequence[ContentSource] = (), changed: Iterable[str] | None = None,
) -> tuple[SiteModel, list[SourceError]]:
    """Cross-check the parsed records and build the model for ``now``; then add what the
    ``extra_sources`` (the store) have. ``changed``: the files whose records differ from
    the last build's in this process (None: unknown); when they are only notices, the last
    build's notices are patched with theirs."""
    base = str(content_dir or Path("."))
    _COMPANY[0] = company  # kept alive, so its id stays its own while the memo uses it
    year = now.astimezone(TZ).year
    last = _FILES.get(base)
    patch = None if changed is None else set(changed)
    if (patch is not None and last is not None and last.company is company
            and last.year == year and all(r.startswith("notices/") for r in patch)):  # fmt: skip
        files = last
        _patch_notices(files, records, patch, base)
    else:
        files = _FILES[base] = _assemble_files(company, records, year, base)
    model, errors = files.model(now)
    for extra in extra_sources:
        errors += extra.contribute(model)
    if extra_sources:
        model.notices.sort(key=lambda n: (n.published, n.slug), reverse=True)
    return model, errors


def _patch_notices(files: FilesModel, records: dict[str, Parsed], changed: set[str],
                   base: str) -> None:  # fmt: skip
    """Check again the notices of the ``changed`` files (and of their translations)."""
    touched = {r[: -len(".en.md")] + ".md" if r.endswith(".en.md") else r for r in changed}
    for rel in sorted(touched):
        files.unplace(rel)
        files.notice_errors.pop(rel, None)
        en_rel = rel[: -len(".md")] + ".en.md"
        files.notice_errors.pop(en_rel, None)
        translated = en_rel in records and isinstance(records[en_rel].value, Translation)
        if translated and (orphan := _orphan(en_rel, records)):
            files.notice_errors[en_rel] = orphan
        found = records.get(rel)
        if found is None or not isinstance(found.value, NoticeRecord):
            continue
        notice, errors = _file_notice(rel, found.value, records, files.company, base,
                                      _NOTICE_MEMO, _CHECKED_MEMO)  # fmt: skip
        if errors:
            files.notice_errors[rel] = errors
        if notice is not None:
            files.place(rel, notice)


def _assemble_files(company: Company, records: dict[str, Parsed], year: int,
                    base: str) -> FilesModel:  # fmt: skip
    files = FilesModel(company, year)
    values = {rel: p.value for rel, p in records.items() if p.value is not None}
    for rel, v in values.items():
        if isinstance(v, Translation) and (orphan := _orphan(rel, records)):
            files.notice_errors[rel] = orphan

    new_memo: dict[tuple[Any, ...], Notice] = {}
    new_checked: dict[tuple[Any, ...], Notice] = {}
    campaign_sources: list[CampaignSource] = []
    issue_index: dict[str, IssueIndex | None] = {}
    issue_articles: dict[str, list[tuple[str, ArticleRecord]]] = {}
    placed: list[tuple[NoticeKey, Notice]] = []

    def translation_of(rel: str) -> Translation | None:
        return _translation(rel, records)

    for rel, v in sorted(values.items()):
        if isinstance(v, NoticeRecord):
            notice, errors = _file_notice(rel, v, records, company, base, new_memo, new_checked)
            if errors:
                files.notice_errors[rel] = errors
            if notice is not None:
                files.notices[rel] = notice
                placed.append(((notice.published.timestamp(), notice.slug, rel), notice))
        elif isinstance(v, CampaignSource):
            tr = translation_of(rel)
            if tr:
                raw_en = tr.meta.get("events")
                en_events: list[Any] = raw_en if isinstance(raw_en, list) else []
                evs = []
                for i, (t, s, e, loc) in enumerate(v.events):
                    te = en_events[i] if i < len(en_events) and isinstance(en_events[i], dict) else {}
                    evs.append((Text(t.zh, te.get("title")), s, e, Text(loc.zh, te.get("location"))))
                v = CampaignSource(
                    v.slug, v.source, v.digest + hashlib.blake2b(repr(tr).encode(), digest_size=6)
                    .hexdigest(), v.month, v.year, _merge_translation(v.title, tr, "title"),
                    _merge_translation(v.theme, tr, "theme"), tuple(evs), Body(v.body.zh, tr.body),
                    _merge_translation(v.ask, tr, "ask"),
                )  # fmt: skip
            campaign_sources.append(v)
        elif isinstance(v, IssueIndex | ArticleRecord):
            folder = rel.split("/")[1]
            issue_articles.setdefault(folder, [])
            if isinstance(v, IssueIndex):
                issue_index[folder] = v
            else:
                issue_index.setdefault(folder, None)
                issue_articles[folder].append((rel, v))

    _NOTICE_MEMO.clear()
    _NOTICE_MEMO.update(new_memo)
    _CHECKED_MEMO.clear()
    _CHECKED_MEMO.update(new_checked)
    # By instant (a float compares without asking each time zone for its offset), slug, file.
    placed.sort(key=lambda kn: kn[0])
    files.keys = [k for k, _ in placed]
    files.ordered = [n for _, n in placed]

    # Campaigns: the year being built, plus every dated campaign of other years.
    templates = {c.month: c for c in campaign_sources if c.year is None}
    dated = [c for c in campaign_sources if c.year is not None]
    files.campaigns[year] = {m: _instantiate(t, year, TZ) for m, t in templates.items()}
    for c in dated:
        assert c.year is not None
        files.campaigns.setdefault(c.year, {})[c.month] = _instantiate(c, c.year, TZ)

    # Newsletter issues.
    seen: dict[int, str] = {}
    for folder in sorted(issue_index):
        idx, arts = issue_index[folder], issue_articles[folder]
        index_rel = f"newsletter/{folder}/index.md"
        if idx is None:
            if index_rel not in records or not records[index_rel].errors:
                first = arts[0][0] if arts else index_rel
                files.other_errors.append(error(first, 1, "missing_index"))
            continue
        if idx.number in seen:
            files.other_errors.append(error(index_rel, idx.line, "duplicate_issue", value=idx.number))
            continue
        seen[idx.number] = folder
        itr = translation_of(index_rel)
        articles = []
        digest_parts = [records[index_rel].digest, repr(itr)]
        for rel, a in sorted(arts):
            atr = translation_of(rel)
            digest_parts += [records[rel].digest, repr(atr)]
            articles.append(Article(
                slug=rel.rsplit("/", 1)[1][:-3], source=rel,
                title=_merge_translation(Text(a.title), atr, "title"), kind=a.kind,
                author=_merge_translation(Text(a.author), atr, "author"),
                body=Body(a.body, atr.body if atr else None),
            ))  # fmt: skip
        files.issues.append(Issue(
            number=idx.number, folder=folder, source=index_rel,
            digest=hashlib.blake2b("|".join(digest_parts).encode(), digest_size=12).hexdigest(),
            title=_merge_translation(Text(idx.title), itr, "title"), published=idx.published,
            intro=Body(idx.intro, itr.body if itr else None), articles=tuple(articles),
        ))  # fmt: skip
    files.issues.sort(key=lambda i: i.number, reverse=True)
    return files
