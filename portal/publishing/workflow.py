"""Drafts, approval, publishing and withdrawal of staff-written content: the rules.

Who may do what, where, is :mod:`portal.accounts.policy` (``<kind>.draft``,
``<kind>.approve``, ``<kind>.publish``; ``publishing.read``, ``publishing.configure``),
checked on every estate a document is for. An estate may require a second person's
approval (:meth:`Publishing.configure`): then only an approved document is published, and
its approver is not the one who last changed its words. A published document may be edited
without withdrawing it: the edit starts its next revision (a draft, submitted and approved
as any other) while the published version stays live, until the revision is published and
replaces it (or the document is withdrawn). Every change is a revision (who,
when, what changed) and an audit event, written together (:mod:`.repository`); publishing
and withdrawing also write the task that rebuilds the site (:data:`REBUILD_TASK`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from portal.accounts.audit import AuditLog, Event, actor
from portal.accounts.identity import Identity
from portal.accounts.policy import Target, can, require
from portal.clock import Clock, iso, local_day, zone
from portal.errors import Conflict, Forbidden, NotFound
from portal.estates.directory import EstateDirectory
from portal.publishing.model import (
    Content,
    Doc,
    Kind,
    NoticeContent,
    Revision,
    State,
    changed_fields,
    kind_of,
    kind_of_content,
    new_doc_id,
    to_plain,
)
from portal.publishing.repository import PublishingRepository
from portal.publishing.validate import check_content
from portal.store.table import Put
from portal.tasks.queue import TaskQueue

REBUILD_TASK = "site-rebuild"
REBUILD_GIVE_UP = timedelta(hours=1)
REASON_MAX = 500


def who(identity: Identity) -> str:
    """The audit actor: ``staff:<username>``, or the command line's ``cli:<user>@<host>``."""
    if identity.user_id.startswith("cli:"):
        return identity.user_id
    return actor("owner" if identity.is_owner else "staff", identity.user_id)


Images = Callable[[Content, str], Content]
"""Verifies the images a body refers to, as the given uploader (:mod:`.media`)."""


