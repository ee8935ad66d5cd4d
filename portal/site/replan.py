"""The incremental plan: plan again only the pages that show what changed.

A warm process (the dev watcher, the publishing task) keeps its last plan per output
folder (and a new process, ``portal build``, reads the one its predecessor saved there with
its manifest: :func:`save`): the pages by group (:data:`portal.site.pages.GroupKey`), their fingerprints, the
notices they were planned from and the moment the plan stops being right
(:func:`portal.site.moments.next_change`). The next build, when everything but notices
is as it was (company, site inputs, campaigns, issues, KPI results) and that moment has
not come, compares the notices by identity (the assembler keeps an unchanged notice's
object; the store's equal ones are matched by content) and plans again the groups of the
notices added or removed and of the estates they are listed in; every other group is
kept as it was. Otherwise it plans every page, as a clean build does.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from portal.estates.model import Company
from portal.i18n import LANGS
from portal.site import pages as pages_mod
from portal.site.estatepages import LISTS_MEMO
from portal.site.model import Notice, SiteModel
from portal.site.moments import notice_moment, site_moment
from portal.site.pagekit import STATE_MEMO, Page
from portal.site.pages import GroupKey, Shared, plan_groups

NoticeKey = tuple[str, str, tuple[str, ...]]
"""What makes two notice objects the same notice: (source, digest, estates)."""
PLAN = ".portal-build.pickle.plan"
"""The last plan, saved by a new process beside the manifest it belongs to (same token)."""


@dataclass(frozen=True)
class Gone:
    """A notice of a saved plan that the model no longer has: what its removal needs."""

    source: str
    digest: str
    estates: tuple[str, ...]
    slug: str


Known = Notice | Gone


@dataclass
class Planned:
    """A plan: every page's fingerprint, the pages to compare with the last build's, and
    the names the last plan had that this one has not (None: compare every name)."""

    fingerprints: dict[str, str]
    fresh: list[Page]
    gone: set[str] | None
    next_change: datetime
    incremental: bool
    fresh_process: bool = False
    """This process had not planned for the folder before (it saves its plan: :func:`save`)."""


@dataclass
class _Kept:
    """The last plan into one output folder."""

    inputs: tuple[Any, ...]
    company: Company
    now: datetime
    until: datetime
    groups: dict[GroupKey, list[str]]
    """Each group's pages (their names)."""
    fingerprints: dict[str, str]
    notices: dict[int, Known] = field(default_factory=dict)
    by_key: dict[NoticeKey, Known] = field(default_factory=dict)
    slugs: dict[str, int] = field(default_factory=dict)
    moments: dict[int, tuple[float, datetime]] = field(default_factory=dict)
    site_moment: datetime | None = None
    derivable: bool | None = None
    """Whether its groups follow from its pages' names (None: not checked)."""


_KEPT: dict[str, _Kept] = {}
COUNTS: dict[str, int] = {"planned": 0}
"""Pages planned in this process (tests count the work of an incremental plan)."""


def _key(n: Known) -> NoticeKey:
    return (n.source, n.digest, n.estates)


def _inputs(model: SiteModel, site_hash: str) -> tuple[Any, ...]:
    """Everything but the notices that a page shows (a change means a full plan)."""
    campaigns = tuple((y, m, c.digest) for y, ms in sorted(model.campaigns.items())
                      for m, c in sorted(ms.items()))  # fmt: skip
    issues = tuple((i.number, i.folder, i.digest) for i in model.issues)
    return (site_hash, pages_mod.site_url(), pages_mod.media_origins(),
            pages_mod.results_of(model)[1], campaigns, issues)  # fmt: skip


