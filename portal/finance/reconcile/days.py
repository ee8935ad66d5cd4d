"""A day of reconciliation: match it, work its exceptions, close it (and reopen, with a reason).

========  ===============================================  ==================================
state     meaning                                          next
========  ===============================================  ==================================
open      never matched (or reopened)                      matched (``match``)
matched   matched; its discrepancies are listed            matched (again), closed
closed    every discrepancy resolved, and locked: no       open (``reopen`` with a reason)
          import, match or resolution touches it
========  ===============================================  ==================================

``match`` runs the three-way match of the estate's day: our payments paid and refunds
made that day (the ledger's day index), the provider lines of the day and the bank lines
around it (:mod:`.matching`); the desk's bank transfers and POS slips of the days before
explain the deposits they make (:func:`offline_deposits`; POS slips net of the acquirer's
agreed fee, :func:`card_days`), so those are not unexplained. A discrepancy found again
keeps its id and its resolution;
one no longer found is ``cleared`` (never deleted); new ones are ``open`` and in the
estate's exceptions queue. ``resolve`` records an action of :data:`~.kinds.ACTIONS` with
a note. Every step is an audit line; every change of a day is conditioned on its state
and version as read, so two people cannot close and re-match it at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from portal.accounts.audit import AuditLog, Event
from portal.clock import Clock, iso
from portal.errors import Conflict, InvalidInput, NotFound
from portal.finance.reconcile.kinds import (
    ACQUIRER,
    ACTIONS,
    KINDS,
    PROVIDERS,
    SETTLEMENT,
    Action,
    expected_fee,
)  # fmt: skip
from portal.finance.reconcile.lines import BankLine, ProviderLine
from portal.finance.reconcile.matching import (
    CardDay,
    Deposit,
    Discrepancy,
    match_bank,
    match_provider,
)  # fmt: skip
from portal.finance.reconcile.repository import ReconcileRepository
from portal.store import reconcile_keys as rk
from portal.store.conditions import Condition, condition
from portal.store.errors import TransactionCancelled
from portal.store.items import Item, text, whole
from portal.store.table import Check, Operation, Put, Update

MAX_NOTE = 500
WINDOW = max(s.lag_days + s.grace_days for s in SETTLEMENT.values())


@dataclass
class DayView:
    estate: str
    day: str
    state: str
    version: int
    discrepancies: list[Item] = field(default_factory=list)
    closed_at: str = ""
    closed_by: str = ""

    @property
    def open_count(self) -> int:
        return sum(text(d, "status") == "open" for d in self.discrepancies)


def discrepancy_id(d: Discrepancy) -> str:
    return hashlib.sha256(d.key.encode()).hexdigest()[:16]


def check_day(day: str) -> str:
    try:
        return date.fromisoformat(day).isoformat()
    except ValueError:
        raise InvalidInput("reconcile_day_invalid") from None


def _shift(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _day_is(state: str, version: int) -> Condition:
    return condition("reconcile_day_as_read", "attribute_not_exists(pk) OR (#st = :s AND version = :v)",
                     names={"#st": "state"}, s=state, v=version)  # fmt: skip


NOT_CLOSED = condition("reconcile_day_not_closed", "attribute_not_exists(pk) OR #st <> :c",
                       names={"#st": "state"}, c="closed")  # fmt: skip


class ReconcileDays:
    def __init__(self, repo: ReconcileRepository, audit: AuditLog, clock: Clock) -> None:
        self.repo, self.audit, self.clock = repo, audit, clock

    def view(self, estate: str, day: str) -> DayView:
        day = check_day(day)
        item = self.repo.day(estate, day) or {}
        return DayView(estate, day, text(item, "state") or "open", whole(item, "version"),
                       self.repo.discrepancies(estate, day), text(item, "closed_at"),
                       text(item, "closed_by"))  # fmt: skip

    # -- matching ------------------------------------------------------------------------

    def find(self, estate: str, day: str) -> list[Discrepancy]:
        """What the three-way match of ``day`` finds (nothing written)."""
        lines = {d: self.repo.lines_of(estate, d) for d in
                 (_shift(day, k) for k in range(-WINDOW, WINDOW + 1))}  # fmt: skip
        pays, refunds = self.repo.ours(estate, day)
        providers = self.repo.providers_of([text(r, "payment_id") for r in refunds])
        found: list[Discrepancy] = []
        batches: dict[tuple[str, str], int] = {}
        for provider in PROVIDERS:
            ours = [(text(p, "payment_id"), text(p, "transaction_id"), whole(p, "amount_fen"))
                    for p in pays if text(p, "provider") == provider]  # fmt: skip
            ours_refunds = [(text(r, "refund_no"), text(r, "payment_id"), whole(r, "amount_fen"))
                            for r in refunds if providers.get(text(r, "payment_id")) == provider]  # fmt: skip
            for d, items in lines.items():
                provider_lines = list(_provider_lines(items, provider))
                if d == day:
                    hits, nets = match_provider(provider, ours, ours_refunds, provider_lines,
                                                ours_day=lambda _otn: day)  # fmt: skip
                    found += hits
                else:
                    _, nets = match_provider(provider, [], [], provider_lines)
                batches.update({(provider, k): v for k, v in nets.items()})
        bank = [b for d in lines for b in _bank_lines(lines[d])]
        offline = {d: self.repo.offline_of(estate, d) for d in lines if d <= day}
        found += [d for d in match_bank(batches, bank, offline_deposits(offline), card_days(offline))
                  if d.day == day]  # fmt: skip
        return [d for d in found if d.day == day or d.kind == "missing_at_provider"]

    def match(self, estate: str, day: str, actor: str, source_ip: str = "") -> DayView:
        day = check_day(day)
        current = self.view(estate, day)
        if current.state == "closed":
            raise Conflict("reconcile_day_closed", day=day)
        found = {discrepancy_id(d): d for d in self.find(estate, day)}
        at = iso(self.clock())
        known = {text(i, "id"): i for i in current.discrepancies}
        writes: list[Operation] = []
        for did, d in found.items():
            old = known.get(did)
            if old is None or text(old, "status") == "cleared":
                writes.append(Put(_item(estate, day, did, d, at)))
        for did, old in known.items():
            if did not in found and text(old, "status") == "open":
                writes.append(Update(rk.discrepancy(estate, day, did), set={"status": "cleared",
                                     "cleared_at": at}, remove=("gsi1pk", "gsi1sk")))  # fmt: skip
        counts = {k: sum(d.kind == k for d in found.values()) for k in KINDS}
        head: list[Operation] = [
            Put({**rk.reconcile_day(estate, day), "type": "reconcile_day", "estate": estate,
                 "day": day, "state": "matched", "version": current.version + 1,
                 "matched_at": at, "matched_by": actor, "counts": counts},
                _day_is(current.state, current.version)),
            self.audit.entry(Event(actor, "reconcile.matched", f"{estate}/{day}", source_ip,
                                   {"found": len(found), "counts": counts})),
        ]  # fmt: skip
        self._write(head, writes)
        return self.view(estate, day)

    def _write(self, head: list[Operation], rest: list[Operation]) -> None:
        """The day and its audit line with the first changes (one transaction), the rest in
        transactions of 90 conditioned on the day still not closed."""
        chunks = [rest[i : i + 90] for i in range(0, len(rest), 90)] or [[]]
        try:
            self.repo.table.transact([*head, *chunks[0]])
        except TransactionCancelled as exc:
            raise Conflict("reconcile_day_changed") from exc
        for chunk in chunks[1:]:
            self.repo.table.transact(chunk)

    # -- the exceptions queue --------------------------------------------------------------

    def resolve(self, estate: str, day: str, discrepancy: str, action: Action, note: str,
                actor: str, source_ip: str = "") -> Item:  # fmt: skip
        day = check_day(day)
        note = note.strip()
        if not note or len(note) > MAX_NOTE:
            raise InvalidInput("reconcile_note_missing", max=MAX_NOTE)
        item = self.repo.table.get(rk.discrepancy(estate, day, discrepancy))
        if item is None:
            raise NotFound("reconcile_discrepancy_not_found")
        if text(item, "status") != "open":
            raise Conflict("reconcile_discrepancy_not_open", status=text(item, "status"))
        if text(item, "kind") not in ACTIONS[action]:
            raise Conflict("reconcile_action_not_allowed", action=action, kind=text(item, "kind"))
        at = iso(self.clock())
        resolution = {"status": "resolved", "action": action, "note": note, "resolved_by": actor,
                      "resolved_at": at}  # fmt: skip
        try:
            self.repo.table.transact([
                Check(rk.reconcile_day(estate, day), NOT_CLOSED),
                Update(rk.discrepancy(estate, day, discrepancy), set=resolution,
                       remove=("gsi1pk", "gsi1sk"),
                       condition=condition("discrepancy_open", "#s = :o", names={"#s": "status"},
                                           o="open")),
                self.audit.entry(Event(actor, "reconcile.resolved", f"{estate}/{day}", source_ip,
                                       {"discrepancy": discrepancy, "kind": text(item, "kind"),
                                        "ref": text(item, "ref"), "action": action, "note": note})),
            ])  # fmt: skip
        except TransactionCancelled as exc:
            if NOT_CLOSED.name in exc.failed:
                raise Conflict("reconcile_day_closed", day=day) from exc
            raise Conflict("reconcile_discrepancy_not_open", status="") from exc
        return {**item, **resolution}

    # -- closing ---------------------------------------------------------------------------

    def close(self, estate: str, day: str, actor: str, source_ip: str = "") -> DayView:
        """Lock a matched day whose discrepancies are all resolved (a closed day: as it is)."""
        current = self.view(estate, day)
        if current.state == "closed":
            return current
        if current.state != "matched":
            raise Conflict("reconcile_day_not_matched", day=current.day)
        if current.open_count:
            raise Conflict("reconcile_day_has_open", open=current.open_count)
        at = iso(self.clock())
        self._write([
            Update(rk.reconcile_day(estate, current.day), set={"state": "closed", "closed_at": at,
                   "closed_by": actor, "version": current.version + 1},
                   condition=_day_is("matched", current.version)),
            self.audit.entry(Event(actor, "reconcile.closed", f"{estate}/{current.day}", source_ip,
                                   {"version": current.version + 1})),
        ], [])  # fmt: skip
        return self.view(estate, current.day)

    def reopen(self, estate: str, day: str, reason: str, actor: str, source_ip: str = "") -> DayView:
        """Unlock a closed day, with a reason (an open day: as it is)."""
        reason = reason.strip()
        if not reason or len(reason) > MAX_NOTE:
            raise InvalidInput("reconcile_reason_missing", max=MAX_NOTE)
        current = self.view(estate, day)
        if current.state != "closed":
            return current
        at = iso(self.clock())
        self._write([
            Update(rk.reconcile_day(estate, current.day), set={"state": "matched",
                   "reopened_at": at, "reopened_by": actor, "reopen_reason": reason,
                   "version": current.version + 1},
                   condition=_day_is("closed", current.version)),
            self.audit.entry(Event(actor, "reconcile.reopened", f"{estate}/{current.day}",
                                   source_ip, {"reason": reason})),
        ], [])  # fmt: skip
        return self.view(estate, current.day)


def _item(estate: str, day: str, did: str, d: Discrepancy, at: str) -> Item:
    return {**rk.discrepancy(estate, day, did), **rk.open_discrepancy_index(estate, day, did),
            "type": "discrepancy", "estate": estate, "day": day, "id": did, "kind": d.kind,
            "ref": d.ref, "provider": d.provider, "ours_fen": d.ours_fen,
            "provider_fen": d.provider_fen, "bank_fen": d.bank_fen,
            "expected_fen": d.expected_fen, "transaction_id": d.transaction_id, "line": d.line,
            "status": "open", "found_at": at}  # fmt: skip


BANKED: tuple[str, ...] = ("transfer", "pos")
"""The offline methods whose money reaches the bank by itself (cash goes through a handover)."""


def offline_deposits(by_day: Mapping[str, Iterable[Item]]) -> list[Deposit]:
    """The bank deposits the desk's offline payments explain: each bank transfer as it was
    paid, and a day's POS slips as the one deposit the card acquirer settles them in, net of
    the agreed fee of each slip (:func:`card_days`)."""
    deposits: list[Deposit] = []
    for day, entries in sorted(by_day.items()):
        for e in entries:
            if text(e, "method") == "transfer":
                deposits.append((text(e, "reference") or text(e, "payment_id"), day,
                                 whole(e, "amount_fen")))  # fmt: skip
    deposits += [(f"{ACQUIRER}:{day}", day, gross - fee) for day, gross, fee in card_days(by_day)]
    return deposits


def card_days(by_day: Mapping[str, Iterable[Item]]) -> list[CardDay]:
    """Each day's POS slips: their gross and the acquirer's agreed fee, slip by slip
    (:func:`~.kinds.expected_fee` of :data:`~.kinds.FEE_RATES` ``pos``, half up to the fen)."""
    out: list[CardDay] = []
    for day, entries in sorted(by_day.items()):
        slips = [whole(e, "amount_fen") for e in entries if text(e, "method") == "pos"]
        if slips:
            out.append((day, sum(slips), sum(expected_fee(ACQUIRER, s) for s in slips)))
    return out


def _provider_lines(items: Iterable[Item], provider: str) -> Iterable[ProviderLine]:
    for i in items:
        if text(i, "sk").startswith(f"{provider}#"):
            yield (text(i, "line_kind"), text(i, "out_trade_no"), text(i, "transaction_id"),
                   text(i, "refund_no"), whole(i, "gross_fen"), whole(i, "fee_fen"),
                   text(i, "day"), whole(i, "line"))  # fmt: skip


def _bank_lines(items: Iterable[Item]) -> Iterable[BankLine]:
    for i in items:
        if text(i, "line_kind") == "credit":
            yield (text(i, "serial"), text(i, "day"), whole(i, "amount_fen"),
                   text(i, "counterparty"), text(i, "memo"), whole(i, "line"))  # fmt: skip
