"""Write ``company.yaml`` into the store: ``portal estates sync`` (and ``portal seed``, ``portal dev``).

The company, each estate (profile and the company's summary of it), each
building and every generated unit become one item each, keyed by
:mod:`portal.store.keys` (:mod:`portal.estates.records`). Items are computed
from the file alone, nothing is stamped with the current time, so syncing is
idempotent: a second run finds every item identical and writes nothing. An
item whose synced attributes differ (the YAML changed) is rewritten with the
new values and keeps any attribute the application added to it since. Units
that left the YAML are not deleted (bills and work orders may refer to them).

Numbers that are not whole (room areas) are stored as ``Decimal``, never float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from portal.estates.model import Company
from portal.estates.records import company_items
from portal.estates.source import load_company
from portal.i18n import translate
from portal.sourcefile import SourceError
from portal.store import keys
from portal.store.items import Item
from portal.store.table import Table


class SyncError(Exception):
    """``company.yaml`` is missing or invalid: nothing was written."""

    def __init__(self, errors: Sequence[SourceError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class SyncReport:
    table: str
    tables_created: tuple[str, ...]
    estates: int
    buildings: int
    units: int
    created: int
    updated: int
    unchanged: int

    @property
    def items(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def written(self) -> int:
        return self.created + self.updated

    def message(self, lang: str = "zh-CN") -> str:
        return translate(
            "estates.sync_report", lang, table=self.table, estates=self.estates,
            buildings=self.buildings, units=self.units, created=self.created,
            updated=self.updated, unchanged=self.unchanged,
        )  # fmt: skip

    def __str__(self) -> str:
        return f"{self.message('zh-CN')}\n{self.message('en')}"


def read_company(content_dir: Path) -> Company:
    """The company of ``content_dir/company.yaml``; :class:`SyncError` if it has problems."""
    company, errors = load_company(content_dir)
    if errors or company is None:
        raise SyncError(errors)
    return company


def sync_company(table: Table, company: Company, tables_created: Sequence[str] = ()) -> SyncReport:
    """Write the company's items that are missing or differ; idempotent."""
    partitions = [keys.COMPANY_PARTITION] + [keys.estate_partition(e.slug) for e in company.estates]
    existing: dict[tuple[str, str], Item] = {}
    for pk in partitions:
        for item in table.iter_query(pk, consistent=True):
            existing[(item["pk"], item["sk"])] = item

    to_write: list[Item] = []
    created = updated = unchanged = 0
    for item in company_items(company):
        old = existing.get((item["pk"], item["sk"]))
        if old is None:
            to_write.append(item)
            created += 1
        elif all(old.get(k) == v for k, v in item.items()):
            unchanged += 1
        else:
            to_write.append({**old, **item})
            updated += 1
    table.batch_put(to_write)

    return SyncReport(
        table=table.name,
        tables_created=tuple(tables_created),
        estates=len(company.estates),
        buildings=sum(len(e.buildings) for e in company.estates),
        units=sum(e.unit_count for e in company.estates),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )


def sync_file(table: Table, content_dir: Path, tables_created: Sequence[str] = ()) -> SyncReport:
    """Read ``content_dir/company.yaml`` and sync it (``SyncError`` if it has problems)."""
    return sync_company(table, read_company(content_dir), tables_created)