class Publishing:
    def __init__(self, repo: PublishingRepository, audit: AuditLog, tasks: TaskQueue,
                 estates: EstateDirectory, clock: Clock, images: Images | None = None) -> None:  # fmt: skip
        self.repo, self.audit, self.tasks, self.estates, self.clock = repo, audit, tasks, estates, clock
        self.images = images

    # -- reading ----------------------------------------------------------------------------

    def get(self, identity: Identity, doc_id: str) -> Doc:
        doc = self._load(doc_id)
        self._check(identity, "publishing.read", doc.content)
        return doc

    def of_estate(self, identity: Identity, kind: Kind, estate: str) -> list[Doc]:
        require(identity, "publishing.read", Target(estate=estate))
        docs = [d for d in self.repo.all(kind) if estate in d.estates]
        return sorted(docs, key=lambda d: d.updated_at, reverse=True)

    def revisions(self, identity: Identity, doc_id: str) -> list[Revision]:
        self.get(identity, doc_id)
        return self.repo.revisions(doc_id)

    # -- writing ----------------------------------------------------------------------------

    def create(self, identity: Identity, content: Content, doc_id: str | None = None) -> Doc:
        kind = kind_of_content(content)
        content = self._checked(identity, f"{kind}.draft", content)
        now = self.clock()
        at, by = iso(now), who(identity)
        if doc_id is None:
            doc_id = new_doc_id(kind, local_day(now, zone()).isoformat(), secrets.token_hex(4))
        doc = Doc(doc_id=doc_id, kind=kind, state="draft", version=1, content=content,
                  created_by=by, created_at=at, updated_by=by, updated_at=at)  # fmt: skip
        self._write(doc, "created", changed_fields(None, content), "", identity)
        return doc

    def edit(self, identity: Identity, doc_id: str, version: int, content: Content) -> Doc:
        doc = self._current(identity, doc_id, version, "draft")
        if kind_of_content(content) != doc.kind:
            raise NotFound("publishing_not_found")
        content = self._checked(identity, f"{doc.kind}.draft", content)
        changed = changed_fields(doc.content, content)
        # Editing a published document starts its next revision; the published one stays
        # live (live_content) until that revision is published, approved first if the
        # estate requires it.
        live = doc.content if doc.state == "published" else doc.live_content
        new = self._next(doc, identity, "draft", content=content, approved_by="",
                         live_content=live)  # fmt: skip
        self._write(new, "edited", changed, "", identity)
        return new

    def submit(self, identity: Identity, doc_id: str, version: int) -> Doc:
        doc = self._current(identity, doc_id, version, "draft")
        self._expect(doc, "draft")
        new = self._next(doc, identity, "submitted")
        self._write(new, "submitted", ("state",), "", identity)
        return new

    def approve(self, identity: Identity, doc_id: str, version: int) -> Doc:
        doc = self._current(identity, doc_id, version, "approve")
        self._expect(doc, "submitted")
        if self._last_author(doc) == who(identity):
            raise Conflict("publishing_approver_is_author")
        new = self._next(doc, identity, "approved", approved_by=who(identity))
        self._write(new, "approved", ("state",), "", identity)
        return new

    def publish(self, identity: Identity, doc_id: str, version: int) -> Doc:
        doc = self._current(identity, doc_id, version, "publish")
        if doc.state == "published":
            raise Conflict("publishing_already_published")
        if doc.state == "withdrawn":
            raise Conflict("publishing_withdrawn_edit_first")
        if doc.state != "approved" and any(self.repo.approval_required(e) for e in doc.estates):
            raise Conflict("publishing_needs_approval")
        by = who(identity)
        new = self._next(doc, identity, "published", published_by=by, published_at=iso(self.clock()),
                         site_state="queued", site_note="", live_content=None)  # fmt: skip
        self._write(new, "published", ("state",), "", identity, rebuild=True)
        return new

    def withdraw(self, identity: Identity, doc_id: str, version: int, reason: str) -> Doc:
        doc = self._current(identity, doc_id, version, "publish")
        if not doc.live:
            self._expect(doc, "published")
        reason = " ".join(reason.split())[:REASON_MAX]
        if not reason:
            raise Conflict("publishing_reason_required")
        # With a revision in progress, the live version leaves the site; the words being
        # edited stay, to be published again later.
        new = self._next(doc, identity, "withdrawn", withdrawn_reason=reason, site_state="queued",
                         site_note="", live_content=None)  # fmt: skip
        self._write(new, "withdrawn", ("state",), reason, identity, rebuild=True)
        return new

    # -- an estate's rule --------------------------------------------------------------------

    def approval_required(self, identity: Identity, estate: str) -> bool:
        require(identity, "publishing.read", Target(estate=estate))
        self.estates.estate(estate)
        return self.repo.approval_required(estate)

    def configure(self, identity: Identity, estate: str, approval_required: bool) -> bool:
        require(identity, "publishing.configure", Target(estate=estate))
        self.estates.estate(estate)
        audit = self.audit.entry(Event(who(identity), "publishing.rules_changed", estate,
                                       details={"approval_required": approval_required}))  # fmt: skip
        self.repo.set_approval(estate, approval_required, [audit])
        return approval_required

    # -- the site's answer (the rebuild task) -------------------------------------------------

    def site_took(self, doc_id: str, version: int, ok: bool, note: str = "") -> bool:
        kind = kind_of(doc_id)
        if kind is None:
            return False
        return self.repo.set_site_state(kind, doc_id, version, "live" if ok else "failed", note[:500])

    # -- helpers ------------------------------------------------------------------------------

    def _load(self, doc_id: str) -> Doc:
        kind = kind_of(doc_id)
        doc = self.repo.get(kind, doc_id) if kind else None
        if doc is None:
            raise NotFound("publishing_not_found")
        return doc

    def _current(self, identity: Identity, doc_id: str, version: int, verb: str) -> Doc:
        """The document, if ``identity`` may ``verb`` it and it is still at ``version``."""
        doc = self._load(doc_id)
        self._check(identity, f"{doc.kind}.{verb}", doc.content)
        if doc.version != version:
            raise Conflict("publishing_stale")
        return doc

    def _check(self, identity: Identity, action: str, content: Content) -> None:
        for estate in content.scope:
            require(identity, action, Target(estate=estate))
        if isinstance(content, NoticeContent):
            for estate in content.estates:
                for building in content.buildings:
                    if not can(identity, action, Target(estate=estate, building=building)):
                        raise Forbidden()

    def _checked(self, identity: Identity, action: str, content: Content) -> Content:
        self._check(identity, action, content)
        content = check_content(content, self.estates.buildings_by_estate())
        return self.images(content, who(identity)) if self.images else content

    @staticmethod
    def _expect(doc: Doc, state: State) -> None:
        if doc.state == state:
            return
        if state == "draft":
            raise Conflict("publishing_not_draft", state=doc.state)
        if state == "submitted":
            raise Conflict("publishing_not_submitted", state=doc.state)
        raise Conflict("publishing_not_published", state=doc.state)

    def _last_author(self, doc: Doc) -> str:
        for rev in reversed(self.repo.revisions(doc.doc_id)):
            if rev.action in ("created", "edited"):
                return rev.by
        return doc.created_by

    def _next(self, doc: Doc, identity: Identity, state: State, **changes: object) -> Doc:
        return replace(doc, state=state, version=doc.version + 1, updated_by=who(identity),
                       updated_at=iso(self.clock()), **changes)  # type: ignore[arg-type]

    def _write(self, doc: Doc, action: str, changed: tuple[str, ...] | list[str], note: str,
               identity: Identity, rebuild: bool = False) -> None:  # fmt: skip
        rev = Revision(version=doc.version, at=doc.updated_at, by=doc.updated_by, action=action,
                       changed=tuple(changed), note=note, content=to_plain(doc.content))  # fmt: skip
        also: list[Put] = [self.audit.entry(Event(
            doc.updated_by, f"publishing.{action}", doc.doc_id,
            details={"kind": doc.kind, "version": doc.version, "changed": list(changed),
                     "estates": list(doc.estates), **({"reason": note} if note else {})},
        ))]  # fmt: skip
        task = None
        if rebuild:
            task = self.tasks.new(REBUILD_TASK, {"doc_id": doc.doc_id, "version": doc.version},
                                  give_up_after=REBUILD_GIVE_UP)  # fmt: skip
            also.append(task.put)
        self.repo.write(doc, rev, also)
        if task is not None:
            self.tasks.dispatch(task)
