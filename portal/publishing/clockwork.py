"""Rebuild and publish the site: after a staff publish (a task), and when time moves (a job).

:meth:`SiteRebuilder.rebuild` runs the one incremental builder over both sources (the
content folder and the store) into the build folder, then publishes it: outside the
local stage to the live site (:mod:`portal.publishing.livesite`: the site bucket, the
changed files only, one CloudFront invalidation), locally nothing (the dev server serves
the folder itself). The builder rewrites only pages whose inputs changed and only changed
files are uploaded, so a rebuild that finds nothing to do costs a plan and writes nothing.

:meth:`SiteRebuilder.tick` is the ``site-clock`` job (:data:`portal.jobs.JOBS`, every
minute): it rebuilds only when a moment the last run computed has come (a notice's publish
or expiry time, an estate's midnight: :func:`portal.site.moments.next_change`) or the
published documents changed since the last run (a lost task). Its marker in the store is
written conditionally on the previous run, so a late run catches up at once and a second
run of the same minute does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from portal.clock import Clock, iso, parse_iso
from portal.publishing.livesite import LiveSite, Published, Session
from portal.publishing.media import MEDIA_DIR, MediaCopier, images_of
from portal.publishing.model import KINDS, Doc, IssueContent
from portal.publishing.repository import PublishingRepository
from portal.publishing.sitelease import SiteBusy
from portal.publishing.source import StoreSource
from portal.settings import Settings
from portal.site.build import BuildResult, build_site

logger = logging.getLogger(__name__)

Publisher = Callable[[Path], object]
"""Handed the built folder after a build fit to publish (tests; a folder-wide publish)."""

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def build_lock(out_dir: Path) -> threading.Lock:
    """One build at a time into a folder, in this process (the dev server's watcher too)."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(str(out_dir.resolve()), threading.Lock())


@dataclass(frozen=True)
class Rebuilt:
    ran: bool
    written: int = 0
    deleted: int = 0
    errors: tuple[str, ...] = ()
    next_due: str = ""


def content_state(docs: list[Doc]) -> str:
    """A digest of what is published (ids and versions): changes when anything is."""
    data = "|".join(sorted(f"{d.doc_id}:{d.version}" for d in docs))
    return hashlib.blake2b(data.encode(), digest_size=10).hexdigest()


class SiteRebuilder:
    def __init__(self, settings: Settings, repo: PublishingRepository, clock: Clock,
                 publisher: Publisher | None = None, media_origins: tuple[str, ...] = (),
                 media: MediaCopier | None = None, live: LiveSite | None = None) -> None:  # fmt: skip
        self.settings, self.repo, self.clock = settings, repo, clock
        self.publisher, self.media_origins, self.media = publisher, media_origins, media
        self.live = live
        self.last_published: Published | None = None
        """What the last publish to the live site did (uploads, deletes, invalidation)."""

    def place_media(self, docs: list[Doc]) -> list[str]:
        """The images ``docs`` use, into the build folder (the preview shows them too) and, on
        AWS, into the site bucket (the preview's images are read from the site's origin)."""
        if self.media is None:
            return []
        tails = images_of(docs)
        missing = self.media.place(self.settings.build_dir, tails)
        if self.live is not None:
            self.live.stage_media(self.settings.build_dir,
                                  [f"{MEDIA_DIR}/{t}" for t in sorted(tails) if t not in missing])  # fmt: skip
        return missing

    def published(self) -> list[Doc]:
        """Every document as the site shows it (a published one whose next revision is being
        edited shows its published content)."""
        return [live for kind in KINDS for d in self.repo.all(kind) if (live := d.as_live())]

    def rebuild(self, now: datetime | None = None,
                changed: Iterable[str] | None = None) -> tuple[BuildResult, list[Doc]]:  # fmt: skip
        """Build both sources for ``now`` and publish the folder; the build's result.
        ``changed``: the content files that changed, when the caller knows (a staff publish
        changed none: ``()``, so a warm process does not scan the folder).

        With a live site (AWS) the build runs holding the site, from its state, and only
        the changed files are uploaded (:mod:`portal.publishing.livesite`); what is
        published is read once the site is held, so a publish that waited includes the
        one it waited for."""
        out = self.settings.build_dir
        with build_lock(out), self._session(out) as session:
            docs = self.published()
            result = build_site(
                content_dir=self.settings.content_dir, out_dir=out, now=now or self.clock(),
                site_url=self.settings.site_url, site_src=self.settings.site_src_dir, jobs=1,
                media_origins=self.media_origins, extra_sources=[StoreSource(lambda: docs)],
                changed=changed,
            )  # fmt: skip
            images = images_of(docs)
            if session is not None:
                wanted = session.not_live({f"{MEDIA_DIR}/{t}" for t in images})
                images = {t for t in images if f"{MEDIA_DIR}/{t}" in wanted}
            if self.media is not None:
                self.media.place(out, images)
            if not _broken(result):
                if self.publisher is not None:
                    self.publisher(out)
                if session is not None:
                    self.last_published = session.publish(
                        result, {f"{MEDIA_DIR}/{t}" for t in images_of(docs)}
                    )
        return result, docs

    def _session(self, out: Path) -> AbstractContextManager[Session | None]:
        return self.live.session(out) if self.live is not None else nullcontext()

    def tick(self) -> Rebuilt:
        """The ``site-clock`` job: rebuild if time or the store moved since the last run."""
        now = self.clock()
        marker = self.repo.clock_marker() or {}
        last, due = str(marker.get("last_run") or ""), str(marker.get("next_due") or "")
        docs = self.published()
        state = content_state(docs)
        if last and due and parse_iso(due) > now and marker.get("content_state") == state:
            return Rebuilt(ran=False, next_due=due)
        try:
            result, docs = self.rebuild(now)
        except SiteBusy:
            return Rebuilt(ran=False, next_due=due)  # a publish is rebuilding: next minute
        upcoming = [c.publish_at for d in docs if isinstance(c := d.content, IssueContent)
                    and c.publish_at > now]  # fmt: skip
        moments = [m for m in (result.next_change, *upcoming) if m is not None]
        next_due = iso(min(moments)) if moments else ""
        if not _broken(result):
            # A broken build is tried again next minute; a lost race means another run did it.
            self.repo.save_clock_marker(last, iso(now), next_due, content_state(docs))
        errors = tuple(str(e) for e in result.errors)
        logger.info("site-clock: %d written, %d deleted, %d problems, next at %s",
                    len(result.written), len(result.deleted), len(errors), next_due)  # fmt: skip
        return Rebuilt(True, len(result.written), len(result.deleted), errors, next_due)


def problems(result: BuildResult) -> list[str]:
    """What makes a build unfit to publish: a template that failed to render, or no company
    (no content folder where the build ran). A content file's problem is not: the rest of
    the site still builds, as ``portal build`` does."""
    return [str(e) for e in result.errors
            if e.path.startswith("templates/") or e.code == "no_company"]  # fmt: skip


def _broken(result: BuildResult) -> bool:
    """The publisher keeps the live site as it was."""
    return bool(problems(result))
