"""Critical notices and acknowledgements in the main table (keys: :mod:`portal.store.owner_keys`).

An acknowledgement is put only if its unit has none yet, in one transaction with its audit
line: a second tap, or another member of the household, changes nothing.
"""

from __future__ import annotations

from portal.acknowledgements.model import Acknowledged, CriticalNotice
from portal.store import owner_keys
from portal.store.conditions import ITEM_IS_NEW
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text
from portal.store.table import Put, Table


def _notice_item(n: CriticalNotice) -> Item:
    return {
        **owner_keys.critical_notice(n.estate, n.notice), "estate": n.estate, "notice": n.notice,
        "title_zh": n.title_zh, "title_en": n.title_en, "category": n.category,
        "buildings": list(n.buildings), "published": n.published, "expires": n.expires,
    }  # fmt: skip


def _notice_of(item: Item) -> CriticalNotice:
    raw = item.get("buildings") or []
    return CriticalNotice(
        estate=text(item, "estate"), notice=text(item, "notice"),
        title_zh=text(item, "title_zh"), title_en=text(item, "title_en"),
        category=text(item, "category"),
        buildings=tuple(str(b) for b in raw if isinstance(b, str)),
        published=text(item, "published"), expires=text(item, "expires"),
    )  # fmt: skip


class AcknowledgementRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def register(self, notice: CriticalNotice) -> None:
        """Add or refresh a critical notice (its acknowledgements are kept)."""
        self.table.put(_notice_item(notice))

    def notices(self, estate: str) -> list[CriticalNotice]:
        return [_notice_of(i) for i in self.table.query_all(owner_keys.critical_notices(estate))]

    def notice(self, estate: str, notice: str) -> CriticalNotice | None:
        item = self.table.get(owner_keys.critical_notice(estate, notice))
        return None if item is None else _notice_of(item)

    def acknowledged(self, estate: str, notice: str) -> dict[tuple[str, str], Acknowledged]:
        out: dict[tuple[str, str], Acknowledged] = {}
        for item in self.table.query_all(owner_keys.acknowledgements(estate, notice)):
            building, room = owner_keys.unit_of_acknowledgement(text(item, "sk"))
            out[(building, room)] = Acknowledged(building, room, text(item, "owner_id"),
                                                 text(item, "at"))  # fmt: skip
        return out

    def of_unit(self, estate: str, notice: str, building: str, room: str) -> Acknowledged | None:
        item = self.table.get(owner_keys.acknowledgement(estate, notice, building, room))
        if item is None:
            return None
        return Acknowledged(building, room, text(item, "owner_id"), text(item, "at"))

    def acknowledge(self, estate: str, notice: str, ack: Acknowledged, audit: Put) -> bool:
        """``True`` if this was the household's first acknowledgement (written with ``audit``)."""
        item = {**owner_keys.acknowledgement(estate, notice, ack.building, ack.room),
                "owner_id": ack.owner_id, "at": ack.at}  # fmt: skip
        try:
            self.table.transact([Put(item, ITEM_IS_NEW), audit])
        except TransactionCancelled as exc:
            if exc.reasons[:1] == (TransactionCancelled.CHECK_FAILED,):
                return False  # the household acknowledged already
            raise
        return True
