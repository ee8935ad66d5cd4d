"""The idempotency record of imported files (``keys.roster_import``): counts, never rows."""

from __future__ import annotations

from portal.accounts.roster.report import Counts, PreviousImport
from portal.store import keys
from portal.store.items import text, whole
from portal.store.table import Table


class ImportLogRepository:
    """One item per file (by SHA-256): when and by whom it was last imported, how often."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, digest: str) -> PreviousImport | None:
        item = self.table.get(keys.roster_import(digest))
        if not item:
            return None
        return PreviousImport(
            first_at=text(item, "first_imported_at"),
            last_at=text(item, "last_imported_at"),
            by=text(item, "last_imported_by"),
            estate=text(item, "estate"),
            file_name=text(item, "file_name"),
            times=whole(item, "times"),
        )

    def record(
        self, digest: str, *, estate: str, file_name: str, actor: str, at: str, counts: Counts
    ) -> None:
        self.table.update(
            keys.roster_import(digest),
            set={
                "estate": estate,
                "file_name": file_name,
                "last_imported_at": at,
                "last_imported_by": actor,
                "counts": dict(vars(counts)),
            },
            set_if_missing={"first_imported_at": at},
            add={"times": 1},
        )
