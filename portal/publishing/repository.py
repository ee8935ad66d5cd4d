"""Publishing's items in the store (keys: :mod:`portal.store.publishing_keys`).

Every change to a document is one transaction: the new head (conditional on the version the
writer read, so two editors never overwrite each other), its revision (new, never updated)
and its audit event, plus the rebuild task when the site must change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from portal.errors import Conflict
from portal.publishing.model import Doc, Kind, Revision, from_plain, to_plain
from portal.store import publishing_keys as pk
from portal.store.conditions import ITEM_IS_NEW, condition
from portal.store.errors import ConditionFailed, TransactionCancelled
from portal.store.items import Item, text, whole
from portal.store.table import Put, Table


def _head(doc: Doc) -> dict[str, Any]:
    item = {k: v for k, v in asdict(doc).items() if k not in ("content", "live_content")}
    live = {"live_content": to_plain(doc.live_content)} if doc.live_content is not None else {}
    return {**pk.document(doc.kind, doc.doc_id), "type": "pub_doc", **item,
            "content": to_plain(doc.content), **live}  # fmt: skip


def doc_of(item: Item) -> Doc:
    kind: Kind = item["kind"]
    return Doc(
        doc_id=text(item, "doc_id"), kind=kind, state=item["state"], version=whole(item, "version"),
        content=from_plain(kind, item["content"]), created_by=text(item, "created_by"),
        created_at=text(item, "created_at"), updated_by=text(item, "updated_by"),
        updated_at=text(item, "updated_at"), approved_by=text(item, "approved_by"),
        published_by=text(item, "published_by"), published_at=text(item, "published_at"),
        withdrawn_reason=text(item, "withdrawn_reason"), site_state=item.get("site_state", ""),
        site_note=text(item, "site_note"),
        live_content=from_plain(kind, item["live_content"]) if item.get("live_content") else None,
    )  # fmt: skip


def _revision_of(item: Item) -> Revision:
    return Revision(version=whole(item, "version"), at=text(item, "at"), by=text(item, "by"),
                    action=text(item, "action"), changed=tuple(item.get("changed") or ()),
                    note=text(item, "note"), content=dict(item.get("content") or {}))  # fmt: skip


class PublishingRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, kind: Kind, doc_id: str) -> Doc | None:
        item = self.table.get(pk.document(kind, doc_id))
        return doc_of(item) if item else None

    def all(self, kind: Kind) -> list[Doc]:
        return [doc_of(i) for i in self.table.query_all(pk.documents(kind))]

    def revisions(self, doc_id: str) -> list[Revision]:
        return [_revision_of(i) for i in self.table.query_all(pk.revisions(doc_id), consistent=True)]

    def write(self, doc: Doc, revision: Revision, also: Sequence[Put] = ()) -> None:
        """The new head (version ``doc.version``, replacing ``doc.version - 1``), its revision
        and ``also`` (the audit event, a task), together; ``Conflict("publishing_stale")`` when
        someone else wrote the document in between."""
        if doc.version == 1:
            guard = ITEM_IS_NEW
        else:
            guard = condition("publishing_version_is", "version = :version",
                              version=doc.version - 1)  # fmt: skip
        rev = {**pk.revision(doc.doc_id, revision.version), "type": "pub_revision",
               "doc_id": doc.doc_id, **asdict(revision), "changed": list(revision.changed)}  # fmt: skip
        try:
            self.table.transact([Put(_head(doc), guard), Put(rev, ITEM_IS_NEW), *also])
        except (TransactionCancelled, ConditionFailed):
            raise Conflict("publishing_stale") from None

    def set_site_state(self, kind: Kind, doc_id: str, version: int, state: str, note: str) -> bool:
        """Record how the site took the document's version ``version`` (not a later one's)."""
        try:
            self.table.update(pk.document(kind, doc_id), set={"site_state": state, "site_note": note},
                              condition=condition("publishing_version_is", "version = :version",
                                                  version=version))  # fmt: skip
        except ConditionFailed:
            return False
        return True

    # -- an estate's rules ------------------------------------------------------------------

    def approval_required(self, estate: str) -> bool:
        item = self.table.get(pk.estate_rules(estate), consistent=False)
        return bool(item and item.get("approval_required"))

    def set_approval(self, estate: str, required: bool, also: Sequence[Put]) -> None:
        self.table.transact([Put({**pk.estate_rules(estate), "type": "pub_rules", "estate": estate,
                                  "approval_required": required}), *also])  # fmt: skip

    # -- the scheduled rebuild's marker ------------------------------------------------------

    def clock_marker(self) -> Item | None:
        return self.table.get(pk.site_clock())

    def save_clock_marker(self, previous_run: str, run: str, next_due: str, state: str) -> bool:
        """Record a run; ``False`` if another run recorded itself since ``previous_run``."""
        guard = (condition("site_clock_is", "last_run = :last", last=previous_run) if previous_run
                 else ITEM_IS_NEW)  # fmt: skip
        try:
            self.table.put({**pk.site_clock(), "type": "site_clock", "last_run": run,
                            "next_due": next_due, "content_state": state}, guard)  # fmt: skip
        except ConditionFailed:
            return False
        return True