def plan_site(model: SiteModel, site_hash: str, folder: str, trusted: bool,
              token: str = "", pages: dict[str, str] | None = None) -> Planned:  # fmt: skip
    """The plan of ``model`` for the output ``folder``; incremental when ``trusted`` (the
    folder's manifest holds every page of this process's last plan there) allows it, or,
    in a process that has not built there, when the folder's manifest (``token``) has its
    plan saved beside it (``pages``: that manifest's)."""
    kept = _KEPT.get(folder)
    fresh_process = kept is None
    if kept is None and token and pages is not None:
        kept, trusted = _load(folder, token, model, pages), True
    inputs = _inputs(model, site_hash)
    if (trusted and kept is not None and kept.inputs == inputs and kept.company is model.company
            and kept.now <= model.now < kept.until):  # fmt: skip
        done = _again(kept, model, site_hash)
        if done is not None:
            _KEPT[folder] = kept
            done.fresh_process = fresh_process
            return done
    _KEPT.pop(folder, None)
    groups = plan_groups(model)
    fingerprints: dict[str, str] = {}
    fresh: list[Page] = []
    for group in groups.values():
        for p in group:
            fingerprints[p.out] = p.fingerprint(site_hash)
            fresh.append(p)
    COUNTS["planned"] += len(fresh)
    kept = _Kept(inputs, model.company, model.now, model.now,
                 {k: [p.out for p in g] for k, g in groups.items()}, fingerprints)  # fmt: skip
    kept.site_moment = site_moment(model)
    for n in model.notices:
        kept.notices[id(n)] = n
        kept.by_key[_key(n)] = n
        kept.slugs[n.slug] = kept.slugs.get(n.slug, 0) + 1
        _moment(kept, n)
    kept.until = _until(kept)
    if len(kept.slugs) == len(kept.notices):  # two notices of one slug: always a full plan
        _KEPT[folder] = kept
    return Planned(fingerprints, fresh, None, kept.until, False, fresh_process)


def _moment(kept: _Kept, n: Known) -> None:
    if isinstance(n, Gone):
        return
    t = notice_moment(n, kept.now)
    if t is not None:
        kept.moments[id(n)] = (t.timestamp(), t)


def _until(kept: _Kept) -> datetime:
    assert kept.site_moment is not None
    first = min(kept.moments.values(), default=None, key=lambda m: m[0])
    return kept.site_moment if first is None else min(kept.site_moment, first[1])


def _again(kept: _Kept, model: SiteModel, site_hash: str) -> Planned | None:
    """Plan again the groups of the notices that changed; None when a full plan is needed."""
    seen = {id(n): n for n in model.notices}
    added: list[Known] = [n for i, n in seen.items() if i not in kept.notices]
    removed = {i: kept.notices[i] for i in kept.notices.keys() - seen.keys()}
    for n in list(added):  # an equal notice (the store's, made anew each build) is the same
        same = kept.by_key.get(_key(n))
        if same is not None and id(same) in removed:
            del removed[id(same)]
            added.remove(n)
    slugs = dict(kept.slugs)
    for n in removed.values():
        slugs[n.slug] -= 1
    for n in added:
        if slugs.get(n.slug, 0):
            return None  # a slug taken twice: the full plan decides which page wins
        slugs[n.slug] = 1
    changed = [*removed.values(), *added]
    estates = {e for n in changed for e in n.estates}
    shared = Shared(model)
    for slug in estates:
        LISTS_MEMO.pop(slug, None)
    lists = shared.by_estate(estates)
    shown = {id(n) for n in shared.shown}
    replace: dict[GroupKey, Callable[[], list[Page]] | None] = {}
    for lang in LANGS:
        for estate in model.company.estates:
            if estate.slug in estates:
                replace[("estate", estate.slug, lang)] = _later(shared.estate_group, estate,
                                                                lists[estate.slug], lang)  # fmt: skip
        for n in removed.values():
            replace[("notice", n.source, lang)] = None
        for n in added:
            if id(n) in shown and isinstance(n, Notice) and n.has(lang):
                replace[("notice", n.source, lang)] = _later(shared.notice_group, n, lang)
    fingerprints = dict(kept.fingerprints)
    fresh: list[Page] = []
    gone: set[str] = set()
    for group_key, make in replace.items():
        for out in kept.groups.pop(group_key, ()):
            del fingerprints[out]
            gone.add(out)
        if make is None:
            continue
        group = make()
        kept.groups[group_key] = [p.out for p in group]
        for p in group:
            fingerprints[p.out] = p.fingerprint(site_hash)
            fresh.append(p)
    COUNTS["planned"] += len(fresh)
    pages_mod.keep_notice_pages()
    kept.now = model.now
    for i, n in removed.items():
        del kept.notices[i]
        kept.by_key.pop(_key(n), None)
        kept.moments.pop(i, None)
        STATE_MEMO.pop(i, None)
    for n in added:
        kept.notices[id(n)] = n
        kept.by_key[_key(n)] = n
        _moment(kept, n)
    kept.slugs = {s: c for s, c in slugs.items() if c}
    kept.fingerprints = fingerprints
    kept.until = _until(kept)
    return Planned(fingerprints, fresh, gone - fingerprints.keys(), kept.until, True)


