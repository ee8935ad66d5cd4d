"""Importing a statement file: all or nothing, and a second import of it adds nothing.

1. The file's SHA-256 is its fingerprint: a file imported before answers
   ``already_imported`` with what it brought then, and writes nothing.
2. It is parsed (:mod:`.alipay`, :mod:`.wechat`, :mod:`.bank`): any problem (its line,
   column and what is wrong) rejects the whole file, and nothing is written.
3. Lines of another estate's orders are left out (counted); a line for a closed day
   rejects the file (reopen the day first).
4. Each line has an identity (provider: ``<source>#<kind>#<transaction>#<refund no>``;
   bank: ``bank:<bank>#<serial>``, or a digest of its date, amount, counterparty and memo
   where the bank gives no serial; a second identical line within one file gets ``#2``),
   so a file that overlaps one imported before adds only its new lines; the same identity
   with other amounts is a problem (``line_conflicts``), and the file is rejected.
5. Written: the file record (``importing``), the new lines, then the record
   ``imported`` and the audit line. Readers take lines only of files ``imported``, so a
   crash between leaves nothing half-visible; importing the file again completes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from portal.accounts.audit import AuditLog, Event
from portal.billing.payments import estate_of
from portal.clock import Clock, iso
from portal.finance.reconcile import alipay, bank, wechat
from portal.finance.reconcile.bank import BankMapping
from portal.finance.reconcile.lines import BankLine, Parsed, Problem, ProviderLine
from portal.finance.reconcile.repository import ReconcileRepository
from portal.store import reconcile_keys
from portal.store.items import Item

Source = Literal["alipay", "wechat", "bank"]
Outcome = Literal["imported", "already_imported", "rejected"]


@dataclass
class ImportReport:
    estate: str
    source: str
    file_name: str
    sha256: str
    outcome: Outcome
    format: str = ""
    lines: int = 0
    new_lines: int = 0
    skipped: int = 0
    other_estates: int = 0
    days: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def parse(source: Source, data: bytes, mapping: BankMapping | None) -> Parsed:
    if source == "bank":
        if mapping is None:
            out = Parsed("bank")
            out.problem(0, "", "mapping_missing")
            return out
        return bank.parse(data, mapping)
    return alipay.parse(data) if source == "alipay" else wechat.parse(data)


def identities(source: str, parsed: Parsed) -> list[tuple[str, ProviderLine | BankLine]]:
    seen: dict[str, int] = {}
    out: list[tuple[str, ProviderLine | BankLine]] = []
    for p in parsed.provider_lines:
        out.append((_once(f"{source}#{p[0]}#{p[2]}#{p[3]}", seen), p))
    for b in parsed.bank_lines:
        ref = b[0] or hashlib.sha256(f"{b[1]}|{b[2]}|{b[3]}|{b[4]}".encode()).hexdigest()[:20]
        out.append((_once(f"{source}#{ref}", seen), b))
    return out


def _once(identity: str, seen: dict[str, int]) -> str:
    n = seen[identity] = seen.get(identity, 0) + 1
    return identity if n == 1 else f"{identity}#{n}"


def line_item(estate: str, identity: str, line: ProviderLine | BankLine, digest: str) -> Item:
    if len(line) == 8:
        kind, otn, tx, refund_no, gross, fee, day, n = line
        body: Item = {"line_kind": kind, "out_trade_no": otn, "transaction_id": tx,
                      "refund_no": refund_no, "gross_fen": gross, "fee_fen": fee}  # fmt: skip
    else:
        serial, day, amount, payer, memo, n = line
        body = {"line_kind": "credit", "serial": serial, "amount_fen": amount,
                "counterparty": payer, "memo": memo}  # fmt: skip
    return {**reconcile_keys.statement_line(estate, str(day), identity), "type": "statement_line",
            "estate": estate, "day": day, "line": n, "file": digest, **body}  # fmt: skip


_COMPARED = ("line_kind", "gross_fen", "fee_fen", "amount_fen", "out_trade_no")


class StatementImporter:
    def __init__(self, repo: ReconcileRepository, audit: AuditLog, clock: Clock) -> None:
        self.repo, self.audit, self.clock = repo, audit, clock

    def run(self, estate: str, source: Source, data: bytes, *, file_name: str, actor: str,
            bank_name: str = "", source_ip: str = "",
            progress: Callable[[int, int], None] | None = None) -> ImportReport:  # fmt: skip
        digest = hashlib.sha256(data).hexdigest()
        report = ImportReport(estate, source, file_name, digest, "rejected")
        before = self.repo.file(estate, digest)
        if before is not None and before.get("state") == "imported":
            report.outcome = "already_imported"
            report.lines, report.new_lines = int(before.get("lines", 0)), 0
            report.days = list(before.get("days") or [])
            return report
        mapping = self.repo.mapping(estate, bank_name) if source == "bank" else None
        parsed = parse(source, data, mapping)
        report.format, report.skipped = parsed.format, parsed.skipped
        label = f"bank:{bank_name}" if source == "bank" else source
        kept = []
        for identity, line in identities(label, parsed):
            owner = estate_of(str(line[1])) if len(line) == 8 else None
            if owner is not None and owner != estate:
                report.other_estates += 1
                continue
            kept.append(line_item(estate, identity, line, digest))
        report.lines = len(kept)
        report.days = sorted({str(i["day"]) for i in kept if i["day"]})
        report.problems = list(parsed.problems)
        if not parsed.problems:
            report.problems += self._conflicts(estate, report.days, kept)
        if report.problems:
            self.audit.record(Event(actor, "reconcile.import_rejected", estate, source_ip, {
                "file": file_name, "sha256": digest, "source": label,
                "problems": len(report.problems)}))  # fmt: skip
            return report
        new = [i for i in kept if not i.pop("_exists", False)]
        report.new_lines = len(new)
        self.repo.begin_file(estate, digest, label, file_name, actor, iso(self.clock()))
        for start in range(0, len(new), 500):
            self.repo.table.batch_put(new[start : start + 500])
            if progress:
                progress(min(start + 500, len(new)), len(new))
        self.repo.finish_file(estate, digest, report.lines, report.new_lines, report.days)
        self.audit.record(Event(actor, "reconcile.imported", estate, source_ip, {
            "file": file_name, "sha256": digest, "source": label, "lines": report.lines,
            "new_lines": report.new_lines, "days": report.days}))  # fmt: skip
        report.outcome = "imported"
        return report

    def _conflicts(self, estate: str, days: list[str], kept: list[Item]) -> list[Problem]:
        problems: list[Problem] = []
        for day in days:
            if self.repo.day_state(estate, day) == "closed":
                problems.append(Problem(0, "", "day_closed", day))
        if problems:
            return problems
        existing = {(str(i["day"]), str(i["sk"])): i for day in days
                    for i in self.repo.lines_of(estate, day, committed=False)}  # fmt: skip
        for item in kept:
            old = existing.get((str(item["day"]), str(item["sk"])))
            if old is None:
                continue
            if any(old.get(k) != item.get(k) for k in _COMPARED):
                problems.append(Problem(int(item["line"]), "", "line_conflicts", str(item["sk"])))
            else:
                item["_exists"] = True
        return problems[:50]
