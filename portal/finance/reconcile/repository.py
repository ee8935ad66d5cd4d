"""Reconciliation's items in the store (keys: :mod:`portal.store.reconcile_keys`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from portal.finance.reconcile.bank import BankMapping
from portal.store import billing_keys, collection_keys
from portal.store import reconcile_keys as rk
from portal.store.items import Item, text
from portal.store.table import Table
from portal.store.tables import GSI1, GSI3

DayState = str  # "open" (never matched), "matched", "closed"


class ReconcileRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    # -- files and lines ---------------------------------------------------------------

    def file(self, estate: str, digest: str) -> Item | None:
        return self.table.get(rk.statement_file(estate, digest))

    def begin_file(self, estate: str, digest: str, source: str, name: str, actor: str,
                   at: str) -> None:  # fmt: skip
        self.table.put({**rk.statement_file(estate, digest), "type": "statement_file",
                        "estate": estate, "sha256": digest, "source": source, "file_name": name,
                        "state": "importing", "by": actor, "at": at})  # fmt: skip

    def finish_file(self, estate: str, digest: str, lines: int, new: int, days: list[str]) -> None:
        self.table.update(rk.statement_file(estate, digest), set={
            "state": "imported", "lines": lines, "new_lines": new, "days": days})  # fmt: skip

    def lines_of(self, estate: str, day: str, committed: bool = True) -> list[Item]:
        """A day's statement lines; only those of files whose import finished, by default."""
        items = self.table.query_all(rk.statement_lines(estate, day), consistent=True)
        if not committed or not items:
            return items
        digests = {text(i, "file") for i in items}
        done = {text(f, "sha256") for f in self.table.batch_get(
            [rk.statement_file(estate, d) for d in digests]) if f.get("state") == "imported"}  # fmt: skip
        return [i for i in items if text(i, "file") in done]

    # -- bank mappings -------------------------------------------------------------------

    def mapping(self, estate: str, bank: str) -> BankMapping | None:
        item = self.table.get(rk.bank_mapping(estate, bank)) if bank else None
        return _mapping(item) if item else None

    def mappings(self, estate: str) -> list[BankMapping]:
        return [_mapping(i) for i in self.table.query_all(rk.bank_mappings(estate))]

    def save_mapping(self, estate: str, mapping: BankMapping, actor: str, at: str) -> None:
        self.table.put({**rk.bank_mapping(estate, mapping.bank), "type": "bank_mapping",
                        "estate": estate, **asdict(mapping), "by": actor, "at": at})  # fmt: skip

    # -- days and discrepancies ------------------------------------------------------------

    def day(self, estate: str, day: str) -> Item | None:
        return self.table.get(rk.reconcile_day(estate, day))

    def day_state(self, estate: str, day: str) -> DayState:
        item = self.day(estate, day)
        return text(item, "state") if item else "open"

    def discrepancies(self, estate: str, day: str) -> list[Item]:
        return self.table.query_all(rk.reconcile_day_partition(estate, day),
                                    prefix=rk.DISCREPANCIES_PREFIX, consistent=True)  # fmt: skip

    def open_queue(self, estate: str, limit: int = 500) -> list[Item]:
        return self.table.query_all(rk.open_discrepancies(estate), index=GSI1, limit=limit)

    def ours(self, estate: str, day: str) -> tuple[list[Item], list[Item]]:
        """Our payments paid on ``day`` and our refunds that succeeded on it."""
        pays = self.table.query_all(rk.paid_on_day(estate, day), index=GSI3)
        refunds = self.table.query_all(rk.refunded_on_day(estate, day), index=GSI3)
        return pays, refunds

    def offline_of(self, estate: str, day: str) -> list[Item]:
        """The offline payments the desk recorded on a local day (every method)."""
        return self.table.query_all(collection_keys.offline_payments(estate, day))

    def providers_of(self, payment_ids: list[str]) -> dict[str, str]:
        """payment id → its provider (for the refunds of a day)."""
        items = self.table.batch_get([billing_keys.payment(p) for p in dict.fromkeys(payment_ids)])
        return {text(i, "payment_id"): text(i, "provider") for i in items}


def _mapping(item: Item) -> BankMapping:
    fields: dict[str, Any] = {k: text(item, k) for k in ("bank", "date", "counterparty", "credit",
                                                          "amount", "debit", "serial", "memo")}  # fmt: skip
    return BankMapping(**fields)