def _later(make: Callable[..., list[Page]], *args: Any) -> Callable[[], list[Page]]:
    return lambda: make(*args)


@dataclass
class _Saved:
    token: str
    inputs: tuple[Any, ...]
    now: datetime
    until: datetime
    site_moment: datetime | None
    notices: list[tuple[NoticeKey, str, datetime | None]]
    """Each notice's key, slug and next moment (the pages and their fingerprints are the
    manifest's; each page's group follows from its name: :func:`_groups_of`)."""


def _groups_of(pages: Iterable[str], sources: dict[str, str]) -> dict[GroupKey, list[str]]:
    """The groups of the pages named: a notice's pages are under ``notices/<slug>/``, an
    estate's under ``estates/<slug>/`` (``en/`` first in English), the rest the site's."""
    groups: dict[GroupKey, list[str]] = {}
    for out in pages:
        lang, rest = ("en", out[3:]) if out.startswith("en/") else (LANGS[0], out)
        section, _, tail = rest.partition("/")
        slug = tail.partition("/")[0]
        if section == "notices" and slug in sources:
            key: GroupKey = ("notice", sources[slug], lang)
        elif section == "estates" and slug:
            key = ("estate", slug, lang)
        else:
            key = ("site", lang)
        groups.setdefault(key, []).append(out)
    return groups


def save(out_dir: Path, token: str) -> None:
    """Save this process's last plan for ``out_dir`` (its manifest will carry ``token``), for
    the next process that builds there; the plan of a build with a failed page is not kept."""
    path = out_dir / PLAN
    kept = _KEPT.get(os.path.abspath(out_dir))
    if kept is None or not token or not _derivable(kept):
        path.unlink(missing_ok=True)
        return
    notices = [(_key(n), n.slug, m[1] if (m := kept.moments.get(i)) else None)
               for i, n in kept.notices.items()]  # fmt: skip
    saved = _Saved(token, kept.inputs, kept.now, kept.until, kept.site_moment, notices)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)


def _derivable(kept: _Kept) -> bool:
    """Whether the groups follow from the page names (checked once per process and plan)."""
    if kept.derivable is None:
        sources = {n.slug: n.source for n in kept.notices.values()}
        derived = _groups_of(kept.fingerprints, sources)
        kept.derivable = {k: sorted(v) for k, v in derived.items()} == {
            k: sorted(v) for k, v in kept.groups.items() if v}
    return kept.derivable


def _load(folder: str, token: str, model: SiteModel, pages: dict[str, str]) -> _Kept | None:
    """The plan saved with the manifest named ``token`` (whose ``pages`` it planned), its
    notices matched with the model's."""
    try:
        with open(os.path.join(folder, PLAN), "rb") as fh:
            saved = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return None
    if not isinstance(saved, _Saved) or saved.token != token:
        return None
    sources = {slug: key[0] for key, slug, _ in saved.notices}
    kept = _Kept(saved.inputs, model.company, saved.now, saved.until,
                 _groups_of(pages, sources), pages, site_moment=saved.site_moment,
                 derivable=True)  # fmt: skip
    current = {_key(n): n for n in model.notices}
    for key, slug, moment in saved.notices:
        n: Known = current.get(key) or Gone(key[0], key[1], key[2], slug)
        kept.notices[id(n)] = n
        kept.by_key[key] = n
        kept.slugs[slug] = kept.slugs.get(slug, 0) + 1
        if moment is not None:
            kept.moments[id(n)] = (moment.timestamp(), moment)
    return kept
